// Turning two-factor sign-in on: berthd makes a secret, the user adds it to an app (QR code or
// typed key) and proves it with a first code; berthd answers with the recovery codes.
import { useState, type FormEvent } from "react";
import { api, call } from "../../api/client";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { CopyButton } from "../../components/CopyButton";
import { TotpQrCode } from "./TotpQrCode";

interface Secret {
  secret: string;
  otpauth_uri: string;
}

/// "JBSWY3DPEHPK3PXP" as "JBSW Y3DP EHPK 3PXP": easier to type from the screen.
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

export function TotpEnrolment({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const [secret, setSecret] = useState<Secret | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const made = await call(api.POST("/api/v1/me/totp"));
      setSecret({ secret: made.secret ?? "", otpauth_uri: made.otpauth_uri ?? "" });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const done = await call(api.POST("/api/v1/me/totp/confirm", { body: { code } }));
      onEnabled(done.recovery_codes ?? []);
    } catch (failure) {
      setError(failure);
      setCode("");
      setBusy(false);
    }
  };

  // The unconfirmed secret is simply abandoned; starting again makes a new one.
  const cancel = () => {
    setSecret(null);
    setCode("");
    setError(null);
  };

  if (!secret) {
    return (
      <section className="card account-section" aria-labelledby="totp-heading">
        <h2 id="totp-heading">Two-factor sign-in is off</h2>
        <p className="muted">
          With it on, signing in also asks for a code from an authenticator app on your phone, so a stolen
          password alone is not enough.
        </p>
        <ErrorText error={error} />
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void start()}>
          {busy ? "Preparing…" : "Set up two-factor sign-in"}
        </button>
      </section>
    );
  }

  return (
    <section className="card account-section" aria-labelledby="totp-heading">
      <h2 id="totp-heading">Set up two-factor sign-in</h2>
      <div className="totp-setup">
        <TotpQrCode uri={secret.otpauth_uri} />
        <div>
          <p>1. Scan the code with an authenticator app, or enter this key by hand:</p>
          <p className="mono totp-secret" aria-label="Setup key">
            {groupSecret(secret.secret)}
          </p>
          <CopyButton text={secret.secret} label="Copy key" />
        </div>
      </div>
      <form onSubmit={confirm}>
        <Field
          label="2. Enter the 6-digit code the app shows"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          value={code}
          onChange={(e) => setCode(e.target.value.replace(/\s/g, ""))}
        />
        <ErrorText error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || code.length !== 6}>
            {busy ? "Checking…" : "Turn on"}
          </button>
          <button type="button" className="btn btn-ghost" onClick={cancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
