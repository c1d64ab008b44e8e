// The service's Settings tab: change the image, version and limits (team admins: the published
// port), then delete it after typing its name. A change redeploys the service on its volume;
// a major version change is refused by the API (422) and its message shown here.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, call } from "../../api/client";
import { useCan } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorText } from "../../components/ErrorText";
import { Field } from "../../components/Field";
import { useSubmit } from "../../components/useSubmit";
import { useToast } from "../../components/Toast";
import { useTeamId } from "../apps/shared/queries";
import { PublishFields } from "./PublishFields";
import { serviceKeys } from "./queries";
import { buildPatchBody, engineInfo, isBusy, specFormOf, type SpecForm } from "./serviceForm";
import { useServiceOutlet } from "./ServiceLayout";
import type { Service } from "./types";

export default function ServiceSettings() {
  const { service } = useServiceOutlet();
  const canEdit = useCan("member");
  if (!canEdit) return <p className="notice">Viewers cannot change services; ask a team admin for the member role.</p>;
  return (
    <>
      {/* A new key resets the form when the service changed under it (another tab, the poll). */}
      <ChangeServiceCard key={service.updated_at} service={service} />
      <DeleteServiceCard service={service} />
    </>
  );
}

function ChangeServiceCard({ service }: { service: Service }) {
  const isAdmin = useCan("admin");
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState<SpecForm>(() => specFormOf(service));
  const [tried, setTried] = useState(false);
  const engine = engineInfo(service.engine);
  const built = buildPatchBody(service, form, isAdmin);
  const errors = tried ? built.errors : {};
  const set = (change: Partial<SpecForm>) => setForm((f) => ({ ...f, ...change }));
  const versions = engine?.versions ?? [];
  const { busy, error, submit } = useSubmit(async () => {
    setTried(true);
    if (Object.keys(built.errors).length || Object.keys(built.body).length === 0) return;
    const answer = await call(api.PATCH("/api/v1/services/{id}", { params: { path: { id: service.id ?? "" } }, body: built.body }));
    queryClient.setQueryData(serviceKeys.service(team, service.id ?? ""), answer);
    void queryClient.invalidateQueries({ queryKey: serviceKeys.all(team) });
    toast(answer.status === "stopped" ? `${service.name} changed; it runs with it at its next start` : `${service.name} changed; redeploying it`);
  });
  const unchanged = Object.keys(built.body).length === 0;
  return (
    <section className="card" aria-labelledby="change-service">
      <h2 id="change-service">Image, version and limits</h2>
      <p className="muted">
        A new image or version within the major version is a minor upgrade: the service is redeployed on the same volume. A major version change is
        refused — back the service up, create a service on the new version and restore into it.
      </p>
      <form noValidate onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="svc-set-version">Version</label>
          <select id="svc-set-version" className="input" value={form.version} onChange={(e) => set({ version: e.target.value })}>
            {(versions.includes(form.version) ? versions : [form.version, ...versions]).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <Field label="Image" value={form.image} onChange={(e) => set({ image: e.target.value })} hint="e.g. postgres:16.4 for a minor upgrade" />
        <Field label="Memory" value={form.memory} onChange={(e) => set({ memory: e.target.value })} hint={errors.memory ?? "512M, 1G, …; 0 for no limit"} aria-invalid={errors.memory ? true : undefined} />
        <Field label="CPUs" inputMode="decimal" placeholder="no limit" value={form.cpus} onChange={(e) => set({ cpus: e.target.value })} hint={errors.cpus ?? "0.5, 2, …; 0 for no limit"} aria-invalid={errors.cpus ? true : undefined} />
        {isAdmin && <PublishFields publish={form.publish} port={service.port ?? engine?.port ?? 0} errors={errors} onChange={(publish) => set({ publish })} />}
        <ErrorText error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || unchanged || isBusy(service.status)}>
            {busy ? "Saving…" : "Save and redeploy"}
          </button>
          {isBusy(service.status) && <span className="muted">Wait until it is {service.status === "stopping" ? "stopped" : "running"} to change it.</span>}
        </div>
      </form>
    </section>
  );
}

function DeleteServiceCard({ service }: { service: Service }) {
  const [open, setOpen] = useState(false);
  const team = useTeamId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const links = service.links ?? [];
  return (
    <section className="card" aria-labelledby="delete-service">
      <h2 id="delete-service">Delete this service</h2>
      <p className="muted">Removes its container and its data volume, then the service. Apps must be unlinked first.</p>
      {links.length > 0 && <p className="notice">Linked to {links.map((l) => l.app_name).join(", ")}: unlink them first.</p>}
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
        Delete service
      </button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete service ${service.name}?`}
        confirmLabel="Delete service and data"
        typeToConfirm={service.name}
        onConfirm={async () => {
          await call(api.DELETE("/api/v1/services/{id}", { params: { path: { id: service.id ?? "" }, query: { confirm: service.name ?? "" } } }));
          void queryClient.invalidateQueries({ queryKey: serviceKeys.all(team) });
          toast(`Deleting ${service.name} and its data`);
          navigate("/services");
        }}
      >
        Its data volume <strong className="mono">{service.volume}</strong> is removed with it: the data is gone.
      </ConfirmDialog>
    </section>
  );
}
