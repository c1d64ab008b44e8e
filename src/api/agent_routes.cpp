#include "api/agent_routes.hpp"

#include <memory>
#include <regex>

#include "api/binary_download.hpp"
#include "api/request_helpers.hpp"
#include "core/json_limits.hpp"
#include "core/json_schema.hpp"
#include "core/log.hpp"
#include "domain/fleet/agent_hub.hpp"
#include "domain/fleet/enrolment_service.hpp"
#include "protocol/envelope.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxFactsBytes = 16 * 1024;

// The agent gateway's transport: a WebSocket carries one AgentLink.
class ChannelAdapter final : public AgentChannel {
 public:
  explicit ChannelAdapter(std::shared_ptr<http::WebSocketChannel> channel)
      : channel_(std::move(channel)) {}
  bool send(std::string frame) override { return channel_->send(std::move(frame)); }
  void close(std::uint16_t code, std::string reason) override {
    channel_->close(code, std::move(reason));
  }

 private:
  std::shared_ptr<http::WebSocketChannel> channel_;
};

class AgentSocket final : public http::WebSocketSession {
 public:
  AgentSocket(AgentHub& hub, std::string server_id) : hub_(hub), server_id_(std::move(server_id)) {}
  void on_open(std::shared_ptr<http::WebSocketChannel> channel) override {
    link_ = hub_.attach(server_id_, std::make_shared<ChannelAdapter>(std::move(channel)));
  }
  void on_text(std::string text) override {
    if (link_) {
      link_->on_frame(text);
    }
  }
  void on_close() override {
    if (link_) {
      hub_.detach(*link_);
      link_.reset();
    }
  }

 private:
  AgentHub& hub_;
  std::string server_id_;
  std::shared_ptr<AgentLink> link_;
};

std::optional<std::string> bearer_token(const Request& request) {
  const auto header = request.header("authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (!header || !header->starts_with(kPrefix)) {
    return std::nullopt;
  }
  return std::string(header->substr(kPrefix.size()));
}

Error agent_unauthenticated() {
  return Error{.kind = ErrorKind::unauthenticated,
               .code = "invalid_agent_token",
               .message = "the agent token is unknown or revoked; enrol the server again",
               .details = json::object(),
               .internal_detail = {}};
}

// The script behind the one-line install command. Only the server URL and the binary's
// checksum are filled in: the URL after it was checked to hold nothing a shell would interpret
// inside single quotes, the checksum as berthd computed it (hex). The checksum travels in the
// script, so a download that is cut short or altered on its way is refused before it runs.
std::string install_script(const std::string& url, const std::string& sha256) {
  return R"SCRIPT(#!/bin/sh
# Installs berth-agent and enrols this server with Berth at )SCRIPT" +
         url + R"SCRIPT(.
# Usage: curl -fsSL )SCRIPT" +
         url + R"SCRIPT(/api/v1/agent/install.sh | sudo sh -s -- --install-token TOKEN
set -eu
BERTH_URL=')SCRIPT" +
         url + R"SCRIPT('
AGENT_SHA256=')SCRIPT" +
         sha256 + R"SCRIPT('
# Where it goes; the defaults suit a server. BERTH_AGENT_NO_SYSTEMD=1 starts it in the
# background even where systemd runs.
BIN_DIR="${BERTH_AGENT_BIN_DIR:-/usr/local/bin}"
STATE_DIR="${BERTH_AGENT_STATE_DIR:-/var/lib/berth-agent}"
TOKEN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --install-token) TOKEN="${2:-}"; shift 2 ;;
    --install-token=*) TOKEN="${1#*=}"; shift ;;
    *) echo "berth install: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$TOKEN" ] || { echo "berth install: --install-token TOKEN is required" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "berth install: run as root (sudo sh -s -- ...)" >&2; exit 1; }
command -v sha256sum >/dev/null 2>&1 ||
  { echo "berth install: sha256sum is needed to check the download" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
curl -fsSL "$BERTH_URL/api/v1/agent/download" -o "$tmp"
got=$(sha256sum < "$tmp")
got=${got%% *}
if [ "$got" != "$AGENT_SHA256" ]; then
  echo "berth install: the downloaded berth-agent does not match its SHA-256 (expected $AGENT_SHA256, got $got); nothing was installed" >&2
  exit 1
fi
install -d -m 0755 "$BIN_DIR"
install -m 0755 "$tmp" "$BIN_DIR/berth-agent"
install -d -m 0700 "$STATE_DIR"
"$BIN_DIR/berth-agent" enroll --server "$BERTH_URL" --install-token "$TOKEN" --state-dir "$STATE_DIR"
if [ -d /run/systemd/system ] && [ -z "${BERTH_AGENT_NO_SYSTEMD:-}" ]; then
  cat > /etc/systemd/system/berth-agent.service <<'UNIT'
[Unit]
Description=Berth agent
After=network-online.target docker.service
Wants=network-online.target

[Service]
ExecStart=BIN_DIR_HERE/berth-agent run --state-dir STATE_DIR_HERE
Restart=always
RestartSec=2
NoNewPrivileges=yes
ProtectHome=read-only
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
UNIT
  sed -i "s#BIN_DIR_HERE#$BIN_DIR#; s#STATE_DIR_HERE#$STATE_DIR#" /etc/systemd/system/berth-agent.service
  systemctl daemon-reload
  systemctl enable --now berth-agent
  echo "berth-agent is installed and running (systemctl status berth-agent)."
else
  nohup "$BIN_DIR/berth-agent" run --state-dir "$STATE_DIR" \
    >>"$STATE_DIR/agent.log" 2>&1 </dev/null &
  echo $! > "$STATE_DIR/agent.pid"
  echo "berth-agent is installed and running (started in the background, pid $!)."
fi
)SCRIPT";
}

}  // namespace

