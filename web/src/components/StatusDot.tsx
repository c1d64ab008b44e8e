/// A status word with its dot. Known words map to colours; anything else is neutral.
const tone: Record<string, string> = {
  online: "ok", running: "ok", succeeded: "ok", healthy: "ok", active: "ok", live: "ok",
  degraded: "warn", cordoned: "warn", draining: "warn", pending: "busy", adopting: "busy",
  queued: "busy", deploying: "busy", stopping: "busy", deleting: "busy", building: "busy", starting: "busy", in_progress: "busy",
  offline: "danger", failed: "danger", adoption_failed: "danger", crashed: "danger", unhealthy: "danger",
  stopped: "idle", cancelled: "idle", superseded: "idle", rolled_back: "idle",
};

export function StatusDot({ status, label }: { status: string; label?: string }) {
  const kind = tone[status] ?? "idle";
  return (
    <span className="row" style={{ gap: "var(--space-2)", display: "inline-flex" }}>
      <span className={`dot dot-${kind}`} aria-hidden />
      <span>{label ?? status.replace(/_/g, " ")}</span>
    </span>
  );
}
