// Settings › Source: the image, the repository and branch, or the workflow's steps.
import { useState } from "react";
import { ErrorText } from "../../../components/ErrorText";
import { AdminOnly } from "../shared/AdminOnly";
import type { App, PatchAppBody } from "../shared/types";
import { buildCreateBody, emptyForm, type CreateForm } from "../new/createBody";
import { SourceFields } from "../new/SourceFields";
import { draftsOf } from "../new/steps";
import { usePatchApp } from "./usePatchApp";

function formOf(app: App): CreateForm {
  const s = app.source;
  return {
    ...emptyForm(),
    name: app.name ?? "x",
    serverId: app.server_id ?? "x",
    port: "1",
    type: s?.type ?? "image",
    image: s?.image ?? "",
    repository: s?.repository ?? "",
    branch: s?.branch ?? "",
    dockerfile: s?.dockerfile ?? "",
    context: s?.context ?? "",
    buildArgs: Object.entries(s?.build_args ?? {}).map(([k, v]) => `${k}=${v}`).join("\n"),
    secretBuildArgs: (s?.secret_build_args ?? []).join(", "),
    steps: draftsOf(s?.steps),
  };
}

export function SourceCard({ app, disabled, locked }: { app: App; disabled: boolean; locked: boolean }) {
  const [form, setForm] = useState(() => formOf(app));
  const [tried, setTried] = useState(false);
  const patch = usePatchApp(app);
  const built = buildCreateBody(form);
  const errors = Object.fromEntries(Object.entries(built.errors).filter(([k]) => !["name", "serverId", "port"].includes(k)));
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (Object.keys(errors).length || built.stepErrors.length) return;
        // Same type: the whole source object replaces arrays and merges the rest (RFC 7396).
        const body: PatchAppBody = { source: built.body.source };
        patch.mutate(body);
      }}
    >
      <h2>
        Source: {app.source?.type} {locked && <AdminOnly />}
      </h2>
      {locked && <p className="muted">This app is guarded (host commands, privileged, host network or host mounts): only a team admin may change what it runs.</p>}
      <fieldset disabled={disabled} style={{ border: 0, padding: 0, margin: 0 }}>
        <SourceFields form={form} set={(c) => setForm((f) => ({ ...f, ...c }))} isAdmin={!locked} errors={tried ? errors : {}} stepErrors={tried ? built.stepErrors : []} lockType />
      </fieldset>
      <ErrorText error={patch.error} />
      {!disabled && <button type="submit" className="btn btn-primary" disabled={patch.isPending}>Save source</button>}
    </form>
  );
}
