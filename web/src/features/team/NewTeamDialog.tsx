import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { Dialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { FormActions } from "../../components/FormActions";
import { useSubmit } from "../../components/useSubmit";

/// Creates a team (the creator becomes its owner) and switches to it.
export function NewTeamDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { refresh, switchTeam } = useAuth();
  const navigate = useNavigate();
  const toast = useToast();
  const [name, setName] = useState("");
  const { busy, error, setError, submit } = useSubmit(async () => {
    const created = await call(api.POST("/api/v1/teams", { body: { name: name.trim() } }));
    await refresh();
    toast(`Team ${created.name ?? name} created`);
    close(false);
    if (created.id) {
      // switchTeam lands on /servers; a new team's first stop is its members page.
      switchTeam(created.id);
      navigate("/team/members");
    }
  });
  const close = (next: boolean) => {
    if (!next) {
      setName("");
      setError(null);
    }
    onOpenChange(next);
  };
  return (
    <Dialog open={open} onOpenChange={close} title="Create a team" description="You become its owner and can invite others.">
      <form
        onSubmit={submit}
      >
        <Field label="Team name" required maxLength={63} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        <FormActions error={error} label="Create team" busy={busy} busyLabel="Creating…" disabled={name.trim() === ""} onCancel={() => close(false)} />
      </form>
    </Dialog>
  );
}
