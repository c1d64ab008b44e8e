#include "cli/stream_output.hpp"

#include <csignal>
#include <cstdio>

#include "cli/command.hpp"

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

int print_container_logs(Api& api, const std::string& collection, const std::string& name_or_id,
                         bool follow, int tail) {
  std::string query = follow ? "?follow=true" : "?follow=false";
  if (tail >= 0) {
    query += "&tail=" + std::to_string(tail);
  }
  auto path = path_of(api, collection, name_or_id, "/logs" + query);
  if (!path) {
    return report(path.error());
  }
  install_interrupt_handler();
  // Each request opens a new log job on the agent, so a resumed stream would start over:
  // the end of the connection is the end of the command.
  auto streamed = api.stream(*path, "",
                             [](const client::SseEvent& event) {
                               if (event.event == "output") {
                                 write_output(nlohmann::json::parse(event.data, nullptr, false));
                               }
                               return event.event != "done";
                             },
                             {.cancel = &interrupted(), .max_reconnects = 0, .reconnect = false});
  return streamed ? int{kOk} : report(streamed.error());
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
