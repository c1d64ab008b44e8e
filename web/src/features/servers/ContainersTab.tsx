import { useState } from "react";
import { Link } from "react-router-dom";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { StatusDot } from "../../components/StatusDot";
import { dockerOf, fetchJob, liveMetricsOf } from "./api";
import { serverKeys } from "./keys";
import { useServerPage } from "./ServerPage";
import { isJobFinished } from "./types";
import { DataTable } from "../../components/DataTable";

/// A container as the Engine API lists it (docker.list's result), the fields shown here.
export interface EngineContainer {
  Id?: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
}

export function containersOf(result: unknown): EngineContainer[] {
  const list = (result as { containers?: unknown } | null | undefined)?.containers;
  return Array.isArray(list) ? (list as EngineContainer[]) : [];
}

/// The server's Docker status and container counts (from its heartbeats); the containers
/// themselves come from a docker.list job, which only an admin may run.
export default function ContainersTab() {
  const { server, serverId, teamId } = useServerPage();
  const { can } = useAuth();
  const client = useQueryClient();
  const docker = dockerOf(server);
  const counts = liveMetricsOf(server)?.containers;
  const [jobId, setJobId] = useState<string | null>(null);
  const list = useMutation({
    mutationFn: () =>
      call(api.POST("/api/v1/servers/{id}/jobs", { params: { path: { id: serverId } }, body: { kind: "docker.list", args: { all: true }, timeout_ms: 30_000 } })),
    onSuccess: (job) => {
      setJobId(job.id ?? null);
      void client.invalidateQueries({ queryKey: serverKeys.jobsOf(teamId, serverId) });
    },
  });
  const job = useQuery({
    queryKey: serverKeys.job(teamId, jobId ?? ""),
    queryFn: () => fetchJob(jobId ?? ""),
    enabled: jobId !== null,
    refetchInterval: (query) => (isJobFinished(query.state.data) ? false : 1000),
  });
  const containers = containersOf(job.data?.result);
  const waiting = list.isPending || (jobId !== null && !isJobFinished(job.data));
  return (
    <>
      <section className="card" aria-labelledby="docker-title">
        <h2 id="docker-title">Docker</h2>
        <dl className="kv">
          <dt>Engine</dt>
          <dd>{docker.status ? <StatusDot status={docker.status} label={`${docker.status}${docker.version ? ` ${docker.version}` : ""}`} /> : "not reported yet"}</dd>
          {docker.reason && (
            <>
              <dt>Reason</dt>
              <dd>{docker.reason}</dd>
            </>
          )}
          <dt>Containers</dt>
          <dd>{counts ? `${counts.running ?? 0} running of ${counts.total ?? 0}` : "–"}</dd>
        </dl>
      </section>
      {can("admin") ? (
        <section aria-labelledby="containers-title">
          <div className="spread">
            <h2 id="containers-title">Containers</h2>
            <button type="button" className="btn" onClick={() => list.mutate()} disabled={waiting}>
              {waiting ? "Asking the agent…" : jobId ? "List again" : "List containers"}
            </button>
          </div>
          <ErrorText error={list.error ?? job.error} />
          {job.data && isJobFinished(job.data) && job.data.state !== "succeeded" && (
            <ErrorText>
              The listing job ended {job.data.state}. <Link to={`/jobs/${jobId}`}>See the job</Link>.
            </ErrorText>
          )}
          {!jobId && <p className="muted">Listing runs a docker.list job on the server through its agent.</p>}
          {job.data?.state === "succeeded" && (
            <DataTable columns={["Name", "Image", "State", { label: "Status", className: "hide-sm" }]}>
              {containers.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No containers on this server.
                  </td>
                </tr>
              )}
              {containers.map((c) => (
                <tr key={c.Id}>
                  <td className="mono">{(c.Names ?? []).map((n) => n.replace(/^\//, "")).join(", ") || c.Id?.slice(0, 12)}</td>
                  <td className="mono small">{c.Image}</td>
                  <td>
                    <StatusDot status={c.State ?? "unknown"} />
                  </td>
                  <td className="hide-sm muted">{c.Status}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      ) : (
        <p className="muted">The list of containers is read through a job only an admin may run.</p>
      )}
    </>
  );
}
