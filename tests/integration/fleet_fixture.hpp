#pragma once
// The fleet tests' fixture: berthd with a fast heartbeat, an administrator with an API key,
// and real berth-agent processes enrolled through the API the way a user enrols a server.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "integration/berthd_test_base.hpp"

namespace berth::testing {

/// One `berth-agent run` child process.
class AgentProcess {
 public:
  /// `prefix` runs the agent through another program (e.g. `ip netns exec <ns>`).
  /// `program` runs instead of the built berth-agent (a copy that upgrades itself), with `env`
  /// added to its environment.
  AgentProcess(std::filesystem::path state_dir, std::vector<std::string> prefix = {},
               std::vector<std::string> extra_args = {}, std::string program = {},
               std::map<std::string, std::string> env = {});
  ~AgentProcess();
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  pid_t pid() const { return pid_; }
  void kill_hard();  // SIGKILL, as a crash
  /// SIGTERM and wait; the exit status.
  int stop();
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  std::string log() const;

 private:
  std::filesystem::path state_dir_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

class FleetTest : public BerthdTest {
 protected:
  static constexpr const char* kHeartbeat = "0.5";  // seconds; 1.5 s of silence is offline

  /// Starts berthd (heartbeat 0.3 s, no rate limits) and sets up an admin with an API key.
  /// `options.listen` is kept for restarts (with the port it got).
  void start_fleet(BerthdOptions options = {});
  /// Restarts berthd on the same port and data directory (after a crash or a stop), or on
  /// `data_dir` when given (a restored one).
  void restart_berthd(const std::optional<std::filesystem::path>& data_dir = std::nullopt);

  HttpResponse api(const std::string& method, const std::string& target,
                   const nlohmann::json& body = nullptr);
  /// An API key of the admin's team with `role` (viewer, member, admin, owner).
  std::string key_with_role(const std::string& role);
  /// A call with another credential than the owner's key.
  HttpResponse api_with(const std::string& key, const std::string& method,
                        const std::string& target, const nlohmann::json& body = nullptr);
  std::string mint_install_token();
  /// An agent's WebSocket upgrade with `agent_token`, as an agent would dial it.
  HttpResponse agent_upgrade(const std::string& agent_token);
  /// Runs `berth-agent enroll`; the server id it got.
  std::string enrol(const std::filesystem::path& state_dir, const std::string& server_url = "");
  /// Enrols (if needed) and starts an agent in agent_dir(name); waits until its server is
  /// online. `prefix` runs it through another program (ip netns exec), `url` is what it dials.
  std::string connect_agent(const std::string& name, std::vector<std::string> prefix = {},
                            std::vector<std::string> extra_args = {}, const std::string& url = "");

  /// Polls GET target until `accept(body)` holds; the last body. Fails the test on timeout.
  nlohmann::json wait_for(const std::string& target,
                          const std::function<bool(const nlohmann::json&)>& accept,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));
  nlohmann::json wait_server_status(const std::string& server_id, const std::string& status,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(20));
  nlohmann::json wait_job_state(const std::string& job_id, const std::string& state,
                                std::chrono::milliseconds timeout = std::chrono::seconds(20));
  /// Submits a job; its id.
  std::string submit(const std::string& server_id, const nlohmann::json& job);
  /// Reads an SSE response until the server closes it (or the timeout); the raw body.
  std::string read_stream(const std::string& target, const std::string& last_event_id = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));

  std::filesystem::path agent_dir(const std::string& name) const { return dir_.path() / name; }
  std::string server_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  void TearDown() override;

  std::string api_key_;
  std::uint16_t fixed_port_ = 0;
  std::string listen_host_ = "127.0.0.1";
  std::vector<std::string> restart_args_;
  std::vector<std::unique_ptr<AgentProcess>> agents_;
  // What connect_agent() runs instead of the built berth-agent (a copy that upgrades itself),
  // with this added to its environment.
  std::string agent_program_;
  std::map<std::string, std::string> agent_env_;
};

/// A copy of the program `from` at `to` (0755) with `tail` appended: still the same runnable
/// ELF program, but other bytes (another checksum), e.g. an agent binary "of another build".
void copy_program_with_tail(const std::filesystem::path& from, const std::filesystem::path& to,
                            const std::string& tail);

/// The `output` events' texts of an SSE body (of one stream when `stream` is set), concatenated
/// in order; and their ids.
std::string sse_output_text(const std::string& body, const std::string& stream = "");
std::vector<std::int64_t> sse_ids(const std::string& body);

}  // namespace berth::testing
