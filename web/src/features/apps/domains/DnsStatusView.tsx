// A domain's DNS check: its status in words, the records found, when it was checked and,
// unless all is well, the records to create at the DNS host.
import { RelativeTime } from "../../../components/Time";
import { cnameAdvice, dnsExplanation, dnsLabel, recordsToCreate } from "./dnsHelp";
import type { Domain } from "./types";

const tone = { ok: "ok", pending_dns: "warn", elsewhere: "warn" } as const;

export function DnsStatusView({ domain, addresses }: { domain: Domain; addresses: readonly string[] | undefined }) {
  const dns = domain.dns ?? {};
  const status = dns.status ?? "pending_dns";
  const hostname = domain.hostname ?? "";
  const found = dns.records ?? [];
  return (
    <div className="dns-status">
      <div className="row">
        <span className={`badge badge-${tone[status]}`}>
          <span className={`dot dot-${tone[status]}`} aria-hidden /> {dnsLabel[status]}
        </span>
        <span className="muted">
          checked <RelativeTime at={dns.checked_at} />
        </span>
      </div>
      {found.length > 0 && (
        <p className="dns-found">
          Found:{" "}
          {found.map((r, i) => (
            <span key={`${r.type}-${r.value}-${i}`} className="mono dns-record">
              {r.type} {r.value}
            </span>
          ))}
        </p>
      )}
      <p className="dns-help">{dnsExplanation(status, hostname)}</p>
      {status !== "ok" && <RecordsToCreate hostname={hostname} addresses={addresses} />}
    </div>
  );
}

function RecordsToCreate({ hostname, addresses }: { hostname: string; addresses: readonly string[] | undefined }) {
  if (addresses === undefined) return <div className="skeleton" style={{ height: 24 }} aria-busy="true" />;
  const records = recordsToCreate(hostname, addresses);
  if (records.length === 0) {
    return (
      <p className="muted">
        an A record (and an AAAA for IPv6) with the server's public address. The server has not reported one yet; a team admin can state it in the
        server's Proxy tab.
      </p>
    );
  }
  return (
    <>
      <ul className="dns-to-create" aria-label={`DNS records to create for ${hostname}`}>
        {records.map((r) => (
          <li key={`${r.type}-${r.value}`} className="mono">
            <span className="dns-type">{r.type}</span> {r.name} → {r.value}
          </li>
        ))}
      </ul>
      <p className="muted">{cnameAdvice(hostname)}</p>
    </>
  );
}
