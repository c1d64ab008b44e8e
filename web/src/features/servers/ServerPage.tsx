import { useCallback, useState } from "react";
import { Link, Outlet, useOutletContext, useParams } from "react-router-dom";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useAuth } from "../../auth/AuthContext";
import { PageHeader } from "../../components/PageHeader";
import { StatusDot } from "../../components/StatusDot";
import { Tabs } from "../../components/Tabs";
import { ErrorText } from "../../components/ErrorText";
import { useStream } from "../../components/useStream";
import type { StreamEvent } from "../../api/sse";
import { fetchServer } from "./api";
import { serverKeys } from "./keys";
import { SchedulingBadge } from "./ServerRow";
import { addEvent, readServerStreamEvent, type ServerEventItem } from "./serverEvents";
import type { Server } from "./types";
import "./servers.css";

export interface ServerPageContext {
  server: Server;
  serverId: string;
  teamId: string | null;
  events: ServerEventItem[];
}

export function useServerPage() {
  return useOutletContext<ServerPageContext>();
}

/// The frame of one server: header, tabs (each its own URL) and the server's live event stream,
/// which keeps the header's status current and feeds the Events tab.
export default function ServerPage() {
  const { id = "" } = useParams();
  const { teamId, can } = useAuth();
  const client = useQueryClient();
  const [events, setEvents] = useState<ServerEventItem[]>([]);
  const server = useQuery({
    queryKey: serverKeys.one(teamId, id),
    queryFn: () => fetchServer(id),
    enabled: teamId !== null,
  });

  const onEvent = useCallback(
    (event: StreamEvent) => {
      const update = readServerStreamEvent(event);
      if (update.type === "snapshot") {
        client.setQueryData(serverKeys.one(teamId, id), update.server);
      } else if (update.type === "event") {
        setEvents((list) => addEvent(list, update.item));
        void client.invalidateQueries({ queryKey: serverKeys.one(teamId, id) });
        void client.invalidateQueries({ queryKey: serverKeys.lists(teamId) });
      }
    },
    [client, teamId, id],
  );
  const streamError = useStream(teamId && server.isSuccess ? `/api/v1/servers/${encodeURIComponent(id)}/events` : null, onEvent);

  if (server.isError) {
    return (
      <>
        <PageHeader title="Server" subtitle={<Link to="/servers">All servers</Link>} />
        <ErrorText error={server.error} />
      </>
    );
  }
  if (!server.data) return <div className="skeleton" style={{ height: 320 }} aria-busy="true" />;

  const s = server.data;
  const base = `/servers/${encodeURIComponent(id)}`;
  const tabs = [
    { to: base, label: "Overview" },
    { to: `${base}/events`, label: "Events" },
    { to: `${base}/containers`, label: "Containers" },
    { to: `${base}/jobs`, label: "Jobs" },
    { to: `${base}/proxy`, label: "Proxy" },
    ...(can("admin") ? [{ to: `${base}/settings`, label: "Settings" }] : []),
  ];
  return (
    <>
      <PageHeader
        title={s.name}
        subtitle={
          <span className="row">
            <StatusDot status={s.status ?? "pending"} />
            <SchedulingBadge scheduling={s.scheduling} />
            {s.address && <span className="mono">{s.address}</span>}
            <Link to="/servers">All servers</Link>
          </span>
        }
      />
      <ErrorText error={streamError} />
      <Tabs label="Server sections" tabs={tabs} />
      <Outlet context={{ server: s, serverId: id, teamId, events } satisfies ServerPageContext} />
    </>
  );
}
