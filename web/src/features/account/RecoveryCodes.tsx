// Recovery codes, shown once: berthd keeps only their hashes. Copy or download them, then
// confirm they are saved; the page never shows them again.
import { Download } from "lucide-react";
import { CopyButton } from "../../components/CopyButton";

export function recoveryCodesText(codes: string[], email: string | undefined): string {
  return [
    `Berth recovery codes${email ? ` for ${email}` : ""}`,
    "Each code signs you in once in place of a two-factor code. Keep them somewhere safe.",
    "",
    ...codes,
    "",
  ].join("\n");
}

function download(text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "berth-recovery-codes.txt";
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export function RecoveryCodes({ codes, email, onDone }: { codes: string[]; email?: string; onDone: () => void }) {
  const text = recoveryCodesText(codes, email);
  return (
    <section className="card account-section" aria-labelledby="recovery-heading">
      <h2 id="recovery-heading">Save your recovery codes</h2>
      <p>
        If you lose your authenticator app, each of these codes signs you in once. <strong>This is the only time
        they are shown.</strong> Any earlier codes no longer work.
      </p>
      <ol className="recovery-codes mono" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="form-actions">
        <CopyButton text={codes.join("\n")} label="Copy codes" />
        <button type="button" className="btn btn-sm" onClick={() => download(text)}>
          <Download size={14} aria-hidden /> Download as text
        </button>
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </section>
  );
}
