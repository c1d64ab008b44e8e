// /services/new — create a managed database or cache (POST /services), then open it. The
// engine offers its versions; the image is optional (the official one by default); publishing
// the port is shown to team admins only, with its warning.
import { useMemo, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { api, call } from "../../api/client";
import { useCan } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { useToast } from "../../components/Toast";
import { useSubmit } from "../../components/useSubmit";
import { useProjectNames, useServers, useTeamId } from "../apps/shared/queries";
import { PublishFields } from "./PublishFields";
import { serviceKeys } from "./queries";
import { buildCreateBody, defaultVersion, emptyCreateForm, engineInfo, engines, fallbackEngine, type CreateForm } from "./serviceForm";
import type { Engine } from "./types";

export default function NewServicePage() {
  const canCreate = useCan("member");
  const isAdmin = useCan("admin");
  const [params] = useSearchParams();
  const [form, setForm] = useState<CreateForm>(() => ({ ...emptyCreateForm(), projectId: params.get("project") ?? "" }));
  const [tried, setTried] = useState(false);
  const projects = useProjectNames();
  const servers = useServers();
  const team = useTeamId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const built = useMemo(() => buildCreateBody(form, isAdmin), [form, isAdmin]);
  const set = (change: Partial<CreateForm>) => setForm((f) => ({ ...f, ...change }));
  const errors = tried ? built.errors : {};
  const engine = engineInfo(form.engine) ?? fallbackEngine;

  const { busy, error: failure, submit } = useSubmit(async () => {
    setTried(true);
    if (Object.keys(built.errors).length) return;
    const service = await call(api.POST("/api/v1/services", { body: built.body }));
    void queryClient.invalidateQueries({ queryKey: serviceKeys.all(team) });
    toast(`${service.name} created; it is starting on its server`);
    navigate(`/services/${service.id}`);
  });

  if (!canCreate) return <p className="notice">Viewers cannot create services; ask a team admin for the member role.</p>;

  return (
    <div className="form-narrow">
      <PageHeader title="Create a service" subtitle={<Link to="/services">Back to services</Link>} />
      <form noValidate onSubmit={(e) => void submit(e)}>
        <section className="card">
          <h2>1. Name and place</h2>
          <Field label="Name" value={form.name} onChange={(e) => set({ name: e.target.value })} hint={errors.name ?? "Linked apps reach it at this name on the project's network"} aria-invalid={errors.name ? true : undefined} autoFocus />
          <div className="field">
            <label htmlFor="svc-project">Project</label>
            <select id="svc-project" className="input" value={form.projectId} onChange={(e) => set({ projectId: e.target.value })} aria-invalid={errors.projectId ? true : undefined}>
              <option value="">Choose a project…</option>
              {[...(projects.data ?? new Map<string, string>())].map(([id, name]) => (<option key={id} value={id}>{name}</option>))}
            </select>
            {errors.projectId && <span className="error-text">{errors.projectId}</span>}
            {projects.data?.size === 0 && <span className="hint">The team has no projects yet: <Link to="/projects">create one</Link> first.</span>}
          </div>
          <div className="field">
            <label htmlFor="svc-server">Server</label>
            <select id="svc-server" className="input" value={form.serverId} onChange={(e) => set({ serverId: e.target.value })} aria-invalid={errors.serverId ? true : undefined}>
              <option value="">Choose a server…</option>
              {(servers.data ?? []).map((s) => (<option key={s.id} value={s.id}>{s.name} ({s.status})</option>))}
            </select>
            {errors.serverId && <span className="error-text">{errors.serverId}</span>}
            <span className="hint">Apps that link to it must be in the same project, on the same server.</span>
          </div>
        </section>
        <section className="card">
          <h2>2. Engine</h2>
          <div className="field">
            <label htmlFor="svc-engine">Engine</label>
            <select id="svc-engine" className="input" value={form.engine} onChange={(e) => set({ engine: e.target.value as Engine, version: defaultVersion(e.target.value) })}>
              {engines.map((e) => (<option key={e.engine} value={e.engine}>{e.label}</option>))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="svc-version">Version</label>
            <select id="svc-version" className="input" value={form.version} onChange={(e) => set({ version: e.target.value })}>
              {engine.versions.map((v) => (<option key={v} value={v}>{v}</option>))}
            </select>
          </div>
          <Field label="Image (optional)" placeholder={engine.image(form.version)} value={form.image} onChange={(e) => set({ image: e.target.value })} hint={`Default: the official ${engine.image(form.version)}; a mirrored or offline image works too`} />
        </section>
        <section className="card">
          <h2>3. Limits</h2>
          <Field label="Memory" value={form.memory} onChange={(e) => set({ memory: e.target.value })} hint={errors.memory ?? "512M, 1G, …; 0 for no limit"} aria-invalid={errors.memory ? true : undefined} />
          <Field label="CPUs (optional)" inputMode="decimal" placeholder="no limit" value={form.cpus} onChange={(e) => set({ cpus: e.target.value })} hint={errors.cpus ?? "0.5, 2, …"} aria-invalid={errors.cpus ? true : undefined} />
          {isAdmin && <PublishFields publish={form.publish} port={engine.port} errors={errors} onChange={(publish) => set({ publish })} />}
        </section>
        {tried && Object.keys(built.errors).length > 0 && <ErrorText>Some fields need attention (marked above).</ErrorText>}
        <ErrorText error={failure} />
        <div className="form-actions" style={{ marginBottom: "var(--space-6)" }}>
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? "Creating…" : "Create service"}</button>
          <Link className="btn" to="/services">Cancel</Link>
        </div>
      </form>
    </div>
  );
}
