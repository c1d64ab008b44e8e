// First run: the setup token (printed by berthd on its first start, and kept in the data
// directory) proves the person at the browser runs this machine; it creates the administrator.
import { useState, type FormEvent } from "react";
import { Navigate, useNavigate } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useAuthState } from "../../auth/RequireAuth";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { AuthCard } from "./AuthCard";

/// berthd prints the first-run link as /setup#<token>: the fragment never reaches a server or
/// its logs. Read once, then taken out of the address bar.
function tokenFromFragment(): string {
  const token = decodeURIComponent(window.location.hash.replace(/^#/, ""));
  if (token) window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  return token;
}

export function SetupPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { signedIn } = useAuth();
  const [form, setForm] = useState(() => ({ setup_token: tokenFromFragment(), display_name: "", email: "", password: "" }));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const state = useAuthState();
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await call(api.POST("/api/v1/auth/setup", { body: form }));
      await queryClient.invalidateQueries({ queryKey: ["auth-state"] });
      await signedIn(result.csrf_token ?? "");
      navigate("/servers", { replace: true });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  // Set up already (by someone else, or in another tab): there is nothing to do here.
  if (state.data && !state.data.needs_setup && !busy) return <Navigate to="/signin" replace />;

  return (
    <AuthCard title="Set up Berth">
      <p className="muted">
        Create the administrator. berthd prints the setup token (and a link that fills it in) on
        its first start; it is also in the file <code>setup-token</code> of its data directory.
      </p>
      <form onSubmit={submit}>
        <Field label="Setup token" autoComplete="off" required value={form.setup_token} onChange={set("setup_token")} />
        <Field label="Your name" autoComplete="name" required value={form.display_name} onChange={set("display_name")} />
        <Field label="Email" type="email" autoComplete="username" required value={form.email} onChange={set("email")} />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          hint="At least 12 characters."
          value={form.password}
          onChange={set("password")}
        />
        <ErrorText error={error} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create administrator"}
        </button>
      </form>
    </AuthCard>
  );
}
