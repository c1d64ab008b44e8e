// The service's Backups tab: its backups newest first (polled while one runs) with what their
// last drill proved, "Back up now" into one of the team's S3 destinations for members, the
// restore flow (Restore on a succeeded backup, a dialog that takes the service's name or a new
// service's, then the restore's progress, kept in the URL as ?restore= so a reload keeps
// following it), and drills: "Drill now" (followed as ?drill=) and each backup's drill history
// under its row.
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api, call } from "../../api/client";
import { useCan } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { useSubmit } from "../../components/useSubmit";
import { useToast } from "../../components/Toast";
import { useTeamId } from "../apps/shared/queries";
import { BackupList } from "../backups/BackupList";
import { DrillProgress } from "../backups/DrillProgress";
import { backupKeys, useServiceBackups } from "../backups/queries";
import { useBackupActions } from "../backups/useBackupActions";
import { useBackupDestination } from "../backups/useBackupDestination";
import { RestoreProgress } from "../backups/RestoreProgress";
import { ScheduleCard } from "../backups/ScheduleCard";
import { backupUsable } from "../destinations/destinationForm";
import { usePageParam } from "../team/usePageParam";
import { useServiceOutlet } from "./ServiceLayout";
import type { Service } from "./types";
import "../backups/backups.css";

export default function ServiceBackups() {
  const { service } = useServiceOutlet();
  const canAct = useCan("member");
  const [page, setPage] = usePageParam();
  const list = useServiceBackups(service.id ?? "", page);
  const actions = useBackupActions();
  return (
    <>
      {canAct && <BackUpNow service={service} />}
      <ScheduleCard serviceId={service.id ?? ""} />
      {actions.restoreId && <RestoreProgress id={actions.restoreId} serviceName={service.name ?? ""} onClose={actions.closeRestore} />}
      {actions.drillId && <DrillProgress id={actions.drillId} onClose={actions.closeDrill} />}
      <section aria-labelledby="service-backups">
        <h2 id="service-backups">Backups</h2>
        <BackupList
          list={list}
          page={page}
          setPage={setPage}
          actions={actions}
          canAct={canAct}
          restoreName={service.name ?? ""}
          emptyTitle="No backups yet"
          empty="A backup is the engine's own dump, compressed, encrypted to the team's key and stored off the server in an S3-compatible destination."
        />
      </section>
    </>
  );
}

/// "Back up now": pick one of the team's destinations (an SFTP one once a test pinned its host
/// key), then POST.
function BackUpNow({ service }: { service: Service }) {
  const { destinations, all, usable, destinationId, setChosen } = useBackupDestination();
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const running = service.status === "running";
  const { busy, error, submit } = useSubmit(async () => {
    if (!destinationId) return;
    await call(api.POST("/api/v1/services/{id}/backups", { params: { path: { id: service.id ?? "" } }, body: { destination_id: destinationId } }));
    toast(`Backing up ${service.name}`);
    await queryClient.invalidateQueries({ queryKey: backupKeys.lists(team) });
  });
  return (
    <section className="card" aria-labelledby="back-up-now">
      <h2 id="back-up-now">Back up now</h2>
      {destinations.error && <ErrorText error={destinations.error} />}
      {destinations.data && all.length === 0 && (
        <p className="notice">
          The team has no backup destination yet. <Link to="/destinations">Add a destination</Link> to back this service up.
        </p>
      )}
      {destinations.data && all.length > 0 && (
        <form className="row" style={{ alignItems: "flex-end", flexWrap: "wrap" }} noValidate onSubmit={(e) => void submit(e)}>
          <div className="field" style={{ marginBottom: 0 }}>
            <label htmlFor="backup-destination">Destination</label>
            <select id="backup-destination" className="input" value={destinationId} onChange={(e) => setChosen(e.target.value)}>
              {usable.length === 0 && <option value="">No usable destination</option>}
              {all.map((d) => (
                <option key={d.id} value={d.id} disabled={!backupUsable(d)}>
                  {backupUsable(d) ? d.name : `${d.name} (SFTP: test it once to pin its host key)`}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy || !destinationId || !running}>
            {busy ? "Starting…" : "Back up now"}
          </button>
        </form>
      )}
      {destinations.data && all.length > 0 && usable.length < all.length && (
        <p className="muted">
          An SFTP destination takes backups once a successful test has pinned its server's host key.
          {usable.length === 0 && (
            <>
              {" "}
              <Link to="/destinations">Add a destination</Link>.
            </>
          )}
        </p>
      )}
      {!running && all.length > 0 && <p className="muted">The service is {service.status}: only a running service can be backed up.</p>}
      <ErrorText error={error} />
    </section>
  );
}
