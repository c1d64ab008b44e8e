// Add a domain (POST /apps/{id}/domains) or change one (PATCH /domains/{id}). The API's
// errors show at the control they name (details.field; 409 hostname_taken at the hostname).
import { useId, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../../api/client";
import { useCan } from "../../../auth/AuthContext";
import { Dialog } from "../../../components/Dialog";
import { FormActions } from "../../../components/FormActions";
import { useToast } from "../../../components/Toast";
import { keys, useTeamId } from "../shared/queries";
import { CertificateFields } from "./CertificateFields";
import { createBody, domainLabel, emptyForm, formOf, patchBody, redirectTargets, type DomainForm } from "./domainForm";
import { describedBy, FieldError } from "./FieldError";
import { messageAt, unplacedError } from "./apiFieldError";
import type { Domain } from "./types";

const tlsHint: Record<DomainForm["tls"], string> = {
  "": "The mode set in the server's Proxy tab, following it when it changes.",
  acme: "Obtained and renewed by itself once the name resolves to the server and port 80 reaches it.",
  internal: "Trusted only by clients that trust Caddy's local CA: tests and internal tools.",
  custom: "Served as uploaded; renewing is uploading the new one.",
  off: "Plain HTTP only.",
};

const placed = ["hostname", "path_prefix", "tls", "redirect_to", "certificate"] as const;

export function DomainDialog({ appId, domain, domains, onClose }: { appId: string; domain: Domain | null; domains: readonly Domain[]; onClose: () => void }) {
  const editing = domain !== null;
  const isAdmin = useCan("admin");
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState<DomainForm>(() => (domain ? formOf(domain) : emptyForm));
  const set = (next: Partial<DomainForm>) => setForm((f) => ({ ...f, ...next }));
  const save = useMutation({
    mutationFn: () =>
      domain
        ? call(api.PATCH("/api/v1/domains/{id}", { params: { path: { id: domain.id ?? "" } }, body: patchBody(domain, form) }))
        : call(api.POST("/api/v1/apps/{id}/domains", { params: { path: { id: appId } }, body: createBody(form) })),
    onSuccess: (saved) => {
      // The primary domain and the app's URL move together; refresh both.
      void queryClient.invalidateQueries({ queryKey: keys.app(team, appId) });
      toast(editing ? `${domainLabel(saved)} saved` : `${domainLabel(saved)} added; its DNS is being checked`);
      onClose();
    },
  });
  const err = save.error;
  const ids = useId();
  const id = (name: string) => `${ids}-${name}`;
  const tlsOn = form.tls !== "off";
  const targets = redirectTargets(domains, domain?.id);
  const hadCustom = domain?.tls === "custom";
  const nothingChanged = editing && domain !== null && Object.keys(patchBody(domain, form)).length === 0;
  const hostError = messageAt(err, "hostname");
  const prefixError = messageAt(err, "path_prefix");
  const tlsError = messageAt(err, "tls");
  const redirectError = messageAt(err, "redirect_to");
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title={editing ? `Edit ${domainLabel(domain)}` : "Add domain"}>
      <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        {!editing && (
          <div className="field">
            <label htmlFor={id("host")}>Hostname</label>
            <input id={id("host")} className="input" required autoComplete="off" spellCheck={false} placeholder="shop.example.com" value={form.hostname} onChange={(e) => set({ hostname: e.target.value })} {...describedBy(id("host-hint"), id("host-error"), hostError)} />
            <span id={id("host-hint")} className="hint">A name of two labels or more, or a wildcard such as *.preview.example.com (not with ACME).</span>
            <FieldError id={id("host-error")} message={hostError} />
          </div>
        )}
        <div className="field">
          <label htmlFor={id("prefix")}>Path prefix (optional)</label>
          <input id={id("prefix")} className="input mono" autoComplete="off" spellCheck={false} placeholder="/api" value={form.pathPrefix} onChange={(e) => set({ pathPrefix: e.target.value })} {...describedBy(id("prefix-hint"), id("prefix-error"), prefixError)} />
          <span id={id("prefix-hint")} className="hint">Only this path and below it reach the app, unchanged (nothing is stripped). Empty: the whole host.</span>
          <FieldError id={id("prefix-error")} message={prefixError} />
        </div>
        <div className="field">
          <label htmlFor={id("tls")}>TLS</label>
          <select id={id("tls")} className="input" value={form.tls} onChange={(e) => set({ tls: e.target.value as DomainForm["tls"] })} {...describedBy(id("tls-hint"), id("tls-error"), tlsError)}>
            <option value="">Follow the server's proxy setting</option>
            <option value="acme">ACME — a public certificate (Let's Encrypt)</option>
            <option value="internal">Internal — Caddy's local CA</option>
            <option value="custom" disabled={!isAdmin && !hadCustom}>Custom — an uploaded certificate{isAdmin ? "" : " (admin only)"}</option>
            <option value="off">Off — plain HTTP only</option>
          </select>
          <span id={id("tls-hint")} className="hint">{tlsHint[form.tls]}</span>
          <FieldError id={id("tls-error")} message={tlsError} />
        </div>
        {form.tls === "custom" && isAdmin && (
          <CertificateFields
            chain={form.chain}
            keyPem={form.key}
            replacing={hadCustom}
            onChange={(next) => set({ ...(next.chain !== undefined && { chain: next.chain }), ...(next.key !== undefined && { key: next.key }) })}
            chainError={messageAt(err, "certificate.chain") ?? messageAt(err, "certificate")}
            keyError={messageAt(err, "certificate.key")}
          />
        )}
        {form.tls === "custom" && !isAdmin && <p className="muted">The certificate is uploaded by a team admin; you may change the other settings.</p>}
        {domain?.primary ? (
          <p className="muted">The primary domain serves the app; it cannot redirect.</p>
        ) : (
          <div className="field">
            <label htmlFor={id("redirect")}>Redirect</label>
            <select id={id("redirect")} className="input" value={form.redirectTo} onChange={(e) => set({ redirectTo: e.target.value })} {...describedBy(id("redirect-hint"), id("redirect-error"), redirectError)}>
              <option value="">No redirect — serve the app</option>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>Redirect (308) to {t.hostname}</option>
              ))}
            </select>
            <span id={id("redirect-hint")} className="hint">Answers every request with a 308 to that domain, keeping the path and query (example.com → www.example.com).</span>
            <FieldError id={id("redirect-error")} message={redirectError} />
          </div>
        )}
        <label className="checkbox domain-check">
          <input type="checkbox" disabled={!tlsOn} checked={form.httpsRedirect} onChange={(e) => set({ httpsRedirect: e.target.checked })} /> Redirect HTTP to HTTPS
        </label>
        <label className="checkbox domain-check">
          <input type="checkbox" disabled={!tlsOn} checked={form.hsts} onChange={(e) => set({ hsts: e.target.checked })} /> HSTS — only once HTTPS works for good: browsers then refuse plain HTTP for a year
        </label>
        <FormActions error={unplacedError(err, placed)} label={editing ? "Save" : "Add domain"} busy={save.isPending} busyLabel="Saving…" disabled={nothingChanged} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
