// The source part of the create wizard (and of Settings): image, git repository or workflow.
import { Field } from "../../../components/Field";
import { AdminOnly } from "../shared/AdminOnly";
import type { CreateForm } from "./createBody";
import { StepEditor } from "./StepEditor";
import { blankStep, type StepError } from "./steps";

const kinds = [
  { type: "image", title: "Image", text: "Pull an image from a registry", admin: false },
  { type: "git", title: "Git repository", text: "Clone and build its Dockerfile on the server", admin: false },
  { type: "workflow", title: "Workflow", text: "Run your own commands on the server, step by step", admin: true },
] as const;

export function SourceFields({ form, set, isAdmin, errors, stepErrors, lockType = false }: {
  form: CreateForm; set: (change: Partial<CreateForm>) => void; isAdmin: boolean;
  errors: Record<string, string>; stepErrors: StepError[]; lockType?: boolean;
}) {
  const insecureRepo = /^(file|http):\/\//.test(form.repository.trim());
  return (
    <>
      {!lockType && (
        <fieldset className="source-choice" style={{ border: 0, padding: 0 }}>
          <legend className="sr-only">Source type</legend>
          {kinds.map((k) => (
            <label key={k.type}>
              <input type="radio" name="source-type" value={k.type} checked={form.type === k.type} disabled={k.admin && !isAdmin} onChange={() => set(k.type === "workflow" && form.steps.length === 0 ? { type: k.type, steps: [blankStep()] } : { type: k.type })} />
              <span>
                <strong>{k.title}</strong> {k.admin && !isAdmin && <AdminOnly />}
                <br />
                <span className="muted">{k.text}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {form.type === "image" && (
        <Field label="Image" placeholder="nginx:1.27 or ghcr.io/acme/web:1.4" value={form.image} onChange={(e) => set({ image: e.target.value })} hint={errors.image ?? "name, name:tag, registry/path:tag or name@sha256:…"} aria-invalid={errors.image ? true : undefined} />
      )}
      {form.type === "git" && (
        <>
          <Field
            label="Repository"
            placeholder="git@github.com:acme/api.git"
            value={form.repository}
            onChange={(e) => set({ repository: e.target.value })}
            aria-invalid={errors.repository || (insecureRepo && !isAdmin) ? true : undefined}
            hint={errors.repository ?? (insecureRepo && !isAdmin ? "file:// and http:// repositories are admin only" : "https://, ssh:// or user@host:path; private ones use the server's deploy key (no credentials in the URL)")}
          />
          <div className="grid-2">
            <Field label="Branch" placeholder="main" value={form.branch} onChange={(e) => set({ branch: e.target.value })} />
            <Field label="Dockerfile" placeholder="Dockerfile" value={form.dockerfile} onChange={(e) => set({ dockerfile: e.target.value })} />
            <Field label="Build context" placeholder="." value={form.context} onChange={(e) => set({ context: e.target.value })} />
            <Field label="Secret build args (env var names)" placeholder="NPM_TOKEN" value={form.secretBuildArgs} onChange={(e) => set({ secretBuildArgs: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="source-build-args">Build args (KEY=value per line)</label>
            <textarea id="source-build-args" className="input" rows={3} value={form.buildArgs} onChange={(e) => set({ buildArgs: e.target.value })} aria-invalid={errors.buildArgs ? true : undefined} />
            {errors.buildArgs && <span className="error-text">{errors.buildArgs}</span>}
          </div>
        </>
      )}
      {form.type === "workflow" && (
        <>
          <p className="muted">Steps run in order on the server as the agent's user (root on an installed server). Berth never builds a shell command from a command step.</p>
          <StepEditor steps={form.steps} onChange={(steps) => set({ steps })} errors={stepErrors} disabled={!isAdmin} />
        </>
      )}
    </>
  );
}
