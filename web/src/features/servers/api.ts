// The servers area's reads, shared by its pages (each wraps one typed call).
import { api, call } from "../../api/client";
import type { Job, LiveMetrics, MetricsRange, Server } from "./types";

export function fetchServers(page: number, perPage: number, q: string) {
  return call(api.GET("/api/v1/servers", { params: { query: { page, per_page: perPage, ...(q ? { q } : {}) } } }));
}

export function fetchServer(id: string) {
  return call(api.GET("/api/v1/servers/{id}", { params: { path: { id } } }));
}

export function fetchMetrics(id: string, range: MetricsRange) {
  return call(api.GET("/api/v1/servers/{id}/metrics", { params: { path: { id }, query: { range } } }));
}

export function fetchJob(id: string) {
  return call(api.GET("/api/v1/jobs/{id}", { params: { path: { id } } }));
}

/// The object-typed fields of a server (the schema says only "object"), read as what they hold.
export function liveMetricsOf(server: Server | undefined): LiveMetrics | undefined {
  return server?.metrics as unknown as LiveMetrics | undefined;
}

export interface DockerStatus {
  status?: string;
  reason?: string;
  version?: string;
}
export function dockerOf(server: Server | undefined): DockerStatus {
  return (server?.docker ?? {}) as unknown as DockerStatus;
}

export function factsOf(server: Server | undefined): Record<string, unknown> {
  return (server?.facts ?? {}) as unknown as Record<string, unknown>;
}

export function labelsOf(server: Server | undefined): Record<string, string> {
  return (server?.labels ?? {}) as unknown as Record<string, string>;
}

export interface SshInfo {
  host?: string;
  port?: number;
  username?: string;
  host_key?: string | null;
  credentials_kept?: boolean;
}
export function sshOf(server: Server | undefined): SshInfo | null {
  return (server?.ssh ?? null) as unknown as SshInfo | null;
}

/// A job's argv (exec jobs), when the caller may see it.
export function argvOf(job: Job | undefined): string[] | null {
  const argv = (job?.args as unknown as { argv?: unknown } | undefined)?.argv;
  return Array.isArray(argv) && argv.every((a) => typeof a === "string") ? (argv as string[]) : null;
}
