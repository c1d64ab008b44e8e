#include "cli/stream_output.hpp"

#include <csignal>
#include <cstdio>

namespace berth::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

}  // namespace

const std::atomic<bool>& interrupted() { return g_interrupted; }

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void write_output(const nlohmann::json& data) {
  const std::string text = data.value("text", "");
  FILE* to = data.value("stream", "stdout") == "stderr" ? stderr : stdout;
  std::fwrite(text.data(), 1, text.size(), to);
  std::fflush(to);
}

Result<nlohmann::json> follow_job(Api& api, const std::string& job_id) {
  nlohmann::json job;
  auto streamed = api.stream("/api/v1/jobs/" + job_id + "/output", "",
                             [&job](const client::SseEvent& event) {
                               const auto data = nlohmann::json::parse(event.data, nullptr, false);
                               if (event.event == "output") {
                                 write_output(data);
                                 return true;
                               }
                               if (event.event == "done") {
                                 job = data;
                                 return false;
                               }
                               return true;
                             },
                             {.cancel = &interrupted()});
  if (!streamed) {
    return fail(std::move(streamed.error()));
  }
  return job;
}

}  // namespace berth::cli
