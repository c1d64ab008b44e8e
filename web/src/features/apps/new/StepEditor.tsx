// The workflow step editor: add, remove and reorder steps; each runs a command (one argument
// per line, no shell) or a shell script, with an optional timeout, env and continue-on-error.
import { useId } from "react";
import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import { addStep, moveStep, removeStep, updateStep, type StepDraft, type StepError } from "./steps";

export function StepEditor({ steps, onChange, errors = [], disabled = false }: { steps: StepDraft[]; onChange: (steps: StepDraft[]) => void; errors?: StepError[]; disabled?: boolean }) {
  return (
    <div>
      {steps.map((step, index) => (
        <StepCard
          key={step.uid}
          step={step}
          index={index}
          count={steps.length}
          disabled={disabled}
          errors={errors.filter((e) => e.index === index)}
          onChange={(change) => onChange(updateStep(steps, step.uid, change))}
          onMove={(delta) => onChange(moveStep(steps, step.uid, delta))}
          onRemove={() => onChange(removeStep(steps, step.uid))}
        />
      ))}
      {errors.filter((e) => e.index < 0).map((e) => <p key={e.message} className="error-text" role="alert">{e.message}</p>)}
      <button type="button" className="btn" disabled={disabled || steps.length >= 50} onClick={() => onChange(addStep(steps))}>
        <Plus size={14} aria-hidden /> Add step
      </button>
    </div>
  );
}

function StepCard({ step, index, count, disabled, errors, onChange, onMove, onRemove }: {
  step: StepDraft; index: number; count: number; disabled: boolean; errors: StepError[];
  onChange: (change: Partial<StepDraft>) => void; onMove: (delta: -1 | 1) => void; onRemove: () => void;
}) {
  const id = useId();
  const label = `step ${index + 1}${step.name ? ` (${step.name})` : ""}`;
  const errorOf = (field: StepError["field"]) => errors.find((e) => e.field === field)?.message;
  return (
    <fieldset className="step-card" disabled={disabled} aria-label={`Step ${index + 1}`}>
      <div className="step-head">
        <strong>Step {index + 1}</strong>
        <div className="row">
          <button type="button" className="btn btn-sm" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move ${label} up`}>
            <ArrowUp size={14} aria-hidden />
          </button>
          <button type="button" className="btn btn-sm" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move ${label} down`}>
            <ArrowDown size={14} aria-hidden />
          </button>
          <button type="button" className="btn btn-sm btn-danger" onClick={onRemove} aria-label={`Remove ${label}`}>
            <Trash2 size={14} aria-hidden />
          </button>
        </div>
      </div>
      <Input id={`${id}-name`} label="Name" value={step.name} error={errorOf("name")} onChange={(name) => onChange({ name })} />
      <div className="row field" role="radiogroup" aria-label={`What ${label} runs`}>
        <label className="checkbox"><input type="radio" name={`${id}-mode`} checked={step.mode === "run"} onChange={() => onChange({ mode: "run" })} /> Command (no shell)</label>
        <label className="checkbox"><input type="radio" name={`${id}-mode`} checked={step.mode === "shell"} onChange={() => onChange({ mode: "shell" })} /> Shell script</label>
      </div>
      {step.mode === "run" ? (
        <Area id={`${id}-run`} label="Command, one argument per line" placeholder={"git\n-C\n/srv/site\npull"} value={step.run} error={errorOf("run")} onChange={(run) => onChange({ run })} />
      ) : (
        <Area id={`${id}-shell`} label="Script (run with /bin/sh -c)" placeholder="cd /srv/site && make" value={step.shell} error={errorOf("shell")} onChange={(shell) => onChange({ shell })} />
      )}
      <div className="grid-2">
        <Input id={`${id}-timeout`} label="Timeout (s, default 600)" inputMode="numeric" value={step.timeout} error={errorOf("timeout")} onChange={(timeout) => onChange({ timeout })} />
        <label className="checkbox" style={{ alignSelf: "center" }}>
          <input type="checkbox" checked={step.continueOnError} onChange={(e) => onChange({ continueOnError: e.target.checked })} /> Continue if it fails
        </label>
      </div>
      <Area id={`${id}-env`} label="Env (KEY=value per line, optional)" value={step.env} error={errorOf("env")} rows={2} onChange={(env) => onChange({ env })} />
    </fieldset>
  );
}

function Input({ id, label, value, error, onChange, inputMode }: { id: string; label: string; value: string; error?: string; onChange: (v: string) => void; inputMode?: "numeric" }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input" value={value} inputMode={inputMode} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-err` : undefined} onChange={(e) => onChange(e.target.value)} />
      {error && <span id={`${id}-err`} className="error-text">{error}</span>}
    </div>
  );
}

function Area({ id, label, value, error, onChange, placeholder, rows = 4 }: { id: string; label: string; value: string; error?: string; onChange: (v: string) => void; placeholder?: string; rows?: number }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="input" style={{ minHeight: rows * 22 }} rows={rows} spellCheck={false} placeholder={placeholder} value={value} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-err` : undefined} onChange={(e) => onChange(e.target.value)} />
      {error && <span id={`${id}-err`} className="error-text">{error}</span>}
    </div>
  );
}
