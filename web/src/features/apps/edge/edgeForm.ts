// The Edge tab's form: the rules document (docs/edge.md) as rows and text areas, and back.
// PUT replaces the whole document, so the body always carries every rule the form holds.
// Basic-auth passwords are write-only: an existing user is sent without one (keeps it) unless
// the user typed a replacement.
import type { EdgeBody, EdgeRules, RedirectStatus } from "./types";

export interface RedirectRow { key: string; path: string; to: string; status: RedirectStatus }
export interface HeaderRow { key: string; name: string; value: string }
export interface UserRow { key: string; username: string; hasPassword: boolean; password: string }

export interface EdgeForm {
  redirects: RedirectRow[];
  headersSet: HeaderRow[];
  headersRemove: string; // one name a line
  allowIps: string; // one CIDR or address a line
  users: UserRow[];
  bodyLimit: string;
  bodyUnit: number; // bytes per unit
  maintenance: { enabled: boolean; retryAfter: string; message: string };
}

export const units = [
  { label: "bytes", bytes: 1 },
  { label: "KiB", bytes: 1024 },
  { label: "MiB", bytes: 1024 ** 2 },
  { label: "GiB", bytes: 1024 ** 3 },
] as const;

let nextKey = 0;
export const newKey = () => `row-${++nextKey}`;

/// The largest unit that shows the limit as a whole number (10485760 → 10 MiB).
export function splitBytes(bytes: number): { value: string; unit: number } {
  if (bytes <= 0) return { value: "", unit: 1024 ** 2 };
  const unit = [...units].reverse().find((u) => bytes % u.bytes === 0) ?? units[0];
  return { value: String(bytes / unit.bytes), unit: unit.bytes };
}

export function formOf(rules: EdgeRules): EdgeForm {
  const limit = splitBytes(rules.max_body_bytes ?? 0);
  return {
    redirects: (rules.redirects ?? []).map((r) => ({ key: newKey(), path: r.path, to: r.to, status: r.status ?? 308 })),
    headersSet: Object.entries(rules.headers?.set ?? {}).map(([name, value]) => ({ key: newKey(), name, value })),
    headersRemove: (rules.headers?.remove ?? []).join("\n"),
    allowIps: (rules.allow_ips ?? []).join("\n"),
    users: (rules.basic_auth?.users ?? []).map((u) => ({ key: newKey(), username: u.username, hasPassword: u.has_password === true, password: "" })),
    bodyLimit: limit.value,
    bodyUnit: limit.unit,
    maintenance: {
      enabled: rules.maintenance?.enabled === true,
      retryAfter: String(rules.maintenance?.retry_after_seconds ?? 300),
      message: rules.maintenance?.message ?? "",
    },
  };
}

/// Where each list entry of the body came from, to put the API's errors back on the rows.
export interface BodySources {
  redirects: string[];
  users: string[];
  allowLines: number[]; // 1-based line numbers
  removeLines: number[];
}

function lines(text: string): { values: string[]; lineNumbers: number[] } {
  const values: string[] = [];
  const lineNumbers: number[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() !== "") {
      values.push(line.trim());
      lineNumbers.push(i + 1);
    }
  });
  return { values, lineNumbers };
}

/// The PUT body; rows left wholly empty are dropped (and not counted in the error indexes).
export function bodyOf(form: EdgeForm): { body: EdgeBody; sources: BodySources } {
  const redirects = form.redirects.filter((r) => r.path.trim() !== "" || r.to.trim() !== "");
  const headers = form.headersSet.filter((h) => h.name.trim() !== "" || h.value !== "");
  const users = form.users.filter((u) => u.username.trim() !== "" || u.password !== "");
  const allow = lines(form.allowIps);
  const remove = lines(form.headersRemove);
  const body: EdgeBody = {
    redirects: redirects.map((r) => ({ path: r.path.trim(), to: r.to.trim(), status: r.status })),
    headers: { set: Object.fromEntries(headers.map((h) => [h.name.trim(), h.value])), remove: remove.values },
    allow_ips: allow.values,
    basic_auth: { users: users.map((u) => (u.password !== "" ? { username: u.username.trim(), password: u.password } : { username: u.username.trim() })) },
    max_body_bytes: form.bodyLimit.trim() === "" ? 0 : Math.round(Number(form.bodyLimit) * form.bodyUnit),
    maintenance: {
      enabled: form.maintenance.enabled,
      retry_after_seconds: Number(form.maintenance.retryAfter),
      ...(form.maintenance.message.trim() !== "" && { message: form.maintenance.message }),
    },
  };
  return { body, sources: { redirects: redirects.map((r) => r.key), users: users.map((u) => u.key), allowLines: allow.lineNumbers, removeLines: remove.lineNumbers } };
}

/// Whether the form would change the rules (a typed password always does).
export function isDirty(form: EdgeForm, saved: EdgeRules): boolean {
  return JSON.stringify(bodyOf(form).body) !== JSON.stringify(bodyOf(formOf(saved)).body);
}
