import { useState } from "react";
import { Link } from "react-router-dom";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { StatusDot } from "../../components/StatusDot";
import { useToast } from "../../components/Toast";
import { fetchJob, fetchServer, sshOf } from "./api";
import { serverKeys } from "./keys";
import { isJobFinished, type AdoptBody } from "./types";

type AuthKind = "password" | "private_key";

type AdoptForm = { name: string; host: string; port: string; username: string; authKind: AuthKind; secret: string; passphrase: string; keep: boolean };

export function adoptBody(form: AdoptForm, hostKey: string): AdoptBody {
  const auth: AdoptBody["auth"] =
    form.authKind === "password" ? { password: form.secret } : { private_key: form.secret, ...(form.passphrase ? { passphrase: form.passphrase } : {}) };
  return { name: form.name.trim(), host: form.host.trim(), port: Number(form.port) || 22, username: form.username.trim(), auth, keep_credentials: form.keep, host_key: hostKey };
}

/// (b) Adopt over SSH, in two steps: berthd first reads the server's host key (a key exchange,
/// no credential sent) and the person confirms it; the adoption then refuses any other key
/// before the credentials leave. The progress is the ssh.adopt job.
export function SshAdoptForm() {
  const { teamId } = useAuth();
  const client = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({ name: "", host: "", port: "22", username: "root", authKind: "password" as AuthKind, secret: "", passphrase: "", keep: false });
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const probe = useMutation({
    mutationFn: (where: { host: string; port: number }) => call(api.POST("/api/v1/servers/ssh-host-key", { body: where })),
  });
  // A key read for another host or port is no confirmation of this one.
  const probed = probe.data && probe.data.host === form.host.trim() && probe.data.port === (Number(form.port) || 22) ? probe.data : undefined;
  const adopt = useMutation({
    mutationFn: (hostKey: string) => call(api.POST("/api/v1/servers", { body: adoptBody(form, hostKey) })),
    onSuccess: (result) => {
      void client.invalidateQueries({ queryKey: serverKeys.lists(teamId) });
      toast(`Adopting ${result.server?.name}`);
    },
  });
  const serverId = adopt.data?.server?.id;
  const jobId = adopt.data?.job?.id;
  const job = useQuery({
    queryKey: serverKeys.job(teamId, jobId ?? ""),
    queryFn: () => fetchJob(jobId ?? ""),
    enabled: !!jobId,
    refetchInterval: (q) => (isJobFinished(q.state.data) ? false : 1500),
  });
  const server = useQuery({
    queryKey: serverKeys.one(teamId, serverId ?? ""),
    queryFn: () => fetchServer(serverId ?? ""),
    enabled: !!serverId,
    refetchInterval: (q) => (sshOf(q.state.data)?.host_key && isJobFinished(job.data) ? false : 1500),
  });
  const hostKey = sshOf(server.data)?.host_key;
  const valid = form.name.trim() && form.host.trim() && form.username.trim() && form.secret;

  return (
    <section className="card" aria-labelledby="ssh-title">
      <h2 id="ssh-title">Adopt over SSH</h2>
      <p className="muted">
        Berth first shows you the server's host key to confirm, then connects with these credentials, installs and enrols
        the agent, and forgets them unless you keep them (then they are sealed at rest).
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) probe.mutate({ host: form.host.trim(), port: Number(form.port) || 22 });
        }}
      >
        <div className="grid-2">
          <Field label="Name" required maxLength={63} value={form.name} onChange={set("name")} placeholder="web-1" />
          <Field label="Host" required maxLength={253} value={form.host} onChange={set("host")} placeholder="203.0.113.10" />
          <Field label="SSH port" type="number" min={1} max={65535} value={form.port} onChange={set("port")} />
          <Field label="User" required maxLength={32} value={form.username} onChange={set("username")} hint="root, or a user with sudo" />
        </div>
        <fieldset className="field" style={{ border: 0, padding: 0 }}>
          <legend style={{ fontWeight: 500, marginBottom: "var(--space-1)" }}>Sign in with</legend>
          <div className="row">
            {(["password", "private_key"] as const).map((kind) => (
              <label key={kind} className="checkbox">
                <input type="radio" name="ssh-auth" checked={form.authKind === kind} onChange={() => setForm((f) => ({ ...f, authKind: kind, secret: "" }))} />
                {kind === "password" ? "Password" : "Private key"}
              </label>
            ))}
          </div>
        </fieldset>
        {form.authKind === "password" ? (
          <Field label="Password" type="password" autoComplete="off" required value={form.secret} onChange={set("secret")} />
        ) : (
          <>
            <div className="field">
              <label htmlFor="ssh-key">Private key</label>
              <textarea id="ssh-key" className="input" required spellCheck={false} placeholder="-----BEGIN OPENSSH PRIVATE KEY-----" value={form.secret} onChange={set("secret")} />
            </div>
            <Field label="Passphrase (if the key has one)" type="password" autoComplete="off" value={form.passphrase} onChange={set("passphrase")} />
          </>
        )}
        <label className="checkbox field">
          <input type="checkbox" checked={form.keep} onChange={(e) => setForm((f) => ({ ...f, keep: e.target.checked }))} />
          Keep the credentials (sealed) to adopt again later without typing them
        </label>
        <ErrorText error={probe.error} />
        {!probed && (
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={!valid || probe.isPending}>
              {probe.isPending ? "Connecting…" : "Check the host key"}
            </button>
          </div>
        )}
      </form>
      {probed && !adopt.data && (
        <div className="notice" role="group" aria-labelledby="host-key-title" style={{ marginTop: "var(--space-4)" }}>
          <h3 id="host-key-title">Is this the server's host key?</h3>
          <p className="mono" aria-label="Host key">
            {probed.host_key_type} {probed.host_key}
          </p>
          <p className="small">
            Compare it with the server's own (<code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> on it). If they differ, something
            sits between Berth and the server: do not adopt. No credential has been sent yet.
          </p>
          <ErrorText error={adopt.error} />
          <div className="form-actions">
            <button type="button" className="btn" onClick={() => probe.reset()}>
              Cancel
            </button>
            <button type="button" className="btn btn-primary" disabled={!valid || adopt.isPending} onClick={() => adopt.mutate(probed.host_key ?? "")}>
              {adopt.isPending ? "Starting…" : "The key matches: adopt"}
            </button>
          </div>
        </div>
      )}
      {adopt.data && (
        <div className="notice" style={{ marginTop: "var(--space-4)" }} aria-live="polite">
          <dl className="kv">
            <dt>Adoption</dt>
            <dd className="row">
              <StatusDot status={job.data?.state ?? adopt.data.job?.state ?? "queued"} />
              {jobId && <Link to={`/jobs/${jobId}`}>Follow its output</Link>}
              {serverId && <Link to={`/servers/${serverId}`}>Open the server</Link>}
            </dd>
            <dt>Host key</dt>
            <dd className="mono">{hostKey ?? adopt.variables}</dd>
          </dl>
          {job.data?.state === "failed" && <ErrorText>{(job.data.error as { message?: string } | null)?.message ?? "The adoption failed; see its output."}</ErrorText>}
        </div>
      )}
    </section>
  );
}
