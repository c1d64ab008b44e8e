// Settings › Git webhook: rotate (or create) the secret; the new one is shown once, with copy.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { CopyButton } from "../../../components/CopyButton";
import { ErrorText } from "../../../components/ErrorText";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import type { App } from "../shared/types";

export function WebhookCard({ app }: { app: App }) {
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const rotate = useMutation({
    mutationFn: () => call(api.POST("/api/v1/apps/{id}/webhook/rotate", { params: { path: { id: app.id ?? "" } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.app(team, app.id ?? "") });
      toast("New webhook secret made; copy it now");
    },
  });
  const configured = app.webhook_configured === true;
  return (
    <section className="card">
      <h2>Git webhook</h2>
      <p className="muted">
        GitHub or GitLab calls it on every push; {app.source?.type === "git" ? "a push to the app's branch deploys it." : "any push deploys the app."}{" "}
        {configured ? "A secret is set." : "Not set up yet."}
      </p>
      {rotate.data && (
        <div className="notice" role="status">
          <p><strong>Shown only now.</strong> Give GitHub the URL (content type application/json) and the secret; GitLab the URL and the secret as its secret token.</p>
          <dl className="kv">
            <dt>URL</dt>
            <dd className="row"><span className="mono secret-once">{rotate.data.url}</span> <CopyButton text={rotate.data.url ?? ""} label="Copy URL" /></dd>
            <dt>Secret</dt>
            <dd className="row"><span className="mono secret-once">{rotate.data.secret}</span> <CopyButton text={rotate.data.secret ?? ""} label="Copy secret" /></dd>
          </dl>
        </div>
      )}
      <ErrorText error={rotate.error} />
      <button type="button" className="btn" disabled={rotate.isPending} onClick={() => (configured ? setConfirming(true) : rotate.mutate())}>
        {configured ? "Rotate secret" : "Set up webhook"}
      </button>
      <ConfirmDialog open={confirming} onOpenChange={setConfirming} title={`Rotate the webhook secret of ${app.name}?`} confirmLabel="Rotate secret" onConfirm={() => rotate.mutateAsync()}>
        The current secret stops working at once: pushes are refused until GitHub or GitLab has the new one.
      </ConfirmDialog>
    </section>
  );
}
