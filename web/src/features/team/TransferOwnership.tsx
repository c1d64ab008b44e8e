import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorText } from "../../components/ErrorText";
import { useToast } from "../../components/Toast";
import { teamKeys } from "./queries";

/// The owner hands the team to another member and becomes an admin.
export function TransferOwnership() {
  const { teamId, team, refresh } = useAuth();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [userId, setUserId] = useState("");
  const [confirming, setConfirming] = useState(false);
  // The candidates: every member but the owner (the first 100; teams are rarely larger).
  const members = useQuery({
    queryKey: [...teamKeys.members(teamId), "all"],
    queryFn: () => call(api.GET("/api/v1/teams/{id}/members", { params: { path: { id: teamId! }, query: { per_page: 100 } } })),
    enabled: teamId !== null,
  });
  const candidates = (members.data?.data ?? []).filter((m) => m.role !== "owner");
  const chosen = candidates.find((m) => m.user_id === userId);
  const chosenName = chosen ? `${chosen.display_name} (${chosen.email})` : "";

  return (
    <>
      <h3>Transfer ownership</h3>
      <p className="muted">The new owner can delete the team and hand it on again; you become an admin.</p>
      <ErrorText error={members.error} />
      {candidates.length === 0 && members.isSuccess ? (
        <p className="muted">Invite someone first: ownership goes to another member.</p>
      ) : (
        <div className="team-toolbar">
          <div className="field">
            <label htmlFor="transfer-to">New owner</label>
            <select id="transfer-to" className="input" value={userId} onChange={(e) => setUserId(e.target.value)}>
              <option value="">Choose a member…</option>
              {candidates.map((m) => (
                <option key={m.user_id} value={m.user_id}>
                  {m.display_name} · {m.email} · {m.role}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="btn btn-danger" disabled={!chosen} onClick={() => setConfirming(true)}>
            Transfer…
          </button>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Make ${chosen?.display_name ?? "this member"} the owner of ${team?.name}?`}
        confirmLabel={`Transfer to ${chosen?.display_name ?? "them"}`}
        onConfirm={async () => {
          await call(api.POST("/api/v1/teams/{id}/transfer", { params: { path: { id: teamId! } }, body: { user_id: userId } }));
          toast(`${chosenName} now owns ${team?.name}`);
          setUserId("");
          await queryClient.invalidateQueries({ queryKey: teamKeys.members(teamId) });
          await refresh();
        }}
      >
        {chosenName} becomes the owner; you become an admin and cannot undo this yourself.
      </ConfirmDialog>
    </>
  );
}
