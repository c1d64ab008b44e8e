// What the team's live stream (GET /api/v1/events) changes in the cached server lists.
// Pure functions, so the list's live behaviour is tested without a stream.
import type { LiveMetrics, Server, ServerList } from "./types";

/// A server event as the team stream sends it: named by its kind, data {server_id, kind, at, details}.
export interface ServerEventData {
  server_id: string;
  kind: string;
  at: string;
  details?: Record<string, unknown>;
}

/// A heartbeat's metrics as the team stream sends them (event `metrics`).
export interface MetricsEventData {
  server_id: string;
  at: string;
  metrics: LiveMetrics;
}

const statuses = ["pending", "adopting", "adoption_failed", "online", "degraded", "offline"] as const;

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/// The server as the event leaves it, or null when the event says something the list cannot
/// work out by itself (then the caller refetches).
export function serverAfterEvent(server: Server, event: ServerEventData): Server | null {
  const details = event.details ?? {};
  switch (event.kind) {
    case "status_changed": {
      const to = str(details.to);
      if (!to || !(statuses as readonly string[]).includes(to)) return null;
      return { ...server, status: to as Server["status"], status_reason: str(details.reason) ?? "", updated_at: event.at };
    }
    case "agent_connected":
      return {
        ...server,
        agent_version: str(details.agent_version) ?? server.agent_version,
        connected_at: event.at,
        last_seen_at: event.at,
      };
    case "agent_event":
      return server; // disk or Docker news: the status (if it changes) comes as status_changed
    default:
      return null;
  }
}

export function serverAfterMetrics(server: Server, sample: MetricsEventData): Server {
  if (server.last_seen_at && server.last_seen_at >= sample.at) return server;
  return { ...server, metrics: sample.metrics as unknown as Server["metrics"], last_seen_at: sample.at };
}

/// The list with one server replaced; the same list object when that server is not on it or
/// did not change, so the rows that did not change are not drawn again.
export function replaceServer(
  list: ServerList | undefined,
  serverId: string,
  change: (server: Server) => Server | null,
): { list: ServerList | undefined; stale: boolean } {
  const rows = list?.data;
  if (!list || !rows) return { list, stale: false };
  const index = rows.findIndex((s) => s.id === serverId);
  if (index < 0) return { list, stale: false };
  const next = change(rows[index]!);
  if (next === null) return { list, stale: true };
  if (next === rows[index]) return { list, stale: false };
  const data = rows.slice();
  data[index] = next;
  return { list: { ...list, data }, stale: false };
}

/// Parses an event's data, or null for something that is not the expected shape.
export function parseEventData<T extends { server_id: string }>(data: string): T | null {
  try {
    const value = JSON.parse(data) as unknown;
    if (typeof value === "object" && value !== null && typeof (value as { server_id?: unknown }).server_id === "string") {
      return value as T;
    }
  } catch {
    // a malformed event is skipped; the periodic refetch corrects the list
  }
  return null;
}
