// Settings › Deploy hooks: secret URLs CI POSTs to. The URL is shown once, when it is made.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { CopyButton } from "../../../components/CopyButton";
import { ErrorText } from "../../../components/ErrorText";
import { RelativeTime } from "../../../components/Time";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import type { App } from "../shared/types";

export function DeployHooksCard({ app }: { app: App }) {
  const id = app.id ?? "";
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [deleting, setDeleting] = useState<string | null>(null);
  const hooks = useQuery({ queryKey: keys.hooks(team, id), queryFn: () => call(api.GET("/api/v1/apps/{id}/deploy-hooks", { params: { path: { id } } })) });
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/apps/{id}/deploy-hooks", { params: { path: { id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.hooks(team, id) });
      toast("Deploy hook made; copy its URL now");
    },
  });
  const rows = hooks.data?.data ?? [];
  return (
    <section className="card">
      <h2>Deploy hooks</h2>
      <p className="muted">A secret URL for CI: <code>curl -X POST "$URL"</code> deploys the app (optionally with {'{"ref": …}'} or {'{"image": …}'}).</p>
      {create.data && (
        <div className="notice" role="status">
          <p><strong>Shown only now:</strong> the URL is the hook's only credential.</p>
          <div className="row"><span className="mono secret-once">{create.data.url}</span> <CopyButton text={create.data.url ?? ""} label="Copy URL" /></div>
        </div>
      )}
      {hooks.error && <ErrorText error={hooks.error} />}
      {rows.length > 0 && (
        <div className="table-wrap" style={{ marginBottom: "var(--space-3)" }}>
          <table className="table">
            <thead><tr><th>Hook</th><th>Created</th><th className="hide-sm">Last used</th><th className="actions"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rows.map((h) => (
                <tr key={h.id}>
                  <td className="mono">{h.id}</td>
                  <td><RelativeTime at={h.created_at} /></td>
                  <td className="hide-sm"><RelativeTime at={h.last_used_at} /></td>
                  <td className="actions"><button type="button" className="btn btn-sm btn-danger" onClick={() => setDeleting(h.id ?? "")}>Delete<span className="sr-only"> {h.id}</span></button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorText error={create.error} />
      <button type="button" className="btn" disabled={create.isPending} onClick={() => create.mutate()}>Create deploy hook</button>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete deploy hook ${deleting ?? ""}?`}
        confirmLabel="Delete hook"
        onConfirm={async () => {
          await call(api.DELETE("/api/v1/apps/{id}/deploy-hooks/{hook_id}", { params: { path: { id, hook_id: deleting ?? "" } } }));
          void queryClient.invalidateQueries({ queryKey: keys.hooks(team, id) });
          toast("Deploy hook deleted");
        }}
      >
        CI jobs that use its URL can no longer deploy {app.name}.
      </ConfirmDialog>
    </section>
  );
}
