// Where you are signed in (browser sessions), newest first as berthd lists them. Signing out
// one ends it at once; signing out this one returns to sign-in.
import { useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../api/client";
import { session as browserSession } from "../../api/session";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { Pagination } from "../../components/Pagination";
import { RelativeTime } from "../../components/Time";
import { useToast } from "../../components/Toast";
import type { SignInNotice } from "../auth/SignInPage";
import { sessionsKey } from "./keys";
import { describeAgent } from "./userAgent";
import { DataTable } from "../../components/DataTable";

const perPage = 20;
type SessionRow = NonNullable<Awaited<ReturnType<typeof fetchSessions>>["data"]>[number];

function fetchSessions(page: number) {
  return call(api.GET("/api/v1/me/sessions", { params: { query: { page, per_page: perPage } } }));
}

export function SessionsTab() {
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [page, setPage] = useState(1);
  const [ending, setEnding] = useState<SessionRow | null>(null);
  const sessions = useQuery({
    queryKey: sessionsKey(user?.id, page),
    queryFn: () => fetchSessions(page),
    enabled: user !== undefined,
    placeholderData: keepPreviousData,
  });

  const signOut = useMutation({
    mutationFn: (row: SessionRow) => call(api.DELETE("/api/v1/me/sessions/{id}", { params: { path: { id: row.id ?? "" } } })),
    onSuccess: async (_, row) => {
      if (row.current) {
        browserSession.setCsrf(null);
        queryClient.clear();
        const state: SignInNotice = { notice: "You signed out this session." };
        navigate("/signin", { replace: true, state });
        return;
      }
      toast(`Signed out ${describeAgent(row.user_agent)}.`);
      await queryClient.invalidateQueries({ queryKey: sessionsKey(user?.id) });
    },
  });

  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <p className="muted">Browsers signed in to your account. Sign out any you do not recognise, then change your password.</p>
      {sessions.isPending ? (
        <div className="skeleton" aria-busy="true" style={{ height: 180 }} />
      ) : sessions.isError ? (
        <ErrorText error={sessions.error} />
      ) : sessions.data.data?.length ? (
        <>
          <DataTable columns={["Device", { label: "Address", className: "hide-sm" }, { label: "Signed in", className: "hide-sm" }, "Last used"]} actions>
            {sessions.data.data.map((row) => (
              <tr key={row.id}>
                <td>
                  <div className="session-device">
                    <span title={row.user_agent}>
                      {describeAgent(row.user_agent)} {row.current && <span className="badge badge-ok">This session</span>}
                    </span>
                  </div>
                </td>
                <td className="hide-sm mono">{row.source_address || "–"}</td>
                <td className="hide-sm">
                  <RelativeTime at={row.created_at} />
                </td>
                <td>
                  <RelativeTime at={row.last_seen_at} />
                </td>
                <td className="actions">
                  <button type="button" className="btn btn-sm" onClick={() => setEnding(row)}>
                    Sign out<span className="sr-only"> {describeAgent(row.user_agent)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination page={page} perPage={perPage} total={sessions.data.total ?? 0} onPage={setPage} />
        </>
      ) : (
        <EmptyState title="No sessions">Sign in from a browser and it shows up here.</EmptyState>
      )}
      <ConfirmDialog
        open={ending !== null}
        onOpenChange={(open) => !open && setEnding(null)}
        title={ending?.current ? "Sign out of this browser?" : "Sign out this session?"}
        confirmLabel="Sign out"
        onConfirm={() => signOut.mutateAsync(ending!)}
      >
        {ending && (
          <>
            <strong>{describeAgent(ending.user_agent)}</strong>
            {ending.source_address ? ` from ${ending.source_address}` : ""}, last used <RelativeTime at={ending.last_seen_at} />.{" "}
            {ending.current ? "This is the browser you are using: you go back to the sign-in page." : "It has to sign in again."}
          </>
        )}
      </ConfirmDialog>
    </section>
  );
}
