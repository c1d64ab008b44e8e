/// The API's message for one control, right under it (its id goes in the control's
/// aria-describedby, and the control gets aria-invalid).
export function FieldError({ id, message }: { id: string; message: string | null }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  );
}

/// The aria attributes of a control with an optional hint and error.
export function describedBy(hintId: string | undefined, errorId: string, message: string | null) {
  const ids = [hintId, message ? errorId : undefined].filter(Boolean).join(" ");
  return { "aria-describedby": ids || undefined, "aria-invalid": message ? true : undefined };
}
