#include "agent/state_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace berth::agent {
namespace {

constexpr std::string_view kStateFile = "agent.json";

Error io_failure(std::string_view what, const std::filesystem::path& path) {
  auto error =
      Error::unavailable(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
  error.code = "state_dir";
  return error;
}

}  // namespace

Result<void> prepare_state_dir(const std::filesystem::path& state_dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) {
    return fail(Error::unavailable("cannot create " + state_dir.string() + ": " + ec.message()));
  }
  if (::chmod(state_dir.c_str(), mode) != 0) {
    return fail(io_failure("cannot restrict", state_dir));
  }
  return {};
}

Result<void> write_agent_state(const std::filesystem::path& state_dir, const AgentState& state) {
  if (auto prepared = prepare_state_dir(state_dir); !prepared) {
    return prepared;
  }
  nlohmann::json json{{"server_url", state.server_url},
                      {"server_id", state.server_id},
                      {"agent_token", state.agent_token}};
  if (!state.ca_file.empty()) {
    json["ca_file"] = state.ca_file;
  }
  if (!state.pin_sha256.empty()) {
    json["pin_sha256"] = state.pin_sha256;
  }
  return write_private_file(state_dir / kStateFile, json.dump(2) + "\n");
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<void> write_private_file(const std::filesystem::path& path, const std::string& text) {
  const auto temp = std::filesystem::path(path.string() + ".tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(io_failure("cannot create", temp));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temp.c_str(), path.c_str()) != 0) {
    auto error = io_failure("cannot write", path);
    ::unlink(temp.c_str());
    return fail(std::move(error));
  }
  return {};
}

Result<AgentState> read_agent_state(const std::filesystem::path& state_dir) {
  const auto path = state_dir / kStateFile;
  std::ifstream in(path);
  if (!in) {
    return fail(Error::unavailable(path.string() + " is missing: run `berth-agent enroll` first"));
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto json = nlohmann::json::parse(text.str(), nullptr, false);
  AgentState state;
  for (auto [key, field] :
       {std::pair{"server_url", &state.server_url}, std::pair{"server_id", &state.server_id},
        std::pair{"agent_token", &state.agent_token}}) {
    const auto it = json.is_object() ? json.find(key) : json.end();
    if (!json.is_object() || it == json.end() || !it->is_string() || it->empty()) {
      return fail(Error::invalid(path.string() + " has no valid \"" + key + "\""));
    }
    *field = it->get<std::string>();
  }
  state.ca_file = json.value("ca_file", std::string());
  state.pin_sha256 = json.value("pin_sha256", std::string());
  return state;
}

}  // namespace berth::agent
