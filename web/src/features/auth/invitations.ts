import { ApiError } from "../../api/errors";

// berthd's invitation link is <public_url>/invite#<token>: the token rides in the fragment, so
// it never reaches a server log. It is kept in sessionStorage while the invitee signs in
// (sign-in returns to plain /invite), and forgotten once used.
const key = "berth.invitation";

export function invitationToken(hash: string): string {
  const fromLink = decodeURIComponent(hash.replace(/^#/, "")).trim();
  if (fromLink) {
    sessionStorage.setItem(key, fromLink);
    return fromLink;
  }
  return sessionStorage.getItem(key) ?? "";
}

export function forgetInvitationToken() {
  sessionStorage.removeItem(key);
}

/// Words for the invitation errors berthd gives, so the user knows what to do next.
export function invitationMessage(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  switch (error.code) {
    case "invitation_used":
      return "This invitation was already used. If it was not you, ask the team for a new one.";
    case "invitation_expired":
      return "This invitation has expired. Ask the team for a new one.";
    case "not_found":
      return "This invitation is not valid: it may have been withdrawn. Ask the team for a new one.";
    case "invitation_email_mismatch":
      return "This invitation is for another email address. Sign out, then sign in with the invited account (or create it).";
    case "account_exists":
      return "An account with the invited email already exists. Sign in to accept the invitation.";
  }
  return null;
}
