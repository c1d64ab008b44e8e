// Confirms an email address with the token from the verification email
// (<public_url>/verify-email?token=...). It sends the token once, on arrival.
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { ApiError } from "../../api/errors";
import { ErrorText } from "../../components/ErrorText";
import { AuthCard } from "./AuthCard";
import { verifyEmail } from "./publicApi";
import { signInMessage } from "./signInErrors";

type State = { kind: "working" } | { kind: "done" } | { kind: "failed"; error: unknown };

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [state, setState] = useState<State>({ kind: "working" });
  const sent = useRef(false);

  useEffect(() => {
    // Once only: React's development double-run must not spend a one-time token twice.
    if (!token || sent.current) return;
    sent.current = true;
    verifyEmail(token).then(
      () => setState({ kind: "done" }),
      (error: unknown) => setState({ kind: "failed", error }),
    );
  }, [token]);

  if (!token) {
    return (
      <AuthCard title="Verification link incomplete">
        <p>This page needs the whole link from the email. Copy it again.</p>
        <Link to="/signin">Go to sign in</Link>
      </AuthCard>
    );
  }
  if (state.kind === "working") {
    return (
      <AuthCard title="Verifying your email…">
        <p className="muted" aria-busy="true">
          One moment.
        </p>
      </AuthCard>
    );
  }
  if (state.kind === "done") {
    return (
      <AuthCard title="Email verified">
        <p role="status">Thank you; your address is confirmed.</p>
        <Link to="/servers">Continue to Berth</Link>
      </AuthCard>
    );
  }
  const invalid = state.error instanceof ApiError && state.error.code === "invalid_token";
  return (
    <AuthCard title="Could not verify">
      <ErrorText>
        {invalid ? "This link is not valid any more: it was used or it expired." : signInMessage(state.error)}
      </ErrorText>
      <Link to="/signin">Go to sign in</Link>
    </AuthCard>
  );
}
