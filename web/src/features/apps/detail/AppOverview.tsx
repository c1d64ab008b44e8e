// The app's Overview tab: current deployment, URL, source and the main settings, and its
// volumes with their backups.
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api, call } from "../../../api/client";
import { ErrorText } from "../../../components/ErrorText";
import { StatusDot } from "../../../components/StatusDot";
import { RelativeTime } from "../../../components/Time";
import { describeSource, keys, useProjectNames, useServers, useTeamId } from "../shared/queries";
import { useAppOutlet } from "./AppLayout";
import { AppVolumes } from "./AppVolumes";
import { artifactLabel } from "./RollbackDialog";

export default function AppOverview() {
  const { app } = useAppOutlet();
  const team = useTeamId();
  const current = app.current_deployment_id ?? null;
  const deployment = useQuery({
    queryKey: keys.deployment(team, current ?? "none"),
    enabled: current !== null,
    queryFn: () => call(api.GET("/api/v1/deployments/{id}", { params: { path: { id: current! } } })),
  });
  const projects = useProjectNames();
  const servers = useServers();
  const server = servers.data?.find((s) => s.id === app.server_id);
  const s = app.settings;
  return (
    <>
      <div className="grid-2">
        <section className="card">
          <h2>Current deployment</h2>
          {!current && <p className="muted">Not deployed yet. Deploy it to start it on its server.</p>}
          {deployment.error && <ErrorText error={deployment.error} />}
          {current && !deployment.data && !deployment.error && <div className="skeleton" style={{ height: 72 }} />}
          {deployment.data && (
            <dl className="kv">
              <dt>State</dt>
              <dd>
                <StatusDot status={deployment.data.state ?? ""} />
              </dd>
              <dt>Artifact</dt>
              <dd className="mono">{artifactLabel(deployment.data)}</dd>
              <dt>Deployed</dt>
              <dd>
                <RelativeTime at={deployment.data.finished_at ?? deployment.data.created_at} /> · {deployment.data.trigger}
              </dd>
              <dt>Details</dt>
              <dd>
                <Link to={`/deployments/${current}`}>Steps and output</Link>
              </dd>
            </dl>
          )}
        </section>
        <section className="card">
          <h2>App</h2>
          <dl className="kv">
            <dt>URL</dt>
            <dd>{app.url ? <a href={app.url} target="_blank" rel="noreferrer">{app.url}</a> : "–"}</dd>
            <dt>Source</dt>
            <dd className="mono">
              {app.source?.type} · {describeSource(app.source)}
            </dd>
            <dt>Server</dt>
            <dd>{server?.name ?? app.server_id}</dd>
            <dt>Project</dt>
            <dd>{app.project_id ? <Link to={`/projects/${app.project_id}`}>{projects.data?.get(app.project_id) ?? app.project_id}</Link> : "–"}</dd>
            <dt>Port</dt>
            <dd>{s?.port ?? "–"}</dd>
            <dt>Health</dt>
            <dd className="mono">{s?.health?.path ?? "/"}</dd>
            <dt>Config</dt>
            <dd>
              version {app.config_version}, deployed {app.deployed_config_version || "never"}
            </dd>
          </dl>
        </section>
      </div>
      <AppVolumes app={app} />
    </>
  );
}
