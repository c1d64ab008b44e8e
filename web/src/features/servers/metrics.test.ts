import { describe, expect, it } from "vitest";
import { appendPoint, pointFromLive, pointsOf, tail, toSeriesView } from "./metrics";
import type { MetricPoint, MetricSeries } from "./types";

const point = (at: string, cpu: number): MetricPoint => ({
  at,
  cpu_percent: cpu,
  memory_used_bytes: 512,
  memory_total_bytes: 2048,
  disk_used_bytes: 30,
  disk_total_bytes: 0,
});
const series = (points: MetricPoint[]) => ({ range: "1h", resolution_seconds: 60, points }) as unknown as MetricSeries;

describe("metric series", () => {
  it("makes time-ordered columns with percentages, and a gap where a total is unknown", () => {
    const view = toSeriesView(pointsOf(series([point("2026-01-01T10:01:00.000Z", 20), point("2026-01-01T10:00:00.000Z", 10)])));
    expect(view.times).toEqual([1767261600, 1767261660]);
    expect(view.cpu).toEqual([10, 20]);
    expect(view.memory).toEqual([25, 25]);
    expect(view.disk).toEqual([null, null]);
  });

  it("turns a heartbeat into a point, summing the disks, and nothing for an empty one", () => {
    const p = pointFromLive(
      { cpu_percent: 5, load: [0.5], memory: { used_bytes: 1, total_bytes: 2 }, disks: [{ used_bytes: 10, total_bytes: 100 }, { used_bytes: 5, total_bytes: 50 }] },
      "2026-01-01T10:00:00.000Z",
    );
    expect(p).toMatchObject({ cpu_percent: 5, load1: 0.5, disk_used_bytes: 15, disk_total_bytes: 150 });
    expect(pointFromLive({}, "2026-01-01T10:00:00.000Z")).toBeNull();
  });

  it("appends only newer samples and keeps the series bounded", () => {
    let s = series([point("2026-01-01T10:00:00.000Z", 1)]);
    s = appendPoint(s, point("2026-01-01T09:59:00.000Z", 2));
    expect(pointsOf(s)).toHaveLength(1);
    for (let i = 1; i <= 5; i++) s = appendPoint(s, point(`2026-01-01T10:0${i}:00.000Z`, i), 3);
    expect(pointsOf(s).map((p) => p.cpu_percent)).toEqual([3, 4, 5]);
  });

  it("gives a sparkline the last values without gaps", () => {
    expect(tail([1, null, 2, 3], 2)).toEqual([2, 3]);
  });
});
