import { Link, useSearchParams } from "react-router-dom";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { Pagination } from "../../components/Pagination";
import { StatusDot } from "../../components/StatusDot";
import { RelativeTime } from "../../components/Time";
import { argvOf } from "./api";
import { serverKeys } from "./keys";
import { RunCommandForm } from "./RunCommandForm";
import { useServerPage } from "./ServerPage";
import { isJobFinished, type Job } from "./types";
import { DataTable } from "../../components/DataTable";

const perPage = 20;

export function jobSummary(job: Job): string {
  if (job.details_hidden) return "details for admins only";
  const argv = argvOf(job);
  if (argv) return argv.join(" ");
  return "";
}

export default function JobsTab() {
  const { server, serverId, teamId } = useServerPage();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1);
  const jobs = useQuery({
    queryKey: serverKeys.jobs(teamId, serverId, page),
    queryFn: () => call(api.GET("/api/v1/servers/{id}/jobs", { params: { path: { id: serverId }, query: { page, per_page: perPage } } })),
    placeholderData: keepPreviousData,
    // While a job is still going, its row's state changes: look again every few seconds.
    refetchInterval: (query) => (query.state.data?.data?.some((j) => !isJobFinished(j)) ? 3000 : 30_000),
  });
  const rows = jobs.data?.data ?? [];
  return (
    <>
      {can("admin") && <RunCommandForm serverId={serverId} serverName={server.name ?? serverId} teamId={teamId} />}
      <h2>Jobs</h2>
      <ErrorText error={jobs.error} />
      {jobs.isSuccess && rows.length === 0 ? (
        <EmptyState title="No jobs yet">Deployments, adoptions and commands run on this server are listed here.</EmptyState>
      ) : (
        <DataTable columns={["State", "Kind", "Command", { label: "Exit", className: "hide-sm" }, "Created"]}>
          {jobs.isPending && (
            <tr className="skeleton-row" aria-hidden>
              <td colSpan={5}>
                <div className="skeleton" />
              </td>
            </tr>
          )}
          {rows.map((job) => (
            <tr key={job.id}>
              <td>
                <Link to={`/jobs/${job.id}`} aria-label={`Job ${job.id}: ${job.state}`}>
                  <StatusDot status={job.state === "canceled" ? "cancelled" : (job.state ?? "queued")} />
                </Link>
              </td>
              <td className="mono">
                <Link to={`/jobs/${job.id}`}>{job.kind}</Link>
              </td>
              <td className="mono small">{jobSummary(job)}</td>
              <td className="hide-sm mono">{job.exit_code ?? "–"}</td>
              <td>
                <RelativeTime at={job.created_at} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {jobs.data && (
        <Pagination
          page={page}
          perPage={perPage}
          total={jobs.data.total ?? 0}
          onPage={(p) => setParams(p === 1 ? {} : { page: String(p) })}
        />
      )}
    </>
  );
}
