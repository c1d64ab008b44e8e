// A list of backups as a table, newest first as the API answers them: status, trigger, size,
// SHA-256 (shortened, copyable), when, how long, the error of a failed one, and its restore check:
// verified or failed by its last drill (and when), or never drilled. With `showService` the
// service's name (or, for a backup of an app's volume, the app's and the volume) leads each row
// (the team-wide page); with `showVolume` the volume's name does (an app's Volumes card); with `onRestore` / `onDrill` a succeeded
// backup offers Restore / Drill now (a service's tab, members); with `onToggleDrills` each
// succeeded backup opens its drill history under its row (`expanded` names the open one).
import { Fragment } from "react";
import { Link } from "react-router-dom";
import { CopyButton } from "../../components/CopyButton";
import { DataTable } from "../../components/DataTable";
import { StatusDot } from "../../components/StatusDot";
import { formatBytes, RelativeTime } from "../../components/Time";
import { DrillHistory } from "./DrillHistory";
import { errorText, formatDuration, shortSha, triggerHint, triggerLabel } from "./format";
import type { Backup } from "./types";
import "./backups.css";

type RowActions = {
  onRestore?: (backup: Backup) => void;
  onDrill?: (backup: Backup) => void;
  onToggleDrills?: (backup: Backup) => void;
};

export function BackupTable({
  backups,
  showService = false,
  showVolume = false,
  busy,
  expanded = "",
  ...actions
}: {
  backups: readonly Backup[];
  showService?: boolean;
  showVolume?: boolean;
  busy?: boolean;
  expanded?: string;
} & RowActions) {
  const hasActions = Boolean(actions.onRestore || actions.onDrill || actions.onToggleDrills);
  const columns = [showService && "Service", showVolume && "Volume", "Status", "Restore check", "Trigger", "Size", { label: "SHA-256", className: "hide-sm" }, "Created", "Duration"];
  const width = columns.filter(Boolean).length + (hasActions ? 1 : 0);
  return (
    <DataTable busy={busy} actions={hasActions} columns={columns}>
      {backups.map((b) => (
        <Fragment key={b.id}>
          <BackupRow backup={b} showService={showService} showVolume={showVolume} open={expanded === b.id} hasActions={hasActions} {...actions} />
          {expanded === b.id && (
            <tr id={`drills-${b.id}`}>
              <td colSpan={width}>
                <DrillHistory backupId={b.id ?? ""} />
              </td>
            </tr>
          )}
        </Fragment>
      ))}
    </DataTable>
  );
}

/// What the backup's last drill proved, and when; nothing to prove for a backup that did not
/// succeed.
function RestoreCheck({ backup: b }: { backup: Backup }) {
  if (b.status !== "succeeded") return <span className="muted">–</span>;
  if (b.verified === "verified" || b.verified === "failed") {
    const ok = b.verified === "verified";
    return (
      <span className="nowrap" title={b.drill_check ? `The engine's check answered ${b.drill_check}` : undefined}>
        <StatusDot status={ok ? "succeeded" : "failed"} label={ok ? "verified" : "drill failed"} />{" "}
        <span className="muted">
          <RelativeTime at={b.verified_at} />
        </span>
      </span>
    );
  }
  return <span className="muted">never drilled</span>;
}

/// Who a backup is of: its service, or its app and volume.
function Subject({ backup: b }: { backup: Backup }) {
  if (b.subject === "volume") {
    return (
      <>
        <Link to={`/apps/${b.app_id}`}>
          <strong>{b.service_name}</strong>
        </Link>{" "}
        <span className="muted mono">{b.volume}</span>
      </>
    );
  }
  return (
    <Link to={`/services/${b.service_id}/backups`}>
      <strong>{b.service_name}</strong>
    </Link>
  );
}

function BackupRow({
  backup: b,
  showService,
  showVolume,
  open,
  hasActions,
  onRestore,
  onDrill,
  onToggleDrills,
}: { backup: Backup; showService: boolean; showVolume: boolean; open: boolean; hasActions: boolean } & RowActions) {
  const status = b.status ?? "running";
  return (
    <tr aria-label={`Backup ${b.id}`}>
      {showService && (
        <td className="nowrap">
          <Subject backup={b} />
        </td>
      )}
      {showVolume && <td className="nowrap mono">{b.volume}</td>}
      <td>
        {/* A running backup pulses like any work in progress (StatusDot reads "running" as up). */}
        <StatusDot status={status === "running" ? "in_progress" : status} label={status} />
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
      <td>
        <RestoreCheck backup={b} />
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
      {hasActions && (
        <td className="actions">
          {status === "succeeded" && (
            <span className="row nowrap" style={{ gap: "var(--space-2)", flexWrap: "nowrap", justifyContent: "flex-end" }}>
              {onToggleDrills && (
                <button
                  type="button"
                  className="btn btn-sm btn-ghost"
                  aria-expanded={open}
                  aria-controls={open ? `drills-${b.id}` : undefined}
                  aria-label={`Drills of backup ${b.id}`}
                  onClick={() => onToggleDrills(b)}
                >
                  Drills
                </button>
              )}
              {onDrill && (
                <button type="button" className="btn btn-sm" aria-label={`Drill backup ${b.id} now`} onClick={() => onDrill(b)}>
                  Drill now
                </button>
              )}
              {onRestore && (
                <button type="button" className="btn btn-sm" aria-label={`Restore backup ${b.id}`} onClick={() => onRestore(b)}>
                  Restore
                </button>
              )}
            </span>
          )}
        </td>
      )}
    </tr>
  );
}
