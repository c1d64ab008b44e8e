#include "integration/local_agent_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace berth::testing {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string LocalAgentTest::local_server() {
  const json servers = wait_for(
      "/api/v1/servers",
      [](const json& page) {
        return page.contains("data") && !page["data"].empty() &&
               page["data"][0].value("status", "") == "online";
      },
      60s);
  return servers.contains("data") && !servers["data"].empty() ? servers["data"][0].value("id", "")
                                                              : "";
}

LocalAgentTest::Ran LocalAgentTest::run(const std::string& server_id,
                                        const std::vector<std::string>& argv) {
  const std::string job_id = submit(server_id, {{"kind", "exec"}, {"args", {{"argv", argv}}}});
  const json job = wait_for("/api/v1/jobs/" + job_id, [](const json& body) {
    const std::string state = body.value("state", "");
    return state == "succeeded" || state == "failed" || state == "canceled" || state == "lost";
  });
  return {.state = job.value("state", ""),
          .output = sse_output_text(read_stream("/api/v1/jobs/" + job_id + "/output"))};
}

pid_t LocalAgentTest::agent_pid() const {
  const std::string berthd = std::to_string(berthd_->pid());
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) {
      continue;
    }
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    std::string ppid;
    rest >> state >> ppid;
    if (ppid == berthd &&
        read_file(entry.path() / "cmdline").find("berth-agent") != std::string::npos) {
      return static_cast<pid_t>(std::stoi(name));
    }
  }
  return -1;
}

std::string LocalAgentTest::agent_state_dir() const {
  // berthd flushes its log file every second (and at once only for warnings): poll for it.
  const std::string key = "local_agent.prepared";
  const std::string field = "state_dir=";
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    const std::string log = berthd_->log();
    const auto at = log.rfind(key);
    const auto start = at == std::string::npos ? at : log.find(field, at);
    if (start != std::string::npos) {
      const auto end = log.find_first_of(" \n", start);
      return log.substr(start + field.size(), end - start - field.size());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return "";
    }
    std::this_thread::sleep_for(50ms);
  }
}

}  // namespace berth::testing
