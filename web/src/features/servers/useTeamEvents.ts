// The team's live server stream (GET /api/v1/events, live only: no ids, no replay). Status
// events update the cached lists in place; `metrics` events feed the sparklines. Until its
// `ready` event, and after an error (reconnecting, or a berthd without it), `live` is false
// and the list polls.
import { useEffect, useState } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { openStream, type StreamEvent } from "../../api/sse";
import { serverKeys } from "./keys";
import { appendPoint, pointFromLive } from "./metrics";
import {
  parseEventData,
  replaceServer,
  serverAfterEvent,
  serverAfterMetrics,
  type MetricsEventData,
  type ServerEventData,
} from "./liveServers";
import type { MetricSeries, Server, ServerList } from "./types";

export const teamEventsPath = "/api/v1/events";

export function applyTeamEvent(client: QueryClient, teamId: string, event: StreamEvent) {
  if (event.event === "metrics") {
    const sample = parseEventData<MetricsEventData>(event.data);
    if (!sample) return;
    client.setQueriesData<ServerList>({ queryKey: serverKeys.lists(teamId) }, (list) =>
      replaceServer(list, sample.server_id, (s) => serverAfterMetrics(s, sample)).list,
    );
    client.setQueryData<Server>(serverKeys.one(teamId, sample.server_id), (s) => (s ? serverAfterMetrics(s, sample) : s));
    const point = pointFromLive(sample.metrics, sample.at);
    if (point) {
      // Only series already on screen grow; one not loaded yet will be fetched whole.
      client.setQueriesData<MetricSeries>({ queryKey: serverKeys.metrics(teamId, sample.server_id, "1h"), exact: true }, (series) =>
        series ? appendPoint(series, point) : series,
      );
    }
    return;
  }
  const data = parseEventData<ServerEventData>(event.data);
  if (!data) return;
  const change = { ...data, kind: data.kind || event.event };
  let stale = false;
  client.setQueriesData<ServerList>({ queryKey: serverKeys.lists(teamId) }, (list) => {
    const result = replaceServer(list, change.server_id, (s) => serverAfterEvent(s, change));
    stale ||= result.stale;
    return result.list;
  });
  if (stale) void client.invalidateQueries({ queryKey: serverKeys.lists(teamId) });
  void client.invalidateQueries({ queryKey: serverKeys.one(teamId, change.server_id) });
}

export function useTeamEvents(teamId: string | null): { live: boolean } {
  const client = useQueryClient();
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!teamId) return;
    // useStream has no error callback; the fallback to polling needs one, so openStream directly.
    let opened = 0;
    const close = openStream(teamEventsPath, {
      onEvent: (event) => {
        if (event.event === "ready") {
          // Nothing is replayed: once (re)opened, read the lists again for what happened meanwhile.
          setLive(true);
          if (opened++ > 0) void client.invalidateQueries({ queryKey: serverKeys.lists(teamId) });
          return;
        }
        applyTeamEvent(client, teamId, event);
      },
      onError: () => setLive(false),
      retryMs: 5000,
    });
    return () => {
      close();
      setLive(false);
    };
  }, [client, teamId]);
  return { live };
}
