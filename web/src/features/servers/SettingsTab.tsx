import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { useToast } from "../../components/Toast";
import { labelsOf } from "./api";
import { serverKeys } from "./keys";
import { actionText, availableActions, labelsText, parseLabels, type ServerAction } from "./serverActions";
import { useServerPage } from "./ServerPage";

function runAction(id: string, action: ServerAction) {
  const path = { params: { path: { id } } };
  switch (action) {
    case "cordon":
      return call(api.POST("/api/v1/servers/{id}/cordon", path));
    case "uncordon":
      return call(api.POST("/api/v1/servers/{id}/uncordon", path));
    case "drain":
      return call(api.POST("/api/v1/servers/{id}/drain", path));
    case "revoke-agent":
      return call(api.POST("/api/v1/servers/{id}/revoke-agent", path));
    case "delete":
      return call(api.DELETE("/api/v1/servers/{id}", path));
  }
}

export default function SettingsTab() {
  const { server, serverId, teamId } = useServerPage();
  const admin = useAuth().can("admin");
  const client = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const name = server.name ?? serverId;
  const [form, setForm] = useState({ name, address: server.address ?? "", labels: labelsText(labelsOf(server)) });
  const [pending, setPending] = useState<ServerAction | null>(null);
  const labels = parseLabels(form.labels);

  const save = useMutation({
    mutationFn: () => {
      if (!labels.ok) throw new Error(labels.message);
      return call(
        api.PATCH("/api/v1/servers/{id}", {
          params: { path: { id: serverId } },
          body: { name: form.name.trim(), address: form.address.trim(), labels: labels.labels },
        }),
      );
    },
    onSuccess: (updated) => {
      client.setQueryData(serverKeys.one(teamId, serverId), updated);
      void client.invalidateQueries({ queryKey: serverKeys.lists(teamId) });
      toast(`${updated.name} saved`);
    },
  });

  const act = async (action: ServerAction) => {
    await runAction(serverId, action);
    toast(actionText[action].done(name));
    if (action === "delete") {
      client.removeQueries({ queryKey: serverKeys.one(teamId, serverId) });
      void client.invalidateQueries({ queryKey: serverKeys.lists(teamId) });
      navigate("/servers");
      return;
    }
    void client.invalidateQueries({ queryKey: serverKeys.one(teamId, serverId) });
    void client.invalidateQueries({ queryKey: serverKeys.lists(teamId) });
    void client.invalidateQueries({ queryKey: serverKeys.jobsOf(teamId, serverId) });
  };

  if (!admin) return <p className="muted">Only an admin changes a server's settings.</p>;
  return (
    <>
      <form
        className="card"
        aria-labelledby="general-title"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <h2 id="general-title">General</h2>
        <Field label="Name" required maxLength={63} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <Field
          label="Address"
          maxLength={253}
          value={form.address}
          onChange={(e) => setForm({ ...form, address: e.target.value })}
          hint="The address apps and people reach this server at."
        />
        <div className="field">
          <label htmlFor="server-labels">Labels</label>
          <textarea
            id="server-labels"
            className="input"
            rows={4}
            value={form.labels}
            aria-describedby="server-labels-hint"
            onChange={(e) => setForm({ ...form, labels: e.target.value })}
          />
          <span id="server-labels-hint" className="hint">
            One key=value a line, e.g. region=eu.
          </span>
          {!labels.ok && <span className="error-text">{labels.message}</span>}
        </div>
        <ErrorText error={save.error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!labels.ok || !form.name.trim() || save.isPending}>
            {save.isPending ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
      <section className="card" aria-labelledby="lifecycle-title">
        <h2 id="lifecycle-title">Scheduling and access</h2>
        <ul className="event-list">
          {availableActions(server.scheduling, server.agent_enrolled).map((action) => (
            <li key={action} className="settings-action">
              <strong>{actionText[action].label}</strong>
              <span className="muted">{actionText[action].body}</span>
              <span>
                <button type="button" className={actionText[action].danger ? "btn btn-danger" : "btn"} onClick={() => setPending(action)}>
                  {actionText[action].label}…
                </button>
              </span>
            </li>
          ))}
        </ul>
      </section>
      {pending && (
        <ConfirmDialog
          open
          onOpenChange={(open) => !open && setPending(null)}
          title={actionText[pending].title(name)}
          confirmLabel={actionText[pending].label}
          danger={actionText[pending].danger}
          typeToConfirm={pending === "delete" ? name : undefined}
          onConfirm={() => act(pending)}
        >
          <strong>{name}</strong>: {actionText[pending].body}
        </ConfirmDialog>
      )}
    </>
  );
}
