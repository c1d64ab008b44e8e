import { lazy, Suspense, useCallback, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorText } from "../../components/ErrorText";
import { PageHeader } from "../../components/PageHeader";
import { StatusDot } from "../../components/StatusDot";
import { RelativeTime } from "../../components/Time";
import { useToast } from "../../components/Toast";
import type { TerminalHandle } from "../../components/Terminal";
import { argvOf, fetchJob } from "./api";
import { useJobOutput, type OutputChunk } from "./jobOutput";
import { serverKeys } from "./keys";
import { isJobFinished, type Job } from "./types";
import "./servers.css";

// The output view loads with the first page that shows output.
const Terminal = lazy(() => import("../../components/Terminal").then((m) => ({ default: m.Terminal })));

function seconds(ms: number | undefined): string {
  if (ms === undefined || ms === null) return "–";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function errorMessage(job: Job): string | null {
  const e = job.error as unknown as { code?: string; message?: string } | null | undefined;
  if (!e) return null;
  return [e.code, e.message].filter(Boolean).join(": ") || null;
}

export default function JobPage() {
  const { id = "" } = useParams();
  const { teamId, can } = useAuth();
  const client = useQueryClient();
  const toast = useToast();
  // Output can arrive before the lazily loaded terminal exists: keep it until it does.
  const terminal = useRef<TerminalHandle | null>(null);
  const early = useRef<string[]>([]);
  const attachTerminal = useCallback((handle: TerminalHandle | null) => {
    terminal.current = handle;
    if (handle) {
      for (const text of early.current) handle.write(text);
      early.current = [];
    }
  }, []);
  const [confirming, setConfirming] = useState(false);
  const key = serverKeys.job(teamId, id);
  const job = useQuery({
    queryKey: key,
    queryFn: () => fetchJob(id),
    enabled: teamId !== null,
    // The output stream says when the job ends; the header's state (running…) is polled.
    refetchInterval: (query) => (isJobFinished(query.state.data) ? false : 3000),
  });

  const write = useCallback((chunk: OutputChunk) => {
    if (terminal.current) terminal.current.write(chunk.text);
    else early.current.push(chunk.text);
  }, []);
  const onDone = useCallback((done: Job) => client.setQueryData(key, done), [client, key]);
  const output = useJobOutput(id, write, onDone);

  const cancel = useMutation({
    mutationFn: () => call(api.POST("/api/v1/jobs/{id}/cancel", { params: { path: { id } } })),
    onSuccess: (updated) => {
      client.setQueryData(key, updated);
      if (updated.server_id) void client.invalidateQueries({ queryKey: serverKeys.jobsOf(teamId, updated.server_id) });
      toast("Cancel requested");
    },
  });

  if (job.isError) {
    return (
      <>
        <PageHeader title="Job" />
        <ErrorText error={job.error} />
      </>
    );
  }
  const j = job.data;
  const argv = argvOf(j);
  const finished = isJobFinished(j);
  return (
    <>
      <PageHeader
        title={
          <span className="row">
            Job <span className="mono">{j?.kind ?? "…"}</span>
          </span>
        }
        subtitle={
          j && (
            <span className="row">
              <StatusDot status={j.state === "canceled" ? "cancelled" : (j.state ?? "queued")} label={j.state} />
              {j.cancel_requested && !finished && <span className="badge badge-warn">cancel requested</span>}
              {j.server_id && <Link to={`/servers/${j.server_id}/jobs`}>Server's jobs</Link>}
            </span>
          )
        }
        actions={
          j && can("admin") && !finished && !j.cancel_requested ? (
            <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
              Cancel job
            </button>
          ) : undefined
        }
      />
      <ErrorText error={cancel.error} />
      {j ? (
        <section className="card" aria-label="Job details">
          <dl className="kv">
            <dt>Command</dt>
            <dd>
              {j.details_hidden ? (
                <span className="muted">visible to admins only</span>
              ) : argv ? (
                <span className="argv">
                  {argv.map((a, i) => (
                    <code key={i}>{a}</code>
                  ))}
                </span>
              ) : (
                <code className="small">{JSON.stringify(j.args ?? {})}</code>
              )}
            </dd>
            <dt>Exit code</dt>
            <dd className="mono">{j.exit_code ?? "–"}</dd>
            {errorMessage(j) && (
              <>
                <dt>Error</dt>
                <dd>{errorMessage(j)}</dd>
              </>
            )}
            <dt>Created</dt>
            <dd>
              <RelativeTime at={j.created_at} />
            </dd>
            <dt>Started</dt>
            <dd>
              <RelativeTime at={j.started_at} />
            </dd>
            <dt>Finished</dt>
            <dd>{j.finished_at ? <RelativeTime at={j.finished_at} /> : <span className="muted">not yet</span>}</dd>
            <dt>Duration</dt>
            <dd>{finished ? seconds(j.duration_ms) : "–"}</dd>
          </dl>
        </section>
      ) : (
        <div className="skeleton" style={{ height: 190, marginBottom: "var(--space-4)" }} aria-busy="true" />
      )}
      <div className="spread">
        <h2>Output</h2>
        <span className="muted small" aria-live="polite">
          {output.state === "reconnecting" ? "Connection lost, resuming…" : output.state === "ended" ? "Complete" : output.state === "streaming" ? "Live" : ""}
        </span>
      </div>
      {output.state === "failed" ? (
        <ErrorText error={output.error} />
      ) : (
        <Suspense fallback={<div className="terminal" aria-busy="true" />}>
          <Terminal ref={attachTerminal} label={`Output of job ${id}`} />
        </Suspense>
      )}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Cancel this job?"
        confirmLabel="Cancel job"
        onConfirm={() => cancel.mutateAsync()}
      >
        The {j?.kind} job <span className="mono">{id}</span>
        {argv ? (
          <>
            {" "}
            (<span className="mono">{argv.join(" ")}</span>)
          </>
        ) : null}{" "}
        is stopped: its process group gets SIGTERM, then SIGKILL after 5 s.
      </ConfirmDialog>
    </>
  );
}
