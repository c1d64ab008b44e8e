// A project's Settings: rename / describe (PATCH) and delete (confirm; refused while it has apps).
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../../api/client";
import { useCan } from "../../../auth/AuthContext";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { ErrorText } from "../../../components/ErrorText";
import { Field } from "../../../components/Field";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import { useProjectOutlet } from "./ProjectLayout";

export default function ProjectSettings() {
  const { project } = useProjectOutlet();
  const id = project.id ?? "";
  const canEdit = useCan("member");
  const team = useTeamId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [name, setName] = useState(project.name ?? "");
  const [description, setDescription] = useState(project.description ?? "");
  const [deleting, setDeleting] = useState(false);
  const save = useMutation({
    mutationFn: () => call(api.PATCH("/api/v1/projects/{id}", { params: { path: { id } }, body: { name: name.trim(), description } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.projects(team) });
      toast("Project saved");
    },
  });
  return (
    <div className="form-narrow">
      <form className="card" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <h2>Name and description</h2>
        <Field label="Name" required disabled={!canEdit} value={name} onChange={(e) => setName(e.target.value)} hint="Lower-case letters, digits and -; unique in the team" />
        <Field label="Description" disabled={!canEdit} maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} />
        <ErrorText error={save.error} />
        {canEdit && <button type="submit" className="btn btn-primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save"}</button>}
      </form>
      {canEdit && (
        <section className="card">
          <h2>Delete this project</h2>
          <p className="muted">Its env vars go with it. A project that still has apps cannot be deleted: move them out or delete them first.</p>
          <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>Delete project</button>
        </section>
      )}
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete project ${project.name}?`}
        confirmLabel="Delete project"
        typeToConfirm={project.name}
        onConfirm={async () => {
          await call(api.DELETE("/api/v1/projects/{id}", { params: { path: { id } } }));
          void queryClient.invalidateQueries({ queryKey: keys.projects(team) });
          toast(`Project ${project.name} deleted`);
          navigate("/projects");
        }}
      >
        The project <strong>{project.name}</strong> and its env vars are deleted.
      </ConfirmDialog>
    </div>
  );
}
