import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import type { TeamRole } from "../../auth/roles";
import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { expiresAt, expiryChoices, type ExpiryChoice } from "./keyExpiry";
import { teamKeys } from "./queries";
import { keyRoles } from "./teamRules";
import type { CreatedKey } from "./types";
import { FormActions } from "../../components/FormActions";
import { useSubmit } from "../../components/useSubmit";

/// Name, role (up to one's own) and lifetime of a new key; hands the answer (with the raw key) on.
export function NewKeyDialog({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (created: CreatedKey) => void;
}) {
  const { teamId, role } = useAuth();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState("");
  const [picked, setPicked] = useState<TeamRole>("viewer");
  const [expiry, setExpiry] = useState<ExpiryChoice>("90");
  const [date, setDate] = useState("");
  const { busy, error, setError, submit } = useSubmit(async () => {
    const when = expiresAt(expiry, date);
    const created = await call(
      api.POST("/api/v1/api-keys", { body: { name: name.trim(), role: picked, ...(when ? { expires_at: when } : {}) } }),
    );
    toast(`API key ${created.api_key?.name ?? name} created`);
    await queryClient.invalidateQueries({ queryKey: teamKeys.apiKeys(teamId) });
    close(false);
    onCreated(created);
  });
  const close = (next: boolean) => {
    if (!next) {
      setName("");
      setError(null);
    }
    onOpenChange(next);
  };
  return (
    <Dialog open={open} onOpenChange={close} title="Create an API key" description="For scripts and CI; it acts in this team only.">
      <form
        onSubmit={submit}
      >
        <Field label="Name" required maxLength={63} value={name} hint="What uses it, e.g. “GitHub Actions”" onChange={(e) => setName(e.target.value)} autoFocus />
        <div className="field">
          <label htmlFor="key-role">Role</label>
          <select id="key-role" className="input" value={picked} onChange={(e) => setPicked(e.target.value as TeamRole)}>
            {keyRoles(role).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <span className="hint">A key never acts above your own role.</span>
        </div>
        <div className="field">
          <label htmlFor="key-expiry">Expires</label>
          <select id="key-expiry" className="input" value={expiry} onChange={(e) => setExpiry(e.target.value as ExpiryChoice)}>
            {expiryChoices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        {expiry === "custom" && <Field label="Expiry date" type="date" required value={date} onChange={(e) => setDate(e.target.value)} />}
        <FormActions error={error} label="Create key" busy={busy} busyLabel="Creating…" disabled={name.trim() === ""} onCancel={() => close(false)} />
      </form>
    </Dialog>
  );
}
