import { useState, type ReactNode } from "react";
import { Dialog } from "./Dialog";
import { FormActions } from "./FormActions";

/// A destructive action is never one click: the dialog names the object, and with
/// `typeToConfirm` the user types its name before the button wakes up.
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  children,
  confirmLabel,
  typeToConfirm,
  danger = true,
  onConfirm,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  typeToConfirm?: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
}) {
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ready = !typeToConfirm || typed === typeToConfirm;

  const close = (next: boolean) => {
    if (!next) {
      setTyped("");
      setError(null);
    }
    onOpenChange(next);
  };

  return (
    <Dialog open={open} onOpenChange={close} title={title} description={children}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          if (!ready) return;
          setBusy(true);
          setError(null);
          try {
            await onConfirm();
            close(false);
          } catch (failure) {
            setError(failure);
          } finally {
            setBusy(false);
          }
        }}
      >
        {typeToConfirm && (
          <div className="field">
            <label htmlFor="confirm-name">
              Type <strong className="mono">{typeToConfirm}</strong> to confirm
            </label>
            <input id="confirm-name" className="input" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
          </div>
        )}
        <FormActions error={error} label={confirmLabel} busy={busy} disabled={!ready} danger={danger} onCancel={() => close(false)} />
      </form>
    </Dialog>
  );
}
