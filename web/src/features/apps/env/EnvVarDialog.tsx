// Adds or edits one env var (PATCH with that one entry).
import { useEffect, useId, useState } from "react";
import { Dialog } from "../../../components/Dialog";
import { draftToInput, type EnvDraft } from "./envModel";
import type { EnvInput } from "../shared/types";
import { FormActions } from "../../../components/FormActions";

export function EnvVarDialog({
  draft: initial,
  onClose,
  onSave,
}: {
  draft: EnvDraft | null;
  onClose: () => void;
  onSave: (input: EnvInput) => Promise<unknown>;
}) {
  const [draft, setDraft] = useState<EnvDraft | null>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  useEffect(() => {
    setDraft(initial);
    setError(null);
  }, [initial]);
  if (!draft) return null;
  const keepsSecret = draft.wasSecret && draft.secret && draft.editing === draft.key.trim();
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={draft.editing ? `Edit ${draft.editing}` : "Add a variable"}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const result = draftToInput(draft);
          if ("error" in result) return setError(result.error);
          setBusy(true);
          setError(null);
          try {
            await onSave(result.input);
            onClose();
          } catch (failure) {
            setError(failure);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-key`}>Key</label>
          <input id={`${id}-key`} className="input mono" autoComplete="off" value={draft.key} readOnly={draft.editing !== null} onChange={(e) => setDraft({ ...draft, key: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-value`}>Value</label>
          <textarea
            id={`${id}-value`}
            className="input"
            style={{ minHeight: 80 }}
            value={draft.value}
            placeholder={keepsSecret ? "Leave empty to keep the stored secret" : ""}
            aria-describedby={keepsSecret ? `${id}-hint` : undefined}
            onChange={(e) => setDraft({ ...draft, value: e.target.value })}
          />
          {keepsSecret && (
            <span id={`${id}-hint`} className="hint">
              The secret is not shown. Empty keeps it; anything typed replaces it.
            </span>
          )}
        </div>
        <label className="checkbox field">
          <input type="checkbox" checked={draft.secret} onChange={(e) => setDraft({ ...draft, secret: e.target.checked })} />
          Secret (encrypted at rest, masked in every list)
        </label>
        <FormActions error={error} label="Save" busy={busy} busyLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
