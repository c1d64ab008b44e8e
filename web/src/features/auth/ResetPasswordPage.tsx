// Sets a new password with the token from a reset email or an administrator's reset link
// (<public_url>/reset-password?token=...), then sends the user to sign in with it.
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { ApiError } from "../../api/errors";
import { ErrorText } from "../../components/ErrorText";
import { AuthCard } from "./AuthCard";
import { NewPasswordFields } from "./NewPasswordFields";
import { newPasswordProblem } from "./passwordRules";
import { confirmPasswordReset } from "./publicApi";
import { signInMessage } from "./signInErrors";
import type { SignInNotice } from "./SignInPage";

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [repeated, setRepeated] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (!token) {
    return (
      <AuthCard title="Reset link incomplete">
        <p>This page needs the whole link from the email. Copy it again, or ask for a new one.</p>
        <Link to="/forgot-password">Ask for a new link</Link>
      </AuthCard>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const found = newPasswordProblem(password, repeated);
    setProblem(found);
    if (found) return;
    setBusy(true);
    try {
      await confirmPasswordReset(token, password);
      const state: SignInNotice = { notice: "Your new password is set. Sign in with it." };
      navigate("/signin", { replace: true, state });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  const invalidToken = error instanceof ApiError && error.code === "invalid_token";
  return (
    <AuthCard title="Choose a new password">
      <form onSubmit={submit} noValidate>
        <NewPasswordFields password={password} repeated={repeated} onPassword={setPassword} onRepeated={setRepeated} />
        {problem && <ErrorText>{problem}</ErrorText>}
        {invalidToken ? (
          <ErrorText>
            This link is not valid any more: it was used, it expired, or it was replaced by a newer one.{" "}
            <Link to="/forgot-password">Ask for a new link</Link>.
          </ErrorText>
        ) : (
          error !== null && <ErrorText>{signInMessage(error)}</ErrorText>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Saving…" : "Set password"}
          </button>
          <Link to="/signin">Back to sign in</Link>
        </div>
      </form>
    </AuthCard>
  );
}
