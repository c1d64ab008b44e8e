// /apps: the team's apps, paged and filtered by name (?q=, ?page= in the URL so it can be shared).
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router-dom";
import { api, call } from "../../api/client";
import { useCan } from "../../auth/AuthContext";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { PageHeader } from "../../components/PageHeader";
import { Pagination } from "../../components/Pagination";
import { StatusDot } from "../../components/StatusDot";
import { useDebounced } from "../../components/useDebounced";
import { RelativeTime } from "../../components/Time";
import { describeSource, keys, useLastDeployment, useProjectNames, useServers, useTeamId } from "./shared/queries";
import type { App } from "./shared/types";
import "./apps.css";
import { DataTable } from "../../components/DataTable";

const PER_PAGE = 20;

export default function AppListPage() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const q = params.get("q") ?? "";
  const settledQ = useDebounced(q);
  return (
    <>
      <PageHeader
        title="Apps"
        actions={
          useCan("member") && (
            <Link className="btn btn-primary" to="/apps/new">
              Create an app
            </Link>
          )
        }
      />
      <div className="row" style={{ marginBottom: "var(--space-3)" }}>
        <label className="sr-only" htmlFor="apps-q">
          Filter apps by name
        </label>
        <input
          id="apps-q"
          className="input"
          style={{ maxWidth: 320 }}
          type="search"
          placeholder="Filter by name"
          value={q}
          onChange={(e) => setParams(e.target.value ? { q: e.target.value } : {}, { replace: true })}
        />
      </div>
      <AppTable page={page} q={settledQ} onPage={(p) => setParams({ ...(q ? { q } : {}), page: String(p) })} />
    </>
  );
}

/// The apps table; also used by a project's Apps tab (projectId).
export function AppTable({ page, q, projectId, onPage }: { page: number; q: string; projectId?: string; onPage: (page: number) => void }) {
  const team = useTeamId();
  const canCreate = useCan("member");
  const list = useQuery({
    queryKey: keys.appList(team, page, q, projectId),
    queryFn: () =>
      call(api.GET("/api/v1/apps", { params: { query: { page, per_page: PER_PAGE, ...(q ? { q } : {}), ...(projectId ? { project_id: projectId } : {}) } } })),
    placeholderData: (previous) => previous,
    refetchInterval: 15_000, // statuses change under the page (deployments, webhooks)
  });
  const projects = useProjectNames();
  const servers = useServers();
  const serverName = new Map((servers.data ?? []).map((s) => [s.id ?? "", s.name ?? ""]));

  if (list.error) return <ErrorText error={list.error} />;
  if (!list.data) return <div className="skeleton" style={{ height: 44 * 5 }} aria-busy="true" />;
  const apps = list.data.data ?? [];
  if (apps.length === 0) {
    if (q) return <EmptyState title={`No app's name contains “${q}”`}>Try another filter.</EmptyState>;
    return (
      <EmptyState
        title="No apps yet"
        action={canCreate && <Link className="btn btn-primary" to={projectId ? `/apps/new?project=${projectId}` : "/apps/new"}>Create an app</Link>}
      >
        An app runs an image, a git repository or a workflow on one of your servers.
      </EmptyState>
    );
  }
  return (
    <>
      <DataTable columns={["Name", !projectId && { label: "Project", className: "hide-sm" }, { label: "Server", className: "hide-sm" }, "URL", { label: "Source", className: "hide-sm" }, "Last deployment"]}>
        {apps.map((app) => (
          <AppRow key={app.id} app={app} showProject={!projectId} project={projects.data?.get(app.project_id ?? "")} server={serverName.get(app.server_id ?? "")} />
        ))}
      </DataTable>
      <Pagination page={list.data.page ?? page} perPage={list.data.per_page ?? PER_PAGE} total={list.data.total ?? 0} onPage={onPage} />
    </>
  );
}

function AppRow({ app, showProject, project, server }: { app: App; showProject: boolean; project?: string; server?: string }) {
  return (
    <tr>
      <td>
        <span className="row" style={{ flexWrap: "nowrap" }}>
          <StatusDot status={app.status ?? "new"} label="" />
          <Link to={`/apps/${app.id}`}>
            <strong>{app.name}</strong>
          </Link>
          <span className="sr-only">status {app.status}</span>
          {app.out_of_date && (
            <span className="badge badge-warn" title="Changed since the last deployment; deploy to apply">
              out of date
            </span>
          )}
        </span>
      </td>
      {showProject && (
        <td className="hide-sm">{app.project_id ? <Link to={`/projects/${app.project_id}`}>{project ?? app.project_id}</Link> : <span className="muted">–</span>}</td>
      )}
      <td className="hide-sm">{server ?? <span className="mono">{app.server_id}</span>}</td>
      <td>
        {app.url ? (
          <a href={app.url} target="_blank" rel="noreferrer">
            {app.hostname ?? app.url}
          </a>
        ) : (
          "–"
        )}
      </td>
      <td className="hide-sm mono">{describeSource(app.source)}</td>
      <td>
        <LastDeploymentCell appId={app.id ?? ""} />
      </td>
    </tr>
  );
}

function LastDeploymentCell({ appId }: { appId: string }) {
  const last = useLastDeployment(appId);
  if (last.isPending) return <span className="skeleton" style={{ display: "inline-block", width: 90 }} />;
  if (!last.data) return <span className="muted">never</span>;
  return (
    <Link to={`/deployments/${last.data.id}`} className="row" style={{ display: "inline-flex", flexWrap: "nowrap", whiteSpace: "nowrap" }}>
      <StatusDot status={last.data.state ?? ""} />
      <RelativeTime at={last.data.created_at} />
    </Link>
  );
}
