// What the sign-in pages say for berthd's sign-in errors. Lockouts and rate limits carry
// details.retry_after_seconds, so the user learns how long to wait instead of retrying blindly.
import { ApiError, messageOf } from "../../api/errors";

/// "45 seconds", "3 minutes", "2 hours": rounded up, so the user never comes back too early.
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return s === 1 ? "1 second" : `${s} seconds`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);
  return hours === 1 ? "1 hour" : `${hours} hours`;
}

/// Seconds to wait before trying again, when berthd said so.
export function retryAfterSeconds(error: unknown): number | null {
  if (!(error instanceof ApiError)) return null;
  const value = error.details.retry_after_seconds;
  return typeof value === "number" && value > 0 ? value : null;
}

/// The sentence to show for a failed sign-in (or any public form).
export function signInMessage(error: unknown): string {
  const wait = retryAfterSeconds(error);
  if (error instanceof ApiError) {
    switch (error.code) {
      case "account_locked":
        return `Too many failed sign-ins. Try again in ${formatWait(wait ?? 60)}.`;
      case "rate_limited":
        return `Too many attempts from here. Try again in ${formatWait(wait ?? 60)}.`;
      case "invalid_credentials":
        return "The email or password is not correct.";
      case "invalid_totp":
        return "That code is not valid. Use the current code from your app, or an unused recovery code.";
      case "account_disabled":
        return "This account is deactivated. Ask an administrator to reactivate it.";
    }
  }
  return messageOf(error);
}
