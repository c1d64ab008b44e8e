// Restoring into the service replaces its data, so it is never one click: the dialog says what
// happens (a safety backup of the data as it is now first, then the backup's data replaces it)
// and asks for the service's name, which the API also requires (confirm). Restoring into a new
// service touches nothing that exists: it asks for the new service's name instead. The team-wide
// Backups page opens it on "a new service": a deleted service's backups restore only that way.
// A new service may be a newer major version of the engine (never an older: dumps load forward),
// which is how a service moves across a major upgrade.
// A backup of an app's volume restores one way only: into a fresh volume the app is redeployed
// onto (the old volume kept), confirmed with the app's name.
import { useState } from "react";
import { api, call } from "../../api/client";
import { Dialog } from "../../components/Dialog";
import { FormActions } from "../../components/FormActions";
import { RelativeTime } from "../../components/Time";
import { useSubmit } from "../../components/useSubmit";
import { engineInfo } from "../services/serviceForm";
import { shortSha } from "./format";
import type { Backup, Restore } from "./types";

type Target = "same" | "new";

type DialogProps = {
  serviceName: string;
  initialTarget?: Target;
  onClose: () => void;
  onStarted: (restore: Restore) => void;
};

export function RestoreDialog({ backup, ...props }: { backup: Backup | null } & DialogProps) {
  if (!backup) return null;
  // Keyed by the backup: another backup's dialog starts blank.
  return <OpenRestoreDialog key={backup.id} backup={backup} {...props} />;
}

function OpenRestoreDialog({ backup, serviceName, initialTarget = "same", onClose, onStarted }: { backup: Backup } & DialogProps) {
  const volume = backup.subject === "volume";
  const [target, setTarget] = useState<Target>(volume ? "same" : initialTarget);
  const [typed, setTyped] = useState("");
  const [newName, setNewName] = useState("");
  const versions = newerVersions(backup);
  const [version, setVersion] = useState(backup.version ?? "");
  const ready = target === "same" ? typed === serviceName : newName.trim() !== "";
  const { busy, error, submit } = useSubmit(async () => {
    if (!ready) return;
    const upgrade = version !== "" && version !== backup.version ? { version } : {};
    const body = target === "same" ? { confirm: serviceName } : { target: "new" as const, name: newName.trim(), ...upgrade };
    const restore = await call(api.POST("/api/v1/backups/{id}/restore", { params: { path: { id: backup.id ?? "" } }, body }));
    onStarted(restore);
    onClose();
  });
  const when = (
    <>
      <RelativeTime at={backup.created_at} />, SHA-256 <span className="mono">{shortSha(backup.sha256)}</span>
    </>
  );
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Restore ${serviceName} from this backup?`}
      description={
        volume ? (
          <span>
            The backup <span className="mono">{backup.id}</span> ({when}) of the volume <span className="mono">{backup.volume}</span> is put into a fresh
            volume, then <strong>{serviceName}</strong> is redeployed with its current image, mounting it. The volume it uses now is kept, untouched.
          </span>
        ) : target === "same" ? (
          <span>
            The data of <strong>{serviceName}</strong> is replaced by the backup <span className="mono">{backup.id}</span> ({when}): anything written since
            is lost. A safety backup of the data as it is now is taken first, into the same destination; if it fails, nothing is restored.
          </span>
        ) : (
          <span>
            A new service of the same engine and image is created on {serviceName}'s server, and the backup <span className="mono">{backup.id}</span> (
            {when}) is restored into it once it runs. <strong>{serviceName}</strong> is not touched.
          </span>
        )
      }
    >
      <form noValidate onSubmit={(event) => void submit(event)}>
        <fieldset className="field" hidden={volume}>
          <legend>Restore into</legend>
          <label>
            <input type="radio" name="restore-target" checked={target === "same"} onChange={() => setTarget("same")} /> This service ({serviceName})
          </label>{" "}
          <label>
            <input type="radio" name="restore-target" checked={target === "new"} onChange={() => setTarget("new")} /> A new service
          </label>
        </fieldset>
        {target === "same" ? (
          <div className="field">
            <label htmlFor="confirm-name">
              Type <strong className="mono">{serviceName}</strong> to confirm
            </label>
            <input id="confirm-name" className="input" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
          </div>
        ) : (
          <div className="field">
            <label htmlFor="new-service-name">New service's name</label>
            <input
              id="new-service-name"
              className="input"
              autoComplete="off"
              placeholder={`${serviceName}-restored`}
              value={newName}
              onChange={(e) => setNewName(e.target.value)}
            />
            {versions.length > 1 && (
              <>
                <label htmlFor="new-service-version">Version</label>
                <select id="new-service-version" className="input" value={version} onChange={(e) => setVersion(e.target.value)}>
                  {versions.map((v) => (
                    <option key={v} value={v}>
                      {v === backup.version ? `${v} (the backup's)` : `${v} (upgrade, the official image)`}
                    </option>
                  ))}
                </select>
              </>
            )}
          </div>
        )}
        <FormActions
          error={error}
          label={volume ? "Restore and redeploy" : target === "same" ? "Replace data and restore" : "Create service and restore"}
          busy={busy}
          disabled={!ready}
          danger={target === "same"}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}

// The backup's own version and the engine's newer ones; [] when the backup does not say its version.
function newerVersions(backup: Backup): string[] {
  const own = backup.version;
  if (!own) return [];
  const all = engineInfo(backup.engine)?.versions ?? [];
  return [own, ...all.filter((v) => Number(v) > Number(own))];
}
