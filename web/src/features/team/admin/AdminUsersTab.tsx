// /admin/users: every account, searchable (?q=) and paged (?page=), with deactivate/reactivate,
// instance admin on/off and a one-time password reset link.
import { useState } from "react";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { api, call } from "../../../api/client";
import { useAuth } from "../../../auth/AuthContext";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorText } from "../../../components/ErrorText";
import { Pagination } from "../../../components/Pagination";
import { RelativeTime } from "../../../components/Time";
import { useToast } from "../../../components/Toast";
import { TableSkeleton } from "../ListStates";
import type { AdminUser } from "../types";
import { usePageParam } from "../usePageParam";
import { ResetLinkDialog } from "./ResetLinkDialog";
import { SearchBox } from "./SearchBox";
import { userChanges, type UserChange } from "./userChanges";
import { DataTable } from "../../../components/DataTable";

const perPage = 20;

export function AdminUsersTab() {
  const { user: me } = useAuth();
  const [search] = useSearchParams();
  const q = search.get("q") ?? "";
  const [page, setPage] = usePageParam();
  const [pending, setPending] = useState<{ user: AdminUser; change: UserChange } | null>(null);
  const [resetting, setResetting] = useState<AdminUser | null>(null);
  const queryClient = useQueryClient();
  const toast = useToast();
  const users = useQuery({
    queryKey: ["admin", "users", q, page],
    queryFn: () => call(api.GET("/api/v1/admin/users", { params: { query: { page, per_page: perPage, ...(q ? { q } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const rows = users.data?.data ?? [];

  return (
    <>
      <SearchBox label="Search accounts" placeholder="name or email" />
      {users.isPending ? (
        <TableSkeleton rows={8} label="accounts" />
      ) : users.isError ? (
        <ErrorText error={users.error} />
      ) : rows.length === 0 ? (
        <EmptyState title={q ? `No account matches “${q}”` : "No accounts"}>{q ? "Try part of a name or email." : "Invite people from a team's Invitations tab."}</EmptyState>
      ) : (
        <>
          <DataTable columns={["Name", { label: "Email", className: "hide-sm" }, "Status", { label: "Created", className: "hide-sm" }]} actions>
            {rows.map((user) => (
              <tr key={user.id}>
                <td>
                  {user.display_name} {user.id === me?.id && <span className="badge">you</span>}
                </td>
                <td className="hide-sm">{user.email}</td>
                <td>
                  <span className="row">
                    <span className={user.is_active ? "badge badge-ok" : "badge badge-danger"}>{user.is_active ? "active" : "deactivated"}</span>
                    {user.is_instance_admin && <span className="badge">instance admin</span>}
                    {user.totp_enabled && <span className="badge">2FA</span>}
                  </span>
                </td>
                <td className="hide-sm">
                  <RelativeTime at={user.created_at} />
                </td>
                <td className="actions">
                  <span className="team-actions">
                    {userChanges(user, me?.id).map((change) => (
                      <button
                        key={change.label}
                        type="button"
                        className={change.danger ? "btn btn-sm btn-danger" : "btn btn-sm"}
                        onClick={() => setPending({ user, change })}
                      >
                        {change.label}
                        <span className="sr-only"> {user.display_name}</span>
                      </button>
                    ))}
                    <button type="button" className="btn btn-sm" onClick={() => setResetting(user)}>
                      Reset link<span className="sr-only"> for {user.display_name}</span>
                    </button>
                  </span>
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination page={page} perPage={perPage} total={users.data.total ?? 0} onPage={setPage} />
        </>
      )}
      {pending && (
        <ConfirmDialog
          open
          onOpenChange={(open) => !open && setPending(null)}
          title={pending.change.title}
          confirmLabel={pending.change.label}
          danger={pending.change.danger}
          onConfirm={async () => {
            await call(api.PATCH("/api/v1/admin/users/{id}", { params: { path: { id: pending.user.id! } }, body: pending.change.body }));
            toast(pending.change.done);
            await queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
          }}
        >
          {pending.change.explain}
        </ConfirmDialog>
      )}
      <ResetLinkDialog user={resetting} onClose={() => setResetting(null)} />
    </>
  );
}
