// A new account from an invitation: berthd creates it with the invited email and adds it to
// the team; then we sign in with that email and the password just chosen.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/errors";
import { useAuth } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { forgetInvitationToken, invitationMessage } from "./invitations";
import { NewPasswordFields } from "./NewPasswordFields";
import { newPasswordProblem } from "./passwordRules";
import type { SignInNotice } from "./SignInPage";
import { signInMessage } from "./signInErrors";

export function RegisterWithInvitation({ token }: { token: string }) {
  const navigate = useNavigate();
  const toast = useToast();
  const { signedIn, switchTeam } = useAuth();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [repeated, setRepeated] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const found = newPasswordProblem(password, repeated);
    setProblem(found);
    if (found) return;
    setBusy(true);
    let registered;
    try {
      registered = await call(
        api.POST("/api/v1/invitations/register", { body: { token, password, display_name: name.trim() } }),
      );
      forgetInvitationToken();
    } catch (failure) {
      setError(failure);
      setBusy(false);
      return;
    }
    const email = registered.user?.email ?? "";
    try {
      const login = await call(api.POST("/api/v1/auth/login", { body: { email, password } }));
      await signedIn(login.csrf_token ?? "");
      toast(`Welcome! You joined ${registered.team?.name ?? "the team"}.`);
      if (registered.team?.id) switchTeam(registered.team.id);
      else navigate("/servers", { replace: true });
    } catch {
      // The account exists either way; signing in by hand is the fallback.
      const state: SignInNotice = { notice: `Your account ${email} is ready. Sign in to continue.` };
      navigate("/signin", { replace: true, state });
    }
  };

  const accountExists = error instanceof ApiError && error.code === "account_exists";
  const known = invitationMessage(error);
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Your name" autoComplete="name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      <NewPasswordFields label="Password" password={password} repeated={repeated} onPassword={setPassword} onRepeated={setRepeated} />
      {problem && <ErrorText>{problem}</ErrorText>}
      {error !== null && (
        <ErrorText>
          {known ?? signInMessage(error)}
          {accountExists && (
            <>
              {" "}
              <Link to={`/signin?next=${encodeURIComponent("/invite")}`}>Sign in</Link>
            </>
          )}
        </ErrorText>
      )}
      <button type="submit" className="btn btn-primary" disabled={busy || name.trim() === ""}>
        {busy ? "Creating account…" : "Create account and join"}
      </button>
    </form>
  );
}
