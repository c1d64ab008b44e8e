// Asks berthd to email a reset link. The answer is the same whether or not the address has an
// account (berthd answers 202 either way), so this page cannot be used to find out who is here.
import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { ApiError } from "../../api/errors";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { AuthCard } from "./AuthCard";
import { requestPasswordReset } from "./publicApi";
import { signInMessage } from "./signInErrors";

type Outcome = "sent" | "no_mail" | null;

export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await requestPasswordReset(email.trim());
      setOutcome("sent");
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "mail_not_configured") setOutcome("no_mail");
      else setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (outcome === "sent") {
    return (
      <AuthCard title="Check your email">
        <p role="status">
          If <strong>{email.trim()}</strong> has an account here, a link to set a new password is on
          its way. It works once and expires soon.
        </p>
        <p className="muted">No email after a few minutes? Look in the spam folder, or ask an administrator for a reset link.</p>
        <Link to="/signin">Back to sign in</Link>
      </AuthCard>
    );
  }

  if (outcome === "no_mail") {
    return (
      <AuthCard title="Ask an administrator">
        <p role="status">
          This Berth cannot send email. Ask an administrator for a reset link; they can make one for
          your account from the administration pages.
        </p>
        <p className="muted">
          The last administrator locked out can set a new password on the server itself with{" "}
          <code>berthd reset-password</code>.
        </p>
        <Link to="/signin">Back to sign in</Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Reset your password">
      <p className="muted">Enter the email you sign in with; we send a link to set a new password.</p>
      <form onSubmit={submit}>
        <Field label="Email" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        {error !== null && <ErrorText>{signInMessage(error)}</ErrorText>}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Sending…" : "Send reset link"}
          </button>
          <Link to="/signin">Back to sign in</Link>
        </div>
      </form>
    </AuthCard>
  );
}
