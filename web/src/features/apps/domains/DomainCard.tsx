// One domain of the app: where it answers, how (TLS, redirects), whether DNS points at the
// server, its certificate, and (members) edit, check now and remove.
import { Link } from "react-router-dom";
import { ErrorText } from "../../../components/ErrorText";
import { RelativeTime } from "../../../components/Time";
import { DnsStatusView } from "./DnsStatusView";
import { domainLabel } from "./domainForm";
import type { Domain } from "./types";

const statusTone = { serving: "ok", redirecting: "ok", inactive: "idle" } as const;
const statusText = {
  serving: "serving",
  redirecting: "redirecting",
  inactive: "inactive — routed once the app is deployed and running",
} as const;

export function DomainCard({
  domain,
  appId,
  redirectTarget,
  addresses,
  canEdit,
  checking,
  checkError,
  onEdit,
  onCheck,
  onRemove,
}: {
  domain: Domain;
  appId: string;
  redirectTarget: string | null;
  addresses: readonly string[] | undefined;
  canEdit: boolean;
  checking: boolean;
  checkError: unknown;
  onEdit: () => void;
  onCheck: () => void;
  onRemove: () => void;
}) {
  const label = domainLabel(domain);
  const status = domain.status ?? "inactive";
  return (
    <article className="card domain-card" aria-labelledby={`domain-${domain.id}`}>
      <div className="spread">
        <h3 id={`domain-${domain.id}`} className="row domain-name">
          {domain.url ? <a href={domain.url} target="_blank" rel="noreferrer">{label}</a> : label}
          {domain.primary && <span className="badge badge-ok">primary</span>}
        </h3>
        {canEdit && (
          <div className="row">
            <button type="button" className="btn btn-sm" onClick={onEdit}>Edit<span className="sr-only"> {label}</span></button>
            <button type="button" className="btn btn-sm" disabled={checking} onClick={onCheck}>{checking ? "Checking…" : "Check now"}<span className="sr-only"> {label}</span></button>
            {!domain.primary && <button type="button" className="btn btn-sm btn-danger" onClick={onRemove}>Remove<span className="sr-only"> {label}</span></button>}
          </div>
        )}
      </div>
      <ErrorText error={checkError} />
      <dl className="kv domain-kv">
        <dt>Status</dt>
        <dd><span className={`dot dot-${statusTone[status]} domain-dot`} aria-hidden /> {statusText[status]}</dd>
        <dt>TLS</dt>
        <dd><TlsSummary domain={domain} /></dd>
        {redirectTarget !== null && (<><dt>Redirects to</dt><dd>308 to <span className="mono">{redirectTarget}</span>, path and query kept</dd></>)}
        {domain.certificate && (<><dt>Certificate</dt><dd><CertificateSummary certificate={domain.certificate} /></dd></>)}
        {domain.certificate_check && (domain.certificate_check.error || domain.certificate_check.acme_error) && (
          <><dt>Certificate problem</dt><dd><CertificateProblem check={domain.certificate_check} /></dd></>
        )}
        <dt>DNS</dt>
        <dd><DnsStatusView domain={domain} addresses={addresses} /></dd>
      </dl>
      {domain.primary && (
        <p className="muted domain-note">
          The primary domain is the app's hostname: it cannot be removed here. Change the hostname in <Link to={`/apps/${appId}/settings`}>Settings</Link>.
        </p>
      )}
    </article>
  );
}

function TlsSummary({ domain }: { domain: Domain }) {
  const tls = domain.tls ?? "off";
  const on = tls !== "off";
  return (
    <span className="row">
      <span className="badge">{tls}</span>
      {domain.tls_follows_server && <span className="muted">the server's setting</span>}
      {on && <span className="muted">{domain.https_redirect ? "HTTP → HTTPS" : "HTTP and HTTPS both served"}</span>}
      {on && domain.hsts && <span className="badge">HSTS</span>}
    </span>
  );
}

function CertificateSummary({ certificate }: { certificate: NonNullable<Domain["certificate"]> }) {
  const expires = certificate.not_after ? new Date(certificate.not_after) : null;
  const soon = expires !== null && expires.getTime() - Date.now() < 14 * 86_400_000;
  return (
    <span className="cert-summary">
      {certificate.issuer && <span>Issued by <span className="mono">{certificate.issuer}</span></span>}
      {expires && (
        <span className={soon ? "cert-soon" : undefined}>
          {" "}· expires <RelativeTime at={certificate.not_after} /> ({expires.toISOString().slice(0, 10)})
        </span>
      )}
      {(certificate.sans ?? []).length > 0 && <span className="muted"> · for {(certificate.sans ?? []).join(", ")}</span>}
    </span>
  );
}

// Why the server serves no certificate for the name (or Caddy's last failure to obtain one),
// as the server last reported it.
function CertificateProblem({ check }: { check: NonNullable<Domain["certificate_check"]> }) {
  return (
    <span className="cert-problem">
      {check.acme_error ? <span>Caddy could not obtain one: <span className="mono">{check.acme_error}</span></span> : <span>{check.error}</span>}
      {check.checked_at && <span className="muted"> · read <RelativeTime at={check.checked_at} /></span>}
    </span>
  );
}
