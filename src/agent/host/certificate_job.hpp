#pragma once
/// The `proxy.certificates` job kind: which certificate Caddy serves for each of the given
/// hostnames, read the way a browser would see it — a TLS handshake with that name (SNI) to
/// the local HTTPS port, nothing verified — plus Caddy's last word on obtaining one (from
/// CaddyTlsLog). berthd shows it on the domain and raises events for certificates due to
/// expire or failing to be issued.

#include <chrono>
#include <string>

#include "agent/host/caddy_tls_log.hpp"
#include "agent/job_types.hpp"
#include "core/error.hpp"
#include "core/x509_summary.hpp"

namespace berth::agent::host {

/// The certificate served at `ip`:`port` for `server_name`; unavailable "tls_handshake" with
/// the reason when there is none (nothing listens, no certificate for that name yet).
Result<X509Summary> served_certificate(const std::string& ip, int port,
                                       const std::string& server_name,
                                       std::chrono::milliseconds timeout);

/// Args {hosts: [DNS names or *.wildcards, at most 1000], https_port (default 443)}. Result
/// {certificates: [{host, certificate: {subject, issuer, not_before, not_after, sans} | null,
/// error: null | why none is served, acme: null | {error, failed_at, obtained_at}}]}.
JobOutcome run_proxy_certificates(JobContext& job, const CaddyTlsLog* log);

}  // namespace berth::agent::host
