// /team/api-keys: the team's live keys; creating one shows its raw key once; revoking stops it.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { Pagination } from "../../components/Pagination";
import { RelativeTime } from "../../components/Time";
import { useToast } from "../../components/Toast";
import { RoleRequired, TableSkeleton } from "./ListStates";
import { NewKeyDialog } from "./NewKeyDialog";
import { OneTimeKeyDialog } from "./OneTimeKeyDialog";
import { perPage, teamKeys } from "./queries";
import type { ApiKey, CreatedKey } from "./types";
import { usePageParam } from "./usePageParam";
import { DataTable } from "../../components/DataTable";

export function ApiKeysTab() {
  const { teamId, can } = useAuth();
  const isAdmin = can("admin");
  const [page, setPage] = usePageParam();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const queryClient = useQueryClient();
  const toast = useToast();
  const keys = useQuery({
    queryKey: [...teamKeys.apiKeys(teamId), page],
    queryFn: () => call(api.GET("/api/v1/api-keys", { params: { query: { page, per_page: perPage } } })),
    enabled: teamId !== null && isAdmin,
  });
  if (!isAdmin) return <RoleRequired what="Managing API keys" role="admin" />;

  const rows = keys.data?.data ?? [];
  return (
    <>
      <div className="spread" style={{ marginBottom: "var(--space-3)" }}>
        <p className="muted" style={{ margin: 0 }}>
          Keys let scripts and CI call Berth's API as this team.
        </p>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          <KeyRound size={16} aria-hidden /> Create key
        </button>
      </div>
      {keys.isPending ? (
        <TableSkeleton rows={3} label="API keys" />
      ) : keys.isError ? (
        <ErrorText error={keys.error} />
      ) : rows.length === 0 ? (
        <EmptyState title="No API keys">Create one for a script or a CI job; you see its secret once.</EmptyState>
      ) : (
        <>
          <DataTable columns={["Name", "Role", { label: "Ends in", className: "hide-sm" }, { label: "Last used", className: "hide-sm" }, { label: "Expires", className: "hide-sm" }]} actions>
            {rows.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <span className="badge">{key.role}</span>
                </td>
                <td className="hide-sm mono">…{key.preview}</td>
                <td className="hide-sm">
                  <RelativeTime at={key.last_used_at} />
                </td>
                <td className="hide-sm">{key.expires_at ? <RelativeTime at={key.expires_at} /> : <span className="muted">never</span>}</td>
                <td className="actions">
                  <button type="button" className="btn btn-sm btn-danger" onClick={() => setRevoking(key)}>
                    Revoke<span className="sr-only"> {key.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination page={page} perPage={perPage} total={keys.data.total ?? 0} onPage={setPage} />
        </>
      )}
      <NewKeyDialog open={creating} onOpenChange={setCreating} onCreated={setCreated} />
      <OneTimeKeyDialog created={created} onClose={() => setCreated(null)} />
      {revoking && (
        <ConfirmDialog
          open
          onOpenChange={(open) => !open && setRevoking(null)}
          title={`Revoke the API key ${revoking.name}?`}
          confirmLabel="Revoke key"
          onConfirm={async () => {
            await call(api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id: revoking.id! } } }));
            toast(`API key ${revoking.name} revoked`);
            await queryClient.invalidateQueries({ queryKey: teamKeys.apiKeys(teamId) });
          }}
        >
          Anything using the key ending in …{revoking.preview} fails from its next request.
        </ConfirmDialog>
      )}
    </>
  );
}
