// A backup's restore drills, newest first (GET /backups/{id}/drills), shown under its row: each
// drill's outcome, what started it, the engine's check, how long it took and when — and why a
// failed one failed, with its job's output. Polled while one runs.
import { Link } from "react-router-dom";
import { ErrorText } from "../../components/ErrorText";
import { StatusDot } from "../../components/StatusDot";
import { RelativeTime } from "../../components/Time";
import { errorText, formatDuration } from "./format";
import { useBackupDrills } from "./queries";
import "./backups.css";

const statusLook: Record<string, string> = { verified: "succeeded", failed: "failed", running: "in_progress" };

export function DrillHistory({ backupId }: { backupId: string }) {
  const drills = useBackupDrills(backupId);
  const items = drills.data?.data ?? [];
  return (
    <section className="drill-history" aria-label={`Drills of backup ${backupId}`}>
      {drills.error && <ErrorText error={drills.error} />}
      {!drills.data && !drills.error && <div className="skeleton" style={{ height: 44 }} aria-busy="true" />}
      {drills.data && items.length === 0 && (
        <p className="muted">
          Never drilled. A drill restores this backup into a scratch container on its server, runs the engine's check and removes the container; the
          service itself is not touched.
        </p>
      )}
      {items.length > 0 && (
        <table className="table">
          <caption className="sr-only">Drills of backup {backupId}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Drill</th>
              <th scope="col">Trigger</th>
              <th scope="col">Check</th>
              <th scope="col">Duration</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} aria-label={`Drill ${d.id}`}>
                <td>
                  <StatusDot status={statusLook[d.status ?? ""] ?? "idle"} label={d.status === "running" ? `running (${d.step})` : d.status} />
                  {d.status === "failed" && (
                    <div className="backup-error" role="note" aria-label="Error">
                      {errorText(d.error)}
                      {d.error?.code && <span className="muted mono"> ({d.error.code})</span>}
                      {d.step && <span className="muted"> at {d.step}</span>}
                      {d.job_id && (
                        <>
                          {" "}
                          <Link to={`/jobs/${d.job_id}`}>Job output</Link>
                        </>
                      )}
                    </div>
                  )}
                </td>
                <td>{d.trigger === "schedule" ? "scheduled" : d.trigger}</td>
                <td className="mono">{d.check ?? "–"}</td>
                <td className="nowrap">{formatDuration(d.duration_ms)}</td>
                <td className="nowrap">
                  <RelativeTime at={d.created_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
