// One page of backups as the three places that list them show it (the team's Backups page, a
// service's Backups tab, an app's Volumes card): the list's and a drill's errors, a skeleton
// while it loads, `empty` when there is none, else the table with the member's actions and the
// pager; and the restore dialog of the backup a member chose (confirmed with `restoreName`, by
// default the backup's service's or app's name).
import type { ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { Pagination } from "../../components/Pagination";
import { BackupTable } from "./BackupTable";
import { PER_PAGE } from "./queries";
import { RestoreDialog } from "./RestoreDialog";
import type { BackupList as BackupPage } from "./types";
import type { useBackupActions } from "./useBackupActions";

export function BackupList({
  list,
  page,
  setPage,
  actions,
  canAct,
  emptyTitle,
  empty,
  rows = 3,
  showService = false,
  showVolume = false,
  restoreName,
  restoreTarget,
}: {
  list: UseQueryResult<BackupPage>;
  page: number;
  setPage: (page: number) => void;
  actions: ReturnType<typeof useBackupActions>;
  canAct: boolean;
  emptyTitle: string;
  empty: ReactNode;
  rows?: number;
  showService?: boolean;
  showVolume?: boolean;
  restoreName?: string;
  restoreTarget?: "same" | "new";
}) {
  const backups = list.data?.data ?? [];
  return (
    <>
      {list.error && <ErrorText error={list.error} />}
      <ErrorText error={actions.drillError} />
      {!list.data && !list.error && <div className="skeleton" style={{ height: 44 * rows }} aria-busy="true" />}
      {list.data && backups.length === 0 && <EmptyState title={emptyTitle}>{empty}</EmptyState>}
      {backups.length > 0 && (
        <>
          <BackupTable
            backups={backups}
            showService={showService}
            showVolume={showVolume}
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
          serviceName={restoreName ?? actions.restoring?.service_name ?? ""}
          initialTarget={restoreTarget}
          onClose={() => actions.setRestoring(null)}
          onStarted={(restore) => actions.restoreStarted(restore.id ?? "")}
        />
      )}
    </>
  );
}
