// /admin/teams: every team on the instance, searchable by name and paged.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router-dom";
import { api, call } from "../../../api/client";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorText } from "../../../components/ErrorText";
import { Pagination } from "../../../components/Pagination";
import { RelativeTime } from "../../../components/Time";
import { TableSkeleton } from "../ListStates";
import { usePageParam } from "../usePageParam";
import { SearchBox } from "./SearchBox";
import { DataTable } from "../../../components/DataTable";

const perPage = 20;

export function AdminTeamsTab() {
  const [search] = useSearchParams();
  const q = search.get("q") ?? "";
  const [page, setPage] = usePageParam();
  const teams = useQuery({
    queryKey: ["admin", "teams", q, page],
    queryFn: () => call(api.GET("/api/v1/admin/teams", { params: { query: { page, per_page: perPage, ...(q ? { q } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const rows = teams.data?.data ?? [];
  return (
    <>
      <SearchBox label="Search teams" placeholder="part of the name" />
      {teams.isPending ? (
        <TableSkeleton rows={8} label="teams" />
      ) : teams.isError ? (
        <ErrorText error={teams.error} />
      ) : rows.length === 0 ? (
        <EmptyState title={q ? `No team matches “${q}”` : "No teams"}>{q ? "Try another part of the name." : "Teams appear as people create them."}</EmptyState>
      ) : (
        <>
          <DataTable columns={["Name", { label: "Id", className: "hide-sm" }, "Kind", { label: "Created", className: "hide-sm" }]} actions>
            {rows.map((team) => (
              <tr key={team.id}>
                <td>{team.name}</td>
                <td className="hide-sm mono">{team.id}</td>
                <td>{team.personal ? <span className="badge">personal</span> : <span className="badge">team</span>}</td>
                <td className="hide-sm">
                  <RelativeTime at={team.created_at} />
                </td>
                <td className="actions">
                  <Link className="btn btn-sm" to={`/admin/audit?team_id=${encodeURIComponent(team.id ?? "")}`}>
                    Audit log<span className="sr-only"> of {team.name}</span>
                  </Link>
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination page={page} perPage={perPage} total={teams.data.total ?? 0} onPage={setPage} />
        </>
      )}
    </>
  );
}
