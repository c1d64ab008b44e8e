// What a domain's DNS status means and which records to create (domains.md "DNS: the
// records to create" and "DNS status"), in plain words for the Domains tab.
import type { DnsStatus } from "./types";

export interface RecordToCreate {
  type: "A" | "AAAA";
  name: string;
  value: string;
}

export const dnsLabel: Record<DnsStatus, string> = {
  pending_dns: "DNS pending",
  ok: "DNS ok",
  elsewhere: "DNS points elsewhere",
};

/// "example.com" (two labels) is an apex, where a CNAME is not allowed. Public suffixes of two
/// labels (co.uk) are not known here, so the help says "at the apex" rather than guessing.
export function isApex(hostname: string): boolean {
  return hostname.replace(/^\*\./, "").split(".").length === 2;
}

export function isWildcard(hostname: string): boolean {
  return hostname.startsWith("*.");
}

/// One A or AAAA record per server address, named as the domain (a wildcard keeps its `*.`).
export function recordsToCreate(hostname: string, addresses: readonly string[]): RecordToCreate[] {
  return addresses.map((value) => ({ type: value.includes(":") ? "AAAA" : "A", name: hostname, value }));
}

/// The sentence next to the status: what it means and what to do.
export function dnsExplanation(status: DnsStatus, hostname: string): string {
  switch (status) {
    case "ok":
      return `${hostname} points at the app's server.`;
    case "pending_dns":
      return `${hostname} does not resolve to any address yet. Create the records below at your DNS host; new records can take a while to be seen, then press Check now.`;
    case "elsewhere":
      return `${hostname} resolves, but not to this server's addresses: a typo, an old record, or a CDN or load balancer in front of the server (then all is well). To reach the server directly, change the records to the ones below.`;
  }
}

/// How to point the name at the server: a CNAME is an option below the apex only.
export function cnameAdvice(hostname: string): string {
  if (isWildcard(hostname)) return `Create a wildcard record named ${hostname}.`;
  if (isApex(hostname)) return "A CNAME is not allowed at the apex; some DNS hosts offer ALIAS or ANAME records instead.";
  return "Or a CNAME to a name that already has these addresses.";
}
