// The app's Logs tab: GET /apps/{id}/logs as SSE (`output` events, then `done`), with the
// number of lines to start from (?tail) and a Follow toggle (?follow=true keeps it open).
// LogsPanel is the same view for any container's /logs (a managed service's too).
// Changing either opens a new stream into a cleared terminal.
import { useRef, useState } from "react";
// Static here: this tab is its own lazy chunk, and a lazy Terminal would drop the first events.
import { ErrorText } from "../../../components/ErrorText";
import { Terminal, type TerminalHandle } from "../../../components/Terminal";
import { useStream } from "../../../components/useStream";
import { useAppOutlet } from "./AppLayout";

const tails = [100, 500, 1000, 5000];

export default function AppLogs() {
  const { app } = useAppOutlet();
  const running = app.status === "running" || app.status === "deploying";
  if (!running) return <p className="notice">The app is {app.status}: there is no running container to read logs from.</p>;
  return <LogsPanel path={`/api/v1/apps/${app.id ?? ""}/logs`} name={app.name ?? ""} />;
}

/// The tail and Follow controls and the stream of a container's logs at `path` (an app's or a
/// managed service's /logs).
export function LogsPanel({ path, name }: { path: string; name: string }) {
  const [tail, setTail] = useState(100);
  const [follow, setFollow] = useState(true);
  const [session, setSession] = useState(0);
  return (
    <section aria-label="Container logs">
      <div className="row" style={{ marginBottom: "var(--space-3)" }}>
        <label htmlFor="logs-tail">Last</label>
        <select id="logs-tail" className="input" style={{ width: "auto" }} value={tail} onChange={(e) => setTail(Number(e.target.value))}>
          {tails.map((t) => (
            <option key={t} value={t}>
              {t} lines
            </option>
          ))}
        </select>
        <label className="checkbox">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <button type="button" className="btn btn-sm" onClick={() => setSession((n) => n + 1)}>
          Reload
        </button>
      </div>
      {/* A new key opens a new stream into a new terminal, so lines are never mixed. */}
      <LogStream key={`${tail}/${follow}/${session}`} path={path} name={name} tail={tail} follow={follow} />
    </section>
  );
}

function LogStream({ path, name, tail, follow }: { path: string; name: string; tail: number; follow: boolean }) {
  const term = useRef<TerminalHandle>(null);
  const [ended, setEnded] = useState(false);
  const streamError = useStream(
    `${path}?tail=${tail}&follow=${follow}`,
    (event) => {
      if (event.event !== "output") return;
      try {
        const data = JSON.parse(event.data) as { stream?: string; text?: string };
        if (data.text) term.current?.write(data.stream === "stderr" ? `\x1b[31m${data.text}\x1b[0m` : data.text);
      } catch {
        // a malformed event carries nothing to show
      }
    },
    { isFinal: (event) => event.event === "done", onEnd: () => setEnded(true) },
  );
  return (
    <>
      <ErrorText error={streamError} />
      <Terminal ref={term} label={`Logs of ${name}`} />
      {ended && <p className="muted">{follow ? "The stream ended (the container stopped, or an hour passed). Reload to read again." : "End of the log. Turn on Follow to keep reading."}</p>}
    </>
  );
}
