// /apps/new — create an app from an image, a git repository or a workflow (POST /apps), then
// set its env vars (PATCH /apps/{id}/env) and open it. Admin-only choices are shown, marked
// and disabled for members so they know they exist and who can make them.
import { useMemo, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { api, call } from "../../../api/client";
import { useCan } from "../../../auth/AuthContext";
import { ErrorText } from "../../../components/ErrorText";
import { Field } from "../../../components/Field";
import { PageHeader } from "../../../components/PageHeader";
import { useToast } from "../../../components/Toast";
import { parseDotenv } from "../env/dotenv";
import { pastedToInputs } from "../env/envModel";
import { AdminOnly } from "../shared/AdminOnly";
import { keys, useProjectNames, useServers, useTeamId } from "../shared/queries";
import { buildCreateBody, emptyForm, type CreateForm } from "./createBody";
import { SourceFields } from "./SourceFields";
import "../apps.css";

export default function NewAppPage() {
  const canCreate = useCan("member");
  const isAdmin = useCan("admin");
  const [params] = useSearchParams();
  const [form, setForm] = useState<CreateForm>(() => ({ ...emptyForm(), projectId: params.get("project") ?? "" }));
  const [envText, setEnvText] = useState("");
  const [envSecret, setEnvSecret] = useState(false);
  const [tried, setTried] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const projects = useProjectNames();
  const servers = useServers();
  const team = useTeamId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const built = useMemo(() => buildCreateBody(form), [form]);
  const env = useMemo(() => parseDotenv(envText), [envText]);
  const set = (change: Partial<CreateForm>) => setForm((f) => ({ ...f, ...change }));
  const shown = (field: string) => (tried ? built.errors[field] : undefined);

  if (!canCreate) return <p className="notice">Viewers cannot create apps; ask a team admin for the member role.</p>;

  const submit = async () => {
    setTried(true);
    setFailure(null);
    if (Object.keys(built.errors).length || built.stepErrors.length || env.errors.length) return;
    setBusy(true);
    try {
      const app = await call(api.POST("/api/v1/apps", { body: built.body }));
      void queryClient.invalidateQueries({ queryKey: keys.apps(team) });
      if (env.vars.length) {
        try {
          await call(api.PATCH("/api/v1/apps/{id}/env", { params: { path: { id: app.id ?? "" } }, body: { vars: pastedToInputs(env.vars, envSecret) } }));
        } catch (envFailure) {
          toast(`${app.name} was created, but its env vars were not saved: ${(envFailure as Error).message}`, "error");
          navigate(`/apps/${app.id}/env`);
          return;
        }
      }
      toast(`${app.name} created; deploy it to start it`);
      navigate(`/apps/${app.id}`);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="form-narrow">
      <PageHeader title="Create an app" subtitle={<Link to="/apps">Back to apps</Link>} />
      <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <section className="card">
          <h2>1. Name and place</h2>
          <Field label="Name" value={form.name} onChange={(e) => set({ name: e.target.value })} hint={shown("name") ?? "Lower-case letters, digits and -; unique in the team"} aria-invalid={shown("name") ? true : undefined} autoFocus />
          <div className="field">
            <label htmlFor="new-server">Server</label>
            <select id="new-server" className="input" value={form.serverId} onChange={(e) => set({ serverId: e.target.value })} aria-invalid={shown("serverId") ? true : undefined}>
              <option value="">Choose a server…</option>
              {(servers.data ?? []).map((s) => (<option key={s.id} value={s.id}>{s.name} ({s.status})</option>))}
            </select>
            {shown("serverId") && <span className="error-text">{shown("serverId")}</span>}
            {servers.data?.length === 0 && <span className="hint">The team has no servers yet: <Link to="/servers">add one</Link> first.</span>}
          </div>
          <div className="field">
            <label htmlFor="new-project">Project (optional)</label>
            <select id="new-project" className="input" value={form.projectId} onChange={(e) => set({ projectId: e.target.value })}>
              <option value="">No project</option>
              {[...(projects.data ?? new Map<string, string>())].map(([id, name]) => (<option key={id} value={id}>{name}</option>))}
            </select>
          </div>
          <Field label="Hostname (optional)" placeholder="default: <name>.<the server's base domain>" value={form.hostname} onChange={(e) => set({ hostname: e.target.value })} />
        </section>
        <section className="card">
          <h2>2. Source</h2>
          <SourceFields form={form} set={set} isAdmin={isAdmin} errors={tried ? built.errors : {}} stepErrors={tried ? built.stepErrors : []} />
        </section>
        <section className="card">
          <h2>3. How it runs</h2>
          <Field label={form.type === "workflow" ? "Port on the server (optional)" : "Container port"} inputMode="numeric" value={form.port} onChange={(e) => set({ port: e.target.value })} hint={shown("port") ?? "Where the app listens; the proxy sends its hostname's traffic there"} aria-invalid={shown("port") ? true : undefined} />
          <Field label="Health check path" placeholder="/" value={form.healthPath} onChange={(e) => set({ healthPath: e.target.value })} hint="Polled until it answers 2xx/3xx before traffic switches" />
          {form.type !== "workflow" && (
            <div className="field">
              <label htmlFor="new-command">Command (optional, one argument per line)</label>
              <textarea id="new-command" className="input" rows={3} placeholder="the image's own command" value={form.command} onChange={(e) => set({ command: e.target.value })} />
            </div>
          )}
          <label className="checkbox field">
            <input type="checkbox" disabled={!isAdmin} checked={form.privileged} onChange={(e) => set({ privileged: e.target.checked })} /> Privileged container {!isAdmin && <AdminOnly />}
          </label>
          <label className="checkbox field">
            <input type="checkbox" disabled={!isAdmin} checked={form.hostNetwork} onChange={(e) => set({ hostNetwork: e.target.checked })} /> Host networking {!isAdmin && <AdminOnly />}
          </label>
          <p className="hint muted">Volumes, resources and the drain time are in the app's Settings once it exists. Host-path mounts and the Docker socket are admin only.</p>
        </section>
        <section className="card">
          <h2>4. Env vars (optional)</h2>
          <div className="field">
            <label htmlFor="new-env">Paste a .env file</label>
            <textarea id="new-env" className="input" rows={5} spellCheck={false} placeholder={"DATABASE_URL=postgres://db/shop\nLOG_LEVEL=info"} value={envText} onChange={(e) => setEnvText(e.target.value)} />
            <span className="hint">{env.vars.length} variable{env.vars.length === 1 ? "" : "s"} read</span>
          </div>
          {env.errors.map((issue) => (<p key={issue.line} className="error-text">line {issue.line}: {issue.message}</p>))}
          <label className="checkbox field">
            <input type="checkbox" checked={envSecret} onChange={(e) => setEnvSecret(e.target.checked)} /> Store them as secrets
          </label>
        </section>
        {tried && (Object.keys(built.errors).length > 0 || built.stepErrors.length > 0) && <ErrorText>Some fields need attention (marked above).</ErrorText>}
        <ErrorText error={failure} />
        <div className="form-actions" style={{ marginBottom: "var(--space-6)" }}>
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? "Creating…" : "Create app"}</button>
          <Link className="btn" to="/apps">Cancel</Link>
        </div>
      </form>
    </div>
  );
}
