// Turning the API's metric points and live heartbeats into chart and sparkline series.
import type { LiveMetrics, MetricPoint, MetricSeries } from "./types";

export interface SeriesView {
  times: number[]; // unix seconds
  cpu: (number | null)[];
  memory: (number | null)[]; // percent of total
  disk: (number | null)[]; // percent of total
  load: (number | null)[];
  netRx: (number | null)[]; // bytes per second
  netTx: (number | null)[];
}

function percent(used: number | undefined, total: number | undefined): number | null {
  if (!total || used === undefined || !Number.isFinite(used)) return null;
  return Math.min(100, Math.max(0, (used / total) * 100));
}

function finite(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/// The points of GET /servers/{id}/metrics, whatever survives of them (the schema says only
/// "object"), ordered by time.
export function pointsOf(series: MetricSeries | undefined): MetricPoint[] {
  const raw = (series?.points ?? []) as unknown[];
  const points = raw.filter(
    (p): p is MetricPoint => typeof p === "object" && p !== null && typeof (p as { at?: unknown }).at === "string",
  );
  return points.sort((a, b) => a.at.localeCompare(b.at));
}

/// Columns for uPlot and the sparklines: one array per measure, sharing `times`.
export function toSeriesView(points: MetricPoint[]): SeriesView {
  const view: SeriesView = { times: [], cpu: [], memory: [], disk: [], load: [], netRx: [], netTx: [] };
  for (const p of points) {
    const t = Date.parse(p.at);
    if (Number.isNaN(t)) continue;
    view.times.push(Math.floor(t / 1000));
    view.cpu.push(finite(p.cpu_percent));
    view.memory.push(percent(p.memory_used_bytes, p.memory_total_bytes));
    view.disk.push(percent(p.disk_used_bytes, p.disk_total_bytes));
    view.load.push(finite(p.load1));
    view.netRx.push(finite(p.net_rx_bytes_per_second));
    view.netTx.push(finite(p.net_tx_bytes_per_second));
  }
  return view;
}

/// A heartbeat's metrics as one point, summing the disks as berthd does for its series.
export function pointFromLive(metrics: LiveMetrics | undefined, at: string): MetricPoint | null {
  // A server that never sent a heartbeat has `metrics: {}`: no point rather than zeros.
  if (!metrics || typeof metrics !== "object" || typeof metrics.cpu_percent !== "number") return null;
  let diskUsed = 0;
  let diskTotal = 0;
  for (const disk of metrics.disks ?? []) {
    diskUsed += disk.used_bytes ?? 0;
    diskTotal += disk.total_bytes ?? 0;
  }
  return {
    at,
    cpu_percent: metrics.cpu_percent ?? 0,
    load1: metrics.load?.[0],
    memory_used_bytes: metrics.memory?.used_bytes ?? 0,
    memory_total_bytes: metrics.memory?.total_bytes ?? 0,
    disk_used_bytes: diskUsed,
    disk_total_bytes: diskTotal,
  };
}

/// The series with a live sample added at its end (kept in order, bounded so a page left open
/// all day does not grow without end). A sample older than the last point is ignored.
export function appendPoint(series: MetricSeries | undefined, point: MetricPoint, keep = 240): MetricSeries {
  const points = pointsOf(series);
  const last = points[points.length - 1];
  if (last && last.at >= point.at) return series ?? ({ points } as unknown as MetricSeries);
  const next = [...points, point].slice(-keep);
  return { ...(series ?? {}), points: next as unknown as MetricSeries["points"] };
}

/// The last `count` values of a column with the gaps left out (a sparkline needs numbers).
export function tail(values: (number | null)[], count = 60): number[] {
  const out: number[] = [];
  for (let i = values.length - 1; i >= 0 && out.length < count; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) out.push(v);
  }
  return out.reverse();
}
