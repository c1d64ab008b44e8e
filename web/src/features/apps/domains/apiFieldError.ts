// Where an API failure belongs on a form. berthd names the offending field in
// details.field (a dotted path such as "certificate.chain" or "redirects[2].to"); a few
// conflicts carry no field but clearly belong to one control (409 hostname_taken).
import { ApiError } from "../../../api/errors";

const fieldOfCode: Record<string, string> = {
  hostname_taken: "hostname",
};

/// The field an error names, or null when it belongs to the whole form.
export function errorField(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.details?.field;
  if (typeof field === "string" && field !== "") return field;
  return fieldOfCode[error.code] ?? null;
}

/// The error's message when it names `field` (or, with `prefix`, a field under it).
export function messageAt(error: unknown, field: string, prefix = false): string | null {
  const named = errorField(error);
  if (named === null || !(error instanceof ApiError)) return null;
  if (named === field || (prefix && (named.startsWith(`${field}.`) || named.startsWith(`${field}[`)))) return error.message;
  return null;
}

/// The error when no field of `known` shows it (so the form shows it at its end instead).
export function unplacedError(error: unknown, known: readonly string[]): unknown {
  if (!error) return null;
  const named = errorField(error);
  if (named !== null && known.some((k) => named === k || named.startsWith(`${k}.`) || named.startsWith(`${k}[`))) return null;
  return error;
}
