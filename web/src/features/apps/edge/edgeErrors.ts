// Puts the API's 400 back where it belongs. details.field is a dotted path into the body
// (docs/edge.md "Validation"): redirects[2].to, headers.set.X-Frame-Options, allow_ips[0],
// basic_auth.users[1].password, maintenance.retry_after_seconds, … Indexes are the body's,
// which skips empty rows, so they go through the BodySources of the body that was sent.
import { ApiError } from "../../../api/errors";
import type { BodySources, HeaderRow } from "./edgeForm";

/// A place on the form: a row key ("row-7"), or a control's name ("allow_ips",
/// "maintenance.message", …), with the line of a text area when the field is one of its lines.
export interface ErrorPlace {
  target: string;
  line?: number;
  /// The field within a row: "to", "path", "status", "password", "username".
  sub?: string;
  message: string;
}

const controls = ["redirects", "headers.set", "headers.remove", "allow_ips", "basic_auth.users", "max_body_bytes", "maintenance.enabled", "maintenance.retry_after_seconds", "maintenance.message"];

export function placeError(error: unknown, sources: BodySources, headers: readonly HeaderRow[]): ErrorPlace | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.details?.field;
  if (typeof field !== "string") return null;
  const message = error.message;
  const indexed = /^(redirects|basic_auth\.users|allow_ips|headers\.remove)\[(\d+)\]/.exec(field);
  if (indexed) {
    const [, list, at] = indexed;
    const i = Number(at);
    const sub = field.slice(indexed[0].length).replace(/^\./, "") || undefined;
    if (list === "redirects" && sources.redirects[i]) return { target: sources.redirects[i], sub, message };
    if (list === "basic_auth.users" && sources.users[i]) return { target: sources.users[i], sub, message };
    if (list === "allow_ips") return { target: "allow_ips", line: sources.allowLines[i], message };
    if (list === "headers.remove") return { target: "headers.remove", line: sources.removeLines[i], message };
  }
  if (field.startsWith("headers.set.")) {
    const name = field.slice("headers.set.".length).toLowerCase();
    const row = headers.find((h) => h.name.trim().toLowerCase() === name);
    if (row) return { target: row.key, sub: "value", message };
  }
  if (controls.includes(field)) return { target: field, message };
  return null;
}

/// The message for one place ("line 3: …" for a line of a text area), or null.
export function messageFor(place: ErrorPlace | null, target: string): string | null {
  if (!place || place.target !== target) return null;
  return place.line ? `Line ${place.line}: ${place.message}` : place.message;
}

/// The aria attributes of a control in a row: described by the row's error when there is
/// one, and invalid when the error names this control (or the row as a whole).
export function rowControl(place: ErrorPlace | null, target: string, sub: string, errorId: string) {
  if (!place || place.target !== target) return {};
  return { "aria-describedby": errorId, "aria-invalid": place.sub === undefined || place.sub === sub ? true : undefined };
}
