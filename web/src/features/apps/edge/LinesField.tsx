// A text area of one value a line (CIDRs, header names), with the API's error for a line.
import { useId } from "react";
import { describedBy, FieldError } from "../domains/FieldError";

export function LinesField({ label, hint, value, onChange, disabled, error, placeholder }: { label: string; hint: string; value: string; onChange: (v: string) => void; disabled: boolean; error: string | null; placeholder?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="input" rows={4} spellCheck={false} disabled={disabled} placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} {...describedBy(`${id}-hint`, `${id}-error`, error)} />
      <span id={`${id}-hint`} className="hint">{hint}</span>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
