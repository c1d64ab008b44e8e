// /team/invitations: pending invitations, inviting by email and revoking. Without mail set up
// berthd returns the link to the inviter once (delivered: "link"); it is shown here to copy.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Mail } from "lucide-react";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { Pagination } from "../../components/Pagination";
import { RelativeTime } from "../../components/Time";
import { useToast } from "../../components/Toast";
import { InviteDialog } from "./InviteDialog";
import { RoleRequired, TableSkeleton } from "./ListStates";
import { perPage, teamKeys } from "./queries";
import type { Invitation } from "./types";
import { usePageParam } from "./usePageParam";
import { DataTable } from "../../components/DataTable";

export function InvitationsTab() {
  const { teamId, can } = useAuth();
  const isAdmin = can("admin");
  const [page, setPage] = usePageParam();
  const [inviting, setInviting] = useState(false);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const queryClient = useQueryClient();
  const toast = useToast();
  const invitations = useQuery({
    queryKey: [...teamKeys.invitations(teamId), page],
    queryFn: () =>
      call(api.GET("/api/v1/teams/{id}/invitations", { params: { path: { id: teamId! }, query: { page, per_page: perPage } } })),
    enabled: teamId !== null && isAdmin,
  });
  if (!isAdmin) return <RoleRequired what="Inviting people" role="admin" />;

  const inviteButton = (
    <button type="button" className="btn btn-primary" onClick={() => setInviting(true)}>
      <Mail size={16} aria-hidden /> Invite
    </button>
  );
  const rows = invitations.data?.data ?? [];
  return (
    <>
      <div className="spread" style={{ marginBottom: "var(--space-3)" }}>
        <p className="muted" style={{ margin: 0 }}>
          An invitation works once, for the invited email only, for 7 days.
        </p>
        {inviteButton}
      </div>
      {invitations.isPending ? (
        <TableSkeleton rows={3} label="invitations" />
      ) : invitations.isError ? (
        <ErrorText error={invitations.error} />
      ) : rows.length === 0 ? (
        <EmptyState title="No pending invitations">Invite someone by email; they join with the role you pick.</EmptyState>
      ) : (
        <>
          <DataTable columns={["Email", "Role", { label: "Sent", className: "hide-sm" }, { label: "Expires", className: "hide-sm" }]} actions>
            {rows.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email}</td>
                <td>
                  <span className="badge">{invitation.role}</span>
                </td>
                <td className="hide-sm">
                  <RelativeTime at={invitation.created_at} />
                </td>
                <td className="hide-sm">
                  <RelativeTime at={invitation.expires_at} />
                </td>
                <td className="actions">
                  <button type="button" className="btn btn-sm btn-danger" onClick={() => setRevoking(invitation)}>
                    Revoke<span className="sr-only"> the invitation of {invitation.email}</span>
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination page={page} perPage={perPage} total={invitations.data.total ?? 0} onPage={setPage} />
        </>
      )}
      <InviteDialog open={inviting} onOpenChange={setInviting} />
      {revoking && (
        <ConfirmDialog
          open
          onOpenChange={(open) => !open && setRevoking(null)}
          title={`Revoke the invitation of ${revoking.email}?`}
          confirmLabel="Revoke invitation"
          onConfirm={async () => {
            await call(
              api.DELETE("/api/v1/teams/{id}/invitations/{invitation_id}", {
                params: { path: { id: teamId!, invitation_id: revoking.id! } },
              }),
            );
            toast(`Invitation of ${revoking.email} revoked`);
            await queryClient.invalidateQueries({ queryKey: teamKeys.invitations(teamId) });
          }}
        >
          Its link stops working at once. You can invite {revoking.email} again later.
        </ConfirmDialog>
      )}
    </>
  );
}
