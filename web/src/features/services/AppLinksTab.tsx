// /apps/:id/services — the services an app is linked to (GET /apps/{id}/links), with the env
// vars each link wrote; members link a service of the app's project and server (an optional
// env prefix) and unlink. A link changes the app's env: it is out of date until deployed.
import { useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api, call } from "../../api/client";
import { useCan } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { DataTable } from "../../components/DataTable";
import { Dialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { ErrorText } from "../../components/ErrorText";
import { FormActions } from "../../components/FormActions";
import { useToast } from "../../components/Toast";
import { useAppOutlet } from "../apps/detail/AppLayout";
import { keys, useTeamId } from "../apps/shared/queries";
import type { App } from "../apps/shared/types";
import { serviceKeys, useAppLinks } from "./queries";
import { engineLabel } from "./serviceForm";
import type { ServiceLink } from "./types";

export default function AppLinksTab() {
  const { app } = useAppOutlet();
  return <AppLinksPanel app={app} />;
}

export function AppLinksPanel({ app }: { app: App }) {
  const appId = app.id ?? "";
  const canEdit = useCan("member");
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const links = useAppLinks(appId);
  const [linking, setLinking] = useState(false);
  const [unlinking, setUnlinking] = useState<ServiceLink | null>(null);
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: serviceKeys.all(team) });
    void queryClient.invalidateQueries({ queryKey: keys.app(team, appId) });
    void queryClient.invalidateQueries({ queryKey: keys.env(team, `apps/${appId}`) });
  };
  const linkButton = canEdit && app.project_id && (
    <button type="button" className="btn btn-primary" onClick={() => setLinking(true)}>
      Link a service
    </button>
  );
  const items = links.data ?? [];
  return (
    <section aria-labelledby="links-title">
      <div className="spread" style={{ marginBottom: "var(--space-3)" }}>
        <div>
          <h2 id="links-title">Services</h2>
          <p className="muted">
            A link writes the service's URL and credentials into the app as secret env vars; the app's next deployment joins the project's network, where
            the service answers at its name.
          </p>
        </div>
        {linkButton}
      </div>
      {!app.project_id && <p className="notice">Services live in projects: put this app in a project (Settings) to link it to one.</p>}
      {links.error && <ErrorText error={links.error} />}
      {!links.data && !links.error && <div className="skeleton" style={{ height: 88 }} aria-busy="true" />}
      {links.data && items.length === 0 && app.project_id && (
        <EmptyState title="No linked services" action={linkButton || undefined}>
          Link a database or cache of this app's project and server to give the app its DATABASE_URL or REDIS_URL.
        </EmptyState>
      )}
      {items.length > 0 && (
        <DataTable columns={["Service", "Engine", "Env vars", "Prefix"]} actions={canEdit}>
          {items.map((l) => (
            <tr key={l.service_id}>
              <td>
                <Link to={`/services/${l.service_id}`}>
                  <strong>{l.service_name}</strong>
                </Link>
              </td>
              <td>{engineLabel(l.engine)}</td>
              <td className="mono">{(l.env_keys ?? []).join(", ")}</td>
              <td className="mono">{l.env_prefix || "–"}</td>
              {canEdit && (
                <td className="actions">
                  <button type="button" className="btn btn-sm" onClick={() => setUnlinking(l)} aria-label={`Unlink ${l.service_name}`}>
                    Unlink
                  </button>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      {linking && (
        <LinkDialog
          app={app}
          linked={items.map((l) => l.service_id ?? "")}
          onClose={() => setLinking(false)}
          onLinked={(link) => {
            changed();
            toast(`Linked ${link.service_name}: ${(link.env_keys ?? []).join(", ")}. Deploy ${app.name} to use them.`);
          }}
        />
      )}
      <ConfirmDialog
        open={unlinking !== null}
        onOpenChange={(open) => !open && setUnlinking(null)}
        title={`Unlink ${unlinking?.service_name ?? ""}?`}
        confirmLabel="Unlink"
        onConfirm={async () => {
          if (!unlinking) return;
          await call(api.DELETE("/api/v1/apps/{id}/links/{service_id}", { params: { path: { id: appId, service_id: unlinking.service_id ?? "" } } }));
          changed();
          toast(`Unlinked ${unlinking.service_name}; deploy ${app.name} to apply`);
        }}
      >
        Removes <span className="mono">{(unlinking?.env_keys ?? []).join(", ")}</span> from {app.name}. The service and its data stay.
      </ConfirmDialog>
    </section>
  );
}

/// Picks a service of the app's project and server, with an optional env prefix.
function LinkDialog({ app, linked, onClose, onLinked }: { app: App; linked: string[]; onClose: () => void; onLinked: (link: ServiceLink) => void }) {
  const id = useId();
  const team = useTeamId();
  const [serviceId, setServiceId] = useState("");
  const [prefix, setPrefix] = useState("");
  const candidates = useQuery({
    queryKey: [...serviceKeys.all(team), "linkable", app.project_id, app.server_id],
    queryFn: () =>
      call(api.GET("/api/v1/services", { params: { query: { project_id: app.project_id ?? "", server_id: app.server_id ?? "", per_page: 100 } } })),
    select: (page) => page.data ?? [],
  });
  const link = useMutation({
    mutationFn: (service: string) =>
      call(api.POST("/api/v1/apps/{id}/links", { params: { path: { id: app.id ?? "" } }, body: { service_id: service, ...(prefix ? { env_prefix: prefix } : {}) } })),
    onSuccess: (answer) => {
      onLinked(answer);
      onClose();
    },
  });
  const services = candidates.data ?? [];
  const chosen = serviceId || services.find((s) => !linked.includes(s.id ?? ""))?.id || "";
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title="Link a service">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) link.mutate(chosen);
        }}
      >
        {candidates.error && <ErrorText error={candidates.error} />}
        {candidates.data && services.length === 0 && (
          <p className="notice">
            No service in this app's project on its server yet. <Link to={`/services/new?project=${app.project_id}`}>Create one</Link>.
          </p>
        )}
        <div className="field">
          <label htmlFor={`${id}-service`}>Service</label>
          <select id={`${id}-service`} className="input" value={chosen} onChange={(e) => setServiceId(e.target.value)}>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({engineLabel(s.engine)} {s.version}){linked.includes(s.id ?? "") ? " — linked; linking again replaces it" : ""}
              </option>
            ))}
          </select>
          <span className="hint">Only services of the app's project on the app's server can be linked.</span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-prefix`}>Env prefix (optional)</label>
          <input id={`${id}-prefix`} className="input mono" autoComplete="off" placeholder="e.g. CACHE_" value={prefix} onChange={(e) => setPrefix(e.target.value)} aria-describedby={`${id}-prefix-hint`} />
          <span id={`${id}-prefix-hint`} className="hint">
            Put in front of each var's name (CACHE_ gives CACHE_REDIS_URL); needed when the app already has one of the names.
          </span>
        </div>
        <FormActions error={link.error ?? undefined} label="Link" busy={link.isPending} disabled={!chosen} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
