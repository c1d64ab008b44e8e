#include "integration/fleet_fixture.hpp"

#include <signal.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "integration/identity_client.hpp"

namespace berth::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

AgentProcess::AgentProcess(fs::path state_dir, std::vector<std::string> prefix,
                           std::vector<std::string> extra_args, std::string agent_program,
                           std::map<std::string, std::string> env)
    : state_dir_(std::move(state_dir)) {
  const std::string agent = agent_program.empty() ? BERTH_AGENT_PATH : agent_program;
  std::string program = agent;
  std::vector<std::string> args = {"run", "--state-dir", state_dir_.string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  if (!prefix.empty()) {
    program = prefix.front();
    std::vector<std::string> full(prefix.begin() + 1, prefix.end());
    full.push_back(agent);
    full.insert(full.end(), args.begin(), args.end());
    args = std::move(full);
  }
  pid_ = spawn_process(program, args, env, state_dir_ / "agent.log");
}

AgentProcess::~AgentProcess() {
  if (!exit_status_) {
    stop();
  }
}

void AgentProcess::kill_hard() {
  ::kill(pid_, SIGKILL);
  exit_status_ = wait_for_exit(pid_, 10s).value_or(-1);
}

int AgentProcess::stop() {
  if (exit_status_) {
    return *exit_status_;
  }
  ::kill(pid_, SIGTERM);
  if (auto status = wait_for_exit(pid_, 10s)) {
    exit_status_ = status;
    return *status;
  }
  kill_hard();
  return -1;
}

std::optional<int> AgentProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (!exit_status_) {
    exit_status_ = wait_for_exit(pid_, timeout);
  }
  return exit_status_;
}

std::string AgentProcess::log() const { return read_file(state_dir_ / "agent.log"); }

void FleetTest::start_fleet(BerthdOptions options) {
  restart_args_ = options.args;
  options.args.insert(options.args.end(), {"--agent-heartbeat", kHeartbeat, "--rate-limit", "0",
                                           "--sign-in-rate-limit", "0"});
  listen_host_ = options.listen.substr(0, options.listen.rfind(':'));
  start(options);
  fixed_port_ = port();
  IdentityClient client(port());
  std::string token = read_file(berthd_->data_dir() / "setup-token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  client.setup(token, "admin@example.com", "a long admin password 1");
  const HttpResponse key = client.post("/api/v1/api-keys", {{"name", "tests"}, {"role", "owner"}});
  ASSERT_EQ(key.status, 201) << key.body;
  api_key_ = key.json()["raw_key"].get<std::string>();
}

void FleetTest::restart_berthd(const std::optional<fs::path>& data_dir) {
  berthd_.reset();  // already dead or stopped: the destructor only reaps it
  BerthdOptions options;
  options.data_dir = data_dir;
  options.listen = listen_host_ + ":" + std::to_string(fixed_port_);
  options.args = restart_args_;
  options.args.insert(options.args.end(), {"--agent-heartbeat", kHeartbeat, "--rate-limit", "0",
                                           "--sign-in-rate-limit", "0"});
  start(options);
}

HttpResponse FleetTest::api(const std::string& method, const std::string& target,
                            const json& body) {
  return api_with(api_key_, method, target, body);
}

HttpResponse FleetTest::agent_upgrade(const std::string& agent_token) {
  return http_request(port(), "GET", "/api/v1/agent/connect", "",
                      {{"Authorization", "Bearer " + agent_token},
                       {"Upgrade", "websocket"},
                       {"Connection", "Upgrade"},
                       {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                       {"Sec-WebSocket-Version", "13"}});
}

std::string FleetTest::key_with_role(const std::string& role) {
  const HttpResponse key =
      api("POST", "/api/v1/api-keys", {{"name", role + " key"}, {"role", role}});
  EXPECT_EQ(key.status, 201) << key.body;
  return key.status == 201 ? key.json()["raw_key"].get<std::string>() : std::string();
}

HttpResponse FleetTest::api_with(const std::string& key, const std::string& method,
                                 const std::string& target, const json& body) {
  std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + key}};
  std::string text;
  if (!body.is_null()) {
    headers["Content-Type"] = "application/json";
    text = body.dump();
  }
  return http_request(port(), method, target, text, headers);
}

std::string FleetTest::mint_install_token() {
  const HttpResponse minted = api("POST", "/api/v1/servers/install-tokens", json::object());
  EXPECT_EQ(minted.status, 201) << minted.body;
  return minted.json().value("token", "");
}

