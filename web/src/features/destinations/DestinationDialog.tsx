// Add a backup destination (POST /backup-destinations): S3-compatible or SFTP, switched by
// kind. The API's errors show at the control they name (details.field, "s3.bucket" ...).
import { useId, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { Dialog } from "../../components/Dialog";
import { FormActions } from "../../components/FormActions";
import { useToast } from "../../components/Toast";
import { describedBy, FieldError } from "../apps/domains/FieldError";
import { messageAt, unplacedError } from "../apps/domains/apiFieldError";
import { createBody, emptyForm, type DestinationForm, type Kind } from "./destinationForm";
import { destinationKeys } from "./queries";
import { useTeamId } from "../apps/shared/queries";

const placed = ["name", "kind", "s3", "sftp"] as const;

export function DestinationDialog({ onClose }: { onClose: () => void }) {
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState<DestinationForm>(emptyForm);
  const set = (next: Partial<DestinationForm>) => setForm((f) => ({ ...f, ...next }));
  const save = useMutation({
    mutationFn: () => call(api.POST("/api/v1/backup-destinations", { body: createBody(form) })),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: destinationKeys.all(team) });
      toast(`${saved.name} added; test it to check the keys`);
      onClose();
    },
  });
  const err = save.error;
  const ids = useId();
  const id = (name: string) => `${ids}-${name}`;
  // One text control with its label, hint and the API's error for `field`.
  const text = (field: string, label: string, value: string, onChange: (v: string) => void, options: { hint?: string; type?: string; required?: boolean; placeholder?: string; mono?: boolean } = {}) => {
    const message = messageAt(err, field);
    return (
      <div className="field">
        <label htmlFor={id(field)}>{label}</label>
        <input
          id={id(field)}
          className={options.mono ? "input mono" : "input"}
          type={options.type ?? "text"}
          required={options.required}
          autoComplete="off"
          spellCheck={false}
          placeholder={options.placeholder}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          {...describedBy(options.hint ? id(`${field}-hint`) : undefined, id(`${field}-error`), message)}
        />
        {options.hint && <span id={id(`${field}-hint`)} className="hint">{options.hint}</span>}
        <FieldError id={id(`${field}-error`)} message={message} />
      </div>
    );
  };
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title="Add backup destination">
      <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        {text("name", "Name", form.name, (v) => set({ name: v }), { required: true, placeholder: "offsite", hint: "Letters, digits, '-', '_' and '.'; unique in the team." })}
        <fieldset className="field">
          <legend>Kind</legend>
          {(["s3", "sftp"] as Kind[]).map((k) => (
            <label key={k} className="checkbox">
              <input type="radio" name={id("kind")} value={k} checked={form.kind === k} onChange={() => set({ kind: k })} /> {k === "s3" ? "S3-compatible bucket" : "SFTP folder"}
            </label>
          ))}
        </fieldset>
        {form.kind === "s3" ? (
          <>
            {text("s3.endpoint", "Endpoint", form.endpoint, (v) => set({ endpoint: v }), { required: true, mono: true, placeholder: "https://s3.eu-central-1.amazonaws.com", hint: "https://host[:port]. Plain http only for a server on this machine." })}
            {text("s3.region", "Region (optional)", form.region, (v) => set({ region: v }), { placeholder: "us-east-1" })}
            {text("s3.bucket", "Bucket", form.bucket, (v) => set({ bucket: v }), { required: true, mono: true })}
            {text("s3.prefix", "Prefix (optional)", form.prefix, (v) => set({ prefix: v }), { mono: true, placeholder: "prod/db/", hint: "Keys start with it; no '..'." })}
            <label className="checkbox">
              <input type="checkbox" checked={form.pathStyle} onChange={(e) => set({ pathStyle: e.target.checked })} /> Path-style URLs (host/bucket/key) — most S3-compatible servers need this
            </label>
            {text("s3.access_key_id", "Access key id", form.accessKeyId, (v) => set({ accessKeyId: v }), { required: true, mono: true })}
            {text("s3.secret_access_key", "Secret access key", form.secretAccessKey, (v) => set({ secretAccessKey: v }), { required: true, type: "password", hint: "Sealed at rest and never shown again." })}
          </>
        ) : (
          <>
            {text("sftp.host", "Host", form.host, (v) => set({ host: v }), { required: true, mono: true, placeholder: "backup.example.com" })}
            {text("sftp.port", "Port (optional)", form.port, (v) => set({ port: v }), { placeholder: "22" })}
            {text("sftp.user", "User", form.user, (v) => set({ user: v }), { required: true, mono: true })}
            {text("sftp.path", "Folder", form.path, (v) => set({ path: v }), { required: true, mono: true, placeholder: "/srv/backups" })}
            <fieldset className="field">
              <legend>Sign in with</legend>
              <label className="checkbox">
                <input type="radio" name={id("auth")} checked={form.auth === "password"} onChange={() => set({ auth: "password" })} /> A password
              </label>
              <label className="checkbox">
                <input type="radio" name={id("auth")} checked={form.auth === "private_key"} onChange={() => set({ auth: "private_key" })} /> A private key
              </label>
            </fieldset>
            {form.auth === "password"
              ? text("sftp.password", "Password", form.password, (v) => set({ password: v }), { required: true, type: "password", hint: "Sealed at rest and never shown again." })
              : (
                <div className="field">
                  <label htmlFor={id("key")}>Private key</label>
                  <textarea id={id("key")} className="input mono" rows={5} required spellCheck={false} value={form.privateKey} onChange={(e) => set({ privateKey: e.target.value })} {...describedBy(undefined, id("key-error"), messageAt(err, "sftp.private_key"))} />
                  <FieldError id={id("key-error")} message={messageAt(err, "sftp.private_key")} />
                </div>
              )}
            {form.auth === "private_key" && text("sftp.private_key_passphrase", "Key passphrase (optional)", form.passphrase, (v) => set({ passphrase: v }), { type: "password" })}
            {text("sftp.host_key_fingerprint", "Host key fingerprint (optional)", form.hostKey, (v) => set({ hostKey: v }), { mono: true, placeholder: "SHA256:…", hint: "As ssh-keygen -lf prints it. Empty: the first successful test pins the key it sees." })}
          </>
        )}
        <FormActions error={unplacedError(err, placed)} label="Add destination" busy={save.isPending} busyLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