Result<AgentRegistration> read_registration(Request& request) {
  AgentRegistration registration{.install_token = body_string(request, "install_token"),
                                 .facts = json::object()};
  if (const auto facts = request.json.find("facts"); facts != request.json.end()) {
    // Measured in place and then moved: the body is a client's, never copied to be measured.
    if (!json_size_within(*facts, kMaxFactsBytes)) {
      return fail(Error::validation("facts", "facts must be at most 16 KiB"));
    }
    registration.facts = std::move(*facts);
  }
  return registration;
}

void add_agent_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/agent/register",
      {.summary = "Enrol an agent with a one-time install token",
       .role = Role::anyone,
       .request_schema =
           schema::object({{"install_token", schema::string(1, 200)},
                           {"facts", {{"type", "object"}, {"additionalProperties", true}}}},
                          {"install_token"}),
       .response_schema =
           [] {
             return nlohmann::json{{"type", "object"},
                                   {"properties",
                                    {{"server_id", schema::string()},
                                     {"agent_token", schema::string()},
                                     {"heartbeat_interval_ms", schema::integer()}}}};
           },
       .success_status = 201,
       .rate_class = http::RateClass::sign_in,
       .description = "Spends the install token (401 invalid_install_token when unknown, used "
                      "or expired). The agent token is shown only here; berthd keeps its hash."},
      [&ctx](Request& request) -> Result<Response> {
        auto registration = read_registration(request);
        if (!registration) {
          return fail(std::move(registration.error()));
        }
        auto enrolled = ctx.enrolment->register_agent(registration->install_token,
                                                      registration->facts, client_info(request));
        if (!enrolled) {
          return fail(std::move(enrolled.error()));
        }
        return Response::json(
            201, {{"server_id", enrolled->server_id},
                  {"agent_token", enrolled->agent_token},
                  {"heartbeat_interval_ms", ctx.agents->ctx().policy.heartbeat_interval.count()}});
      });

  router.get("/api/v1/agent/connect",
             {.summary = "The agent's WebSocket (docs/protocol.md)",
              .role = Role::anyone,
              .success_status = 101,
              .description = "A WebSocket upgrade with Authorization: Bearer <agent token>. "
                             "401 for an unknown or revoked token, 400 without an upgrade."},
             [&ctx](Request& request) -> Result<Response> {
               if (!http::is_websocket_upgrade(request)) {
                 return fail(with_code(Error::invalid("this endpoint takes a WebSocket upgrade"),
                                       "websocket_required"));
               }
               const auto token = bearer_token(request);
               if (!token) {
                 return fail(agent_unauthenticated());
               }
               auto server = ctx.enrolment->authenticate_agent(*token);
               if (!server) {
                 return fail(std::move(server.error()));
               }
               if (!*server) {
                 return fail(agent_unauthenticated());
               }
               Response response;
               response.status = 101;
               response.websocket = std::make_shared<http::WebSocketUpgrade>();
               response.websocket->max_frame_bytes = protocol::kMaxFrameBytes;
               response.websocket->session =
                   std::make_shared<AgentSocket>(*ctx.agents, (*server)->id);
               return response;
             });

  // One buffer for every download, read when the first one asks.
  Error missing =
      Error::unavailable("this berthd has no agent binary to serve (see --agent-binary)");
  missing.code = "no_agent_binary";
  auto download = ctx.agent_download != nullptr
                      ? ctx.agent_download
                      : std::make_shared<BinaryDownload>(ctx.agent_binary_path, std::move(missing));

  router.get(
      "/api/v1/agent/install.sh",
      {.summary = "The install script behind the one-line install command",
       .role = Role::anyone,
       .response_schema = [] { return schema::string(); },
       .description = "Downloads berth-agent from this berthd, checks it against the SHA-256 the "
                      "script carries, enrols it with the install token given as --install-token, "
                      "and starts it (systemd when present). 422 insecure_enrolment over a plain "
                      "http:// public URL to a non-loopback host (see --allow-insecure-enrolment); "
                      "503 without an agent binary."},
      [&ctx, download](Request&) -> Result<Response> {
        static const std::regex safe_url("https?://[A-Za-z0-9.:/_-]+");
        if (!std::regex_match(ctx.services->public_url, safe_url)) {
          return fail(Error::internal("the public URL cannot go into a script"));
        }
        if (ctx.enrolment != nullptr) {
          if (auto secure = ctx.enrolment->require_secure_enrolment(); !secure) {
            return fail(std::move(secure.error()));
          }
        }
        auto binary = download->get();
        if (!binary) {
          return fail(std::move(binary.error()));
        }
        Response response;
        response.content_type = "text/x-shellscript; charset=utf-8";
        response.body = install_script(ctx.services->public_url, binary->sha256);
        return response;
      });

  add_download_routes(router, "/api/v1/agent/download", "berth-agent", "The berth-agent binary",
                      download);
}

}  // namespace berth::api
