import { memo, useEffect, useMemo, useRef, useState, type RefObject } from "react";
import { Link } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import { StatusDot } from "../../components/StatusDot";
import { Sparkline } from "../../components/Sparkline";
import { RelativeTime } from "../../components/Time";
import { fetchMetrics, liveMetricsOf } from "./api";
import { serverKeys } from "./keys";
import { appendPoint, pointFromLive, pointsOf, tail, toSeriesView } from "./metrics";
import { UpdateBadge } from "./AgentVersion";
import type { Server } from "./types";

/// True once the element has been on screen. A list of 100 servers must not ask for 100
/// metric series before it can be used: each row seeds its sparklines when it is first seen.
function useSeen(element: RefObject<Element | null>) {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const target = element.current;
    if (seen || !target) return;
    if (typeof IntersectionObserver === "undefined") {
      setSeen(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) setSeen(true);
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [element, seen]);
  return seen;
}

/// The last hour of a server's metrics (seeded from the API once `wanted`, grown by live samples).
export function useRecentSeries(teamId: string | null, server: Server, wanted = true) {
  const id = server.id ?? "";
  const seeded = useQuery({
    queryKey: serverKeys.metrics(teamId, id, "1h"),
    queryFn: () => fetchMetrics(id, "1h"),
    // Live samples keep it current; refetch only now and then to fill gaps.
    staleTime: 5 * 60_000,
    enabled: wanted && server.last_seen_at != null,
  });
  const metrics = liveMetricsOf(server);
  const lastSeen = server.last_seen_at;
  return useMemo(() => {
    // The list's own latest heartbeat counts too (it is all that polling brings).
    const live = lastSeen ? pointFromLive(metrics, lastSeen) : null;
    const series = live ? appendPoint(seeded.data, live) : seeded.data;
    return toSeriesView(pointsOf(series));
  }, [seeded.data, metrics, lastSeen]);
}

export function SchedulingBadge({ scheduling }: { scheduling: Server["scheduling"] }) {
  if (!scheduling || scheduling === "active") return null;
  return <span className="badge badge-warn">{scheduling}</span>;
}

/// One server in the list. Memoised on the server object: a live event replaces only the
/// object of the server it is about, so only that row draws again.
export const ServerRow = memo(function ServerRow({ server, teamId }: { server: Server; teamId: string | null }) {
  const row = useRef<HTMLTableRowElement>(null);
  const view = useRecentSeries(teamId, server, useSeen(row));
  const name = server.name ?? server.id ?? "";
  return (
    <tr ref={row}>
      <td>
        <div className="server-name">
          <StatusDot status={server.status ?? "pending"} label="" />
          <Link to={`/servers/${server.id}`}>{name}</Link>
          <span className="sr-only">{server.status?.replace(/_/g, " ")}</span>
        </div>
        {server.status !== "online" && server.status_reason && (
          <div className="muted small hide-sm" title={server.status_reason}>
            {server.status?.replace(/_/g, " ")}: {server.status_reason}
          </div>
        )}
      </td>
      <td className="hide-sm mono">{server.address || <span className="muted">–</span>}</td>
      <td>
        <SchedulingBadge scheduling={server.scheduling} />
      </td>
      <td className="hide-sm">
        <span className="mono">{server.agent_version || <span className="muted">–</span>}</span> <UpdateBadge server={server} />
      </td>
      <td>
        <RelativeTime at={server.last_seen_at} />
      </td>
      <td>
        <Sparkline values={tail(view.cpu)} label={`${name} CPU`} />
      </td>
      <td className="hide-sm">
        <Sparkline values={tail(view.memory)} label={`${name} memory`} />
      </td>
      <td className="hide-sm">
        <Sparkline values={tail(view.disk)} label={`${name} disk`} />
      </td>
    </tr>
  );
});
