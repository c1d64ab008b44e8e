#include "agent/enroll.hpp"

#include <fmt/format.h>

#include "agent/server_url.hpp"
#include "agent/state_file.hpp"
#include "agent/tls.hpp"
#include "client/client.hpp"

namespace berth::agent {
namespace {

constexpr std::chrono::seconds kEnrollTimeout{30};

// berthd's error envelope {"error":{"code","message"}}, or the status when the body is not one.
std::string describe_refusal(const client::Response& answer) {
  const auto json = nlohmann::json::parse(answer.body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& error = json["error"];
    return fmt::format("{} ({}, HTTP {})", error.value("message", std::string("refused")),
                       error.value("code", std::string("error")), answer.status);
  }
  return fmt::format("berthd answered HTTP {}", answer.status);
}

}  // namespace

int enroll(const EnrollOptions& options) {
  const auto url = parse_server_url(options.server_url);
  if (!url) {
    fmt::print(stderr, "berth-agent: {}\n", url.error().message);
    return 1;
  }
  // The same TLS rules as the agent's connection (agent/tls.hpp): a CA file, else the system
  // roots; or a pinned SHA-256 of berthd's own certificate instead of the chain.
  client::ClientOptions http{.base_url = url->tls ? "https://" : "http://"};
  http.base_url += url->host_header() + url->base_path;
  http.ca_file = options.ca_file;
  http.timeout = kEnrollTimeout;
  http.connect_timeout = kEnrollTimeout;
  http.user_agent = "berth-agent/" BERTH_VERSION;
  if (!options.pin_hex.empty()) {
    auto pin = parse_sha256_pin(options.pin_hex);
    if (!pin) {
      fmt::print(stderr, "berth-agent: {}\n", pin.error().message);
      return 1;
    }
    http.pin_sha256 = std::move(*pin);
  }
  // Spending the install token is not idempotent: the client never retries this POST.
  client::Client berthd(std::move(http));
  const nlohmann::json body{{"install_token", options.install_token}, {"facts", options.facts}};
  const auto answer = berthd.request("POST", "/api/v1/agent/register", body);
  if (!answer) {
    fmt::print(stderr, "berth-agent: enrollment failed: {}\n", answer.error().message);
    return 1;
  }
  if (answer->status != 201 && answer->status != 200) {
    fmt::print(stderr, "berth-agent: enrollment refused: {}\n", describe_refusal(*answer));
    return 1;
  }
  const auto json = nlohmann::json::parse(answer->body, nullptr, false);
  if (!json.is_object() || !json.contains("server_id") || !json["server_id"].is_string() ||
      !json.contains("agent_token") || !json["agent_token"].is_string()) {
    fmt::print(stderr, "berth-agent: berthd's answer has no server_id and agent_token\n");
    return 1;
  }
  AgentState state{.server_url = options.server_url,
                   .server_id = json["server_id"].get<std::string>(),
                   .agent_token = json["agent_token"].get<std::string>(),
                   .ca_file = options.ca_file,
                   .pin_sha256 = options.pin_hex};
  while (!state.server_url.empty() && state.server_url.back() == '/') {
    state.server_url.pop_back();
  }
  if (auto written = write_agent_state(options.state_dir, state); !written) {
    fmt::print(stderr, "berth-agent: {}\n", written.error().message);
    return 1;
  }
  fmt::print("enrolled as server {}; state written to {}/agent.json\n", state.server_id,
             options.state_dir);
  return 0;
}

}  // namespace berth::agent
