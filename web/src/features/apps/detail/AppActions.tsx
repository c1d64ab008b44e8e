// The header's actions. Viewers see none (every one needs member, x-required-role).
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { messageOf } from "../../../api/errors";
import { useCan } from "../../../auth/AuthContext";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import type { App } from "../shared/types";
import { DeployDialog } from "./DeployDialog";
import { RollbackDialog } from "./RollbackDialog";

type Action = "restart" | "stop" | "start";
const done: Record<Action, string> = { restart: "Restart queued", stop: "Stop queued", start: "Start queued" };

export function AppActions({ app }: { app: App }) {
  const canAct = useCan("member");
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [dialog, setDialog] = useState<"deploy" | "rollback" | "stop" | null>(null);
  const id = app.id ?? "";

  const action = useMutation({
    mutationFn: (what: Action) => {
      const params = { params: { path: { id } } };
      if (what === "restart") return call(api.POST("/api/v1/apps/{id}/restart", params));
      if (what === "stop") return call(api.POST("/api/v1/apps/{id}/stop", params));
      return call(api.POST("/api/v1/apps/{id}/start", params));
    },
    onSuccess: (_d, what) => {
      toast(done[what]);
      void queryClient.invalidateQueries({ queryKey: keys.app(team, id) });
      void queryClient.invalidateQueries({ queryKey: keys.deployments(team, id) });
    },
    onError: (error) => toast(messageOf(error), "error"),
  });

  if (!canAct) return null;
  const status = app.status ?? "new";
  const deployed = status !== "new";
  return (
    <>
      <button type="button" className="btn btn-primary" onClick={() => setDialog("deploy")}>
        Deploy
      </button>
      {deployed && (
        <button type="button" className="btn" disabled={action.isPending} onClick={() => action.mutate("restart")}>
          Restart
        </button>
      )}
      {status === "stopped" ? (
        <button type="button" className="btn" disabled={action.isPending} onClick={() => action.mutate("start")}>
          Start
        </button>
      ) : (
        deployed && (
          <button type="button" className="btn" onClick={() => setDialog("stop")}>
            Stop
          </button>
        )
      )}
      {deployed && (
        <button type="button" className="btn" onClick={() => setDialog("rollback")}>
          Rollback
        </button>
      )}
      <DeployDialog app={app} open={dialog === "deploy"} onOpenChange={(o) => setDialog(o ? "deploy" : null)} />
      <RollbackDialog app={app} open={dialog === "rollback"} onOpenChange={(o) => setDialog(o ? "rollback" : null)} />
      <ConfirmDialog
        open={dialog === "stop"}
        onOpenChange={(o) => setDialog(o ? "stop" : null)}
        title={`Stop ${app.name}?`}
        confirmLabel="Stop app"
        onConfirm={() => action.mutateAsync("stop")}
      >
        Its route is removed from the proxy and its container stopped: <strong>{app.url}</strong> stops answering until you start it again.
      </ConfirmDialog>
    </>
  );
}
