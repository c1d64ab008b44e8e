// Maintenance: every request answered 503 with Retry-After and a message, the app still
// deployed and running (docs/edge.md).
import { useId } from "react";
import { describedBy, FieldError } from "../domains/FieldError";
import { messageFor } from "./edgeErrors";
import type { SectionProps } from "./section";

export function MaintenanceCard({ form, update, editable, place }: SectionProps) {
  const id = useId();
  const m = form.maintenance;
  const set = (next: Partial<typeof m>) => update((f) => ({ ...f, maintenance: { ...f.maintenance, ...next } }));
  const retryError = messageFor(place, "maintenance.retry_after_seconds");
  const messageError = messageFor(place, "maintenance.message");
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Maintenance</h2>
      <label className="checkbox edge-check">
        <input type="checkbox" disabled={!editable} checked={m.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
        <span>Maintenance mode: answer every request with <strong>503 Service Unavailable</strong> (the app stays deployed)</span>
      </label>
      <FieldError id={`${id}-enabled-error`} message={messageFor(place, "maintenance.enabled")} />
      <div className="grid-2">
        <div className="field">
          <label htmlFor={`${id}-retry`}>Retry-After (seconds)</label>
          <input id={`${id}-retry`} className="input" type="number" min={1} max={604800} disabled={!editable} value={m.retryAfter} onChange={(e) => set({ retryAfter: e.target.value })} {...describedBy(`${id}-retry-hint`, `${id}-retry-error`, retryError)} />
          <span id={`${id}-retry-hint`} className="hint">When clients should try again: 1 s to 7 days.</span>
          <FieldError id={`${id}-retry-error`} message={retryError} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-message`}>Message (plain text)</label>
          <textarea id={`${id}-message`} className="input edge-message" rows={2} disabled={!editable} placeholder="A default sentence when empty" value={m.message} onChange={(e) => set({ message: e.target.value })} {...describedBy(undefined, `${id}-message-error`, messageError)} />
          <FieldError id={`${id}-message-error`} message={messageError} />
        </div>
      </div>
    </section>
  );
}
