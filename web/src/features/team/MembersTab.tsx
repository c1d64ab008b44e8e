// /team/members: who is in the team. Admins change roles and remove people within berthd's
// rules (teamRules.ts); anyone but the owner may leave.
import { useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import type { TeamRole } from "../../auth/roles";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { Pagination } from "../../components/Pagination";
import { RelativeTime } from "../../components/Time";
import { useToast } from "../../components/Toast";
import { TableSkeleton } from "./ListStates";
import { perPage, teamKeys } from "./queries";
import { assignableRoles, canRemove } from "./teamRules";
import type { Member } from "./types";
import { usePageParam } from "./usePageParam";
import { DataTable } from "../../components/DataTable";


export function MembersTab() {
  const { teamId, role, user, team, refresh } = useAuth();
  const [page, setPage] = usePageParam();
  const [removing, setRemoving] = useState<Member | null>(null);
  const queryClient = useQueryClient();
  const toast = useToast();
  const members = useQuery({
    queryKey: teamKeys.members(teamId, page),
    queryFn: () =>
      call(api.GET("/api/v1/teams/{id}/members", { params: { path: { id: teamId! }, query: { page, per_page: perPage } } })),
    enabled: teamId !== null,
    placeholderData: keepPreviousData,
  });
  const changeRole = useMutation({
    mutationFn: ({ member, next }: { member: Member; next: TeamRole }) =>
      call(
        api.PATCH("/api/v1/teams/{id}/members/{user_id}", {
          params: { path: { id: teamId!, user_id: member.user_id! } },
          body: { role: next as "viewer" | "member" | "admin" },
        }),
      ),
    onSuccess: (updated) => {
      toast(`${updated.display_name ?? updated.email} is now ${updated.role}`);
      void queryClient.invalidateQueries({ queryKey: teamKeys.members(teamId) });
    },
  });

  const remove = async (member: Member) => {
    await call(
      api.DELETE("/api/v1/teams/{id}/members/{user_id}", { params: { path: { id: teamId!, user_id: member.user_id! } } }),
    );
    if (member.user_id === user?.id) {
      toast(`You left ${team?.name ?? "the team"}`);
      await refresh();
      return;
    }
    toast(`${member.display_name ?? member.email} removed from the team`);
    await queryClient.invalidateQueries({ queryKey: teamKeys.members(teamId) });
  };

  if (members.isPending) return <TableSkeleton label="members" />;
  if (members.isError) return <ErrorText error={members.error} />;
  const rows = members.data.data ?? [];
  if (rows.length === 0) return <EmptyState title="No members">Invite someone from the Invitations tab.</EmptyState>;

  return (
    <>
      <ErrorText error={changeRole.error} />
      <DataTable columns={["Name", { label: "Email", className: "hide-sm" }, "Role", { label: "Joined", className: "hide-sm" }]} actions>
        {rows.map((member) => {
          const roles = assignableRoles(role, member);
          const self = member.user_id === user?.id;
          const name = member.display_name ?? member.email ?? member.user_id;
          return (
            <tr key={member.user_id}>
              <td>
                {name} {self && <span className="badge">you</span>}
              </td>
              <td className="hide-sm">{member.email}</td>
              <td>
                {roles.length > 0 ? (
                  <select
                    className="input select-sm"
                    aria-label={`Role of ${name}`}
                    value={member.role}
                    disabled={changeRole.isPending}
                    onChange={(e) => changeRole.mutate({ member, next: e.target.value as TeamRole })}
                  >
                    {!roles.includes(member.role as TeamRole) && <option value={member.role}>{member.role}</option>}
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                ) : (
                  <span className="badge">{member.role}</span>
                )}
              </td>
              <td className="hide-sm">
                <RelativeTime at={member.joined_at} />
              </td>
              <td className="actions">
                {canRemove(role, user?.id, member) && (
                  <button type="button" className="btn btn-sm btn-danger" onClick={() => setRemoving(member)}>
                    {self ? "Leave" : "Remove"}
                    {!self && <span className="sr-only"> {name}</span>}
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
      <Pagination page={page} perPage={perPage} total={members.data.total ?? 0} onPage={setPage} />
      {removing && (
        <ConfirmDialog
          open
          onOpenChange={(open) => !open && setRemoving(null)}
          title={removing.user_id === user?.id ? `Leave ${team?.name ?? "this team"}?` : `Remove ${removing.display_name ?? removing.email}?`}
          confirmLabel={removing.user_id === user?.id ? "Leave team" : "Remove member"}
          onConfirm={() => remove(removing)}
        >
          {removing.user_id === user?.id
            ? "You lose access to its servers and apps until someone invites you again."
            : `${removing.display_name ?? ""} (${removing.email}) loses access to this team's servers and apps at once.`}
        </ConfirmDialog>
      )}
    </>
  );
}
