import { Check, CircleDashed, Loader, MinusCircle, X } from "lucide-react";
import type { StepView } from "./eventReducer";

const look = {
  pending: { icon: CircleDashed, tone: "idle", word: "waiting" },
  started: { icon: Loader, tone: "busy", word: "running" },
  succeeded: { icon: Check, tone: "ok", word: "done" },
  failed: { icon: X, tone: "failed", word: "failed" },
  skipped: { icon: MinusCircle, tone: "idle", word: "skipped" },
  not_run: { icon: MinusCircle, tone: "idle", word: "not run" },
} as const;

/// A deployment's steps with their state in words (not colour alone) and durations.
export function StepList({ steps }: { steps: StepView[] }) {
  if (steps.length === 0) return <p className="muted">Waiting for the first step…</p>;
  return (
    <ol className="app-steps" aria-live="polite">
      {steps.map((step) => {
        const l = look[step.status] ?? look.pending;
        const Icon = l.icon;
        return (
          <li key={step.name}>
            <span className={`step-icon ${l.tone}`}>
              <Icon size={16} aria-hidden />
            </span>
            <span style={{ flex: 1 }}>{step.name}</span>
            <span className="muted" style={{ fontSize: "var(--text-sm)" }}>
              {step.durationMs !== undefined ? `${(step.durationMs / 1000).toFixed(1)} s` : l.word}
            </span>
            <span className="sr-only">{l.word}</span>
          </li>
        );
      })}
    </ol>
  );
}
