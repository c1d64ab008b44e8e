// /admin/audit: the whole instance's audit log, with the same filters as /audit plus a team.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { api, call } from "../../../api/client";
import { AuditFiltersForm } from "../audit/AuditFiltersForm";
import { AuditResults } from "../audit/AuditResults";
import { adminApiQuery, filtersFromSearch } from "../audit/auditQuery";

const perPage = 50;

export function AdminAuditTab() {
  const [search] = useSearchParams();
  const { filters, page } = filtersFromSearch(search);
  const log = useQuery({
    queryKey: ["admin", "audit", filters, page],
    queryFn: () => call(api.GET("/api/v1/admin/audit-log", { params: { query: adminApiQuery(filters, page, perPage) } })),
    placeholderData: keepPreviousData,
  });
  // Names for the ids in the log: the first 100 accounts and teams (no lookup-by-id list exists).
  const users = useQuery({
    queryKey: ["admin", "users", "", "names"],
    queryFn: () => call(api.GET("/api/v1/admin/users", { params: { query: { per_page: 100 } } })),
  });
  const teams = useQuery({
    queryKey: ["admin", "teams", "", "names"],
    queryFn: () => call(api.GET("/api/v1/admin/teams", { params: { query: { per_page: 100 } } })),
  });
  const people = (users.data?.data ?? []).map((u) => ({ id: u.id ?? "", label: `${u.display_name} (${u.email})` }));
  const teamChoices = (teams.data?.data ?? []).map((t) => ({ id: t.id ?? "", label: t.personal ? `${t.name} (personal)` : (t.name ?? "") }));
  return (
    <>
      <AuditFiltersForm actors={people} teams={teamChoices} />
      <AuditResults
        query={log}
        perPage={perPage}
        actorName={(id) => users.data?.data?.find((u) => u.id === id)?.display_name}
        teamName={(id) => teams.data?.data?.find((t) => t.id === id)?.name}
      />
    </>
  );
}
