// /services: the team's managed databases and caches, filtered by project (?project= in the
// URL so it can be shared), with engine, version, status, project, server and link count.
import { Link, useSearchParams } from "react-router-dom";
import { useCan } from "../../auth/AuthContext";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { PageHeader } from "../../components/PageHeader";
import { Pagination } from "../../components/Pagination";
import { StatusDot } from "../../components/StatusDot";
import { useProjectNames, useServers } from "../apps/shared/queries";
import { PER_PAGE, useServiceList } from "./queries";
import { engineLabel } from "./serviceForm";
import type { Service } from "./types";

export default function ServiceListPage() {
  const [params, setParams] = useSearchParams();
  const projectId = params.get("project") ?? "";
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const canCreate = useCan("member");
  const projects = useProjectNames();
  const servers = useServers();
  const list = useServiceList(projectId, page);
  const serverName = new Map((servers.data ?? []).map((s) => [s.id ?? "", s.name ?? ""]));
  const createLink = canCreate && (
    <Link className="btn btn-primary" to={projectId ? `/services/new?project=${projectId}` : "/services/new"}>
      Create a service
    </Link>
  );
  const services = list.data?.data ?? [];
  return (
    <>
      <PageHeader title="Services" subtitle="Managed PostgreSQL, MySQL, MariaDB, Redis and Valkey that your apps link to" actions={createLink} />
      <div className="row" style={{ marginBottom: "var(--space-3)" }}>
        <label htmlFor="services-project">Project</label>
        <select
          id="services-project"
          className="input"
          style={{ maxWidth: 280 }}
          value={projectId}
          onChange={(e) => setParams(e.target.value ? { project: e.target.value } : {}, { replace: true })}
        >
          <option value="">All projects</option>
          {[...(projects.data ?? new Map<string, string>())].map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {list.error && <ErrorText error={list.error} />}
      {!list.data && !list.error && <div className="skeleton" style={{ height: 44 * 4 }} aria-busy="true" />}
      {list.data && services.length === 0 && (
        <EmptyState title={projectId ? "No services in this project" : "No services yet"} action={createLink || undefined}>
          A service is a database or cache on one of your servers; link it to an app to give the app its URL and credentials.
        </EmptyState>
      )}
      {services.length > 0 && (
        <>
          <DataTable columns={["Name", "Engine", "Status", { label: "Project", className: "hide-sm" }, { label: "Server", className: "hide-sm" }, "Linked apps"]}>
            {services.map((s) => (
              <ServiceRow key={s.id} service={s} project={projects.data?.get(s.project_id ?? "")} server={serverName.get(s.server_id ?? "")} />
            ))}
          </DataTable>
          <Pagination
            page={list.data?.page ?? page}
            perPage={list.data?.per_page ?? PER_PAGE}
            total={list.data?.total ?? 0}
            onPage={(p) => setParams({ ...(projectId ? { project: projectId } : {}), page: String(p) })}
          />
        </>
      )}
    </>
  );
}

function ServiceRow({ service, project, server }: { service: Service; project?: string; server?: string }) {
  const links = service.links ?? [];
  return (
    <tr>
      <td>
        <Link to={`/services/${service.id}`}>
          <strong>{service.name}</strong>
        </Link>
        {(service.warnings ?? []).length > 0 && (
          <span className="badge badge-warn" style={{ marginLeft: "var(--space-2)" }} title={(service.warnings ?? []).join("\n")}>
            published
          </span>
        )}
      </td>
      <td>
        {engineLabel(service.engine)} {service.version}
      </td>
      <td>
        <StatusDot status={service.status ?? "new"} />
      </td>
      <td className="hide-sm">
        <Link to={`/projects/${service.project_id}`}>{project ?? service.project_id}</Link>
      </td>
      <td className="hide-sm">{server ?? <span className="mono">{service.server_id}</span>}</td>
      <td title={links.map((l) => l.app_name).join(", ")}>{links.length}</td>
    </tr>
  );
}
