// POST /api/v1/admin/users/{id}/password-reset → {url, expires_at}: a one-time link an instance
// administrator hands to a locked-out user (for instances without mail).
import { api, call } from "../../../api/client";

export interface PasswordResetLink {
  url: string;
  expires_at: string;
}

export async function createPasswordResetLink(userId: string): Promise<PasswordResetLink> {
  return call(api.POST("/api/v1/admin/users/{id}/password-reset", { params: { path: { id: userId } } }));
}
