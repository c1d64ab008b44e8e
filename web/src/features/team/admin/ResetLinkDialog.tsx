import { useState } from "react";
import { CopyButton } from "../../../components/CopyButton";
import { Dialog } from "../../../components/Dialog";
import { ErrorText } from "../../../components/ErrorText";
import type { AdminUser } from "../types";
import { createPasswordResetLink, type PasswordResetLink } from "./passwordReset";

/// Asks before minting a reset link (it lets whoever holds it set the password), then shows
/// it once with a copy button.
export function ResetLinkDialog({ user, onClose }: { user: AdminUser | null; onClose: () => void }) {
  const [link, setLink] = useState<PasswordResetLink | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setLink(null);
    setError(null);
    onClose();
  };
  const who = user ? `${user.display_name} (${user.email})` : "";
  return (
    <Dialog open={user !== null} onOpenChange={(open) => !open && close()} title={link ? "Password reset link" : `Reset link for ${user?.display_name ?? ""}?`}>
      {link ? (
        <>
          <p className="notice" role="note">
            <strong>Shown only now.</strong> Send it to {who} over a channel you trust; it works once, until{" "}
            {new Date(link.expires_at).toLocaleString()}.
          </p>
          <div className="secret-box">
            <code aria-label="Password reset link">{link.url}</code>
            <CopyButton text={link.url} label="Copy link" />
          </div>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" onClick={close}>
              Done
            </button>
          </div>
        </>
      ) : (
        <>
          <p>Whoever opens the link can set a new password for {who}. Create one only for its owner.</p>
          <div className="team-wrap">
            <ErrorText error={error} />
          </div>
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                setError(null);
                try {
                  setLink(await createPasswordResetLink(user!.id!));
                } catch (failure) {
                  setError(failure);
                } finally {
                  setBusy(false);
                }
              }}
            >
              {busy ? "Creating…" : "Create reset link"}
            </button>
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
