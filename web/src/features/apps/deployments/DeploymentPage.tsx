// /deployments/:id — who deployed what when, its steps ticking as events arrive, its output
// with ANSI colours, and Cancel while it runs. The event stream resumes after a dropped
// connection (useStream sends Last-Event-ID) and the reducer ignores anything already shown.
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";
import { api, call } from "../../../api/client";
import type { StreamEvent } from "../../../api/sse";
import { useCan } from "../../../auth/AuthContext";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { ErrorText } from "../../../components/ErrorText";
import { PageHeader } from "../../../components/PageHeader";
import { StatusDot } from "../../../components/StatusDot";
import { Terminal, type TerminalHandle } from "../../../components/Terminal";
import { RelativeTime } from "../../../components/Time";
import { useToast } from "../../../components/Toast";
import { useStream } from "../../../components/useStream";
import { artifactLabel } from "../detail/RollbackDialog";
import { keys, useMemberNames, useTeamId } from "../shared/queries";
import type { App, Deployment } from "../shared/types";
import { expectedSteps, formatChunk, initialProgress, isFinalEvent, progressReducer } from "./eventReducer";
import { StepList } from "./StepList";
import "../apps.css";

export default function DeploymentPage() {
  const { id = "" } = useParams();
  const team = useTeamId();
  const deployment = useQuery({
    queryKey: keys.deployment(team, id),
    queryFn: () => call(api.GET("/api/v1/deployments/{id}", { params: { path: { id } } })),
  });
  const appId = deployment.data?.app_id;
  const app = useQuery({
    queryKey: keys.app(team, appId ?? "none"),
    enabled: appId !== undefined,
    queryFn: () => call(api.GET("/api/v1/apps/{id}", { params: { path: { id: appId! } } })),
  });
  if (deployment.error) return <ErrorText error={deployment.error} />;
  // The app is needed only for its name and source type; a deleted app still shows the deployment.
  if (!deployment.data || (app.isPending && !app.error)) return <div className="skeleton" style={{ height: 320 }} aria-busy="true" />;
  return <DeploymentView key={id} deployment={deployment.data} app={app.data} />;
}

function DeploymentView({ deployment, app }: { deployment: Deployment; app: App | undefined }) {
  const id = deployment.id ?? "";
  const team = useTeamId();
  const queryClient = useQueryClient();
  const members = useMemberNames();
  const [progress, dispatch] = useReducer(progressReducer, initialProgress(expectedSteps(app?.source?.type, deployment.trigger)));
  const onEvent = useCallback((event: StreamEvent) => dispatch(event), []);
  const streamError = useStream(`/api/v1/deployments/${id}/events`, onEvent, {
    isFinal: isFinalEvent,
    onEnd: () => {
      void queryClient.invalidateQueries({ queryKey: keys.deployment(team, id) });
      if (deployment.app_id) {
        void queryClient.invalidateQueries({ queryKey: keys.app(team, deployment.app_id) });
        void queryClient.invalidateQueries({ queryKey: keys.deployments(team, deployment.app_id) });
      }
    },
  });

  // The terminal gets each chunk once: `written` counts what it already has.
  const term = useRef<TerminalHandle>(null);
  const written = useRef(0);
  const lastStep = useRef<string | null>(null);
  useEffect(() => {
    const chunks = progress.output;
    let text = "";
    for (; written.current < chunks.length; written.current++) {
      const chunk = chunks[written.current]!;
      text += formatChunk(lastStep.current, chunk);
      lastStep.current = chunk.step || lastStep.current;
    }
    if (text) term.current?.write(text);
  }, [progress.output]);

  const state = progress.done?.state ?? progress.state ?? deployment.state ?? "queued";
  const who = members.data?.get(deployment.created_by ?? "") || deployment.created_by || "–";
  const error = progress.done?.error_message ?? deployment.error_message;
  return (
    <>
      <PageHeader
        title={
          <span className="row">
            Deployment of {app ? <Link to={`/apps/${app.id}`}>{app.name}</Link> : <span className="mono">{deployment.app_id}</span>}
          </span>
        }
        subtitle={
          <span className="row">
            <StatusDot status={state} />
            <span>
              {deployment.trigger} by {who} · <RelativeTime at={deployment.created_at} />
            </span>
            <span className="mono">{artifactLabel(deployment) || deployment.id}</span>
          </span>
        }
        actions={!progress.done && (state === "queued" || state === "running") && <CancelButton deployment={deployment} appName={app?.name} />}
      />
      {error && (
        <ErrorText>
          {progress.done?.step ?? deployment.step ? `${progress.done?.step ?? deployment.step}: ` : ""}
          {error}
          {progress.done?.error_code || deployment.error_code ? ` (${progress.done?.error_code ?? deployment.error_code})` : ""}
        </ErrorText>
      )}
      <div className="dep-layout">
        <section className="card" aria-label="Steps">
          <h2>Steps</h2>
          <StepList steps={progress.steps} />
        </section>
        <section aria-label="Output">
          <ErrorText error={streamError} />
          <Terminal ref={term} label={`Output of deployment ${id}`} />
        </section>
      </div>
    </>
  );
}

function CancelButton({ deployment, appName }: { deployment: Deployment; appName: string | undefined }) {
  const canCancel = useCan("member");
  const [open, setOpen] = useState(false);
  const toast = useToast();
  const cancel = useMutation({
    mutationFn: () => call(api.POST("/api/v1/deployments/{id}/cancel", { params: { path: { id: deployment.id ?? "" } } })),
    onSuccess: () => toast("Cancel requested: the current step stops, the old version keeps serving"),
  });
  if (!canCancel) return null;
  return (
    <>
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
        Cancel deployment
      </button>
      <ConfirmDialog open={open} onOpenChange={setOpen} title={`Cancel this deployment of ${appName ?? deployment.app_id}?`} confirmLabel="Cancel deployment" onConfirm={() => cancel.mutateAsync()}>
        A queued deployment stops at once; a running one at its current step, unless traffic has already switched to it. The old version keeps serving.
      </ConfirmDialog>
    </>
  );
}
