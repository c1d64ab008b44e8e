// The service's Overview tab: where apps reach it (host:port on the project's network), what
// runs (image, limits, volume), its warnings, and the apps linked to it.
import { Link } from "react-router-dom";
import { DataTable } from "../../components/DataTable";
import { StatusDot } from "../../components/StatusDot";
import { RelativeTime } from "../../components/Time";
import { useProjectNames, useServers } from "../apps/shared/queries";
import { ServiceWarnings } from "./ServiceWarnings";
import { describePublish, formatCpus, formatMemory } from "./serviceForm";
import { useServiceOutlet } from "./ServiceLayout";

export default function ServiceOverview() {
  const { service: s } = useServiceOutlet();
  const projects = useProjectNames();
  const servers = useServers();
  const server = servers.data?.find((x) => x.id === s.server_id);
  const links = s.links ?? [];
  return (
    <>
      <ServiceWarnings service={s} />
      <div className="grid-2">
        <section className="card">
          <h2>Status</h2>
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <StatusDot status={s.status ?? "new"} />
            </dd>
            <dt>Message</dt>
            <dd>{s.status_message ?? "–"}</dd>
            <dt>Address</dt>
            <dd>
              <span className="mono">
                {s.host}:{s.port}
              </span>{" "}
              <span className="muted">
                on the project network <span className="mono">{s.network}</span>
              </span>
            </dd>
            <dt>Published</dt>
            <dd className="mono">{describePublish(s.publish) ?? "no"}</dd>
            <dt>Updated</dt>
            <dd>
              <RelativeTime at={s.updated_at} />
            </dd>
          </dl>
        </section>
        <section className="card">
          <h2>What runs</h2>
          <dl className="kv">
            <dt>Image</dt>
            <dd className="mono">{s.image}</dd>
            <dt>Memory</dt>
            <dd>{formatMemory(s.memory_bytes)}</dd>
            <dt>CPUs</dt>
            <dd>{formatCpus(s.nano_cpus)}</dd>
            <dt>Project</dt>
            <dd>
              <Link to={`/projects/${s.project_id}`}>{projects.data?.get(s.project_id ?? "") ?? s.project_id}</Link>
            </dd>
            <dt>Server</dt>
            <dd>
              <Link to={`/servers/${s.server_id}`}>{server?.name ?? s.server_id}</Link>
            </dd>
            <dt>Container</dt>
            <dd className="mono">{s.container}</dd>
            <dt>Data volume</dt>
            <dd className="mono">{s.volume}</dd>
          </dl>
        </section>
      </div>
      <section className="card" aria-labelledby="linked-apps">
        <h2 id="linked-apps">Linked apps</h2>
        {links.length === 0 ? (
          <p className="muted">No app is linked yet. Link one from the app's Services tab: it gets the URL and credentials as secret env vars.</p>
        ) : (
          <DataTable columns={["App", "Env vars", "Linked"]}>
            {links.map((l) => (
              <tr key={l.app_id}>
                <td>
                  <Link to={`/apps/${l.app_id}/services`}>{l.app_name}</Link>
                </td>
                <td className="mono">{(l.env_keys ?? []).join(", ")}</td>
                <td>
                  <RelativeTime at={l.created_at} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}
