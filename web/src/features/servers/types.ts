// The shapes the servers views read, taken from the generated API types so a change in
// docs/openapi.json breaks the build here rather than at run time.
import type { paths } from "../../api/schema";

type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { "application/json": infer B } } };
}
  ? B
  : never;

export type ServerList = Json<"/api/v1/servers", "get", 200>;
export type Server = ServerList["data"] extends (infer S)[] | undefined ? S : never;
export type Job = Json<"/api/v1/jobs/{id}", "get", 200>;
export type JobList = Json<"/api/v1/servers/{id}/jobs", "get", 200>;
export type MetricSeries = Json<"/api/v1/servers/{id}/metrics", "get", 200>;
export type ProxySettings = Json<"/api/v1/servers/{id}/proxy", "get", 200>;
export type InstallToken = Json<"/api/v1/servers/install-tokens", "post", 201>;
export type AdoptBody = NonNullable<paths["/api/v1/servers"]["post"]["requestBody"]>["content"]["application/json"];

export type MetricsRange = "1h" | "6h" | "24h" | "7d";
export const metricsRanges: MetricsRange[] = ["1h", "6h", "24h", "7d"];

/// One point of a server's metric series (GET /servers/{id}/metrics "points"; the schema
/// only says "object", docs/api.md and fleet_views name the fields).
export interface MetricPoint {
  at: string;
  samples?: number;
  cpu_percent: number;
  load1?: number;
  memory_used_bytes: number;
  memory_total_bytes: number;
  swap_used_bytes?: number;
  disk_used_bytes: number;
  disk_total_bytes: number;
  net_rx_bytes_per_second?: number;
  net_tx_bytes_per_second?: number;
}

/// A heartbeat's metrics as the agent sends them (docs/protocol.md, `heartbeat`): the shape of
/// a server's `metrics` field and of the team stream's `metrics` events.
export interface LiveMetrics {
  cpu_percent?: number;
  load?: number[];
  uptime_seconds?: number;
  memory?: { total_bytes?: number; used_bytes?: number; available_bytes?: number };
  swap?: { total_bytes?: number; used_bytes?: number };
  disks?: { mount?: string; fs?: string; total_bytes?: number; used_bytes?: number; available_bytes?: number }[];
  network?: { rx_bytes?: number; tx_bytes?: number };
  containers?: { running?: number; total?: number };
}

export const terminalJobStates = ["succeeded", "failed", "canceled", "lost"];
export function isJobFinished(job: Pick<Job, "state"> | undefined): boolean {
  return !!job?.state && terminalJobStates.includes(job.state);
}
