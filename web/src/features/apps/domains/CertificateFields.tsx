// The custom certificate's chain and key (PEM): pasted, or read from a file the user picks.
// The key never comes back from the API, so an existing certificate is only ever replaced.
import { useId } from "react";
import { describedBy, FieldError } from "./FieldError";

export function CertificateFields({
  chain,
  keyPem,
  onChange,
  replacing,
  chainError,
  keyError,
}: {
  chain: string;
  keyPem: string;
  onChange: (next: { chain?: string; key?: string }) => void;
  replacing: boolean;
  chainError: string | null;
  keyError: string | null;
}) {
  return (
    <fieldset className="cert-fields">
      <legend>Certificate{replacing ? " (leave empty to keep the current one)" : ""}</legend>
      <PemField
        label="Certificate chain (PEM: the certificate, then intermediates)"
        placeholder="-----BEGIN CERTIFICATE-----"
        value={chain}
        error={chainError}
        onChange={(chain) => onChange({ chain })}
      />
      <PemField
        label="Private key (PEM, not encrypted)"
        placeholder="-----BEGIN PRIVATE KEY-----"
        value={keyPem}
        error={keyError}
        onChange={(key) => onChange({ key })}
        hint="Sealed at rest and never shown again."
      />
    </fieldset>
  );
}

function PemField({ label, placeholder, value, error, onChange, hint }: { label: string; placeholder: string; value: string; error: string | null; onChange: (v: string) => void; hint?: string }) {
  const id = useId();
  const fileId = `${id}-file`;
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="input" rows={4} spellCheck={false} placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} {...describedBy(hintId, `${id}-error`, error)} />
      <span className="row">
        <label htmlFor={fileId} className="muted">
          Or read it from a file<span className="sr-only">: {label}</span>
        </label>
        <input
          id={fileId}
          type="file"
          accept=".pem,.crt,.cer,.key,text/plain"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (file) onChange(await file.text());
          }}
        />
      </span>
      {hint && <span id={hintId} className="hint">{hint}</span>}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
