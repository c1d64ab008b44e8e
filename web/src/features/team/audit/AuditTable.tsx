// Audit entries a person can read: who, what (and whether it worked), on what, when, from where.
import { RelativeTime } from "../../../components/Time";
import type { AuditEntry } from "../types";
import { DataTable } from "../../../components/DataTable";

const outcomeTone: Record<string, string> = { success: "badge-ok", failure: "badge-danger", denied: "badge-warn" };

export function AuditTable({
  entries,
  actorName,
  teamName,
}: {
  entries: AuditEntry[];
  actorName: (id: string) => string | undefined;
  teamName?: (id: string) => string | undefined;
}) {
  return (
    <DataTable columns={["When", "Who", "What", { label: "Target", className: "hide-sm" }, teamName && { label: "Team", className: "hide-sm" }, { label: "From", className: "hide-sm" }]}>
      {entries.map((entry) => {
        const name = entry.actor ? actorName(entry.actor) : undefined;
        const details = entry.details && Object.keys(entry.details).length > 0 ? JSON.stringify(entry.details, null, 1) : "";
        return (
            <tr key={entry.id}>
              <td className="team-nowrap">
                <RelativeTime at={entry.at} />
              </td>
              <td>
                {/* A name where the id is known; the id stays on hover and for copying filters. */}
                <span className={name ? "" : "mono"} title={entry.actor}>
                  {name ?? entry.actor}
                </span>
              </td>
              <td>
                <span className="mono">{entry.action}</span>{" "}
                {entry.outcome && entry.outcome !== "success" && (
                  <span className={`badge ${outcomeTone[entry.outcome] ?? ""}`}>{entry.outcome}</span>
                )}
                {details && (
                  <details>
                    <summary className="muted">Details</summary>
                    <pre className="audit-details">{details}</pre>
                  </details>
                )}
              </td>
              <td className="hide-sm mono">{entry.target || <span className="muted">–</span>}</td>
              {teamName && <td className="hide-sm">{entry.team_id ? (teamName(entry.team_id) ?? entry.team_id) : "–"}</td>}
              <td className="hide-sm">
                <span className="mono">{entry.source_address || "–"}</span>
                {entry.request_id && <div className="muted mono" title="Request id (quote it when reporting a problem)">{entry.request_id}</div>}
              </td>
            </tr>
        );
      })}
    </DataTable>
  );
}
