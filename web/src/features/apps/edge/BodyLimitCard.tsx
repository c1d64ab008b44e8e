// The request body limit: a larger body gets 413 before the app sees it.
import { useId } from "react";
import { describedBy, FieldError } from "../domains/FieldError";
import { messageFor } from "./edgeErrors";
import { units } from "./edgeForm";
import type { SectionProps } from "./section";

export function BodyLimitCard({ form, update, editable, place }: SectionProps) {
  const id = useId();
  const error = messageFor(place, "max_body_bytes");
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Request body limit</h2>
      <div className="row edge-limit">
        <span className="field">
          <label htmlFor={`${id}-value`}>Largest request body</label>
          <input id={`${id}-value`} className="input" type="number" min={0} step="any" disabled={!editable} placeholder="no limit" value={form.bodyLimit} onChange={(e) => update((f) => ({ ...f, bodyLimit: e.target.value }))} {...describedBy(`${id}-hint`, `${id}-error`, error)} />
        </span>
        <span className="field">
          <label htmlFor={`${id}-unit`}>Unit</label>
          <select id={`${id}-unit`} className="input" disabled={!editable} value={form.bodyUnit} onChange={(e) => update((f) => ({ ...f, bodyUnit: Number(e.target.value) }))}>
            {units.map((u) => <option key={u.bytes} value={u.bytes}>{u.label}</option>)}
          </select>
        </span>
      </div>
      <span id={`${id}-hint`} className="hint muted">Larger bodies get 413. Empty or 0: no limit; at most 10 GiB.</span>
      <FieldError id={`${id}-error`} message={error} />
    </section>
  );
}
