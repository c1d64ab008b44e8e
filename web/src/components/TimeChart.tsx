// A metrics chart (uPlot: small, fast with thousands of points). Series share one time axis.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
}

export function TimeChart({
  title,
  times,
  series,
  unit,
  height = 180,
  max,
}: {
  title: string;
  times: number[]; // unix seconds
  series: ChartSeries[];
  unit: string;
  height?: number;
  max?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const css = getComputedStyle(document.documentElement);
    const axis = { stroke: css.getPropertyValue("--fg-muted"), grid: { stroke: css.getPropertyValue("--border"), width: 1 } };
    const options: uPlot.Options = {
      width: host.current.clientWidth || 600,
      height,
      legend: { show: true },
      scales: { y: max !== undefined ? { range: [0, max] } : { auto: true } },
      axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((t) => `${t}${unit}`) }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color.startsWith("--") ? css.getPropertyValue(s.color) : s.color,
          width: 1.5,
          points: { show: false },
        })),
      ],
    };
    const chart = new uPlot(options, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, host.current);
    plot.current = chart;
    const resize = () => chart.setSize({ width: host.current?.clientWidth ?? 600, height });
    const observer = new ResizeObserver(resize);
    observer.observe(host.current);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // The chart is rebuilt when its shape changes; new data alone goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series.length, unit, height, max]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [times, series]);

  return (
    <figure className="card" style={{ margin: 0 }}>
      <figcaption>
        <h3>{title}</h3>
      </figcaption>
      <div className="chart" ref={host} role="img" aria-label={`${title} chart`} />
    </figure>
  );
}
