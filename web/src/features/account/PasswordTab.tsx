// Change your password. berthd signs out every other session; this one stays.
import { useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { NewPasswordFields } from "../auth/NewPasswordFields";
import { newPasswordProblem } from "../auth/passwordRules";
import { signInMessage } from "../auth/signInErrors";
import { sessionsKey } from "./keys";

export function PasswordTab() {
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeated, setRepeated] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const found = newPasswordProblem(next, repeated);
    setProblem(found);
    if (found) return;
    setBusy(true);
    try {
      await call(api.POST("/api/v1/me/password", { body: { current, next } }));
      setCurrent("");
      setNext("");
      setRepeated("");
      toast("Password changed. Your other sessions were signed out.");
      await queryClient.invalidateQueries({ queryKey: sessionsKey(user?.id) });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card account-section" aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      <p className="muted">Changing it signs you out everywhere else.</p>
      <form onSubmit={submit} noValidate>
        {/* Lets password managers pair the new password with the account. */}
        <input type="text" autoComplete="username" value={user?.email ?? ""} readOnly hidden />
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <NewPasswordFields password={next} repeated={repeated} onPassword={setNext} onRepeated={setRepeated} />
        {problem && <ErrorText>{problem}</ErrorText>}
        {error !== null && <ErrorText>{signInMessage(error)}</ErrorText>}
        <button type="submit" className="btn btn-primary" disabled={busy || current === ""}>
          {busy ? "Changing…" : "Change password"}
        </button>
      </form>
    </section>
  );
}
