// /backups: every backup of the team's services, newest first (deleted services' included: their
// backups outlive them), each service's name linking to its Backups tab, where members back up
// and restore.
import { Link } from "react-router-dom";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { PageHeader } from "../../components/PageHeader";
import { Pagination } from "../../components/Pagination";
import { usePageParam } from "../team/usePageParam";
import { BackupTable } from "./BackupTable";
import { PER_PAGE, useTeamBackups } from "./queries";
import "./backups.css";

export default function BackupsPage() {
  const [page, setPage] = usePageParam();
  const list = useTeamBackups(page);
  const backups = list.data?.data ?? [];
  return (
    <>
      <PageHeader title="Backups" subtitle="Every backup of the team's services: encrypted, checksummed and stored off the server" />
      {list.error && <ErrorText error={list.error} />}
      {!list.data && !list.error && <div className="skeleton" style={{ height: 44 * 4 }} aria-busy="true" />}
      {list.data && backups.length === 0 && (
        <EmptyState title="No backups yet">
          Back a service up from its Backups tab (<Link to="/services">Services</Link>) into one of the team's <Link to="/destinations">backup destinations</Link>.
        </EmptyState>
      )}
      {backups.length > 0 && (
        <>
          <BackupTable backups={backups} showService busy={list.isFetching && list.isPlaceholderData} />
          <Pagination page={list.data?.page ?? page} perPage={list.data?.per_page ?? PER_PAGE} total={list.data?.total ?? 0} onPage={setPage} />
        </>
      )}
    </>
  );
}
