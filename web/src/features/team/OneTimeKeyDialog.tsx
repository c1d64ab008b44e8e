import { CopyButton } from "../../components/CopyButton";
import { Dialog } from "../../components/Dialog";
import type { CreatedKey } from "./types";

/// The raw API key, shown once: berthd keeps only its hash, so closing this dialog loses it.
export function OneTimeKeyDialog({ created, onClose }: { created: CreatedKey | null; onClose: () => void }) {
  const raw = created?.raw_key ?? "";
  return (
    <Dialog open={created !== null} onOpenChange={(open) => !open && onClose()} title={`API key ${created?.api_key?.name ?? ""} created`}>
      <p className="notice" role="note">
        <strong>Copy it now — you will not see it again.</strong> Berth stores only a hash of the key.
      </p>
      <div className="secret-box">
        <code aria-label="New API key">{raw}</code>
        <CopyButton text={raw} label="Copy key" />
      </div>
      <p className="muted">
        Role {created?.api_key?.role}
        {created?.api_key?.expires_at ? `, expires ${new Date(created.api_key.expires_at).toLocaleString()}` : ", never expires"}.
        {created?.expiry_capped && " Its expiry was capped to the expiry of the key that created it."} Use it as{" "}
        <code>Authorization: Bearer {"<key>"}</code>.
      </p>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          I have copied it
        </button>
      </div>
    </Dialog>
  );
}
