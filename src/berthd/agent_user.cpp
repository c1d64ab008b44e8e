#include "berthd/agent_user.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "core/log.hpp"

namespace berth {

namespace {

constexpr std::size_t kMaxUserName = 32;

struct Entry {
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<Entry> lookup_user(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return std::nullopt;
  }
  return Entry{.uid = found->pw_uid, .gid = found->pw_gid};
}

std::optional<gid_t> lookup_group(const char* name) {
  std::vector<char> buffer(16384);
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(name, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return found->gr_gid;
}

std::string first_existing(std::initializer_list<const char*> paths) {
  for (const char* path : paths) {
    if (::access(path, X_OK) == 0) {
      return path;
    }
  }
  return {};
}

// Runs `argv` with a fixed PATH, its stdout and stderr captured; the exit status (-1 when it
// could not run) and what it printed.
int run_captured(std::vector<std::string> argv, std::string& output) {
  int pipe_fds[2] = {-1, -1};
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    output = std::strerror(errno);
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::vector<char*> args;
  for (auto& arg : argv) {
    args.push_back(arg.data());
  }
  args.push_back(nullptr);
  std::string path = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  std::string lang = "LANG=C";
  char* env[] = {path.data(), lang.data(), nullptr};
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    output = std::strerror(spawned);
    return -1;
  }
  char chunk[512];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], chunk, sizeof chunk);
    if (n > 0) {
      output.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Result<void> create_system_user(const std::string& name, bool with_docker) {
  const std::string useradd = first_existing({"/usr/sbin/useradd", "/sbin/useradd"});
  const std::string hint = fmt::format(
      "create it yourself (useradd --system --home-dir {} --shell /usr/sbin/nologin {}{}) or "
      "name another with --local-agent-user",
      kAgentHome, with_docker ? "--groups docker " : "", name);
  if (useradd.empty()) {
    return fail(Error::unavailable(fmt::format(
        "the local agent's user {} does not exist and there is no useradd: {}", name, hint)));
  }
  std::vector<std::string> argv = {
      useradd,        "--system",
      "--user-group", "--no-create-home",
      "--home-dir",   std::string(kAgentHome),
      "--shell",      first_existing({"/usr/sbin/nologin", "/sbin/nologin"}),
      "--comment",    "Berth local agent"};
  if (argv[7].empty()) {
    argv[7] = "/bin/false";
  }
  if (with_docker) {
    argv.insert(argv.end(), {"--groups", "docker"});
  }
  argv.insert(argv.end(), {"--", name});
  std::string output;
  const int status = run_captured(argv, output);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
    output.pop_back();
  }
  if (status != 0) {
    return fail(Error::unavailable(
        fmt::format("cannot create the local agent's user {} (useradd: {}): {}", name,
                    output.empty() ? fmt::format("exit status {}", status) : output, hint)));
  }
  log::info("local_agent.user_created", {{"user", name}, {"docker_group", with_docker}});
  return {};
}

std::vector<gid_t> groups_of(const std::string& name, gid_t primary) {
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  while (::getgrouplist(name.c_str(), primary, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count) + 1);
    count = static_cast<int>(groups.size());
  }
  groups.resize(static_cast<std::size_t>(count));
  return groups;
}

}  // namespace

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxUserName) {
    return false;
  }
  const auto lower_or_underscore = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  return lower_or_underscore(name.front()) && std::all_of(name.begin(), name.end(), [&](char c) {
           return lower_or_underscore(c) || (c >= '0' && c <= '9') || c == '-';
         });
}

Result<AgentUser> find_or_create_agent_user(const std::string& name) {
  if (!valid_user_name(name)) {
    return fail(Error::invalid(fmt::format(
        "--local-agent-user: \"{}\" is not a user name ([a-z_][a-z0-9_-]*, at most 32)", name)));
  }
  const auto docker = lookup_group("docker");
  auto found = lookup_user(name);
  if (!found) {
    if (auto created = create_system_user(name, docker.has_value()); !created) {
      return fail(std::move(created.error()));
    }
    found = lookup_user(name);
    if (!found) {
      return fail(Error::unavailable(
          fmt::format("useradd created the local agent's user {} but it cannot be found", name)));
    }
  }
  if (found->uid == 0 || found->gid == 0) {
    return fail(Error::invalid(fmt::format(
        "--local-agent-user: {} is root or in root's group; the local agent must not be", name)));
  }
  AgentUser user{.name = name, .credentials = {.uid = found->uid, .gid = found->gid, .groups = {}}};
  user.credentials.groups = groups_of(name, found->gid);
  // The agent drives Docker through its socket, which the docker group may use.
  if (docker && std::find(user.credentials.groups.begin(), user.credentials.groups.end(),
                          *docker) == user.credentials.groups.end()) {
    user.credentials.groups.push_back(*docker);
  }
  if (std::find(user.credentials.groups.begin(), user.credentials.groups.end(), gid_t{0}) !=
      user.credentials.groups.end()) {
    return fail(Error::invalid(fmt::format(
        "--local-agent-user: {} is in root's group; the local agent must not be", name)));
  }
  return user;
}

}  // namespace berth
