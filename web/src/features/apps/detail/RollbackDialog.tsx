// Rollback: pick one of the app's past successful deployments (other than the current one) and
// POST /apps/{id}/rollback {deployment_id}; then follow it on its page.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../../api/client";
import { Dialog } from "../../../components/Dialog";
import { ErrorText } from "../../../components/ErrorText";
import { RelativeTime } from "../../../components/Time";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import type { App, Deployment } from "../shared/types";

/// Successful deployments one can go back to, newest first (the current one is where we are).
export function rollbackCandidates(deployments: Deployment[], currentId: string | null | undefined): Deployment[] {
  return deployments.filter((d) => d.state === "succeeded" && d.id !== currentId && d.trigger !== "stop");
}

export function artifactLabel(d: Deployment): string {
  const artifact = (d.artifact ?? {}) as Record<string, unknown>;
  const commit = typeof artifact.commit === "string" ? artifact.commit.slice(0, 10) : null;
  const image = typeof artifact.image === "string" ? artifact.image : d.image;
  return [image, commit].filter(Boolean).join(" @ ") || d.ref || d.trigger || "";
}

export function RollbackDialog({ app, open, onOpenChange }: { app: App; open: boolean; onOpenChange: (open: boolean) => void }) {
  const team = useTeamId();
  const id = app.id ?? "";
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [chosen, setChosen] = useState<string | null>(null);
  const list = useQuery({
    queryKey: [...keys.deployments(team, id), "rollback"],
    enabled: open,
    // The API has no state filter: the last 100 deployments are searched for successful ones.
    queryFn: () => call(api.GET("/api/v1/apps/{id}/deployments", { params: { path: { id }, query: { per_page: 100 } } })),
  });
  const candidates = rollbackCandidates(list.data?.data ?? [], app.current_deployment_id);
  const selected = chosen ?? candidates[0]?.id ?? null;

  const rollback = useMutation({
    mutationFn: () => call(api.POST("/api/v1/apps/{id}/rollback", { params: { path: { id } }, body: selected ? { deployment_id: selected } : {} })),
    onSuccess: (deployment) => {
      toast("Rollback queued");
      void queryClient.invalidateQueries({ queryKey: keys.app(team, id) });
      void queryClient.invalidateQueries({ queryKey: keys.deployments(team, id) });
      onOpenChange(false);
      navigate(`/deployments/${deployment.id}`);
    },
  });

  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={`Roll ${app.name} back`} description="Runs the chosen deployment's image and settings again, without pulling or building. Env vars are today's.">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          rollback.mutate();
        }}
      >
        {list.error && <ErrorText error={list.error} />}
        {list.isPending && <div className="skeleton" style={{ height: 120 }} aria-busy="true" />}
        {list.data && candidates.length === 0 && <p className="muted">No earlier successful deployment to go back to.</p>}
        {candidates.length > 0 && (
          <fieldset className="field" style={{ border: 0, padding: 0, maxHeight: 300, overflow: "auto" }}>
            <legend className="sr-only">Deployment to roll back to</legend>
            {candidates.map((d) => (
              <label key={d.id} className="checkbox" style={{ padding: "var(--space-1) 0" }}>
                <input type="radio" name="rollback-to" value={d.id} checked={selected === d.id} onChange={() => setChosen(d.id ?? null)} />
                <span>
                  <span className="mono">{artifactLabel(d)}</span>{" "}
                  <span className="muted">
                    · <RelativeTime at={d.created_at} /> · {d.trigger}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <ErrorText error={rollback.error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!selected || rollback.isPending}>
            {rollback.isPending ? "Queuing…" : "Roll back"}
          </button>
          <button type="button" className="btn" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
