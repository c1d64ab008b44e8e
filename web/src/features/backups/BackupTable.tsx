// A list of backups as a table, newest first as the API answers them: status (with "restore
// verified" when a drill proved it), trigger, size, SHA-256 (shortened, copyable), when, how long,
// and the error of a failed one. With `showService` the service's name leads each row (the
// team-wide page); with `onRestore` a succeeded backup offers Restore (a service's tab, members).
import { Link } from "react-router-dom";
import { CopyButton } from "../../components/CopyButton";
import { DataTable } from "../../components/DataTable";
import { StatusDot } from "../../components/StatusDot";
import { formatBytes, RelativeTime } from "../../components/Time";
import { errorText, formatDuration, shortSha, triggerHint, triggerLabel } from "./format";
import type { Backup } from "./types";
import "./backups.css";

export function BackupTable({
  backups,
  showService = false,
  onRestore,
  busy,
}: {
  backups: readonly Backup[];
  showService?: boolean;
  onRestore?: (backup: Backup) => void;
  busy?: boolean;
}) {
  return (
    <DataTable
      busy={busy}
      actions={Boolean(onRestore)}
      columns={[showService && "Service", "Status", "Trigger", "Size", { label: "SHA-256", className: "hide-sm" }, "Created", "Duration"]}
    >
      {backups.map((b) => (
        <BackupRow key={b.id} backup={b} showService={showService} onRestore={onRestore} />
      ))}
    </DataTable>
  );
}

function BackupRow({ backup: b, showService, onRestore }: { backup: Backup; showService: boolean; onRestore?: (backup: Backup) => void }) {
  const status = b.status ?? "running";
  return (
    <tr aria-label={`Backup ${b.id}`}>
      {showService && (
        <td className="nowrap">
          <Link to={`/services/${b.service_id}/backups`}>
            <strong>{b.service_name}</strong>
          </Link>
        </td>
      )}
      <td>
        {/* A running backup pulses like any work in progress (StatusDot reads "running" as up). */}
        <StatusDot status={status === "running" ? "in_progress" : status} label={status} />
        {b.verified === "verified" && (
          <span className="badge badge-ok" style={{ marginLeft: "var(--space-2)" }} title={b.verified_at ? `Verified ${new Date(b.verified_at).toLocaleString()}` : undefined}>
            restore verified
          </span>
        )}
        {b.verified === "failed" && (
          <span className="badge badge-danger" style={{ marginLeft: "var(--space-2)" }}>
            drill failed
          </span>
        )}
        {status === "failed" && b.error && (
          <div className="backup-error" role="note" aria-label="Error">
            {errorText(b.error)}
            {b.error.code && <span className="muted mono"> ({b.error.code})</span>}
            {b.job_id && (
              <>
                {" "}
                <Link to={`/jobs/${b.job_id}`}>Job output</Link>
              </>
            )}
          </div>
        )}
      </td>
      <td title={triggerHint[b.trigger ?? ""]}>{triggerLabel[b.trigger ?? ""] ?? b.trigger}</td>
      <td className="nowrap" title={b.plain_bytes ? `${formatBytes(b.plain_bytes)} before compression` : undefined}>{status === "succeeded" ? formatBytes(b.size_bytes) : "–"}</td>
      <td className="hide-sm">
        {b.sha256 ? (
          <span className="row nowrap" style={{ gap: "var(--space-2)", flexWrap: "nowrap" }}>
            <span className="mono" title={b.sha256}>
              {shortSha(b.sha256)}
            </span>
            <CopyButton text={b.sha256} label="Copy SHA-256" />
          </span>
        ) : (
          <span className="muted">–</span>
        )}
      </td>
      <td className="nowrap">
        <RelativeTime at={b.created_at} />
      </td>
      <td className="nowrap">{status === "running" ? <span className="muted">running…</span> : formatDuration(b.duration_ms)}</td>
      {onRestore && (
        <td className="actions">
          {status === "succeeded" && (
            <button
              type="button"
              className="btn btn-sm"
              aria-label={`Restore backup ${b.id}`}
              onClick={() => onRestore(b)}
            >
              Restore
            </button>
          )}
        </td>
      )}
    </tr>
  );
}
