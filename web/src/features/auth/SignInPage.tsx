// Sign in: email and password, then the TOTP step when berthd answers `totp_required` (a code
// from the app or a recovery code, both accepted in the same field). Afterwards back to the page
// the user was sent from. Someone already signed in skips the form.
import { useEffect, useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/errors";
import { session } from "../../api/session";
import { useAuth } from "../../auth/AuthContext";
import { useAuthState } from "../../auth/RequireAuth";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { AuthCard } from "./AuthCard";
import { retryAfterSeconds, signInMessage } from "./signInErrors";

/// Only same-site paths: a `next` of "//evil.example" or "https://..." goes home instead.
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/servers";
  return next;
}

/// A message another page leaves for sign-in (e.g. "your password is set").
export interface SignInNotice {
  notice?: string;
}

export function SignInPage() {
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const { signedIn } = useAuth();
  const state = useAuthState();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [blockedUntil, setBlockedUntil] = useState<number | null>(null);
  const next = safeNext(params.get("next"));
  const notice = (location.state as SignInNotice | null)?.notice;

  // A lockout disables the button until berthd would listen again.
  useEffect(() => {
    if (blockedUntil === null) return;
    const timer = setTimeout(() => setBlockedUntil(null), Math.max(0, blockedUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [blockedUntil]);

  if (state.data?.needs_setup) return <Navigate to="/setup" replace />;
  if (state.data?.authenticated && session.csrf() !== null) return <Navigate to={next} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = needsTotp ? { email, password, totp } : { email, password };
      const result = await call(api.POST("/api/v1/auth/login", { body }));
      await signedIn(result.csrf_token ?? "");
      navigate(next, { replace: true });
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "totp_required") {
        setNeedsTotp(true);
      } else {
        if (failure instanceof ApiError && failure.code === "invalid_totp") setTotp("");
        const wait = retryAfterSeconds(failure);
        if (wait !== null) setBlockedUntil(Date.now() + wait * 1000);
        setError(failure);
      }
    } finally {
      setBusy(false);
    }
  };

  const back = () => {
    setNeedsTotp(false);
    setTotp("");
    setError(null);
  };

  return (
    <AuthCard title={needsTotp ? "Two-factor code" : "Sign in"}>
      {notice && !needsTotp && (
        <div className="notice" role="status">
          {notice}
        </div>
      )}
      <form onSubmit={submit}>
        {!needsTotp ? (
          <>
            <Field label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            <Field
              label="Password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </>
        ) : (
          <>
            <p className="muted">
              Enter the 6-digit code from your authenticator app for <strong>{email}</strong>. Lost the
              app? Use one of your recovery codes instead; each works once.
            </p>
            <Field
              label="Code or recovery code"
              autoComplete="one-time-code"
              inputMode="text"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={32}
              autoFocus
              required
              value={totp}
              onChange={(e) => setTotp(e.target.value.trim())}
            />
          </>
        )}
        {error !== null && <ErrorText>{signInMessage(error)}</ErrorText>}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || blockedUntil !== null}>
            {busy ? "Signing in…" : needsTotp ? "Verify" : "Sign in"}
          </button>
          {needsTotp ? (
            <button type="button" className="btn btn-ghost" onClick={back}>
              Use another account
            </button>
          ) : (
            <Link to="/forgot-password">Forgot password?</Link>
          )}
        </div>
      </form>
    </AuthCard>
  );
}
