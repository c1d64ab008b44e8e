// A restore as it runs, read from GET /restores/{id} until it ends: the safety backup (or, into
// a new service, that service starting), then the check of the stored object and the load, then
// done — with the engine's check on success, or the error (a checksum mismatch in plain words:
// nothing was restored).
import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { ErrorText } from "../../components/ErrorText";
import { useTeamId } from "../apps/shared/queries";
import { errorText } from "./format";
import { backupKeys, useRestore } from "./queries";
import type { Restore } from "./types";
import "./backups.css";

type StepState = "pending" | "active" | "done" | "failed";

const FIRST_STEP = { same: "Safety backup", new: "Starting the new service" } as const;
const VOLUME_STEPS = { filling: "Checking and filling a fresh volume", redeploying: "Redeploying the app onto it" } as const;

export function restoreSteps(r: Restore): { label: string; state: StepState }[] {
  const running = r.status === "running";
  const failed = r.status === "failed";
  if (r.app_id) {
    // A volume backup: into a fresh volume, then the app redeployed onto it.
    const filling: StepState = r.step === "restoring" ? (running ? "active" : failed ? "failed" : "done") : "done";
    const redeploying: StepState = r.step === "redeploying" ? (running ? "active" : failed ? "failed" : "done") : "pending";
    return [
      { label: VOLUME_STEPS.filling, state: filling },
      { label: VOLUME_STEPS.redeploying, state: redeploying },
      { label: "Done", state: r.status === "succeeded" ? "done" : "pending" },
    ];
  }
  const atFirst = r.step === "safety_backup" || r.step === "starting_service";
  const first: StepState = atFirst ? (running ? "active" : failed ? "failed" : "done") : "done";
  const restoring: StepState = atFirst ? "pending" : running ? "active" : failed ? "failed" : "done";
  return [
    { label: FIRST_STEP[r.target === "new" ? "new" : "same"], state: first },
    { label: "Checking and restoring", state: restoring },
    { label: "Done", state: r.status === "succeeded" ? "done" : "pending" },
  ];
}

const stateWord: Record<StepState, string> = { pending: "waiting", active: "running…", done: "done", failed: "failed" };
const dotClass: Record<StepState, string> = { pending: "dot dot-idle", active: "dot dot-busy", done: "dot dot-ok", failed: "dot dot-danger" };

/// serviceName is "" when the page does not know it (the team-wide page after a reload).
function restoreTitle(intoNew: boolean, serviceName: string) {
  if (!serviceName) return intoNew ? "Restore into a new service" : "Restore";
  return intoNew ? `Restore of ${serviceName}'s backup into a new service` : `Restore of ${serviceName}`;
}

export function RestoreProgress({ id, serviceName, onClose }: { id: string; serviceName: string; onClose: () => void }) {
  const restore = useRestore(id);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const status = restore.data?.status;
  // The safety backup is a backup of its own: show it in the lists once the restore moves on.
  useEffect(() => {
    if (status) void queryClient.invalidateQueries({ queryKey: backupKeys.lists(team) });
  }, [status, restore.data?.step, queryClient, team]);
  const r = restore.data;
  const intoNew = r?.target === "new";
  return (
    <section className="card" aria-labelledby="restore-progress">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 id="restore-progress">
          {restoreTitle(intoNew, serviceName)} <span className="muted mono">{id}</span>
        </h2>
        {status !== "running" && (
          <button type="button" className="btn btn-sm" onClick={onClose}>
            Close
          </button>
        )}
      </div>
      {restore.error && <ErrorText error={restore.error} />}
      {!r && !restore.error && <div className="skeleton" style={{ height: 90 }} aria-busy="true" />}
      {r && (
        <>
          <ol className="restore-steps" aria-label="Restore steps">
            {restoreSteps(r).map((s) => (
              <li key={s.label} className={s.state}>
                <span className={dotClass[s.state]} aria-hidden />
                {s.label} — {stateWord[s.state]}
                {s.label === "Safety backup" && r.safety_backup_id && <span className="muted mono">{r.safety_backup_id}</span>}
                {intoNew && s.label === FIRST_STEP.new && <Link to={`/services/${r.service_id}`}>The new service</Link>}
                {(s.label === "Checking and restoring" || s.label === VOLUME_STEPS.filling) && r.job_id && <Link to={`/jobs/${r.job_id}`}>Job output</Link>}
                {s.label === VOLUME_STEPS.redeploying && r.deployment_id && <Link to={`/deployments/${r.deployment_id}`}>Deployment</Link>}
              </li>
            ))}
          </ol>
          <div role="status">
            {r.status === "succeeded" && r.app_id && (
              <p>
                <strong>Restored.</strong> The app now mounts <strong className="mono">{r.new_volume}</strong> ({r.check ?? "–"}); the volume it used before is kept
                on its server until you remove it.
              </p>
            )}
            {r.status === "succeeded" && !r.app_id && (
              <p>
                <strong>Restored.</strong> The engine's check answered: <strong className="mono">{r.check ?? "–"}</strong>
                <span className="muted"> (the number of tables in the restored database)</span>
                {intoNew && (
                  <>
                    {" "}
                    <Link to={`/services/${r.service_id}`}>Open the new service</Link>
                  </>
                )}
              </p>
            )}
            {r.status === "running" && r.step === "restoring" && !r.app_id && (
              <p className="muted">
                The stored backup is checked against its SHA-256 before anything in {intoNew ? "the new service" : serviceName || "the service"} is touched, then loaded.
              </p>
            )}
          </div>
          {r.status === "failed" && (
            <ErrorText>
              {errorText(r.error)}
              {r.error?.code && <span className="mono"> ({r.error.code})</span>}
            </ErrorText>
          )}
        </>
      )}
    </section>
  );
}
