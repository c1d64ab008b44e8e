#include "enrol.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "http_json.hpp"

namespace swarm {

namespace {

struct EnrolJob {
  std::size_t next = 0;
  std::size_t to = 0;
  std::string api_key;
  std::ofstream out;
  std::vector<AgentIdentity> enrolled;
  std::string failure;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

nlohmann::json facts_of(std::size_t index) {
  const std::string i = std::to_string(index);
  return {{"hostname", "sim-" + i}, {"os", "sim"}, {"kernel", "0"},
          {"arch", "x86_64"},       {"cpus", 1},   {"memory_bytes", 1'000'000'000},
          {"machine_id", "sim" + i}};
}

std::string describe(const JsonReply& reply) {
  return reply.status == 0 ? reply.error
                           : "HTTP " + std::to_string(reply.status) + " " + reply.body.dump();
}

// Empty on success, else what berthd (or the transport) answered.
asio::awaitable<std::string> enrol_one(HttpJsonClient& client, EnrolJob& job, std::size_t index) {
  // Named arguments: g++ 12 miscompiles string literals passed straight into a coroutine.
  const std::string mint_target = "/api/v1/servers/install-tokens";
  const std::string register_target = "/api/v1/agent/register";
  const nlohmann::json empty = nlohmann::json::object();
  const auto minted = co_await client.request(bhttp::verb::post, mint_target, empty, job.api_key);
  if (minted.status != 201 || !minted.body.contains("token")) {
    co_return "install-tokens: " + describe(minted);
  }
  const nlohmann::json registration = {{"install_token", minted.body["token"]},
                                       {"facts", facts_of(index)}};
  const auto registered =
      co_await client.request(bhttp::verb::post, register_target, registration, std::string());
  if (registered.status != 201 || !registered.body.contains("agent_token")) {
    co_return "agent/register: " + describe(registered);
  }
  AgentIdentity identity{.index = index,
                         .server_id = registered.body["server_id"].get<std::string>(),
                         .agent_token = registered.body["agent_token"].get<std::string>()};
  job.out << identity.index << ' ' << identity.server_id << ' ' << identity.agent_token << '\n';
  job.enrolled.push_back(std::move(identity));
  co_return std::string();
}

asio::awaitable<void> enrol_worker(asio::io_context& io, tcp::endpoint server,
                                   std::shared_ptr<EnrolJob> job) {
  HttpJsonClient client(io, server);
  while (job->next < job->to && job->failure.empty()) {
    const std::size_t index = job->next++;
    std::string failure = "not tried";
    for (int attempt = 0; attempt < 3 && !failure.empty(); ++attempt) {
      failure = co_await enrol_one(client, *job, index);
    }
    if (!failure.empty()) {
      job->failure = failure;  // the other workers stop at their next turn
      co_return;
    }
    if (job->enrolled.size() % 1000 == 0) {
      job->out.flush();
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - job->started;
      std::cout << "enrolled " << job->enrolled.size() << " in " << took.count() << " s"
                << std::endl;
    }
  }
}

}  // namespace

std::vector<AgentIdentity> load_credentials(const std::string& path) {
  std::vector<AgentIdentity> loaded;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    AgentIdentity identity;
    if (fields >> identity.index >> identity.server_id >> identity.agent_token) {
      loaded.push_back(std::move(identity));
    }
  }
  std::sort(loaded.begin(), loaded.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  return loaded;
}

std::vector<AgentIdentity> enrol_agents(asio::io_context& io, tcp::endpoint server,
                                        const std::string& api_key, std::size_t from,
                                        std::size_t to, std::size_t concurrency,
                                        const std::string& path) {
  auto job = std::make_shared<EnrolJob>();
  job->next = from;
  job->to = to;
  job->api_key = api_key;
  job->out.open(path, std::ios::app);
  if (!job->out) {
    throw std::runtime_error("cannot append to " + path);
  }
  for (std::size_t worker = 0; worker < concurrency; ++worker) {
    asio::co_spawn(io, enrol_worker(io, server, job), asio::detached);
  }
  io.run();
  io.restart();
  job->out.flush();
  if (!job->failure.empty()) {
    throw std::runtime_error("enrolment failed: " + job->failure);
  }
  return std::move(job->enrolled);
}

}  // namespace swarm
