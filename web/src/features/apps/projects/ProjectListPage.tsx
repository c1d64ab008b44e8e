// /projects: the team's projects, paged (GET /projects takes no ?q=, so there is no filter).
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router-dom";
import { api, call } from "../../../api/client";
import { useCan } from "../../../auth/AuthContext";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorText } from "../../../components/ErrorText";
import { PageHeader } from "../../../components/PageHeader";
import { Pagination } from "../../../components/Pagination";
import { RelativeTime } from "../../../components/Time";
import { keys, useTeamId } from "../shared/queries";
import { CreateProjectDialog } from "./CreateProjectDialog";

const PER_PAGE = 20;

export default function ProjectListPage() {
  const team = useTeamId();
  const canCreate = useCan("member");
  const [creating, setCreating] = useState(false);
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const list = useQuery({
    queryKey: [...keys.projects(team), "list", page],
    queryFn: () => call(api.GET("/api/v1/projects", { params: { query: { page, per_page: PER_PAGE } } })),
    placeholderData: (p) => p,
  });
  const rows = list.data?.data ?? [];
  const create = canCreate && (
    <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
      Create a project
    </button>
  );
  return (
    <>
      <PageHeader title="Projects" actions={create} />
      {list.error && <ErrorText error={list.error} />}
      {!list.data && !list.error && <div className="skeleton" style={{ height: 200 }} aria-busy="true" />}
      {list.data && rows.length === 0 && (
        <EmptyState title="No projects yet" action={create}>
          A project groups apps and holds env vars they all inherit.
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr><th>Name</th><th className="hide-sm">Description</th><th>Created</th></tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id}>
                  <td><Link to={`/projects/${p.id}`}><strong>{p.name}</strong></Link></td>
                  <td className="hide-sm muted">{p.description || "–"}</td>
                  <td><RelativeTime at={p.created_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pagination page={page} perPage={PER_PAGE} total={list.data.total ?? 0} onPage={(n) => setParams({ page: String(n) })} />}
      <CreateProjectDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}
