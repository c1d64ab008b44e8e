#include "agent/host/certificate_job.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "agent/host/job_args.hpp"
#include "core/time_format.hpp"

namespace berth::agent::host {
namespace {

constexpr std::size_t kMaxHosts = 1000;

Error handshake_failed(std::string message) {
  return Error{.kind = ErrorKind::unavailable,
               .code = "tls_handshake",
               .message = std::move(message),
               .internal_detail = {}};
}

// A connected TCP socket to ip:port within `timeout`, or -1 with `why` set.
int connect_within(const std::string& ip, int port, std::chrono::milliseconds timeout,
                   std::string& why) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    why = "not an IPv4 address: " + ip;
    return -1;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    why = std::strerror(errno);
    return -1;
  }
  int error = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    pollfd waiting{.fd = fd, .events = POLLOUT, .revents = 0};
    socklen_t length = sizeof error;
    if (errno != EINPROGRESS || ::poll(&waiting, 1, static_cast<int>(timeout.count())) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      why = error != 0 ? std::strerror(error) : "no answer";
      ::close(fd);
      return -1;
    }
  }
  // Blocking from here, each read and write bounded by the timeout.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval bound{.tv_sec = static_cast<time_t>(timeout.count() / 1000),
                .tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
  return fd;
}

std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "the server closed the connection";
  }
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// The name to ask for: a wildcard's certificate is asked for with a name under it.
std::string server_name_for(const std::string& host) {
  return host.starts_with("*.") ? "berth-wildcard-check" + host.substr(1) : host;
}

nlohmann::json unix_time_or_null(double seconds) {
  if (seconds <= 0) {
    return nullptr;
  }
  return format_rfc3339(TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::duration<double>(seconds))));
}

}  // namespace

Result<X509Summary> served_certificate(const std::string& ip, int port,
                                       const std::string& server_name,
                                       std::chrono::milliseconds timeout) {
  std::string why;
  const int fd = connect_within(ip, port, timeout, why);
  if (fd < 0) {
    return fail(
        handshake_failed("cannot connect to " + ip + ":" + std::to_string(port) + ": " + why));
  }
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                            SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> tls(context ? SSL_new(context.get()) : nullptr,
                                                SSL_free);
  // Nothing is verified: the point is to read what is served, trusted or not.
  if (!tls || SSL_set_fd(tls.get(), fd) != 1 ||
      // SSL_set_tlsext_host_name, spelt out: the macro's C cast trips -Wold-style-cast.
      SSL_ctrl(tls.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(server_name.c_str())) != 1) {
    ::close(fd);
    return fail(handshake_failed("cannot set up TLS: " + openssl_reason()));
  }
  const int connected = SSL_connect(tls.get());
  X509* peer = connected == 1 ? SSL_get1_peer_certificate(tls.get()) : nullptr;
  const std::string reason = connected == 1 ? "" : openssl_reason();
  if (connected == 1) {
    (void)SSL_shutdown(tls.get());
  }
  ::close(fd);
  if (peer == nullptr) {
    return fail(handshake_failed("no certificate served for " + server_name +
                                 (reason.empty() ? "" : ": " + reason)));
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509(peer, &der);
  X509_free(peer);
  if (length <= 0) {
    return fail(handshake_failed("cannot encode the served certificate"));
  }
  auto summary = summarize_der_certificate(
      std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return summary;
}

JobOutcome run_proxy_certificates(JobContext& job, const CaddyTlsLog* log) {
  auto fields = known_fields(job.args, {"hosts", "https_port"});
  auto port = fields ? int_field(*fields, "https_port", 1, 65535) : fail(fields.error());
  if (!port) {
    return JobOutcome::failed("invalid_args", port.error().message);
  }
  const auto hosts = fields->value("hosts", nlohmann::json());
  if (!hosts.is_array() || hosts.size() > kMaxHosts) {
    return JobOutcome::failed("invalid_args", "hosts: required, at most 1000 names");
  }
  nlohmann::json certificates = nlohmann::json::array();
  for (const auto& entry : hosts) {
    const std::string host = entry.is_string() ? entry.get<std::string>() : std::string();
    if (host.empty() || host.size() > 253 || has_space_or_control(host)) {
      return JobOutcome::failed("invalid_args", "hosts: each must be a DNS name");
    }
    if (job.cancelled.load()) {
      JobOutcome canceled;
      canceled.status = "canceled";
      return canceled;
    }
    nlohmann::json report = {
        {"host", host}, {"certificate", nullptr}, {"error", nullptr}, {"acme", nullptr}};
    auto served = served_certificate("127.0.0.1", port->value_or(443), server_name_for(host),
                                     std::chrono::milliseconds(3000));
    if (served) {
      report["certificate"] = x509_summary_json(*served);
    } else {
      report["error"] = served.error().message;
    }
    if (const auto attempt = log != nullptr ? log->attempt_of(host) : std::nullopt) {
      report["acme"] = {
          {"error", attempt->error.empty() ? nlohmann::json() : nlohmann::json(attempt->error)},
          {"failed_at", unix_time_or_null(attempt->failed_at)},
          {"obtained_at", unix_time_or_null(attempt->obtained_at)}};
    }
    certificates.push_back(std::move(report));
  }
  JobOutcome outcome;
  outcome.result = {{"certificates", std::move(certificates)}};
  return outcome;
}

}  // namespace berth::agent::host
