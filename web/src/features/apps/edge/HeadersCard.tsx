// Response headers set (replacing the app's value) or removed on every answer of the route.
import { useId } from "react";
import { FieldError } from "../domains/FieldError";
import { messageFor, rowControl } from "./edgeErrors";
import { newKey, type HeaderRow } from "./edgeForm";
import { LinesField } from "./LinesField";
import type { SectionProps } from "./section";

export function HeadersCard({ form, update, editable, place }: SectionProps) {
  const id = useId();
  const set = (change: (rows: HeaderRow[]) => HeaderRow[]) => update((f) => ({ ...f, headersSet: change(f.headersSet) }));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Response headers</h2>
      <h3>Set</h3>
      {form.headersSet.length === 0 && <p className="muted">None set: the app's own headers go out as they are.</p>}
      <ul className="edge-rows">
        {form.headersSet.map((h, i) => {
          const row = (next: Partial<HeaderRow>) => set((all) => all.map((x) => (x.key === h.key ? { ...x, ...next } : x)));
          const errorId = `${id}-${h.key}-error`;
          const n = i + 1;
          return (
            <li key={h.key} className="edge-row edge-header">
              <span className="field">
                <label htmlFor={`${id}-${h.key}-name`}>Name<span className="sr-only"> of header {n}</span></label>
                <input id={`${id}-${h.key}-name`} className="input mono" disabled={!editable} placeholder="X-Frame-Options" value={h.name} {...rowControl(place, h.key, "name", errorId)} onChange={(e) => row({ name: e.target.value })} />
              </span>
              <span className="field">
                <label htmlFor={`${id}-${h.key}-value`}>Value<span className="sr-only"> of header {n}</span></label>
                <input id={`${id}-${h.key}-value`} className="input mono" disabled={!editable} placeholder="DENY" value={h.value} {...rowControl(place, h.key, "value", errorId)} onChange={(e) => row({ value: e.target.value })} />
              </span>
              {editable && (
                <button type="button" className="btn btn-sm btn-danger edge-row-remove" onClick={() => set((all) => all.filter((x) => x.key !== h.key))}>
                  Remove<span className="sr-only"> header {h.name || n}</span>
                </button>
              )}
              <FieldError id={errorId} message={messageFor(place, h.key)} />
            </li>
          );
        })}
      </ul>
      <FieldError id={`${id}-set-error`} message={messageFor(place, "headers.set")} />
      {editable && (
        <button type="button" className="btn btn-sm edge-add" onClick={() => set((all) => [...all, { key: newKey(), name: "", value: "" }])}>
          Add header
        </button>
      )}
      <LinesField
        label="Remove"
        hint="One header name a line (Server, X-Powered-By), removed from every answer."
        placeholder="X-Powered-By"
        value={form.headersRemove}
        onChange={(headersRemove) => update((f) => ({ ...f, headersRemove }))}
        disabled={!editable}
        error={messageFor(place, "headers.remove")}
      />
    </section>
  );
}
