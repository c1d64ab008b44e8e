// The add/edit form of a domain and the request bodies it makes: a POST carries only what
// differs from the API's defaults, a PATCH only what the user changed.
import type { CreateDomainBody, Domain, PatchDomainBody, TlsMode } from "./types";

export interface DomainForm {
  hostname: string;
  pathPrefix: string;
  /// "" follows the server's proxy setting (tls null / left out).
  tls: "" | TlsMode;
  redirectTo: string;
  httpsRedirect: boolean;
  hsts: boolean;
  chain: string;
  key: string;
}

export const emptyForm: DomainForm = { hostname: "", pathPrefix: "", tls: "", redirectTo: "", httpsRedirect: true, hsts: false, chain: "", key: "" };

export function formOf(domain: Domain): DomainForm {
  return {
    hostname: domain.hostname ?? "",
    pathPrefix: domain.path_prefix ?? "",
    tls: domain.tls_follows_server ? "" : (domain.tls ?? ""),
    redirectTo: domain.redirect_to ?? "",
    httpsRedirect: domain.https_redirect ?? true,
    hsts: domain.hsts ?? false,
    chain: "",
    key: "",
  };
}

function certificateOf(form: DomainForm): { chain: string; key: string } | undefined {
  if (form.tls !== "custom" || (form.chain.trim() === "" && form.key.trim() === "")) return undefined;
  return { chain: form.chain, key: form.key };
}

export function createBody(form: DomainForm): CreateDomainBody {
  const body: CreateDomainBody = { hostname: form.hostname.trim() };
  const prefix = form.pathPrefix.trim();
  if (prefix !== "" && prefix !== "/") body.path_prefix = prefix;
  const certificate = certificateOf(form);
  // An uploaded certificate sets tls custom by itself.
  if (certificate) body.certificate = certificate;
  else if (form.tls !== "") body.tls = form.tls;
  if (form.redirectTo !== "") body.redirect_to = form.redirectTo;
  if (!form.httpsRedirect) body.https_redirect = false;
  if (form.hsts) body.hsts = true;
  return body;
}

export function patchBody(domain: Domain, form: DomainForm): PatchDomainBody {
  const before = formOf(domain);
  const body: PatchDomainBody = {};
  const prefix = form.pathPrefix.trim();
  if (prefix !== before.pathPrefix) body.path_prefix = prefix === "" || prefix === "/" ? null : prefix;
  const certificate = certificateOf(form);
  if (certificate) body.certificate = certificate;
  else if (form.tls !== before.tls) body.tls = form.tls === "" ? null : form.tls;
  if (form.redirectTo !== before.redirectTo) body.redirect_to = form.redirectTo === "" ? null : form.redirectTo;
  if (form.httpsRedirect !== before.httpsRedirect) body.https_redirect = form.httpsRedirect;
  if (form.hsts !== before.hsts) body.hsts = form.hsts;
  return body;
}

/// Domains another may redirect to (domains.md "Redirect domains"): of the same app, serving
/// its root — not a redirect, not under a path prefix, not a wildcard — and not itself.
export function redirectTargets(domains: readonly Domain[], self?: string): Domain[] {
  return domains.filter((d) => d.id !== self && !d.redirect_to && !d.path_prefix && !(d.hostname ?? "").startsWith("*."));
}

/// "shop.example.com/api" — a domain as people read it.
export function domainLabel(domain: Pick<Domain, "hostname" | "path_prefix">): string {
  return `${domain.hostname ?? ""}${domain.path_prefix ?? ""}`;
}

/// The primary domain first (it is the app's URL), the rest as the API lists them.
export function primaryFirst(domains: readonly Domain[]): Domain[] {
  return [...domains].sort((a, b) => Number(b.primary ?? false) - Number(a.primary ?? false));
}
