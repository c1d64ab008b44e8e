// The audit filters, shared by /audit and /admin/audit. Applying writes them to the URL
// (a filtered view is a link); the page reads them back from there.
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { Field } from "../../../components/Field";
import { filtersFromSearch, hasFilters, noFilters, searchFromFilters, type AuditFilters } from "./auditQuery";

export interface Choice {
  id: string;
  label: string;
}

export function AuditFiltersForm({ actors, teams }: { actors?: Choice[]; teams?: Choice[] }) {
  const [search, setSearch] = useSearchParams();
  const current = filtersFromSearch(search).filters;
  const [draft, setDraft] = useState<AuditFilters>(current);
  const key = search.toString();
  // Back/forward or a followed link changes the URL: the form follows it.
  useEffect(() => setDraft(filtersFromSearch(new URLSearchParams(key)).filters), [key]);
  const set = (name: keyof AuditFilters) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));

  return (
    <form
      className="card"
      aria-label="Audit log filters"
      onSubmit={(event) => {
        event.preventDefault();
        setSearch(searchFromFilters(draft));
      }}
    >
      <div className="team-filters">
        <Field label="Search" placeholder="part of an action or target" maxLength={200} value={draft.q} onChange={(e) => set("q")(e.target.value)} />
        <Field label="Action (exact)" placeholder="e.g. member.update" value={draft.action} onChange={(e) => set("action")(e.target.value)} />
        {actors ? (
          <div className="field">
            <label htmlFor="audit-actor">Actor</label>
            <select id="audit-actor" className="input" value={draft.actor} onChange={(e) => set("actor")(e.target.value)}>
              <option value="">Anyone</option>
              {draft.actor && !actors.some((a) => a.id === draft.actor) && <option value={draft.actor}>{draft.actor}</option>}
              {actors.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <Field label="Actor (user id)" placeholder="usr_…" value={draft.actor} onChange={(e) => set("actor")(e.target.value)} />
        )}
        {teams && (
          <div className="field">
            <label htmlFor="audit-team">Team</label>
            <select id="audit-team" className="input" value={draft.team_id} onChange={(e) => set("team_id")(e.target.value)}>
              <option value="">Every team</option>
              {draft.team_id && !teams.some((t) => t.id === draft.team_id) && <option value={draft.team_id}>{draft.team_id}</option>}
              {teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Apply filters
          </button>
          {hasFilters(current) && (
            <button
              type="button"
              className="btn"
              onClick={() => {
                setDraft(noFilters);
                setSearch(new URLSearchParams());
              }}
            >
              Clear
            </button>
          )}
        </div>
      </div>
    </form>
  );
}
