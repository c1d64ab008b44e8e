// /backups: every backup of the team's services, newest first (deleted services' included: their
// backups outlive them), each service's name linking to its Backups tab. Everyone sees each
// backup's drills; members restore (into a new service first: the only way for a deleted
// service's backup) and drill from here too, as on a service's tab, where they also back up.
import { Link } from "react-router-dom";
import { useCan } from "../../auth/AuthContext";
import { PageHeader } from "../../components/PageHeader";
import { usePageParam } from "../team/usePageParam";
import { BackupList } from "./BackupList";
import { DrillProgress } from "./DrillProgress";
import { useTeamBackups } from "./queries";
import { RestoreProgress } from "./RestoreProgress";
import { useBackupActions } from "./useBackupActions";
import "./backups.css";

export default function BackupsPage() {
  const [page, setPage] = usePageParam();
  const canAct = useCan("member");
  const list = useTeamBackups(page);
  const actions = useBackupActions();
  return (
    <>
      <PageHeader title="Backups" subtitle="Every backup of the team's services and apps' volumes: encrypted, checksummed and stored off the server" />
      {actions.restoreId && <RestoreProgress id={actions.restoreId} serviceName={actions.restoredFrom} onClose={actions.closeRestore} />}
      {actions.drillId && <DrillProgress id={actions.drillId} onClose={actions.closeDrill} />}
      <BackupList
        list={list}
        page={page}
        setPage={setPage}
        actions={actions}
        canAct={canAct}
        showService
        restoreTarget="new"
        rows={4}
        emptyTitle="No backups yet"
        empty={
          <>
            Back a service up from its Backups tab (<Link to="/services">Services</Link>) into one of the team's <Link to="/destinations">backup destinations</Link>.
          </>
        }
      />
    </>
  );
}
