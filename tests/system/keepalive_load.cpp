#include "system/keepalive_load.hpp"

#include <algorithm>

#include "core/time_format.hpp"
#include "system/proxy_client.hpp"

namespace berth::testing {

KeepAliveLoad::KeepAliveLoad(std::uint16_t port, std::string host, int clients,
                             std::vector<std::string> bodies)
    : port_(port), host_(std::move(host)), bodies_(std::move(bodies)) {
  for (int i = 0; i < clients; ++i) {
    threads_.emplace_back([this] { client_loop(); });
  }
}

KeepAliveLoad::~KeepAliveLoad() { stop(); }

void KeepAliveLoad::stop() {
  stop_.store(true);
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
}

void KeepAliveLoad::client_loop() {
  ProxyConnection connection(port_);
  while (!stop_.load()) {
    const ProxyReply reply = connection.get(host_, "/");
    switch (reply.kind) {
      case ProxyReply::Kind::retryable:
        // The next get() connects anew and sends the same request again.
        retries_.fetch_add(1);
        break;
      case ProxyReply::Kind::failed:
        fail("connection: " + reply.error);
        break;
      case ProxyReply::Kind::ok:
        if (reply.status < 200 || reply.status > 299) {
          fail("status " + std::to_string(reply.status) + ": " + reply.body.substr(0, 200));
        } else if (std::find(bodies_.begin(), bodies_.end(), reply.body) == bodies_.end()) {
          fail("unexpected body: " + reply.body.substr(0, 200));
        } else {
          ok_.fetch_add(1);
        }
        break;
    }
  }
}

void KeepAliveLoad::fail(const std::string& what) {
  failures_.fetch_add(1);
  // When, as the agents and berthd log it: which change the failure fell in.
  const std::string at = format_rfc3339(std::chrono::system_clock::now());
  std::lock_guard lock(mutex_);
  if (samples_.size() < 20) {
    samples_.push_back(at + " " + what);
  }
}

std::string KeepAliveLoad::failure_samples() const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const auto& sample : samples_) {
    text += "\n  failure: " + sample;
  }
  return text;
}

std::string KeepAliveLoad::summary() const {
  return std::to_string(ok()) + " requests answered 2xx, " + std::to_string(retries()) +
         " retried after an idle close (RFC 9112 9.3.1), " + std::to_string(failures()) + " failed";
}

}  // namespace berth::testing
