// The app's Volumes card (on its Overview): the named volumes it mounts, "Back up now" for each
// (members, into one of the team's destinations), and the backups of its volumes newest first
// (polled while one runs) with the restore flow — a dialog confirmed with the app's name, then
// the restore's progress (a fresh volume filled, the app redeployed onto it; ?restore= in the
// URL) — and drills. Host-path mounts are listed as not backed up. Each named volume has its
// schedule (ScheduleCard): a cron, a destination and retention, kept by the mount's target.
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api, call } from "../../../api/client";
import { useCan } from "../../../auth/AuthContext";
import { ErrorText } from "../../../components/ErrorText";
import { useSubmit } from "../../../components/useSubmit";
import { useToast } from "../../../components/Toast";
import { DrillProgress } from "../../backups/DrillProgress";
import { backupKeys, useAppBackups } from "../../backups/queries";
import { RestoreProgress } from "../../backups/RestoreProgress";
import { ScheduleCard } from "../../backups/ScheduleCard";
import { BackupList } from "../../backups/BackupList";
import { useBackupActions } from "../../backups/useBackupActions";
import { useBackupDestination } from "../../backups/useBackupDestination";
import { usePageParam } from "../../team/usePageParam";
import { useTeamId } from "../shared/queries";
import type { App } from "../shared/types";
import "../../backups/backups.css";

type Mount = { source: string; target: string };

function mountsOf(app: App): Mount[] {
  return (app.settings?.volumes ?? []).map((v) => ({ source: v.source, target: v.target }));
}

export function AppVolumes({ app }: { app: App }) {
  const mounts = mountsOf(app);
  const canAct = useCan("member");
  const [page, setPage] = usePageParam();
  const list = useAppBackups(app.id ?? "", page);
  const actions = useBackupActions();
  const backups = list.data?.data ?? [];
  if (mounts.length === 0 && backups.length === 0) return null;
  return (
    <>
      <section className="card" aria-labelledby="app-volumes">
        <h2 id="app-volumes">Volumes</h2>
        <VolumeList app={app} mounts={mounts} canAct={canAct} />
      </section>
      {mounts
        .filter((m) => !m.source.startsWith("/"))
        .map((m) => (
          <ScheduleCard key={m.target} subject={{ appId: app.id ?? "", volume: m.source, target: m.target }} title={`Schedule of ${m.source}`} />
        ))}
      {actions.restoreId && <RestoreProgress id={actions.restoreId} serviceName={app.name ?? ""} onClose={actions.closeRestore} />}
      {actions.drillId && <DrillProgress id={actions.drillId} onClose={actions.closeDrill} />}
      <section aria-labelledby="volume-backups">
        <h2 id="volume-backups">Volume backups</h2>
        <BackupList
          list={list}
          page={page}
          setPage={setPage}
          actions={actions}
          canAct={canAct}
          restoreName={app.name ?? ""}
          showVolume
          emptyTitle="No volume backups yet"
          empty="A volume's backup is a tar of its files, compressed, encrypted to the team's key and stored off the server. A restore fills a fresh volume and redeploys the app onto it."
        />
      </section>
    </>
  );
}

function VolumeList({ app, mounts, canAct }: { app: App; mounts: Mount[]; canAct: boolean }) {
  const { destinations, all, usable, destinationId, setChosen } = useBackupDestination();
  const named = mounts.some((m) => !m.source.startsWith("/"));
  return (
    <>
      {canAct && named && destinations.data && all.length === 0 && (
        <p className="notice">
          The team has no backup destination yet. <Link to="/destinations">Add a destination</Link> to back these volumes up.
        </p>
      )}
      {canAct && named && all.length > 0 && (
        <div className="field">
          <label htmlFor="volume-backup-destination">Destination</label>
          <select id="volume-backup-destination" className="input" value={destinationId} onChange={(e) => setChosen(e.target.value)}>
            {usable.length === 0 && <option value="">No usable destination</option>}
            {usable.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <ul className="volume-list">
        {mounts.map((m) => (
          <li key={m.target} aria-label={`Volume ${m.source}`} className="row" style={{ justifyContent: "space-between" }}>
            <span>
              <span className="mono">{m.source}</span> <span className="muted">at</span> <span className="mono">{m.target}</span>
            </span>
            {m.source.startsWith("/") ? (
              <span className="muted">a host path: not backed up by Berth</span>
            ) : (
              canAct && <BackUpVolume app={app} volume={m.source} destinationId={destinationId} />
            )}
          </li>
        ))}
      </ul>
      {app.status !== "running" && named && <p className="muted">The app is {app.status}: only a running app's volumes can be backed up.</p>}
    </>
  );
}

function BackUpVolume({ app, volume, destinationId }: { app: App; volume: string; destinationId: string }) {
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { busy, error, submit } = useSubmit(async () => {
    if (!destinationId) return;
    await call(
      api.POST("/api/v1/apps/{id}/volumes/{volume}/backups", {
        params: { path: { id: app.id ?? "", volume } },
        body: { destination_id: destinationId },
      }),
    );
    toast(`Backing up ${volume}`);
    await queryClient.invalidateQueries({ queryKey: backupKeys.lists(team) });
  });
  return (
    <span>
      <button
        type="button"
        className="btn btn-sm"
        aria-label={`Back up ${volume} now`}
        disabled={busy || !destinationId || app.status !== "running"}
        onClick={() => void submit()}
      >
        {busy ? "Starting…" : "Back up now"}
      </button>
      <ErrorText error={error} />
    </span>
  );
}
