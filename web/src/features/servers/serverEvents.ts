// A server's own event stream (GET /servers/{id}/events): a `snapshot` with the server first,
// then each stored event named by its kind with data {seq, kind, at, details}.
import type { StreamEvent } from "../../api/sse";
import type { Server } from "./types";

export interface ServerEventItem {
  seq: number;
  kind: string;
  at: string;
  details: Record<string, unknown>;
}

export type ServerStreamUpdate =
  | { type: "snapshot"; server: Server }
  | { type: "event"; item: ServerEventItem }
  | { type: "ignored" };

export function readServerStreamEvent(event: StreamEvent): ServerStreamUpdate {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    return { type: "ignored" };
  }
  if (typeof data !== "object" || data === null) return { type: "ignored" };
  if (event.event === "snapshot") return { type: "snapshot", server: data as Server };
  const raw = data as Partial<ServerEventItem>;
  return {
    type: "event",
    item: {
      seq: typeof raw.seq === "number" ? raw.seq : Number(event.id ?? 0),
      kind: raw.kind ?? event.event,
      at: raw.at ?? new Date().toISOString(),
      details: (raw.details ?? {}) as Record<string, unknown>,
    },
  };
}

/// Newest first, each seq once (a resumed stream may replay what was already shown), bounded.
export function addEvent(list: ServerEventItem[], item: ServerEventItem, keep = 500): ServerEventItem[] {
  if (item.seq > 0 && list.some((e) => e.seq === item.seq)) return list;
  return [item, ...list].slice(0, keep);
}

/// One line saying what an event means.
export function describeEvent(item: ServerEventItem): string {
  const d = item.details;
  const s = (key: string) => (typeof d[key] === "string" ? (d[key] as string) : "");
  switch (item.kind) {
    case "status_changed":
      return `Status ${s("from").replace(/_/g, " ") || "?"} → ${s("to").replace(/_/g, " ") || "?"}${s("reason") ? `: ${s("reason")}` : ""}`;
    case "agent_connected":
      return `Agent connected${s("agent_version") ? ` (version ${s("agent_version")})` : ""}`;
    case "agent_event": {
      const details = d.details && typeof d.details === "object" ? JSON.stringify(d.details) : "";
      return `Agent reported ${s("kind").replace(/_/g, " ") || "an event"}${details && details !== "{}" ? ` ${details}` : ""}`;
    }
    default:
      return Object.keys(d).length ? JSON.stringify(d) : "";
  }
}
