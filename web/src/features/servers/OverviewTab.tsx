import { formatBytes, RelativeTime } from "../../components/Time";
import { StatusDot } from "../../components/StatusDot";
import { AgentVersion } from "./AgentVersion";
import { dockerOf, factsOf, labelsOf, liveMetricsOf, sshOf } from "./api";
import { MetricsCharts } from "./MetricsCharts";
import { useServerPage } from "./ServerPage";

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return "–";
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  return days > 0 ? `${days} d ${hours} h` : `${hours} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function fact(value: unknown): string {
  if (value === undefined || value === null || value === "") return "–";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export default function OverviewTab() {
  const { server, serverId, teamId } = useServerPage();
  const facts = factsOf(server);
  const docker = dockerOf(server);
  const metrics = liveMetricsOf(server) ?? {};
  const labels = Object.entries(labelsOf(server));
  const ssh = sshOf(server);
  const memory = metrics.memory;
  return (
    <>
      <div className="grid-2">
        <section className="card" aria-labelledby="status-title">
          <h2 id="status-title">Status</h2>
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <StatusDot status={server.status ?? "pending"} />
            </dd>
            {server.status_reason && (
              <>
                <dt>Reason</dt>
                <dd>{server.status_reason}</dd>
              </>
            )}
            <dt>Scheduling</dt>
            <dd>{server.scheduling}</dd>
            <dt>Last seen</dt>
            <dd>
              <RelativeTime at={server.last_seen_at} />
            </dd>
            <dt>Connected</dt>
            <dd>
              <RelativeTime at={server.connected_at} />
            </dd>
            <dt>Agent</dt>
            <dd>
              <AgentVersion server={server} teamId={teamId} />
            </dd>
            <dt>Docker</dt>
            <dd>
              {docker.status ? <StatusDot status={docker.status} label={`${docker.status}${docker.version ? ` ${docker.version}` : ""}`} /> : "–"}
              {docker.reason && <div className="muted small">{docker.reason}</div>}
            </dd>
            {ssh && (
              <>
                <dt>SSH</dt>
                <dd className="mono">
                  {ssh.username}@{ssh.host}:{ssh.port}
                </dd>
                <dt>Host key</dt>
                <dd className="mono">{ssh.host_key ?? "not recorded yet"}</dd>
              </>
            )}
            {labels.length > 0 && (
              <>
                <dt>Labels</dt>
                <dd className="row">
                  {labels.map(([k, v]) => (
                    <span key={k} className="badge">
                      {k}={v}
                    </span>
                  ))}
                </dd>
              </>
            )}
          </dl>
        </section>
        <section className="card" aria-labelledby="facts-title">
          <h2 id="facts-title">Machine</h2>
          <dl className="kv">
            <dt>Hostname</dt>
            <dd>{fact(facts.hostname)}</dd>
            <dt>OS</dt>
            <dd>{fact(facts.os)}</dd>
            <dt>Kernel</dt>
            <dd>{fact(facts.kernel)}</dd>
            <dt>Architecture</dt>
            <dd>{fact(facts.arch)}</dd>
            <dt>CPUs</dt>
            <dd>{fact(facts.cpus)}</dd>
            <dt>CPU now</dt>
            <dd>{metrics.cpu_percent !== undefined ? `${metrics.cpu_percent.toFixed(1)} %` : "–"}</dd>
            <dt>Load</dt>
            <dd>{metrics.load ? metrics.load.map((l) => l.toFixed(2)).join(" · ") : "–"}</dd>
            <dt>Memory</dt>
            <dd>{memory ? `${formatBytes(memory.used_bytes)} of ${formatBytes(memory.total_bytes)}` : formatBytes(facts.memory_bytes as number | undefined)}</dd>
            {(metrics.disks ?? []).map((disk) => (
              <FactDisk key={disk.mount} mount={disk.mount} used={disk.used_bytes} total={disk.total_bytes} />
            ))}
            <dt>Uptime</dt>
            <dd>{duration(metrics.uptime_seconds)}</dd>
          </dl>
        </section>
      </div>
      <MetricsCharts serverId={serverId} teamId={teamId} />
    </>
  );
}

function FactDisk({ mount, used, total }: { mount?: string; used?: number; total?: number }) {
  return (
    <>
      <dt>Disk {mount}</dt>
      <dd>
        {formatBytes(used)} of {formatBytes(total)}
      </dd>
    </>
  );
}
