// Account-recovery calls (password reset, email verification) whose routes berthd does not
// publish yet, so schema.d.ts cannot type them. This helper behaves like `call` — the parsed
// body on success, an ApiError from the error envelope otherwise — and these functions move to
// the typed client (`call(api.POST(...))`) once the routes are in docs/openapi.json.
import { toApiError } from "../../api/errors";
import { apiHeaders } from "../../api/session";

async function postJson<T>(path: string, body: unknown): Promise<T | undefined> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", ...apiHeaders("POST") },
      body: JSON.stringify(body),
    });
  } catch (cause) {
    throw toApiError(0, cause);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!response.ok) throw toApiError(response.status, parsed);
  return parsed as T | undefined;
}

/// 202 whether or not the address has an account; `mail_not_configured` without SMTP.
export function requestPasswordReset(email: string) {
  return postJson<void>("/api/v1/auth/password-reset", { email });
}

/// Sets the new password with the token from the email (or an administrator's link).
export function confirmPasswordReset(token: string, password: string) {
  return postJson<void>("/api/v1/auth/password-reset/confirm", { token, password });
}

export function verifyEmail(token: string) {
  return postJson<void>("/api/v1/auth/verify-email", { token });
}
