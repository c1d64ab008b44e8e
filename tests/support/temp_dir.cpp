#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <system_error>

namespace berth::testing {

TempDir::TempDir() {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = std::filesystem::temp_directory_path() /
                     fmt::format("berth-test-{}-{:08x}", ::getpid(), random());
    if (std::filesystem::create_directory(candidate)) {
      std::filesystem::permissions(candidate, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace);
      path_ = std::move(candidate);
      return;
    }
  }
  throw std::runtime_error("cannot create a unique temporary directory");
}

namespace {

// Processes still running a file of the directory: what a test started detached and cannot
// stop otherwise (an agent's edge Caddy keeps serving after the agent exits, by design).
void kill_processes_using(const std::filesystem::path& dir) {
  std::error_code failed;
  const std::string needle = dir.string() + "/";
  for (std::filesystem::directory_iterator entry("/proc", failed), end; !failed && entry != end;
       entry.increment(failed)) {
    const auto name = entry->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream in(entry->path() / "cmdline");
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    const pid_t pid = std::stoi(name);
    if (pid != ::getpid() && cmdline.find(needle) != std::string::npos) {
      ::kill(pid, SIGKILL);
    }
  }
}

}  // namespace

TempDir::~TempDir() {
  kill_processes_using(path_);
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace berth::testing