std::string FleetTest::enrol(const fs::path& state_dir, const std::string& url) {
  const std::string token = mint_install_token();
  fs::create_directories(state_dir);
  const pid_t pid = spawn_process(BERTH_AGENT_PATH,
                                  {"enroll", "--server", url.empty() ? server_url() : url,
                                   "--install-token", token, "--state-dir", state_dir.string()},
                                  {}, state_dir / "enroll.log");
  const auto status = wait_for_exit(pid, 30s);
  EXPECT_EQ(status, 0) << read_file(state_dir / "enroll.log");
  const auto identity = json::parse(read_file(state_dir / "agent.json"), nullptr, false);
  return identity.is_object() ? identity.value("server_id", "") : "";
}

void copy_program_with_tail(const fs::path& from, const fs::path& to, const std::string& tail) {
  fs::create_directories(to.parent_path());
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  std::ofstream(to, std::ios::binary | std::ios::app) << tail;
  fs::permissions(to, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                          fs::perms::others_read | fs::perms::others_exec);
}

std::string FleetTest::connect_agent(const std::string& name, std::vector<std::string> prefix,
                                     std::vector<std::string> extra_args, const std::string& url) {
  const fs::path state = agent_dir(name);
  std::string server_id;
  if (fs::exists(state / "agent.json")) {
    server_id = json::parse(read_file(state / "agent.json")).value("server_id", "");
  } else {
    server_id = enrol(state, url);
  }
  agents_.push_back(std::make_unique<AgentProcess>(state, std::move(prefix), std::move(extra_args),
                                                   agent_program_, agent_env_));
  wait_server_status(server_id, "online");
  return server_id;
}

json FleetTest::wait_for(const std::string& target, const std::function<bool(const json&)>& accept,
                         std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json last;
  for (;;) {
    try {
      const HttpResponse response = api("GET", target);
      if (response.status == 200) {
        last = response.json();
        if (accept(last)) {
          return last;
        }
      }
    } catch (const std::exception&) {
      // berthd restarting
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "timed out waiting on " << target << "; last: " << last.dump();
      return last;
    }
    std::this_thread::sleep_for(50ms);
  }
}

json FleetTest::wait_server_status(const std::string& server_id, const std::string& status,
                                   std::chrono::milliseconds timeout) {
  return wait_for(
      "/api/v1/servers/" + server_id,
      [&](const json& server) { return server.value("status", "") == status; }, timeout);
}

json FleetTest::wait_job_state(const std::string& job_id, const std::string& state,
                               std::chrono::milliseconds timeout) {
  return wait_for(
      "/api/v1/jobs/" + job_id, [&](const json& job) { return job.value("state", "") == state; },
      timeout);
}

std::string FleetTest::submit(const std::string& server_id, const json& job) {
  const HttpResponse response = api("POST", "/api/v1/servers/" + server_id + "/jobs", job);
  EXPECT_EQ(response.status, 202) << response.body;
  return response.status == 202 ? response.json().value("id", "") : "";
}

std::string FleetTest::read_stream(const std::string& target, const std::string& last_event_id,
                                   std::chrono::milliseconds timeout) {
  RawConnection connection(port());
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        api_key_ + "\r\n";
  if (!last_event_id.empty()) {
    request += "Last-Event-ID: " + last_event_id + "\r\n";
  }
  request += "\r\n";
  connection.send(request);
  return connection.read_until_closed(timeout);
}

void FleetTest::TearDown() {
  if (HasFailure()) {
    for (const auto& agent : agents_) {
      agent->stop();
      std::cerr << "---- agent log ----\n" << agent->log() << "----\n";
    }
  }
  agents_.clear();
  BerthdTest::TearDown();
}

std::string sse_output_text(const std::string& body, const std::string& stream) {
  std::string out;
  std::istringstream lines(body);
  std::string line;
  std::string event;
  while (std::getline(lines, line)) {
    if (line.starts_with("event: ")) {
      event = line.substr(7);
    } else if (line.starts_with("data: ") && event == "output") {
      const auto data = json::parse(line.substr(6), nullptr, false);
      if (data.is_object() && (stream.empty() || data.value("stream", "") == stream)) {
        out += data.value("text", "");
      }
    }
  }
  return out;
}

std::vector<std::int64_t> sse_ids(const std::string& body) {
  std::vector<std::int64_t> ids;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("id: ")) {
      ids.push_back(std::stoll(line.substr(4)));
    }
  }
  return ids;
}

}  // namespace berth::testing
