#pragma once
/// How berth-agent checks berthd's certificate and opens connections: system roots or a CA
/// file with host-name verification, or a pinned SHA-256 of the server's own certificate
/// (for a self-signed berthd). Used by enroll and run alike. I/O thread only.

#include <chrono>
#include <string>

#include "agent/net.hpp"
#include "agent/server_url.hpp"
#include "core/error.hpp"

namespace berth::agent {

struct TlsOptions {
  std::string ca_file = {};     // PEM; "" for the system roots
  std::string pin_sha256 = {};  // 32 raw bytes; "" for chain verification
};

/// A client context set up for `options`; fails when the CA file cannot be loaded.
Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsOptions& options);

/// Resolves and connects `stream` to the URL's host and port within `timeout`.
asio::awaitable<Result<void>> connect_tcp(beast::tcp_stream& stream, const ServerUrl& url,
                                          std::chrono::milliseconds timeout);

/// SNI and the host name to verify (unless pinned), then the TLS handshake within `timeout`.
asio::awaitable<Result<void>> tls_handshake(TlsStream& stream, const ServerUrl& url,
                                            const TlsOptions& options,
                                            std::chrono::milliseconds timeout);

}  // namespace berth::agent
