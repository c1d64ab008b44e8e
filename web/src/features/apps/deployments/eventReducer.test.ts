import { describe, expect, it } from "vitest";
import { expectedSteps, formatChunk, initialProgress, progressReducer, type DeploymentProgress } from "./eventReducer";

const ev = (id: string | null, event: string, data: object) => ({ id, event, data: JSON.stringify(data) });
const run = (events: ReturnType<typeof ev>[], start: DeploymentProgress = initialProgress()) => events.reduce(progressReducer, start);
const E = 2 ** 32; // the event's number sits in the high 32 bits of the id, the chunk's in the low

describe("progressReducer", () => {
  it("ticks steps as their events arrive", () => {
    const p = run(
      [
        ev(`${1 * E}`, "state", { state: "running" }),
        ev(`${2 * E}`, "step", { step: "pull", status: "started", job_id: "job_1" }),
        ev(`${3 * E}`, "step", { step: "pull", status: "succeeded", duration_ms: 1200 }),
        ev(`${4 * E}`, "step", { step: "start", status: "started" }),
      ],
      initialProgress(expectedSteps("image", "api")),
    );
    expect(p.state).toBe("running");
    expect(p.steps.map((s) => [s.name, s.status])).toEqual([
      ["pull", "succeeded"], ["start", "started"], ["health", "pending"], ["switch", "pending"],
    ]);
    expect(p.steps[0]).toMatchObject({ jobId: "job_1", durationMs: 1200 });
  });

  it("appends steps it did not expect in the order they come", () => {
    const p = run([ev("1", "step", { step: "step 1: fetch", status: "started" }), ev("2", "step", { step: "step 2: build", status: "started" })]);
    expect(p.steps.map((s) => s.name)).toEqual(["step 1: fetch", "step 2: build"]);
  });

  it("collects output in order", () => {
    const p = run([ev(`${2 * E + 1}`, "output", { step: "build", stream: "stdout", text: "a\n" }), ev(`${2 * E + 2}`, "output", { step: "build", stream: "stderr", text: "b\n" })]);
    expect(p.output.map((c) => c.text).join("")).toBe("a\nb\n");
  });

  it("ignores events replayed after a resume (ids at or below the last seen)", () => {
    const first = [
      ev(`${2 * E}`, "step", { step: "build", status: "started" }),
      ev(`${2 * E + 1}`, "output", { step: "build", stream: "stdout", text: "one\n" }),
      ev(`${2 * E + 2}`, "output", { step: "build", stream: "stdout", text: "two\n" }),
    ];
    const resumed = [
      ev(`${2 * E + 1}`, "output", { step: "build", stream: "stdout", text: "one\n" }),
      ev(`${2 * E + 2}`, "output", { step: "build", stream: "stdout", text: "two\n" }),
      ev(`${2 * E + 3}`, "output", { step: "build", stream: "stdout", text: "three\n" }),
    ];
    const p = run([...first, ...resumed]);
    expect(p.output.map((c) => c.text).join("")).toBe("one\ntwo\nthree\n");
    expect(p.lastId).toBe(`${2 * E + 3}`);
  });

  it("compares ids as numbers, not strings", () => {
    const p = run([ev("9", "output", { step: "s", stream: "stdout", text: "9" }), ev("10", "output", { step: "s", stream: "stdout", text: "10" })]);
    expect(p.output).toHaveLength(2);
  });

  it("ends with done: the outcome, pending steps did not run, a started one failed", () => {
    const p = run(
      [
        ev("1", "step", { step: "pull", status: "succeeded" }),
        ev("2", "step", { step: "start", status: "started" }),
        ev("3", "done", { state: "failed", step: "start", error_code: "start_failed", error_message: "port in use" }),
      ],
      initialProgress(expectedSteps("image", "api")),
    );
    expect(p.done).toEqual({ state: "failed", step: "start", error_code: "start_failed", error_message: "port in use" });
    expect(p.steps.map((s) => s.status)).toEqual(["succeeded", "failed", "not_run", "not_run"]);
  });

  it("takes done even when its id is not newer", () => {
    const p = run([ev("5", "state", { state: "running" }), ev("0", "done", { state: "canceled" })]);
    expect(p.done?.state).toBe("canceled");
  });

  it("survives malformed data", () => {
    expect(run([ev("1", "output", "nope" as unknown as object)]).output).toEqual([]);
  });
});

describe("expectedSteps", () => {
  it("knows the regular flows only", () => {
    expect(expectedSteps("git", "webhook")).toEqual(["fetch", "build", "start", "health", "switch"]);
    expect(expectedSteps("image", "rollback")).toEqual([]);
    expect(expectedSteps("workflow", "api")).toEqual([]);
  });
});

describe("formatChunk", () => {
  it("heads a new step and dims Berth's own lines", () => {
    expect(formatChunk(null, { step: "drain", stream: "system", text: "x\n" })).toBe("\x1b[1m── drain ──\x1b[0m\n\x1b[2mx\n\x1b[0m");
    expect(formatChunk("drain", { step: "drain", stream: "stdout", text: "y" })).toBe("y");
  });
});
