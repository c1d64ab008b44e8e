// The app's Settings tab: PATCH /apps/{id} (only changed fields), webhook, deploy hooks, delete.
// On a guarded app what it runs (source, port, command) is an admin's to change.
import { useState } from "react";
import { useCan } from "../../../auth/AuthContext";
import { ErrorText } from "../../../components/ErrorText";
import { Field } from "../../../components/Field";
import { AdminOnly } from "../shared/AdminOnly";
import { isGuarded, useProjectNames } from "../shared/queries";
import type { App, PatchAppBody } from "../shared/types";
import { DeleteAppCard } from "./DeleteAppCard";
import { DeployHooksCard } from "./DeployHooksCard";
import { SourceCard } from "./SourceCard";
import { WebhookCard } from "./WebhookCard";
import { useAppOutlet } from "./AppLayout";
import { usePatchApp } from "./usePatchApp";

export default function AppSettings() {
  const { app } = useAppOutlet();
  const canEdit = useCan("member");
  const isAdmin = useCan("admin");
  const locked = isGuarded(app) && !isAdmin; // what runs: admin only on a guarded app
  return (
    <div className="form-narrow">
      <GeneralCard app={app} disabled={!canEdit} />
      <RuntimeCard app={app} disabled={!canEdit} locked={locked} isAdmin={isAdmin} />
      <SourceCard app={app} disabled={!canEdit || locked} locked={locked} />
      {canEdit && <WebhookCard app={app} />}
      {canEdit && <DeployHooksCard app={app} />}
      {canEdit && <DeleteAppCard app={app} />}
    </div>
  );
}

function GeneralCard({ app, disabled }: { app: App; disabled: boolean }) {
  const [name, setName] = useState(app.name ?? "");
  const [projectId, setProjectId] = useState(app.project_id ?? "");
  const [hostname, setHostname] = useState(app.hostname ?? "");
  const projects = useProjectNames();
  const patch = usePatchApp(app);
  const body = (): PatchAppBody => {
    const b: PatchAppBody = {};
    if (name !== app.name) b.name = name.trim();
    if (projectId !== (app.project_id ?? "")) b.project_id = projectId || null;
    if (hostname !== app.hostname) b.hostname = hostname.trim() || null;
    return b;
  };
  return (
    <form className="card" onSubmit={(e) => { e.preventDefault(); patch.mutate(body()); }}>
      <h2>General</h2>
      <Field label="Name" disabled={disabled} value={name} onChange={(e) => setName(e.target.value)} />
      <div className="field">
        <label htmlFor="settings-project">Project</label>
        <select id="settings-project" className="input" disabled={disabled} value={projectId} onChange={(e) => setProjectId(e.target.value)}>
          <option value="">No project</option>
          {[...(projects.data ?? new Map<string, string>())].map(([id, n]) => (<option key={id} value={id}>{n}</option>))}
        </select>
      </div>
      <Field label="Hostname" disabled={disabled} value={hostname} onChange={(e) => setHostname(e.target.value)} hint="Empty goes back to the default (<name>.<the server's base domain>); applies at once" />
      <ErrorText error={patch.error} />
      {!disabled && <button type="submit" className="btn btn-primary" disabled={patch.isPending || Object.keys(body()).length === 0}>Save</button>}
    </form>
  );
}

function RuntimeCard({ app, disabled, locked, isAdmin }: { app: App; disabled: boolean; locked: boolean; isAdmin: boolean }) {
  const s = app.settings ?? {};
  const [port, setPort] = useState(s.port !== undefined ? String(s.port) : "");
  const [healthPath, setHealthPath] = useState(s.health?.path ?? "/");
  const [drain, setDrain] = useState(String(s.drain_grace_s ?? 5));
  const [cpus, setCpus] = useState(String(s.resources?.cpus ?? 0));
  const [memory, setMemory] = useState(String(s.resources?.memory_mb ?? 0));
  const [pull, setPull] = useState(s.pull_policy ?? "always");
  const [command, setCommand] = useState((s.command ?? []).join("\n"));
  const [privileged, setPrivileged] = useState(s.privileged === true);
  const [hostNet, setHostNet] = useState(s.network_mode === "host");
  const patch = usePatchApp(app);
  const settings = (): NonNullable<PatchAppBody["settings"]> => {
    const out: NonNullable<PatchAppBody["settings"]> = {};
    if (port !== (s.port !== undefined ? String(s.port) : "") && port) out.port = Number(port);
    if (healthPath !== (s.health?.path ?? "/")) out.health = { path: healthPath };
    if (Number(drain) !== (s.drain_grace_s ?? 5)) out.drain_grace_s = Number(drain);
    if (Number(cpus) !== (s.resources?.cpus ?? 0) || Number(memory) !== (s.resources?.memory_mb ?? 0)) out.resources = { cpus: Number(cpus), memory_mb: Number(memory) };
    if (pull !== (s.pull_policy ?? "always")) out.pull_policy = pull;
    const argv = command.split("\n").filter((l) => l !== "");
    if (argv.join("\n") !== (s.command ?? []).join("\n")) out.command = argv.length ? argv : null;
    if (privileged !== (s.privileged === true)) out.privileged = privileged;
    if (hostNet !== (s.network_mode === "host")) out.network_mode = hostNet ? "host" : "bridge";
    return out;
  };
  const what = locked ? <AdminOnly /> : null;
  return (
    <form className="card" onSubmit={(e) => { e.preventDefault(); patch.mutate({ settings: settings() }); }}>
      <h2>Runtime</h2>
      <div className="grid-2">
        <Field label={<>Port {what}</>} inputMode="numeric" disabled={disabled || locked} value={port} onChange={(e) => setPort(e.target.value)} />
        <Field label="Health check path" disabled={disabled} value={healthPath} onChange={(e) => setHealthPath(e.target.value)} />
        <Field label="Drain time (s, 0–300)" inputMode="numeric" disabled={disabled} value={drain} onChange={(e) => setDrain(e.target.value)} />
        <div className="field">
          <label htmlFor="settings-pull">Pull policy</label>
          <select id="settings-pull" className="input" disabled={disabled || app.source?.type !== "image"} value={pull} onChange={(e) => setPull(e.target.value as typeof pull)}>
            <option value="always">always</option>
            <option value="if_not_present">if not present</option>
            <option value="never">never</option>
          </select>
        </div>
        <Field label="CPUs (0 = unlimited)" inputMode="decimal" disabled={disabled} value={cpus} onChange={(e) => setCpus(e.target.value)} />
        <Field label="Memory MB (0 = unlimited)" inputMode="numeric" disabled={disabled} value={memory} onChange={(e) => setMemory(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="settings-command">Command, one argument per line {what}</label>
        <textarea id="settings-command" className="input" rows={3} disabled={disabled || locked} placeholder="the image's own command" value={command} onChange={(e) => setCommand(e.target.value)} />
      </div>
      <label className="checkbox field">
        <input type="checkbox" disabled={disabled || !isAdmin} checked={privileged} onChange={(e) => setPrivileged(e.target.checked)} /> Privileged container {!isAdmin && <AdminOnly />}
      </label>
      <label className="checkbox field">
        <input type="checkbox" disabled={disabled || !isAdmin} checked={hostNet} onChange={(e) => setHostNet(e.target.checked)} /> Host networking {!isAdmin && <AdminOnly />}
      </label>
      <ErrorText error={patch.error} />
      {!disabled && <button type="submit" className="btn btn-primary" disabled={patch.isPending || Object.keys(settings()).length === 0}>Save</button>}
    </form>
  );
}
