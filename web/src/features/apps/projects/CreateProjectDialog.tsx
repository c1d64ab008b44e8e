import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../../api/client";
import { Dialog } from "../../../components/Dialog";
import { ErrorText } from "../../../components/ErrorText";
import { Field } from "../../../components/Field";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";

export function CreateProjectDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const team = useTeamId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/projects", { body: { name: name.trim(), description } })),
    onSuccess: (project) => {
      void queryClient.invalidateQueries({ queryKey: keys.projects(team) });
      toast(`Project ${project.name} created`);
      onOpenChange(false);
      navigate(`/projects/${project.id}`);
    },
  });
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Create a project" description="A project groups apps; its env vars are inherited by every app in it.">
      <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <Field label="Name" required pattern="[a-z0-9][a-z0-9-]{0,62}" hint="Lower-case letters, digits and -" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        <Field label="Description (optional)" maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} />
        <ErrorText error={create.error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create project"}</button>
          <button type="button" className="btn" onClick={() => onOpenChange(false)}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
