import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../../api/client";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import type { App } from "../shared/types";

export function DeleteAppCard({ app }: { app: App }) {
  const [open, setOpen] = useState(false);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  return (
    <section className="card">
      <h2>Delete this app</h2>
      <p className="muted">Removes the app with its env vars, deployments and hooks; its containers and proxy route are removed in the background.</p>
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>Delete app</button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete app ${app.name}?`}
        confirmLabel="Delete app"
        typeToConfirm={app.name}
        onConfirm={async () => {
          await call(api.DELETE("/api/v1/apps/{id}", { params: { path: { id: app.id ?? "" } } }));
          queryClient.removeQueries({ queryKey: keys.app(team, app.id ?? "") });
          void queryClient.invalidateQueries({ queryKey: keys.apps(team) });
          toast(`${app.name} deleted`);
          navigate("/apps");
        }}
      >
        <strong>{app.name}</strong> stops answering at {app.url}.
      </ConfirmDialog>
    </section>
  );
}
