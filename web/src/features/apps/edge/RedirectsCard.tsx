// Redirects: a path (exact, or a prefix ending in *) answered with a status and a Location.
import { useId } from "react";
import { FieldError } from "../domains/FieldError";
import { messageFor, rowControl } from "./edgeErrors";
import { newKey, type RedirectRow } from "./edgeForm";
import type { SectionProps } from "./section";
import type { RedirectStatus } from "./types";

const statuses: { code: RedirectStatus; label: string }[] = [
  { code: 308, label: "308 permanent" },
  { code: 301, label: "301 permanent" },
  { code: 307, label: "307 temporary" },
  { code: 302, label: "302 temporary" },
];

export function RedirectsCard({ form, update, editable, place }: SectionProps) {
  const id = useId();
  const set = (change: (rows: RedirectRow[]) => RedirectRow[]) => update((f) => ({ ...f, redirects: change(f.redirects) }));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Redirects</h2>
      <p className="muted">
        A path such as <code>/old-pricing</code>, or a prefix ending in <code>*</code> (<code>/docs/*</code>), to a URL or a path on the same host. The first match wins; they apply after the allow-list and sign-in. 308 and 307 keep the method (a POST stays a POST); 301 and 302 may turn it into a GET.
      </p>
      {form.redirects.length === 0 && <p className="muted">No redirects.</p>}
      <ul className="edge-rows">
        {form.redirects.map((r, i) => {
          const row = (next: Partial<RedirectRow>) => set((all) => all.map((x) => (x.key === r.key ? { ...x, ...next } : x)));
          const n = i + 1;
          return (
            <li key={r.key} className="edge-row edge-redirect">
              <span className="field">
                <label htmlFor={`${id}-${r.key}-path`}>Path<span className="sr-only"> of redirect {n}</span></label>
                <input id={`${id}-${r.key}-path`} className="input mono" disabled={!editable} placeholder="/old-page" value={r.path} {...rowControl(place, r.key, "path", `${id}-${r.key}-error`)} onChange={(e) => row({ path: e.target.value })} />
              </span>
              <span className="field">
                <label htmlFor={`${id}-${r.key}-to`}>To<span className="sr-only"> (redirect {n})</span></label>
                <input id={`${id}-${r.key}-to`} className="input mono" disabled={!editable} placeholder="https://example.com/new-page" value={r.to} {...rowControl(place, r.key, "to", `${id}-${r.key}-error`)} onChange={(e) => row({ to: e.target.value })} />
              </span>
              <span className="field">
                <label htmlFor={`${id}-${r.key}-status`}>Status<span className="sr-only"> of redirect {n}</span></label>
                <select id={`${id}-${r.key}-status`} className="input" disabled={!editable} value={r.status} {...rowControl(place, r.key, "status", `${id}-${r.key}-error`)} onChange={(e) => row({ status: Number(e.target.value) as RedirectStatus })}>
                  {statuses.map((s) => <option key={s.code} value={s.code}>{s.label}</option>)}
                </select>
              </span>
              {editable && (
                <button type="button" className="btn btn-sm btn-danger edge-row-remove" onClick={() => set((all) => all.filter((x) => x.key !== r.key))}>
                  Remove<span className="sr-only"> redirect {n}</span>
                </button>
              )}
              <FieldError id={`${id}-${r.key}-error`} message={messageFor(place, r.key)} />
            </li>
          );
        })}
      </ul>
      <FieldError id={`${id}-error`} message={messageFor(place, "redirects")} />
      {editable && (
        <button type="button" className="btn btn-sm" onClick={() => set((all) => [...all, { key: newKey(), path: "", to: "", status: 308 }])}>
          Add redirect
        </button>
      )}
    </section>
  );
}
