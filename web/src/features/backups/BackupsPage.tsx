// /backups: every backup of the team's services, newest first (deleted services' included: their
// backups outlive them), each service's name linking to its Backups tab. Everyone sees each
// backup's drills; members restore (into a new service first: the only way for a deleted
// service's backup) and drill from here too, as on a service's tab, where they also back up.
import { Link } from "react-router-dom";
import { useCan } from "../../auth/AuthContext";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { PageHeader } from "../../components/PageHeader";
import { Pagination } from "../../components/Pagination";
import { usePageParam } from "../team/usePageParam";
import { BackupTable } from "./BackupTable";
import { DrillProgress } from "./DrillProgress";
import { PER_PAGE, useTeamBackups } from "./queries";
import { RestoreDialog } from "./RestoreDialog";
import { RestoreProgress } from "./RestoreProgress";
import { useBackupActions } from "./useBackupActions";
import "./backups.css";

export default function BackupsPage() {
  const [page, setPage] = usePageParam();
  const canAct = useCan("member");
  const list = useTeamBackups(page);
  const actions = useBackupActions();
  const backups = list.data?.data ?? [];
  return (
    <>
      <PageHeader title="Backups" subtitle="Every backup of the team's services: encrypted, checksummed and stored off the server" />
      {actions.restoreId && <RestoreProgress id={actions.restoreId} serviceName={actions.restoredFrom} onClose={actions.closeRestore} />}
      {actions.drillId && <DrillProgress id={actions.drillId} onClose={actions.closeDrill} />}
      {list.error && <ErrorText error={list.error} />}
      <ErrorText error={actions.drillError} />
      {!list.data && !list.error && <div className="skeleton" style={{ height: 44 * 4 }} aria-busy="true" />}
      {list.data && backups.length === 0 && (
        <EmptyState title="No backups yet">
          Back a service up from its Backups tab (<Link to="/services">Services</Link>) into one of the team's <Link to="/destinations">backup destinations</Link>.
        </EmptyState>
      )}
      {backups.length > 0 && (
        <>
          <BackupTable
            backups={backups}
            showService
            busy={list.isFetching && list.isPlaceholderData}
            expanded={actions.expanded}
            onToggleDrills={actions.toggleDrills}
            onDrill={canAct ? actions.drillNow : undefined}
            onRestore={canAct ? actions.setRestoring : undefined}
          />
          <Pagination page={list.data?.page ?? page} perPage={list.data?.per_page ?? PER_PAGE} total={list.data?.total ?? 0} onPage={setPage} />
        </>
      )}
      {canAct && (
        <RestoreDialog
          backup={actions.restoring}
          serviceName={actions.restoring?.service_name ?? ""}
          initialTarget="new"
          onClose={() => actions.setRestoring(null)}
          onStarted={(restore) => actions.restoreStarted(restore.id ?? "")}
        />
      )}
    </>
  );
}
