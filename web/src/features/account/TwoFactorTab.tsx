// Two-factor sign-in: set it up, replace the recovery codes, or turn it off. Recovery codes
// from either path are shown once, before anything else.
import { useState, type FormEvent } from "react";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { signInMessage } from "../auth/signInErrors";
import { RecoveryCodes } from "./RecoveryCodes";
import { TotpEnrolment } from "./TotpEnrolment";

export function TwoFactorTab() {
  const { user, refresh } = useAuth();
  const toast = useToast();
  const [codes, setCodes] = useState<string[] | null>(null);

  if (codes) return <RecoveryCodes codes={codes} email={user?.email} onDone={() => setCodes(null)} />;
  if (!user?.totp_enabled) {
    return (
      <TotpEnrolment
        onEnabled={(issued) => {
          setCodes(issued);
          toast("Two-factor sign-in is on.");
          void refresh();
        }}
      />
    );
  }
  return (
    <>
      <section className="card account-section" aria-labelledby="totp-on-heading">
        <h2 id="totp-on-heading">Two-factor sign-in is on</h2>
        <p className="muted" style={{ marginBottom: 0 }}>
          Signing in asks for a code from your authenticator app, or one of your recovery codes.
        </p>
      </section>
      <NewRecoveryCodes onCodes={setCodes} />
      <TurnOff />
    </>
  );
}

function CodeField({ value, onChange, label }: { value: string; onChange: (value: string) => void; label: string }) {
  return (
    <Field
      label={label}
      hint="A 6-digit code from your app, or an unused recovery code."
      autoComplete="one-time-code"
      spellCheck={false}
      maxLength={32}
      required
      value={value}
      onChange={(e) => onChange(e.target.value.trim())}
    />
  );
}

function NewRecoveryCodes({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const toast = useToast();
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await call(api.POST("/api/v1/me/totp/recovery-codes", { body: { code } }));
      toast("New recovery codes made; the old ones no longer work.");
      onCodes(made.recovery_codes ?? []);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <section className="card account-section" aria-labelledby="codes-heading">
      <h2 id="codes-heading">Recovery codes</h2>
      <p className="muted">Used some, or lost the sheet? Make ten new ones; the old ones stop working.</p>
      <form onSubmit={submit}>
        <CodeField label="Code to confirm" value={code} onChange={setCode} />
        {error !== null && <ErrorText>{signInMessage(error)}</ErrorText>}
        <button type="submit" className="btn" disabled={busy || code === ""}>
          {busy ? "Making…" : "Make new recovery codes"}
        </button>
      </form>
    </section>
  );
}

function TurnOff() {
  const { refresh } = useAuth();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call(api.POST("/api/v1/me/totp/disable", { body: { password, code } }));
      toast("Two-factor sign-in is off.");
      await refresh();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <section className="card account-section" aria-labelledby="totp-off-heading">
      <h2 id="totp-off-heading">Turn off two-factor sign-in</h2>
      {!open ? (
        <>
          <p className="muted">Your account is then protected by the password alone, and your recovery codes are deleted.</p>
          <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
            Turn off…
          </button>
        </>
      ) : (
        <form onSubmit={submit}>
          <p>To turn off two-factor sign-in for your account, confirm with your password and a code.</p>
          <Field label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <CodeField label="Code" value={code} onChange={setCode} />
          {error !== null && <ErrorText>{signInMessage(error)}</ErrorText>}
          <div className="form-actions">
            <button type="submit" className="btn btn-danger" disabled={busy || password === "" || code === ""}>
              {busy ? "Turning off…" : "Turn off two-factor sign-in"}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
