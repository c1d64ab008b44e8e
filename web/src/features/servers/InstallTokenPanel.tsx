import { useEffect, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { CopyButton } from "../../components/CopyButton";
import { ErrorText } from "../../components/ErrorText";
import { RelativeTime } from "../../components/Time";
import { useToast } from "../../components/Toast";

const lifetimes = [
  { seconds: 3600, label: "1 hour" },
  { seconds: 86400, label: "1 day" },
  { seconds: 604800, label: "7 days" },
];

/// Re-renders every `ms` so a relative time ("expires in 58 min") stays true on screen.
function useTick(ms: number) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/// (a) Enrol with the one-line install command: mint a one-use token, show the command.
export function InstallTokenPanel() {
  const [ttl, setTtl] = useState(3600);
  const toast = useToast();
  const mint = useMutation({
    mutationFn: () => call(api.POST("/api/v1/servers/install-tokens", { body: { ttl_seconds: ttl } })),
    onSuccess: () => toast("Install command created"),
  });
  useTick(30_000);
  const token = mint.data;
  const expired = token?.expires_at ? Date.parse(token.expires_at) <= Date.now() : false;
  return (
    <section className="card" aria-labelledby="install-title">
      <h2 id="install-title">Install command</h2>
      <p className="muted">
        Run one command as root on the server: it downloads berth-agent, checks it, enrols it with this team and starts it.
        The server appears in the list as soon as its agent connects.
      </p>
      <div className="row" style={{ alignItems: "flex-end", marginBottom: "var(--space-3)" }}>
        <div className="field" style={{ marginBottom: 0 }}>
          <label htmlFor="install-ttl">Valid for</label>
          <select id="install-ttl" className="input" value={ttl} onChange={(e) => setTtl(Number(e.target.value))}>
            {lifetimes.map((l) => (
              <option key={l.seconds} value={l.seconds}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => mint.mutate()} disabled={mint.isPending}>
          {mint.isPending ? "Creating…" : token ? "Create another" : "Create install command"}
        </button>
      </div>
      <ErrorText error={mint.error} />
      {token?.install_command && (
        <div aria-live="polite">
          <div className="command-box">
            <pre aria-label="Command to run on the server">{token.install_command}</pre>
            <CopyButton text={token.install_command} label="Copy command" />
          </div>
          <p className={expired ? "error-text" : "muted small"} style={{ marginTop: "var(--space-2)" }}>
            {expired ? "This command has expired; create another." : <>One use only; expires <RelativeTime at={token.expires_at} />.</>}
          </p>
        </div>
      )}
    </section>
  );
}
