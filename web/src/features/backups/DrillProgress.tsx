// "Drill now" as it runs, read from GET /drills/{id} until it ends: the scratch container
// starting, the backup restored into it and checked, the container removed — then verified with
// the engine's check and the time it took, or failed with the step and the reason. When it ends
// the backup lists (their "Restore check" column) and the backup's drill history are read again.
import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ErrorText } from "../../components/ErrorText";
import { useTeamId } from "../apps/shared/queries";
import { errorText, formatDuration } from "./format";
import { backupKeys, useDrill } from "./queries";
import "./backups.css";

const stepWord: Record<string, string> = {
  starting: "starting a scratch container",
  restoring: "restoring the backup into it and running the engine's check",
  removing: "removing the scratch container",
};

export function DrillProgress({ id, onClose }: { id: string; onClose: () => void }) {
  const drill = useDrill(id);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const d = drill.data;
  const status = d?.status;
  const backupId = d?.backup_id ?? "";
  useEffect(() => {
    if (!status || status === "running") return;
    void queryClient.invalidateQueries({ queryKey: backupKeys.lists(team) });
    if (backupId) void queryClient.invalidateQueries({ queryKey: backupKeys.drills(team, backupId) });
  }, [status, backupId, queryClient, team]);
  return (
    <section className="card" aria-labelledby="drill-progress">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 id="drill-progress">
          Drill of {backupId ? <span className="mono">{backupId}</span> : "a backup"} <span className="muted mono">{id}</span>
        </h2>
        {d && status !== "running" && (
          <button type="button" className="btn btn-sm" onClick={onClose}>
            Close
          </button>
        )}
      </div>
      {drill.error && <ErrorText error={drill.error} />}
      {!d && !drill.error && <div className="skeleton" style={{ height: 40 }} aria-busy="true" />}
      {d && (
        <div role="status">
          {status === "running" && (
            <p>
              <span className="dot dot-busy" aria-hidden /> Drilling: {stepWord[d.step ?? ""] ?? d.step}…
            </p>
          )}
          {status === "verified" && (
            <p>
              <span className="dot dot-ok" aria-hidden /> <strong>Restore verified.</strong> The engine's check answered{" "}
              <strong className="mono">{d.check ?? "–"}</strong> in {formatDuration(d.duration_ms)}.
            </p>
          )}
          {status === "failed" && <p>The drill failed{d.step ? ` while ${stepWord[d.step] ?? d.step}` : ""}.</p>}
        </div>
      )}
      {status === "failed" && (
        <ErrorText>
          {errorText(d?.error)}
          {d?.error?.code && <span className="mono"> ({d.error.code})</span>}
        </ErrorText>
      )}
    </section>
  );
}
