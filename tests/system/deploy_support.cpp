// The deployment fixture's helpers that need no berthd: running programs, the offline app
// images, and reading SSE bodies.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/berthd_process.hpp"
#include "support/temp_dir.hpp"
#include "system/deploy_fixture.hpp"

extern char** environ;

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void write_file(const fs::path& path, const std::string& text, fs::perms mode = fs::perms(0644)) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  fs::permissions(path, mode);
}

// The CGI script that shows a test what environment the container got.
constexpr const char* kEnvScript = "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nenv\n";

// httpd under a shell that ends on SIGTERM, as a well-behaved app does: as PID 1 httpd alone
// would ignore it, and every `docker stop` of an old version would wait out its timeout.
std::string serving_dockerfile(const std::string& web_root) {
  return "FROM " + std::string(kTestImage) + "\nCOPY " + web_root +
         " /www\nCMD [\"sh\", \"-c\", \"trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait\"]\n";
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          const std::string& input_file, std::chrono::milliseconds timeout) {
  TempDir scratch;
  const std::string output_path = scratch.file("output");
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const std::string name = text.substr(0, text.find('='));
    if (!env.contains(name) && !text.starts_with("BERTH_")) {
      env_text.push_back(text);
    }
  }
  for (const auto& [name, value] : env) {
    env_text.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& entry : env_text) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& arg : args) {
    argp.push_back(arg.data());
  }
  argp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(
      &actions, 0, input_file.empty() ? "/dev/null" : input_file.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return {.exit_code = 127, .output = "cannot start " + argv.front()};
  }
  CommandResult result;
  result.exit_code = wait_for_exit(pid, timeout);
  if (!result.exit_code) {
    ::kill(pid, SIGKILL);
    wait_for_exit(pid, std::chrono::seconds(10));
  }
  result.output = read_file(output_path);
  return result;
}

std::string build_app_images(const std::string& socket_path) {
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix://" + socket_path},
                                                  {"DOCKER_BUILDKIT", "0"}};
  // Test processes run in parallel: one builds, the others wait and then find the images.
  const int lock = ::open("/tmp/berth-test-app-images.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    return "cannot lock /tmp/berth-test-app-images.lock";
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock};
  if (run_command({"docker", "image", "inspect", kAppV1, kAppV2, kAppBroken}, env).exit_code == 0) {
    return "";
  }
  TempDir context;
  for (const std::string version : {"v1", "v2"}) {
    write_file(context.path() / ("www-" + version) / "index.html", version + "\n");
    write_file(context.path() / ("www-" + version) / "cgi-bin" / "env", kEnvScript,
               fs::perms(0755));
    write_file(context.path() / ("Dockerfile." + version), serving_dockerfile("www-" + version));
  }
  write_file(context.path() / "Dockerfile.broken",
             "FROM " + std::string(kTestImage) +
                 "\nCMD [\"sh\", \"-c\", \"trap 'exit 0' TERM; sleep 3600 & wait\"]\n");
  const std::vector<std::pair<std::string, std::string>> images = {
      {"v1", kAppV1}, {"v2", kAppV2}, {"broken", kAppBroken}};
  for (const auto& [file, tag] : images) {
    const CommandResult built =
        run_command({"docker", "build", "-q", "-f", context.file("Dockerfile." + file), "-t", tag,
                     context.path().string()},
                    env);
    if (built.exit_code != 0) {
      return "docker build of " + tag + " failed:\n" + built.output;
    }
  }
  return "";
}

std::vector<SseEvent> parse_sse(const std::string& body) {
  std::vector<SseEvent> events;
  std::istringstream lines(body);
  std::string line;
  SseEvent current;
  bool has_data = false;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.starts_with("event: ")) {
      current.event = line.substr(7);
    } else if (line.starts_with("id: ")) {
      current.id = std::stoll(line.substr(4));
    } else if (line.starts_with("data: ")) {
      current.data = json::parse(line.substr(6), nullptr, false);
      if (!current.data.is_object()) {
        current.data = {{"raw", line.substr(6)}};
      }
      has_data = true;
    } else if (line.empty() && has_data) {
      events.push_back(std::move(current));
      current = {};
      has_data = false;
    }
  }
  if (has_data) {
    events.push_back(std::move(current));
  }
  return events;
}

std::vector<std::string> steps_with(const std::vector<SseEvent>& events,
                                    const std::string& status) {
  std::vector<std::string> steps;
  for (const auto& event : events) {
    if (event.event == "step" && event.data.value("status", "") == status) {
      steps.push_back(event.data.value("step", ""));
    }
  }
  return steps;
}

std::string step_output(const std::vector<SseEvent>& events, const std::string& step) {
  std::string text;
  for (const auto& event : events) {
    if (event.event == "output" && event.data.value("step", "") == step) {
      text += event.data.value("text", "");
    }
  }
  return text;
}

}  // namespace berth::testing
