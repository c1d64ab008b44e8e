import { describe, expect, it } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import { replaceServer, serverAfterEvent, serverAfterMetrics } from "./liveServers";
import { applyTeamEvent } from "./useTeamEvents";
import { serverKeys } from "./keys";
import type { MetricSeries, Server, ServerList } from "./types";

const server = (id: string, extra: Partial<Server> = {}): Server => ({
  id,
  name: id,
  status: "online",
  status_reason: "",
  scheduling: "active",
  last_seen_at: "2026-01-01T10:00:00.000Z",
  ...extra,
});
const list = (): ServerList => ({ data: [server("srv_a"), server("srv_b")], page: 1, per_page: 20, total: 2 });

describe("the list's live updates", () => {
  it("applies a status change to its row only, keeping the other rows' objects", () => {
    const before = list();
    const { list: after, stale } = replaceServer(before, "srv_b", (s) =>
      serverAfterEvent(s, { server_id: "srv_b", kind: "status_changed", at: "2026-01-01T10:01:00.000Z", details: { from: "online", to: "offline", reason: "3 heartbeats missed" } }),
    );
    expect(stale).toBe(false);
    expect(after!.data![1]).toMatchObject({ status: "offline", status_reason: "3 heartbeats missed" });
    expect(after!.data![0]).toBe(before.data![0]);
  });

  it("asks for a refetch on an event it cannot apply, and ignores servers not on the page", () => {
    const before = list();
    expect(replaceServer(before, "srv_a", (s) => serverAfterEvent(s, { server_id: "srv_a", kind: "renamed", at: "x" })).stale).toBe(true);
    expect(replaceServer(before, "srv_z", () => null)).toEqual({ list: before, stale: false });
  });

  it("takes a newer heartbeat's metrics and ignores an older one", () => {
    const s = server("srv_a");
    const newer = serverAfterMetrics(s, { server_id: "srv_a", at: "2026-01-01T10:00:30.000Z", metrics: { cpu_percent: 42 } });
    expect(newer.last_seen_at).toBe("2026-01-01T10:00:30.000Z");
    expect(serverAfterMetrics(newer, { server_id: "srv_a", at: "2026-01-01T09:00:00.000Z", metrics: {} })).toBe(newer);
  });

  it("routes stream events into the cache: status into the lists, samples into loaded series", () => {
    const client = new QueryClient();
    const key = serverKeys.list("team_1", 1, 20, "");
    client.setQueryData(key, list());
    client.setQueryData(serverKeys.metrics("team_1", "srv_a", "1h"), { points: [] } as MetricSeries);
    applyTeamEvent(client, "team_1", {
      id: null,
      event: "status_changed",
      data: JSON.stringify({ server_id: "srv_a", kind: "status_changed", at: "2026-01-01T10:02:00.000Z", details: { from: "online", to: "degraded", reason: "docker down" } }),
    });
    applyTeamEvent(client, "team_1", {
      id: null,
      event: "metrics",
      data: JSON.stringify({ server_id: "srv_a", at: "2026-01-01T10:03:00.000Z", metrics: { cpu_percent: 12, memory: { used_bytes: 1, total_bytes: 4 } } }),
    });
    const after = client.getQueryData<ServerList>(key)!;
    expect(after.data![0]).toMatchObject({ status: "degraded", last_seen_at: "2026-01-01T10:03:00.000Z" });
    const series = client.getQueryData<MetricSeries>(serverKeys.metrics("team_1", "srv_a", "1h"))!;
    expect(series.points).toHaveLength(1);
    // A series nobody loaded is not created by a sample.
    expect(client.getQueryData(serverKeys.metrics("team_1", "srv_b", "1h"))).toBeUndefined();
  });
});
