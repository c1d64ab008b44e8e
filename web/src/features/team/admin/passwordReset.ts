// POST /api/v1/admin/users/{id}/password-reset → {url, expires_at}: a one-time link an instance
// administrator hands to a locked-out user. The route is being added to berthd on another branch
// and is not in docs/openapi.json (so not in schema.d.ts) yet; until it lands this is a plain
// fetch with the same headers and error envelope as the typed client.
// TODO: move to `call(api.POST("/api/v1/admin/users/{id}/password-reset", ...))` when the route
// is in schema.d.ts, and delete this file.
import { apiHeaders } from "../../../api/session";
import { toApiError } from "../../../api/errors";

export interface PasswordResetLink {
  url: string;
  expires_at: string;
}

export async function createPasswordResetLink(userId: string): Promise<PasswordResetLink> {
  let response: Response;
  try {
    response = await globalThis.fetch(`/api/v1/admin/users/${encodeURIComponent(userId)}/password-reset`, {
      method: "POST",
      credentials: "same-origin",
      // No body, like the other action routes (POST /auth/logout, /servers/{id}/cordon).
      headers: apiHeaders("POST"),
    });
  } catch (cause) {
    throw toApiError(0, cause);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw toApiError(response.status, body);
  return body as PasswordResetLink;
}
