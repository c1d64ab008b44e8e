// Account-recovery calls made before anyone is signed in. They go through the typed client
// like every other call; they live here so the sign-in bundle does not pull in a feature's page.
import { api, call } from "../../api/client";

/// 202 whether or not the address has an account; `mail_not_configured` without SMTP.
export function requestPasswordReset(email: string) {
  return call(api.POST("/api/v1/auth/password-reset", { body: { email } }));
}

/// Sets the new password with the token from the email (or an administrator's link).
export function confirmPasswordReset(token: string, password: string) {
  return call(api.POST("/api/v1/auth/password-reset/confirm", { body: { token, password } }));
}
