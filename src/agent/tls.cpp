#include "agent/tls.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>

namespace berth::agent {
namespace {

Error network_error(std::string what, const beast::error_code& ec) {
  auto error = Error::unavailable(what + ": " + ec.message());
  error.code = "network";
  return error;
}

// With a pin, only the leaf matters: its digest must match; the chain (often a lone
// self-signed certificate) is not checked.
bool pin_matches(const std::string& pin, ssl::verify_context& context) {
  X509_STORE_CTX* store = context.native_handle();
  if (X509_STORE_CTX_get_error_depth(store) > 0) {
    return true;
  }
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), digest.data(), &length) != 1) {
    return false;
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), length) == pin;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  context->set_verify_mode(ssl::verify_peer);
  beast::error_code ec;
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      return fail(
          Error::invalid("cannot load the CA file " + options.ca_file + ": " + ec.message()));
    }
  } else {
    context->set_default_verify_paths(ec);
  }
  return context;
}

asio::awaitable<Result<void>> connect_tcp(beast::tcp_stream& stream, const ServerUrl& url,
                                          std::chrono::milliseconds timeout) {
  beast::error_code ec;
  tcp::resolver resolver(co_await asio::this_coro::executor);
  // The resolver has no deadline of its own; getaddrinfo on a broken DNS is the OS's to bound.
  const auto endpoints = co_await resolver.async_resolve(
      url.host, url.port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return fail(network_error("cannot resolve " + url.host, ec));
  }
  stream.expires_after(timeout);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return fail(network_error("cannot connect to " + url.host_header(), ec));
  }
  stream.expires_never();
  // Protocol frames are small and answer each other (ack, log, job_done): without this,
  // Nagle's algorithm holds the second of two writes for the peer's delayed ACK (~40 ms).
  stream.socket().set_option(tcp::no_delay(true), ec);
  co_return Result<void>{};
}

asio::awaitable<Result<void>> tls_handshake(TlsStream& stream, const ServerUrl& url,
                                            const TlsOptions& options,
                                            std::chrono::milliseconds timeout) {
  // SNI: harmless for an IP address, needed by every virtual-hosting proxy in front of berthd.
  // (SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.)
  SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(url.host.c_str()));
  if (!options.pin_sha256.empty()) {
    stream.set_verify_callback([pin = options.pin_sha256](bool, ssl::verify_context& context) {
      return pin_matches(pin, context);
    });
  } else {
    stream.set_verify_callback(ssl::host_name_verification(url.host));
  }
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await stream.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  beast::get_lowest_layer(stream).expires_never();
  if (ec) {
    co_return fail(network_error("TLS handshake with " + url.host_header() + " failed", ec));
  }
  co_return Result<void>{};
}

}  // namespace berth::agent
