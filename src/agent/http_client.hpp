#pragma once
/// A one-shot HTTP/1.1 client for enrollment: POST a JSON body to berthd, read the answer.
/// Blocks the calling thread (it runs its own io_context).

#include <chrono>
#include <string>

#include "agent/server_url.hpp"
#include "agent/tls.hpp"
#include "core/error.hpp"

namespace berth::agent {

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

/// Fails (Error::unavailable, code "network") when berthd cannot be reached, the certificate
/// is refused, or no answer comes within `timeout`. Answers of any status are returned.
Result<HttpAnswer> post_json(const ServerUrl& url, const std::string& path, const std::string& body,
                             const TlsOptions& tls, std::chrono::milliseconds timeout);

}  // namespace berth::agent
