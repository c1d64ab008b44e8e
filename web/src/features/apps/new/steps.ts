// The workflow step editor's model. A step runs either an argument vector (`run`, no shell:
// one argument per line in the editor, so nothing is ever split on spaces or quotes) or a
// `shell` script. toWorkflowSteps checks what the API would refuse (apps.md) before sending.
import { ENV_KEY } from "../env/dotenv";
import type { WorkflowStep } from "../shared/types";

export interface StepDraft {
  uid: number;
  name: string;
  mode: "run" | "shell";
  /// One argument per line.
  run: string;
  shell: string;
  timeout: string;
  continueOnError: boolean;
  /// KEY=value per line.
  env: string;
}

let nextUid = 1;

export function blankStep(): StepDraft {
  return { uid: nextUid++, name: "", mode: "run", run: "", shell: "", timeout: "", continueOnError: false, env: "" };
}

export function addStep(steps: StepDraft[]): StepDraft[] {
  return steps.length >= 50 ? steps : [...steps, blankStep()];
}

export function removeStep(steps: StepDraft[], uid: number): StepDraft[] {
  return steps.filter((s) => s.uid !== uid);
}

/// Moves a step up (-1) or down (+1); a move past either end changes nothing.
export function moveStep(steps: StepDraft[], uid: number, delta: -1 | 1): StepDraft[] {
  const from = steps.findIndex((s) => s.uid === uid);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= steps.length) return steps;
  const next = [...steps];
  [next[from], next[to]] = [next[to]!, next[from]!];
  return next;
}

export function updateStep(steps: StepDraft[], uid: number, change: Partial<StepDraft>): StepDraft[] {
  return steps.map((s) => (s.uid === uid ? { ...s, ...change } : s));
}

export interface StepError {
  index: number;
  field: "name" | "run" | "shell" | "timeout" | "env";
  message: string;
}

export function toWorkflowSteps(steps: StepDraft[]): { steps: WorkflowStep[]; errors: StepError[] } {
  const errors: StepError[] = [];
  if (steps.length === 0) errors.push({ index: -1, field: "name", message: "A workflow needs at least one step" });
  const out = steps.map((draft, index): WorkflowStep => {
    const step: WorkflowStep = { name: draft.name.trim() };
    if (step.name.length < 1 || step.name.length > 100) errors.push({ index, field: "name", message: "Name the step (1–100 characters)" });
    if (draft.mode === "run") {
      const argv = draft.run.split("\n").filter((line) => line !== "");
      if (argv.length === 0) errors.push({ index, field: "run", message: "Give the command, one argument per line" });
      step.run = argv;
    } else {
      if (draft.shell.trim() === "") errors.push({ index, field: "shell", message: "Write the script" });
      step.shell = draft.shell;
    }
    if (draft.timeout.trim() !== "") {
      const seconds = Number(draft.timeout);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86400) errors.push({ index, field: "timeout", message: "Timeout: whole seconds, 1 to 86400" });
      else step.timeout_s = seconds;
    }
    if (draft.continueOnError) step.continue_on_error = true;
    const env: Record<string, string> = {};
    for (const line of draft.env.split("\n")) {
      if (line.trim() === "") continue;
      const eq = line.indexOf("=");
      const key = (eq < 0 ? line : line.slice(0, eq)).trim();
      if (eq < 0 || !ENV_KEY.test(key)) {
        errors.push({ index, field: "env", message: `Env line "${line}" is not KEY=value` });
        continue;
      }
      env[key] = line.slice(eq + 1);
    }
    if (Object.keys(env).length > 0) step.env = env;
    return step;
  });
  return { steps: out, errors };
}

/// Drafts of stored steps, for editing an existing workflow app.
export function draftsOf(steps: WorkflowStep[] | undefined): StepDraft[] {
  return (steps ?? []).map((s) => ({
    ...blankStep(),
    name: s.name,
    mode: s.shell !== undefined ? "shell" : "run",
    run: (s.run ?? []).join("\n"),
    shell: s.shell ?? "",
    timeout: s.timeout_s !== undefined ? String(s.timeout_s) : "",
    continueOnError: s.continue_on_error === true,
    env: Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${v}`).join("\n"),
  }));
}
