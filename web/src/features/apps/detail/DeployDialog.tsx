// Deploy: POST /apps/{id}/deployments, optionally with another image (image apps) or a ref
// (git apps), then the deployment's page. On a guarded app an override is an admin's to give.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../../api/client";
import { useCan } from "../../../auth/AuthContext";
import { Dialog } from "../../../components/Dialog";
import { ErrorText } from "../../../components/ErrorText";
import { Field } from "../../../components/Field";
import { useToast } from "../../../components/Toast";
import { isGuarded, keys, useTeamId } from "../shared/queries";
import type { App, DeployBody } from "../shared/types";
import { AdminOnly } from "../shared/AdminOnly";

export function DeployDialog({ app, open, onOpenChange }: { app: App; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [override, setOverride] = useState("");
  const isAdmin = useCan("admin");
  const team = useTeamId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const id = app.id ?? "";
  const type = app.source?.type;
  const overrideLocked = isGuarded(app) && !isAdmin;

  const deploy = useMutation({
    mutationFn: () => {
      const body: DeployBody = {};
      if (override.trim() && type === "image") body.image = override.trim();
      if (override.trim() && type === "git") body.ref = override.trim();
      return call(api.POST("/api/v1/apps/{id}/deployments", { params: { path: { id } }, body }));
    },
    onSuccess: (deployment) => {
      toast("Deployment queued");
      void queryClient.invalidateQueries({ queryKey: keys.app(team, id) });
      void queryClient.invalidateQueries({ queryKey: keys.deployments(team, id) });
      onOpenChange(false);
      navigate(`/deployments/${deployment.id}`);
    },
  });

  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={`Deploy ${app.name}`} description="Deploys the app's current source, settings and env vars; the old version serves until the new one is healthy.">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          deploy.mutate();
        }}
      >
        {type === "image" && (
          <Field
            label={<>Image (optional) {overrideLocked && <AdminOnly />}</>}
            placeholder={app.source?.image}
            hint="Another tag or image to deploy this time; empty deploys the app's image."
            value={override}
            disabled={overrideLocked}
            onChange={(e) => setOverride(e.target.value)}
          />
        )}
        {type === "git" && (
          <Field
            label={<>Branch, tag or commit (optional) {overrideLocked && <AdminOnly />}</>}
            placeholder={app.source?.branch}
            hint="Empty deploys the head of the app's branch."
            value={override}
            disabled={overrideLocked}
            onChange={(e) => setOverride(e.target.value)}
          />
        )}
        <ErrorText error={deploy.error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={deploy.isPending}>
            {deploy.isPending ? "Queuing…" : "Deploy"}
          </button>
          <button type="button" className="btn" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
