// A test's steps as the API answered them: each with its time, a failed one with the API's
// message (and code, for searching the docs).
import type { TestStep } from "./types";

const stepLabel: Record<string, string> = {
  connect: "Connect",
  write: "Write a probe object",
  read: "Read it back",
  compare: "Compare",
  delete: "Delete it",
};

export function TestSteps({ ok, steps, label }: { ok: boolean; steps: readonly TestStep[]; label: string }) {
  return (
    <div className="destination-test" role="status">
      <p>
        <strong>{ok ? "The destination works." : "The test failed."}</strong>
      </p>
      <ol aria-label={label} className="destination-steps">
        {steps.map((s) => (
          <li key={s.step} className={s.ok ? "ok" : "failed"}>
            <span className={s.ok ? "dot dot-ok" : "dot dot-danger"} aria-hidden />
            {stepLabel[s.step ?? ""] ?? s.step} — {s.ok ? `ok, ${s.ms ?? 0} ms` : `failed: ${s.error ?? ""}`}
            {!s.ok && s.code && <span className="muted mono"> ({s.code})</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}
