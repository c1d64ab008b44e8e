// /apps/:id/domains — the hostnames the app answers at (domains.md): each with its TLS,
// redirect, DNS status and certificate; members add, edit, check and remove them.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { useCan } from "../../../auth/AuthContext";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorText } from "../../../components/ErrorText";
import { Pagination } from "../../../components/Pagination";
import { useToast } from "../../../components/Toast";
import { useAppOutlet } from "../detail/AppLayout";
import { useTeamId } from "../shared/queries";
import type { App } from "../shared/types";
import { DomainCard } from "./DomainCard";
import { DomainDialog } from "./DomainDialog";
import { dnsLabel } from "./dnsHelp";
import { domainLabel, primaryFirst } from "./domainForm";
import { domainKeys, PER_PAGE, useAppDomains, useServerAddresses } from "./queries";
import type { Domain } from "./types";
import "./domains.css";

export default function DomainsTab() {
  const { app } = useAppOutlet();
  return <DomainsPanel app={app} />;
}

export function DomainsPanel({ app }: { app: App }) {
  const appId = app.id ?? "";
  const team = useTeamId();
  const canEdit = useCan("member");
  const queryClient = useQueryClient();
  const toast = useToast();
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Domain | "new" | null>(null);
  const [removing, setRemoving] = useState<Domain | null>(null);
  const list = useAppDomains(appId, page);
  const addresses = useServerAddresses(app.server_id);
  const refresh = () => queryClient.invalidateQueries({ queryKey: domainKeys.all(team, appId) });
  const check = useMutation({
    mutationFn: (domain: Domain) => call(api.POST("/api/v1/domains/{id}/check", { params: { path: { id: domain.id ?? "" } } })),
    onSuccess: (checked) => {
      void refresh();
      toast(`${domainLabel(checked)}: ${dnsLabel[checked.dns?.status ?? "pending_dns"]}`);
    },
  });

  const domains = primaryFirst(list.data?.data ?? []);
  const byId = new Map(domains.map((d) => [d.id ?? "", d]));
  // The API refuses to remove a domain others redirect to (409 domain_redirect_target).
  const redirectingTo = (target: Domain | null) => (target ? domains.filter((d) => d.redirect_to === target.id).map(domainLabel) : []);
  const addButton = canEdit && (
    <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>Add domain</button>
  );
  return (
    <section aria-labelledby="domains-title">
      <div className="spread domains-head">
        <div>
          <h2 id="domains-title">Domains</h2>
          <p className="muted">
            The app answers at each of these hostnames. DNS is checked when a domain is added, daily and on Check now; its status is shown,
            never enforced — but ACME certificates are only issued once the name reaches the server.
          </p>
        </div>
        {addButton}
      </div>
      {list.error && <ErrorText error={list.error} />}
      {!list.data && !list.error && (
        <div aria-busy="true">
          <div className="skeleton domain-skeleton" />
          <div className="skeleton domain-skeleton" />
        </div>
      )}
      {list.data && domains.length === 0 && (
        <EmptyState title="No domains yet" action={addButton || undefined}>
          Add the hostname people should reach this app at, then create the DNS records shown for it.
        </EmptyState>
      )}
      {domains.map((d) => (
        <DomainCard
          key={d.id}
          domain={d}
          appId={appId}
          redirectTarget={d.redirect_to ? (byId.get(d.redirect_to)?.hostname ?? d.redirect_to) : null}
          addresses={addresses.data ?? (addresses.error ? [] : undefined)}
          canEdit={canEdit}
          checking={check.isPending && check.variables?.id === d.id}
          checkError={check.error && check.variables?.id === d.id ? check.error : null}
          onEdit={() => setEditing(d)}
          onCheck={() => check.mutate(d)}
          onRemove={() => setRemoving(d)}
        />
      ))}
      <Pagination page={page} perPage={PER_PAGE} total={list.data?.total ?? 0} onPage={setPage} />
      {editing !== null && (
        <DomainDialog appId={appId} domain={editing === "new" ? null : editing} domains={domains} onClose={() => setEditing(null)} />
      )}
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={`Remove ${removing ? domainLabel(removing) : ""}?`}
        confirmLabel="Remove domain"
        onConfirm={async () => {
          await call(api.DELETE("/api/v1/domains/{id}", { params: { path: { id: removing?.id ?? "" } } }));
          void refresh();
          toast(`${removing ? domainLabel(removing) : "Domain"} removed`);
        }}
      >
        {app.name} stops answering at <strong className="mono">{removing ? domainLabel(removing) : ""}</strong> at once; its route leaves the server's proxy.
        {redirectingTo(removing).length > 0 && (
          <> {redirectingTo(removing).join(", ")} redirect{redirectingTo(removing).length === 1 ? "s" : ""} here: change or remove {redirectingTo(removing).length === 1 ? "it" : "them"} first.</>
        )}
      </ConfirmDialog>
    </section>
  );
}
