// One page of audit entries with its loading, error, empty and paging states; shared by the
// team log and the instance-wide log.
import { useSearchParams } from "react-router-dom";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorText } from "../../../components/ErrorText";
import { Pagination } from "../../../components/Pagination";
import { TableSkeleton } from "../ListStates";
import type { AuditEntry } from "../types";
import { AuditTable } from "./AuditTable";
import { filtersFromSearch, hasFilters, searchFromFilters } from "./auditQuery";

export interface AuditPage {
  data?: AuditEntry[];
  total?: number;
}

export function AuditResults({
  query,
  perPage,
  actorName,
  teamName,
}: {
  query: { isPending: boolean; isError: boolean; error: unknown; data: AuditPage | undefined };
  perPage: number;
  actorName: (id: string) => string | undefined;
  teamName?: (id: string) => string | undefined;
}) {
  const [search, setSearch] = useSearchParams();
  const { filters, page } = filtersFromSearch(search);
  if (query.isPending) return <TableSkeleton rows={10} label="audit log" />;
  if (query.isError) return <ErrorText error={query.error} />;
  const entries = query.data?.data ?? [];
  if (entries.length === 0) {
    return hasFilters(filters) ? (
      <EmptyState title="No entries match these filters">Loosen or clear the filters above.</EmptyState>
    ) : (
      <EmptyState title="Nothing recorded yet">Every change made in Berth, and every failed sign-in, appears here.</EmptyState>
    );
  }
  return (
    <>
      <AuditTable entries={entries} actorName={actorName} teamName={teamName} />
      <Pagination page={page} perPage={perPage} total={query.data?.total ?? 0} onPage={(next) => setSearch(searchFromFilters(filters, next))} />
    </>
  );
}
