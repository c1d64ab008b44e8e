// Query keys of the servers area: the area, then the team, so a team switch never shows
// another team's servers from the cache.
import type { MetricsRange } from "./types";

export const serverKeys = {
  all: (team: string | null) => ["servers", team] as const,
  list: (team: string | null, page: number, perPage: number, q: string) => ["servers", team, "list", { page, perPage, q }] as const,
  lists: (team: string | null) => ["servers", team, "list"] as const,
  one: (team: string | null, id: string) => ["servers", team, "server", id] as const,
  metrics: (team: string | null, id: string, range: MetricsRange) => ["servers", team, "metrics", id, range] as const,
  jobs: (team: string | null, id: string, page: number) => ["servers", team, "jobs", id, page] as const,
  jobsOf: (team: string | null, id: string) => ["servers", team, "jobs", id] as const,
  proxy: (team: string | null, id: string) => ["servers", team, "proxy", id] as const,
  job: (team: string | null, id: string) => ["servers", team, "job", id] as const,
};
