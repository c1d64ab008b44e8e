import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { CopyButton } from "../../components/CopyButton";
import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { teamKeys } from "./queries";
import { invitableRoles } from "./teamRules";
import type { InviteResult } from "./types";
import { FormActions } from "../../components/FormActions";
import { useSubmit } from "../../components/useSubmit";

/// Invite by email with a role. When berthd has no mail set up it answers with the link
/// (once): the dialog then turns into "send this link yourself" with a copy button.
export function InviteDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { teamId, role } = useAuth();
  const roles = invitableRoles(role);
  const queryClient = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState("");
  const [picked, setPicked] = useState<"viewer" | "member" | "admin">("member");
  const { busy, error, setError, submit } = useSubmit(async () => {
    const answer = await call(
      api.POST("/api/v1/teams/{id}/invitations", {
        params: { path: { id: teamId! } },
        body: { email: email.trim(), role: picked },
      }),
    );
    setResult(answer);
    toast(`Invitation for ${email.trim()} created`);
    await queryClient.invalidateQueries({ queryKey: teamKeys.invitations(teamId) });
  });
  const [result, setResult] = useState<InviteResult | null>(null);
  const close = (next: boolean) => {
    if (!next) {
      setEmail("");
      setError(null);
      setResult(null);
    }
    onOpenChange(next);
  };

  if (result) {
    const link = result.invite_url ?? result.token ?? "";
    const byMail = result.delivered === "email";
    return (
      <Dialog open={open} onOpenChange={close} title={byMail ? "Invitation sent" : "Send this invitation link"}>
        {byMail ? (
          <p>
            {result.invitation?.email} got an email with the link. It works for 7 days.
          </p>
        ) : (
          <>
            <p>
              Mail is not set up on this Berth, so send this link to <strong>{result.invitation?.email}</strong> yourself.
              It is shown only now; it works once, for 7 days.
            </p>
            <div className="secret-box">
              <code aria-label={result.invite_url ? "Invitation link" : "Invitation token"}>{link}</code>
              <CopyButton text={link} label={result.invite_url ? "Copy link" : "Copy token"} />
            </div>
          </>
        )}
        <div className="form-actions">
          <button type="button" className="btn btn-primary" onClick={() => close(false)}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog open={open} onOpenChange={close} title="Invite someone" description="They join this team with the role you pick.">
      <form
        onSubmit={submit}
      >
        <Field label="Email" type="email" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" className="input" value={picked} onChange={(e) => setPicked(e.target.value as typeof picked)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <FormActions error={error} label="Send invitation" busy={busy} busyLabel="Inviting…" disabled={email.trim() === ""} onCancel={() => close(false)} />
      </form>
    </Dialog>
  );
}
