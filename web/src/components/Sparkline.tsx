/// A tiny inline trend for list rows (plain SVG: a hundred rows cost nothing).
export function Sparkline({
  values,
  max = 100,
  label,
  width = 72,
  height = 20,
}: {
  values: number[];
  max?: number;
  label: string;
  width?: number;
  height?: number;
}) {
  if (values.length < 2) return <span className="muted" aria-label={`${label}: no data`}>–</span>;
  const step = width / (values.length - 1);
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - (Math.min(v, max) / max) * (height - 2) - 1).toFixed(1)}`)
    .join(" ");
  const last = values[values.length - 1] ?? 0;
  return (
    <span className="row" style={{ gap: "var(--space-2)", display: "inline-flex" }}>
      <svg width={width} height={height} role="img" aria-label={`${label} ${Math.round(last)}%`}>
        <polyline points={points} fill="none" stroke="var(--chart-1)" strokeWidth="1.5" />
      </svg>
      <span className="mono" aria-hidden>
        {Math.round(last)}%
      </span>
    </span>
  );
}
