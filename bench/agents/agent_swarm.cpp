// agent_swarm: N simulated berth-agents against a real berthd, in one process on one thread
// (bench/agents/run drives it). It enrols what the credentials file lacks, connects all N,
// prints `ready …` once every agent is welcomed, then waits for the driver's signals:
//   SIGUSR2  run the job round trip (POST a job, wait for berthd's ack of its job_done), print
//   `jobs …` SIGUSR1  berthd was just killed: print `reconnected …` once all N are welcomed again
//   SIGTERM  print `stats …` and exit
// Every report is one line on stdout, `word key=value …`, for the driver to grep.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <numeric>

#include "enrol.hpp"
#include "http_json.hpp"
#include "swarm.hpp"

namespace swarm {
namespace {

struct DriverOptions {
  std::string api_key;
  std::size_t jobs = 200;
  std::chrono::seconds connect_deadline{900};
  std::chrono::seconds reconnect_deadline{600};
};

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

void print_stats(Swarm& swarm, const char* word) {
  const auto& c = swarm.counters();
  std::cout << word << " online=" << swarm.online() << " welcomes=" << c.welcomes
            << " closes=" << c.closes << " connect_failures=" << c.connect_failures
            << " token_refusals=" << c.token_refusals << " heartbeats=" << c.heartbeats
            << " pings=" << c.pings << " cmds=" << c.cmds << " acks=" << c.acks
            << " errors=" << c.errors << " bytes_sent=" << c.bytes_sent << std::endl;
}

asio::awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(duration);
  error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

double percentile(const std::vector<double>& sorted, double share) {
  const auto rank = static_cast<std::size_t>(std::ceil(share * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

std::string job_id_of(const nlohmann::json& body) {
  for (const auto* path : {"/id", "/job_id", "/job/id"}) {
    const auto pointer = nlohmann::json::json_pointer(path);
    if (body.is_object() && body.contains(pointer) && body.at(pointer).is_string()) {
      return body.at(pointer).get<std::string>();
    }
  }
  return {};
}

asio::awaitable<void> run_jobs(Swarm& swarm, const DriverOptions& options) {
  HttpJsonClient client(swarm.io(), swarm.options().server);
  std::vector<double> round_trips;
  std::vector<double> posts;
  std::vector<double> dispatches;  // POST sent -> cmd at the agent
  std::size_t failures = 0;
  std::string first_failure;
  const nlohmann::json body = {{"kind", "exec"}, {"args", {{"argv", {"/bin/true"}}}}};
  for (std::size_t n = 0; n < options.jobs; ++n) {
    SimAgent* agent = swarm.random_online_agent();
    if (agent == nullptr) {
      ++failures;
      first_failure = first_failure.empty() ? "no agent online" : first_failure;
      co_await pause(std::chrono::milliseconds(100));
      continue;
    }
    const auto started = Clock::now();
    const auto reply = co_await client.request(
        bhttp::verb::post, "/api/v1/servers/" + agent->identity().server_id + "/jobs", body,
        options.api_key);
    posts.push_back(ms_between(started, Clock::now()));
    const std::string job_id = job_id_of(reply.body);
    if ((reply.status != 201 && reply.status != 202) || job_id.empty()) {
      ++failures;
      if (first_failure.empty()) {
        first_failure = reply.status == 0 ? reply.error
                                          : std::to_string(reply.status) + " " + reply.body.dump();
      }
      continue;
    }
    const auto deadline = started + std::chrono::seconds(10);
    for (;;) {
      if (const auto settled = swarm.take_settled(job_id)) {
        round_trips.push_back(ms_between(started, *settled));
        if (const auto dispatched = swarm.take_dispatched(job_id)) {
          dispatches.push_back(ms_between(started, *dispatched));
        }
        break;
      }
      if (Clock::now() > deadline) {
        ++failures;
        first_failure =
            first_failure.empty() ? "no job_done ack within 10 s for " + job_id : first_failure;
        break;
      }
      co_await pause(std::chrono::milliseconds(1));
    }
  }
  std::sort(round_trips.begin(), round_trips.end());
  std::sort(posts.begin(), posts.end());
  std::sort(dispatches.begin(), dispatches.end());
  std::cout << "jobs count=" << round_trips.size() << " failures=" << failures;
  if (!round_trips.empty()) {
    const double sum = std::accumulate(round_trips.begin(), round_trips.end(), 0.0);
    std::printf(
        " p50_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f post_p50_ms=%.2f post_p99_ms=%.2f"
        " cmd_p50_ms=%.2f cmd_p99_ms=%.2f",
        percentile(round_trips, 0.5), percentile(round_trips, 0.99), round_trips.back(),
        sum / static_cast<double>(round_trips.size()), percentile(posts, 0.5),
        percentile(posts, 0.99), dispatches.empty() ? 0.0 : percentile(dispatches, 0.5),
        dispatches.empty() ? 0.0 : percentile(dispatches, 0.99));
    std::fflush(stdout);
  }
  if (!first_failure.empty()) {
    std::cout << " first_failure=" << nlohmann::json(first_failure).dump();
  }
  std::cout << std::endl;
}

asio::awaitable<void> watch_reconnection(Swarm& swarm, const DriverOptions& options) {
  const auto killed_at = swarm.outage_started();
  auto next_progress = killed_at + std::chrono::seconds(5);
  while (!swarm.all_back_at()) {
    const auto now = Clock::now();
    if (now - killed_at > options.reconnect_deadline) {
      std::cout << "reconnect_timeout back=" << swarm.back_since_outage()
                << " online=" << swarm.online() << std::endl;
      co_return;
    }
    if (now >= next_progress) {
      next_progress += std::chrono::seconds(5);
      std::cout << "reconnecting back=" << swarm.back_since_outage()
                << " after_s=" << ms_between(killed_at, now) / 1000 << std::endl;
    }
    co_await pause(std::chrono::milliseconds(10));
  }
  std::printf("reconnected agents=%zu seconds=%.2f signal_after_first_close_ms=%.1f\n",
              swarm.size(), ms_between(killed_at, *swarm.all_back_at()) / 1000,
              std::chrono::duration<double, std::milli>(swarm.close_lead()).count());
  std::fflush(stdout);
}

asio::awaitable<void> drive(Swarm& swarm, DriverOptions options) {
  asio::signal_set signals(swarm.io(), SIGUSR1, SIGUSR2, SIGTERM);
  signals.add(SIGINT);
  const auto started = Clock::now();
  swarm.start();
  auto next_progress = started + std::chrono::seconds(5);
  while (swarm.online() < swarm.size() && Clock::now() - started < options.connect_deadline) {
    if (Clock::now() >= next_progress) {
      next_progress += std::chrono::seconds(5);
      print_stats(swarm, "connecting");
    }
    co_await pause(std::chrono::milliseconds(10));
  }
  std::printf("ready agents=%zu online=%zu seconds=%.2f\n", swarm.size(), swarm.online(),
              ms_between(started, Clock::now()) / 1000);
  std::fflush(stdout);
  print_stats(swarm, "stats");
  for (;;) {
    error_code ec;
    const int signal = co_await signals.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      break;
    }
    if (signal == SIGUSR2) {
      print_stats(swarm, "stats");
      co_await run_jobs(swarm, options);
      print_stats(swarm, "stats");
    } else if (signal == SIGUSR1) {
      swarm.mark_outage(Clock::now());
      asio::co_spawn(swarm.io(), watch_reconnection(swarm, options), asio::detached);
    } else {
      break;
    }
  }
  print_stats(swarm, "stats");
  swarm.stop();
  swarm.io().stop();
}

}  // namespace
}  // namespace swarm

int main(int argc, char** argv) {
  using namespace swarm;
  CLI::App app{"N simulated berth-agents against a real berthd (bench/agents/run drives it)"};
  std::string server_text;
  std::size_t agents = 1000;
  std::string credentials;
  std::size_t concurrency = 16;
  int heartbeat_ms = 0;
  bool nagle = false;
  DriverOptions options;
  app.add_option("--server", server_text, "berthd's HOST:PORT (IPv4 loopback)")->required();
  app.add_option("--agents", agents, "how many agents to simulate");
  app.add_option("--credentials", credentials, "file of saved agent credentials")->required();
  app.add_option("--api-key", options.api_key, "an admin API key (enrolment and jobs)");
  app.add_option("--enrol-concurrency", concurrency, "parallel enrolment connections");
  app.add_option("--jobs", options.jobs, "jobs for the round trip measurement");
  app.add_option("--heartbeat-ms", heartbeat_ms, "override berthd's heartbeat interval");
  app.add_flag("--nagle", nagle, "leave TCP_NODELAY off on the agents' sockets");
  CLI11_PARSE(app, argc, argv);

  const auto colon = server_text.rfind(':');
  const tcp::endpoint server(asio::ip::make_address(server_text.substr(0, colon)),
                             static_cast<unsigned short>(std::stoi(server_text.substr(colon + 1))));
  asio::io_context io(1);

  auto identities = load_credentials(credentials);
  if (identities.size() < agents) {
    const std::size_t from = identities.empty() ? 0 : identities.back().index + 1;
    const auto started = Clock::now();
    auto fresh = enrol_agents(io, server, options.api_key, from, from + agents - identities.size(),
                              concurrency, credentials);
    std::printf("enrolled agents=%zu seconds=%.2f\n", fresh.size(),
                ms_between(started, Clock::now()) / 1000);
    std::fflush(stdout);
    identities.insert(identities.end(), fresh.begin(), fresh.end());
  }
  identities.resize(agents);

  Swarm swarm(io,
              SwarmOptions{.server = server,
                           .heartbeat_override = std::chrono::milliseconds(heartbeat_ms),
                           .tcp_no_delay = !nagle},
              std::move(identities));
  asio::co_spawn(io, drive(swarm, options), asio::detached);
  io.run();
  return 0;
}
