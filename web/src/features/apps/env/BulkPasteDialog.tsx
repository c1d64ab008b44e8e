// Paste a .env file: parsed as you type (bad lines listed with their numbers), then either
// added to the existing vars (PATCH) or made the whole set (PUT, which deletes the rest).
import { useId, useMemo, useState } from "react";
import { Dialog } from "../../../components/Dialog";
import { ErrorText } from "../../../components/ErrorText";
import type { EnvInput } from "../shared/types";
import { parseDotenv } from "./dotenv";
import { pastedToInputs } from "./envModel";

export function BulkPasteDialog({
  open,
  onOpenChange,
  ownerName,
  onSubmit,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  ownerName: string;
  onSubmit: (vars: EnvInput[], mode: "merge" | "replace") => Promise<unknown>;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const [secret, setSecret] = useState(false);
  const [mode, setMode] = useState<"merge" | "replace">("merge");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => parseDotenv(text), [text]);
  const close = () => {
    setText("");
    setError(null);
    onOpenChange(false);
  };
  const ready = parsed.vars.length > 0 && parsed.errors.length === 0;
  return (
    <Dialog open={open} onOpenChange={(o) => (o ? onOpenChange(true) : close())} title="Paste a .env file">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!ready) return;
          setBusy(true);
          setError(null);
          try {
            await onSubmit(pastedToInputs(parsed.vars, secret), mode);
            close();
          } catch (failure) {
            setError(failure);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-text`}>Contents</label>
          <textarea id={`${id}-text`} className="input" rows={10} spellCheck={false} placeholder={"# comments are fine\nexport DATABASE_URL=postgres://db/shop\nLOG_LEVEL=info"} value={text} onChange={(e) => setText(e.target.value)} />
          <span className="hint">
            {parsed.vars.length} variable{parsed.vars.length === 1 ? "" : "s"} read
          </span>
        </div>
        {parsed.errors.length > 0 && (
          <ErrorText>
            Fix these lines first:
            <ul style={{ margin: 0 }}>
              {parsed.errors.map((issue) => (
                <li key={issue.line}>
                  line {issue.line}: {issue.message}
                </li>
              ))}
            </ul>
          </ErrorText>
        )}
        {parsed.warnings.map((w) => (
          <p key={w.line} className="muted">
            line {w.line}: {w.message}
          </p>
        ))}
        <label className="checkbox field">
          <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.target.checked)} /> Store all of them as secrets
        </label>
        <fieldset className="field" style={{ border: 0, padding: 0 }}>
          <legend>How</legend>
          <label className="checkbox">
            <input type="radio" name={`${id}-mode`} checked={mode === "merge"} onChange={() => setMode("merge")} /> Add or update these; keep the others
          </label>
          <label className="checkbox">
            <input type="radio" name={`${id}-mode`} checked={mode === "replace"} onChange={() => setMode("replace")} /> Replace all of {ownerName}'s own variables with these (the others are deleted)
          </label>
        </fieldset>
        <ErrorText error={error} />
        <div className="form-actions">
          <button type="submit" className={mode === "replace" ? "btn btn-danger" : "btn btn-primary"} disabled={!ready || busy}>
            {busy ? "Saving…" : mode === "replace" ? `Replace with ${parsed.vars.length}` : `Save ${parsed.vars.length}`}
          </button>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
