// Restoring replaces a service's data, so it is never one click: the dialog says what happens
// (a safety backup of the data as it is now first, then the backup's data replaces it) and asks
// for the service's name, which the API also requires (confirm).
import { api, call } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { RelativeTime } from "../../components/Time";
import { shortSha } from "./format";
import type { Backup, Restore } from "./types";

export function RestoreDialog({
  backup,
  serviceName,
  onClose,
  onStarted,
}: {
  backup: Backup | null;
  serviceName: string;
  onClose: () => void;
  onStarted: (restore: Restore) => void;
}) {
  return (
    <ConfirmDialog
      open={backup !== null}
      onOpenChange={(open) => !open && onClose()}
      title={`Restore ${serviceName} from this backup?`}
      confirmLabel="Replace data and restore"
      typeToConfirm={serviceName}
      onConfirm={async () => {
        if (!backup) return;
        const restore = await call(api.POST("/api/v1/backups/{id}/restore", { params: { path: { id: backup.id ?? "" } }, body: { confirm: serviceName } }));
        onStarted(restore);
      }}
    >
      <span>
        The data of <strong>{serviceName}</strong> is replaced by the backup <span className="mono">{backup?.id}</span> (
        {backup && <RelativeTime at={backup.created_at} />}, SHA-256 <span className="mono">{shortSha(backup?.sha256)}</span>): anything written
        since is lost. A safety backup of the data as it is now is taken first, into the same destination; if it fails, nothing is restored.
      </span>
    </ConfirmDialog>
  );
}
