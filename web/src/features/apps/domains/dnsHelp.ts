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
      return `No address found for ${hostname} yet. At your DNS host, create:`;
    case "elsewhere":
      return `${hostname} resolves to other addresses than the server's — a typo, an old record, or a CDN or load balancer in front of it (then all is well). To point it at the server directly:`;
  }
}

/// How to point the name at the server besides A/AAAA records.
export function cnameAdvice(hostname: string): string {
  if (isWildcard(hostname)) return `Wildcard records, named ${hostname}; the check looks up one name under it. New records can take a while to be seen.`;
  if (isApex(hostname)) return "At the apex a CNAME is not allowed (some DNS hosts offer ALIAS or ANAME). New records can take a while to be seen.";
  return "Or a CNAME to a name that has these addresses. New records can take a while to be seen.";
}
