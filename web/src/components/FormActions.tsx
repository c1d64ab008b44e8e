import { ErrorText } from "./ErrorText";

/// The end of a form: what went wrong (the API's message), then submit and cancel. The submit
/// button says what is happening while `busy`, and stays off while busy or `disabled`.
export function FormActions({
  error,
  label,
  busy,
  busyLabel = "Working…",
  disabled = false,
  danger = false,
  onCancel,
}: {
  error?: unknown;
  label: string;
  busy: boolean;
  busyLabel?: string;
  disabled?: boolean;
  danger?: boolean;
  onCancel: () => void;
}) {
  return (
    <>
      <ErrorText error={error} />
      <div className="form-actions">
        <button type="submit" className={danger ? "btn btn-danger" : "btn btn-primary"} disabled={busy || disabled}>
          {busy ? busyLabel : label}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
