import { lazy, Suspense, useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import { useQuery } from "@tanstack/react-query";
import { ErrorText } from "../../components/ErrorText";
import { fetchMetrics } from "./api";
import { serverKeys } from "./keys";
import { pointsOf, toSeriesView } from "./metrics";
import { metricsRanges, type MetricsRange } from "./types";

// uPlot loads with the first chart, not with the list page.
const TimeChart = lazy(() => import("../../components/TimeChart").then((m) => ({ default: m.TimeChart })));

const rangeLabels: Record<MetricsRange, string> = { "1h": "1 h", "6h": "6 h", "24h": "24 h", "7d": "7 d" };

export function readRange(value: string | null): MetricsRange {
  return metricsRanges.includes(value as MetricsRange) ? (value as MetricsRange) : "1h";
}

const kb = (values: (number | null)[]) => values.map((v) => (v === null ? null : Math.round(v / 102.4) / 10));

export function MetricsCharts({ serverId, teamId }: { serverId: string; teamId: string | null }) {
  const [params, setParams] = useSearchParams();
  const range = readRange(params.get("range"));
  const metrics = useQuery({
    queryKey: serverKeys.metrics(teamId, serverId, range),
    queryFn: () => fetchMetrics(serverId, range),
    refetchInterval: 60_000,
  });
  const view = useMemo(() => toSeriesView(pointsOf(metrics.data)), [metrics.data]);
  const usage = useMemo(
    () => [
      { label: "CPU", values: view.cpu, color: "--chart-1" },
      { label: "Memory", values: view.memory, color: "--chart-2" },
      { label: "Disk", values: view.disk, color: "--chart-3" },
    ],
    [view],
  );
  const network = useMemo(
    () => [
      { label: "Received", values: kb(view.netRx), color: "--chart-1" },
      { label: "Sent", values: kb(view.netTx), color: "--chart-4" },
    ],
    [view],
  );
  const load = useMemo(() => [{ label: "Load (1 min)", values: view.load, color: "--chart-4" }], [view]);

  return (
    <section aria-labelledby="metrics-title">
      <div className="spread section-title">
        <h2 id="metrics-title">Metrics</h2>
        <div className="range-buttons" role="group" aria-label="Time range">
          {metricsRanges.map((r) => (
            <button
              key={r}
              type="button"
              className="btn btn-sm"
              aria-pressed={r === range}
              onClick={() => {
                const next = new URLSearchParams(params);
                if (r === "1h") next.delete("range");
                else next.set("range", r);
                setParams(next, { replace: true });
              }}
            >
              {rangeLabels[r]}
            </button>
          ))}
        </div>
      </div>
      <ErrorText error={metrics.error} />
      {metrics.isSuccess && view.times.length < 2 ? (
        <p className="muted">No metrics in this range yet: they arrive with the agent's heartbeats.</p>
      ) : (
        <Suspense fallback={<div className="skeleton" style={{ height: 230 }} aria-busy="true" />}>
          {metrics.isPending ? (
            <div className="skeleton" style={{ height: 230 }} aria-busy="true" />
          ) : (
            <div className="charts">
              <TimeChart title="CPU, memory and disk" times={view.times} series={usage} unit="%" max={100} />
              <TimeChart title="Network (KB/s)" times={view.times} series={network} unit="" />
              <TimeChart title="Load" times={view.times} series={load} unit="" />
            </div>
          )}
        </Suspense>
      )}
    </section>
  );
}
