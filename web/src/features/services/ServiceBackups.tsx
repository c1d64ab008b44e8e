// The service's Backups tab: its backups newest first (polled while one runs) with what their
// last drill proved, "Back up now" into one of the team's S3 destinations for members, the
// restore flow (Restore on a succeeded backup, a dialog that takes the service's name or a new
// service's, then the restore's progress, kept in the URL as ?restore= so a reload keeps
// following it), and drills: "Drill now" (followed as ?drill=) and each backup's drill history
// under its row.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api, call } from "../../api/client";
import { useCan } from "../../auth/AuthContext";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { Pagination } from "../../components/Pagination";
import { useSubmit } from "../../components/useSubmit";
import { useToast } from "../../components/Toast";
import { useTeamId } from "../apps/shared/queries";
import { BackupTable } from "../backups/BackupTable";
import { DrillProgress } from "../backups/DrillProgress";
import { backupKeys, PER_PAGE, useServiceBackups } from "../backups/queries";
import { useBackupActions } from "../backups/useBackupActions";
import { RestoreDialog } from "../backups/RestoreDialog";
import { RestoreProgress } from "../backups/RestoreProgress";
import { ScheduleCard } from "../backups/ScheduleCard";
import { useDestinations } from "../destinations/queries";
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
  const backups = list.data?.data ?? [];
  return (
    <>
      {canAct && <BackUpNow service={service} />}
      <ScheduleCard serviceId={service.id ?? ""} />
      {actions.restoreId && <RestoreProgress id={actions.restoreId} serviceName={service.name ?? ""} onClose={actions.closeRestore} />}
      {actions.drillId && <DrillProgress id={actions.drillId} onClose={actions.closeDrill} />}
      <section aria-labelledby="service-backups">
        <h2 id="service-backups">Backups</h2>
        {list.error && <ErrorText error={list.error} />}
        <ErrorText error={actions.drillError} />
        {!list.data && !list.error && <div className="skeleton" style={{ height: 44 * 3 }} aria-busy="true" />}
        {list.data && backups.length === 0 && (
          <EmptyState title="No backups yet">
            A backup is the engine's own dump, compressed, encrypted to the team's key and stored off the server in an S3-compatible destination.
          </EmptyState>
        )}
        {backups.length > 0 && (
          <>
            <BackupTable
              backups={backups}
              busy={list.isFetching && list.isPlaceholderData}
              expanded={actions.expanded}
              onToggleDrills={actions.toggleDrills}
              onDrill={canAct ? actions.drillNow : undefined}
              onRestore={canAct ? actions.setRestoring : undefined}
            />
            <Pagination page={list.data?.page ?? page} perPage={list.data?.per_page ?? PER_PAGE} total={list.data?.total ?? 0} onPage={setPage} />
          </>
        )}
      </section>
      {canAct && (
        <RestoreDialog
          backup={actions.restoring}
          serviceName={service.name ?? ""}
          onClose={() => actions.setRestoring(null)}
          onStarted={(restore) => actions.restoreStarted(restore.id ?? "")}
        />
      )}
    </>
  );
}

/// "Back up now": pick one of the team's destinations (an SFTP one once a test pinned its host
/// key), then POST.
function BackUpNow({ service }: { service: Service }) {
  const destinations = useDestinations(1);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const all = destinations.data?.data ?? [];
  const usable = all.filter(backupUsable);
  const [chosen, setChosen] = useState("");
  const destinationId = usable.some((d) => d.id === chosen) ? chosen : (usable[0]?.id ?? "");
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
