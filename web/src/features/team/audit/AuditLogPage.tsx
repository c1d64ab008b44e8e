// /audit: the current team's audit log (team admins), filtered by the URL query.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { api, call } from "../../../api/client";
import { useAuth } from "../../../auth/AuthContext";
import { PageHeader } from "../../../components/PageHeader";
import { RoleRequired } from "../ListStates";
import { teamKeys } from "../queries";
import { AuditFiltersForm } from "./AuditFiltersForm";
import { AuditResults } from "./AuditResults";
import { filtersFromSearch, teamApiQuery } from "./auditQuery";
import "../team.css";

const perPage = 50;

export function AuditLogPage() {
  const { teamId, team, can } = useAuth();
  const isAdmin = can("admin");
  const [search] = useSearchParams();
  const { filters, page } = filtersFromSearch(search);
  const log = useQuery({
    queryKey: ["audit", teamId, filters, page],
    queryFn: () => call(api.GET("/api/v1/audit-log", { params: { query: teamApiQuery(filters, page, perPage) } })),
    enabled: teamId !== null && isAdmin,
    placeholderData: keepPreviousData,
  });
  // The log names actors by user id; the team's members give most of them a name.
  const members = useQuery({
    queryKey: [...teamKeys.members(teamId), "all"],
    queryFn: () => call(api.GET("/api/v1/teams/{id}/members", { params: { path: { id: teamId! }, query: { per_page: 100 } } })),
    enabled: teamId !== null && isAdmin,
  });
  const people = (members.data?.data ?? []).map((m) => ({ id: m.user_id ?? "", label: `${m.display_name} (${m.email})` }));
  const nameOf = (id: string) => {
    const member = members.data?.data?.find((m) => m.user_id === id);
    return member ? (member.display_name ?? member.email) : undefined;
  };

  return (
    <>
      <PageHeader title="Audit log" subtitle={`Who changed what in ${team?.name ?? "this team"}, newest first`} />
      {isAdmin ? (
        <>
          <AuditFiltersForm actors={people} />
          <AuditResults query={log} perPage={perPage} actorName={nameOf} />
        </>
      ) : (
        <RoleRequired what="The audit log" role="admin" />
      )}
    </>
  );
}
