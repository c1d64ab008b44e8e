// /team/settings: rename (admins), a new team (anyone), and the owner's danger zone —
// transfer ownership and delete the team (neither for a personal team).
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Plus } from "lucide-react";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { NewTeamDialog } from "./NewTeamDialog";
import { TransferOwnership } from "./TransferOwnership";

export function SettingsTab() {
  const { team, teamId, can, user, refresh, switchTeam } = useAuth();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [name, setName] = useState(team?.name ?? "");
  const [renaming, setRenaming] = useState(false);
  const [renameError, setRenameError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const personal = team?.personal === true;
  const isOwner = can("owner");

  return (
    <>
      <section className="card" aria-labelledby="team-name-heading">
        <h2 id="team-name-heading">Name</h2>
        {can("admin") ? (
          <form
            className="team-narrow"
            onSubmit={async (event) => {
              event.preventDefault();
              setRenaming(true);
              setRenameError(null);
              try {
                const renamed = await call(api.PATCH("/api/v1/teams/{id}", { params: { path: { id: teamId! } }, body: { name: name.trim() } }));
                toast(`Team renamed to ${renamed.name}`);
                await refresh();
              } catch (failure) {
                setRenameError(failure);
              } finally {
                setRenaming(false);
              }
            }}
          >
            <Field label="Team name" required maxLength={63} value={name} onChange={(e) => setName(e.target.value)} />
            <ErrorText error={renameError} />
            <button type="submit" className="btn btn-primary" disabled={renaming || name.trim() === "" || name.trim() === team?.name}>
              {renaming ? "Saving…" : "Rename team"}
            </button>
          </form>
        ) : (
          <p>
            {team?.name} <span className="muted">(team admins can rename it)</span>
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="new-team-heading">
        <h2 id="new-team-heading">Another team</h2>
        <p className="muted">Teams keep servers, apps and people apart. You own the teams you create.</p>
        <button type="button" className="btn" onClick={() => setCreating(true)}>
          <Plus size={16} aria-hidden /> Create a new team
        </button>
      </section>

      {isOwner && personal && (
        <p className="notice">This is your personal team: it stays with your account, so it cannot be transferred or deleted.</p>
      )}
      {isOwner && !personal && (
        <section className="card danger-zone" aria-labelledby="danger-heading">
          <h2 id="danger-heading">Owner actions</h2>
          <TransferOwnership />
          <h3>Delete this team</h3>
          <p className="muted">
            Deletes its members, keys, invitations and servers (their agents disconnect). Berth refuses while the team still has apps.
          </p>
          <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>
            Delete team
          </button>
        </section>
      )}

      <NewTeamDialog open={creating} onOpenChange={setCreating} />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete the team ${team?.name}?`}
        confirmLabel="Delete team"
        typeToConfirm={team?.name ?? ""}
        onConfirm={async () => {
          await call(api.DELETE("/api/v1/teams/{id}", { params: { path: { id: teamId! } } }));
          toast(`Team ${team?.name} deleted`);
          queryClient.removeQueries({ queryKey: ["team", teamId] });
          await refresh();
          if (user?.personal_team_id) switchTeam(user.personal_team_id);
        }}
      >
        Its servers, members, API keys and invitations go with it. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
