import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { ErrorText } from "../../components/ErrorText";
import { useToast } from "../../components/Toast";
import { splitArgv } from "./argv";
import { serverKeys } from "./keys";

/// Runs one command on the server (an exec job; admin) and opens its output.
export function RunCommandForm({ serverId, serverName, teamId }: { serverId: string; serverName: string; teamId: string | null }) {
  const [line, setLine] = useState("");
  const [timeout, setTimeoutSeconds] = useState("600");
  const parsed = splitArgv(line);
  const client = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const run = useMutation({
    mutationFn: (argv: string[]) =>
      call(
        api.POST("/api/v1/servers/{id}/jobs", {
          params: { path: { id: serverId } },
          body: { kind: "exec", args: { argv }, timeout_ms: Math.round(Number(timeout) * 1000) },
        }),
      ),
    onSuccess: (job) => {
      void client.invalidateQueries({ queryKey: serverKeys.jobsOf(teamId, serverId) });
      toast(`Command queued on ${serverName}`);
      if (job.id) navigate(`/jobs/${job.id}`);
    },
  });
  const timeoutValid = Number.isInteger(Number(timeout)) && Number(timeout) >= 1 && Number(timeout) <= 86400;
  return (
    <form
      className="card"
      aria-labelledby="run-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (parsed.ok && timeoutValid) run.mutate(parsed.argv);
      }}
    >
      <h2 id="run-title">Run a command</h2>
      <div className="field">
        <label htmlFor="run-command">Command</label>
        <input
          id="run-command"
          className="input mono"
          value={line}
          placeholder="df -h /"
          autoComplete="off"
          spellCheck={false}
          aria-describedby="run-command-hint"
          onChange={(e) => setLine(e.target.value)}
        />
        <span id="run-command-hint" className="hint">
          Run as the agent's user, without a shell: quotes group words; for pipes or variables use sh -c '…'.
        </span>
      </div>
      {line.trim() !== "" && (
        <div className="field" aria-live="polite">
          {parsed.ok ? (
            <div className="argv" aria-label="Arguments">
              {parsed.argv.map((a, i) => (
                <code key={i}>{a}</code>
              ))}
            </div>
          ) : (
            <span className="error-text">{parsed.message}</span>
          )}
        </div>
      )}
      <div className="field" style={{ maxWidth: 200 }}>
        <label htmlFor="run-timeout">Timeout (seconds)</label>
        <input
          id="run-timeout"
          className="input"
          type="number"
          min={1}
          max={86400}
          value={timeout}
          onChange={(e) => setTimeoutSeconds(e.target.value)}
        />
      </div>
      <ErrorText error={run.error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={!parsed.ok || !timeoutValid || run.isPending}>
          {run.isPending ? "Queuing…" : "Run"}
        </button>
      </div>
    </form>
  );
}
