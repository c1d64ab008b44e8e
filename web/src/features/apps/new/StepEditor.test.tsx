import { useState } from "react";
import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { StepEditor } from "./StepEditor";
import { addStep, blankStep, draftsOf, moveStep, removeStep, toWorkflowSteps, type StepDraft } from "./steps";

describe("workflow step model", () => {
  it("adds, removes and reorders steps", () => {
    const [a, b, c] = [blankStep(), blankStep(), blankStep()];
    const steps = [a!, b!, c!];
    expect(moveStep(steps, c!.uid, -1).map((s) => s.uid)).toEqual([a!.uid, c!.uid, b!.uid]);
    expect(moveStep(steps, a!.uid, -1)).toBe(steps); // already first
    expect(removeStep(steps, b!.uid).map((s) => s.uid)).toEqual([a!.uid, c!.uid]);
    expect(addStep(steps)).toHaveLength(4);
  });

  it("builds API steps: argv one per line, shell, timeout, env, continue_on_error", () => {
    const run: StepDraft = { ...blankStep(), name: "fetch", run: "git\n-C\n/srv/site with space\npull" };
    const sh: StepDraft = { ...blankStep(), name: "build", mode: "shell", shell: "cd /srv && make", timeout: "900", env: "CI=1", continueOnError: true };
    expect(toWorkflowSteps([run, sh])).toEqual({
      steps: [
        { name: "fetch", run: ["git", "-C", "/srv/site with space", "pull"] },
        { name: "build", shell: "cd /srv && make", timeout_s: 900, env: { CI: "1" }, continue_on_error: true },
      ],
      errors: [],
    });
  });

  it("reports what the API would refuse, per step", () => {
    const { errors } = toWorkflowSteps([{ ...blankStep(), timeout: "0", env: "1X=2" }]);
    expect(errors.map((e) => [e.index, e.field])).toEqual([[0, "name"], [0, "run"], [0, "timeout"], [0, "env"]]);
    expect(toWorkflowSteps([]).errors[0]?.message).toMatch(/at least one step/);
  });

  it("round-trips stored steps into drafts", () => {
    const stored = [{ name: "s", shell: "echo hi", timeout_s: 5, env: { A: "1" } }];
    expect(toWorkflowSteps(draftsOf(stored)).steps).toEqual(stored);
  });
});

function Harness({ initial }: { initial: StepDraft[] }) {
  const [steps, setSteps] = useState(initial);
  return (
    <>
      <StepEditor steps={steps} onChange={setSteps} />
      <output data-testid="names">{steps.map((s) => s.name).join(",")}</output>
    </>
  );
}

describe("StepEditor", () => {
  it("adds a step, edits it, moves it up and removes another", async () => {
    const user = userEvent.setup();
    render(<Harness initial={[{ ...blankStep(), name: "first" }]} />);
    await user.click(screen.getByRole("button", { name: /add step/i }));
    const names = screen.getAllByLabelText("Name");
    await user.type(names[1]!, "second");
    expect(screen.getByTestId("names")).toHaveTextContent("first,second");
    await user.click(screen.getByRole("button", { name: "Move step 2 (second) up" }));
    expect(screen.getByTestId("names")).toHaveTextContent("second,first");
    await user.click(screen.getByRole("button", { name: "Remove step 2 (first)" }));
    expect(screen.getByTestId("names")).toHaveTextContent(/^second$/);
  });

  it("switches a step between a command and a shell script", async () => {
    const user = userEvent.setup();
    render(<Harness initial={[blankStep()]} />);
    expect(screen.getByLabelText("Command, one argument per line")).toBeInTheDocument();
    await user.click(screen.getByLabelText("Shell script"));
    expect(screen.getByLabelText("Script (run with /bin/sh -c)")).toBeInTheDocument();
  });

  it("disables every control when the user may not edit steps", () => {
    render(<StepEditor steps={[blankStep()]} onChange={() => {}} disabled />);
    expect(screen.getByRole("button", { name: /add step/i })).toBeDisabled();
    expect(screen.getByLabelText("Name")).toBeDisabled();
  });
});
