// Sign in: email and password, then the TOTP step when the account has one (a code from the
// app or a recovery code). Afterwards back to the page the user was sent from.
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { api, call } from "../../api/client";
import { ApiError } from "../../api/errors";
import { useAuth } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { AuthCard } from "./AuthCard";

/// Only same-site paths: a `next` of "//evil.example" or "https://..." goes home instead.
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/servers";
  return next;
}

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { signedIn } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = needsTotp ? { email, password, totp } : { email, password };
      const result = await call(api.POST("/api/v1/auth/login", { body }));
      await signedIn(result.csrf_token ?? "");
      navigate(safeNext(params.get("next")), { replace: true });
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "totp_required") {
        setNeedsTotp(true);
      } else {
        setError(failure);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={needsTotp ? "Two-factor code" : "Sign in"}>
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
          <Field
            label="Code from your authenticator app, or a recovery code"
            autoComplete="one-time-code"
            inputMode="text"
            autoFocus
            required
            value={totp}
            onChange={(e) => setTotp(e.target.value.trim())}
          />
        )}
        <ErrorText error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? "Signing in…" : needsTotp ? "Verify" : "Sign in"}
          </button>
          <Link to="/forgot-password">Forgot password?</Link>
        </div>
      </form>
    </AuthCard>
  );
}
