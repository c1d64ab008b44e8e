// The deployment page's view of GET /deployments/{id}/events: `state`, `step`, `output` and
// the final `done` folded into steps and output. Ids increase; an event at or below the last id
// seen is one already shown (a replay after a reconnect or a remount) and is ignored, so the
// terminal never prints a line twice.
import type { StreamEvent } from "../../../api/sse";

export type StepStatus = "pending" | "started" | "succeeded" | "failed" | "skipped" | "not_run";

export interface StepView {
  name: string;
  status: StepStatus;
  durationMs?: number;
  jobId?: string;
  error?: string;
}

export interface OutputChunk {
  step: string;
  stream: string;
  text: string;
}

export interface DoneInfo {
  state: string;
  step?: string;
  error_code?: string;
  error_message?: string;
}

export interface DeploymentProgress {
  lastId: string | null;
  state: string | null;
  steps: StepView[];
  output: OutputChunk[];
  done: DoneInfo | null;
}

export function initialProgress(expectedSteps: string[] = []): DeploymentProgress {
  return { lastId: null, state: null, steps: expectedSteps.map((name) => ({ name, status: "pending" })), output: [], done: null };
}

/// The steps a deployment of this kind is expected to take, shown as pending until they run.
/// Only the regular flows are predictable; others (rollback, workflow) show steps as they come.
export function expectedSteps(sourceType: string | undefined, trigger: string | undefined): string[] {
  if (trigger && !["api", "webhook", "deploy_hook"].includes(trigger)) return [];
  if (sourceType === "image") return ["pull", "start", "health", "switch"];
  if (sourceType === "git") return ["fetch", "build", "start", "health", "switch"];
  return [];
}

function isNewer(id: string, last: string | null): boolean {
  if (last === null) return true;
  try {
    return BigInt(id) > BigInt(last);
  } catch {
    return id !== last; // not numeric: at least never take the same one twice in a row
  }
}

function parse(data: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

function upsertStep(steps: StepView[], name: string, change: Partial<StepView>): StepView[] {
  const index = steps.findIndex((s) => s.name === name);
  if (index < 0) return [...steps, { name, status: "pending", ...change }];
  return steps.map((s, i) => (i === index ? { ...s, ...change } : s));
}

export function progressReducer(progress: DeploymentProgress, event: StreamEvent): DeploymentProgress {
  // `done` is final and idempotent, so it is taken whatever its id (never dropped as a "replay").
  if (event.event !== "done" && event.id && !isNewer(event.id, progress.lastId)) return progress;
  const next: DeploymentProgress = { ...progress, lastId: event.id && isNewer(event.id, progress.lastId) ? event.id : progress.lastId };
  const data = parse(event.data);

  switch (event.event) {
    case "state":
      return { ...next, state: str(data.state) ?? next.state };
    case "step": {
      const name = str(data.step);
      if (!name) return next;
      const status = (str(data.status) ?? "started") as StepStatus;
      const change: Partial<StepView> = { status };
      if (typeof data.duration_ms === "number") change.durationMs = data.duration_ms;
      if (str(data.job_id)) change.jobId = str(data.job_id);
      if (str(data.error)) change.error = str(data.error);
      return { ...next, steps: upsertStep(next.steps, name, change) };
    }
    case "output": {
      const text = str(data.text);
      if (text === undefined) return next;
      return { ...next, output: [...next.output, { step: str(data.step) ?? "", stream: str(data.stream) ?? "stdout", text }] };
    }
    case "done": {
      const done: DoneInfo = { state: str(data.state) ?? "finished" };
      for (const k of ["step", "error_code", "error_message"] as const) if (str(data[k])) done[k] = str(data[k]);
      // Steps still pending never ran; one still "started" ended with the deployment.
      const steps = next.steps.map((s): StepView => {
        if (s.status === "pending") return { ...s, status: "not_run" };
        if (s.status === "started") return { ...s, status: done.state === "succeeded" ? "succeeded" : "failed" };
        return s;
      });
      return { ...next, state: done.state, done, steps };
    }
    default:
      return next;
  }
}

export const isFinalEvent = (event: StreamEvent) => event.event === "done";

const BOLD = "\x1b[1m";
const DIM = "\x1b[2m";
const RED = "\x1b[31m";
const RESET = "\x1b[0m";

/// The terminal text of one chunk: a heading when the step changes, Berth's own lines dimmed,
/// stderr as it came (programs colour it themselves).
export function formatChunk(previousStep: string | null, chunk: OutputChunk): string {
  let text = "";
  if (chunk.step && chunk.step !== previousStep) text += `${BOLD}── ${chunk.step} ──${RESET}\n`;
  if (chunk.stream === "system") text += DIM + chunk.text + RESET;
  else if (chunk.stream === "error") text += RED + chunk.text + RESET;
  else text += chunk.text;
  return text;
}
