#include "agent/host/front_handover.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "agent/host/caddy_config.hpp"
#include "core/log.hpp"

namespace berth::agent::host {

namespace {

constexpr std::string_view kMarkerSuffix = ".handed";

}  // namespace

FrontHandover::FrontHandover(std::filesystem::path dir) : dir_(std::move(dir)) {
  if (dir_.empty()) {
    return;
  }
  std::error_code failed;
  std::filesystem::create_directories(dir_, failed);
  if (failed || ::chmod(dir_.c_str(), 0755) != 0) {
    log::warn("agent.front_handover_unavailable",
              {{"dir", dir_.string()},
               {"message", failed ? failed.message() : std::string(std::strerror(errno))}});
    return;
  }
  ready_ = true;
}

void FrontHandover::keep_only(const std::set<std::string>& hosts) {
  if (!ready_) {
    return;
  }
  std::vector<std::filesystem::path> stale;
  std::error_code failed;
  for (std::filesystem::directory_iterator entry(dir_, failed), end; !failed && entry != end;
       entry.increment(failed)) {
    const auto name = entry->path().filename().string();
    if (!name.ends_with(kMarkerSuffix)) {
      continue;
    }
    if (!hosts.contains(name.substr(0, name.size() - kMarkerSuffix.size()))) {
      stale.push_back(entry->path());
    }
  }
  for (const auto& path : stale) {
    std::filesystem::remove(path, failed);
  }
}

bool FrontHandover::add(const std::set<std::string>& hosts) {
  if (!ready_) {
    return hosts.empty();
  }
  bool all = true;
  for (const auto& host : hosts) {
    // Host names passed parse_proxy_args (a DNS name): no '/', nothing but the file's name.
    const auto path = dir_ / handover_marker(host);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      log::warn("agent.front_handover_failed",
                {{"host", host}, {"message", std::string_view(std::strerror(errno))}});
      all = false;
      continue;
    }
    ::fchmod(fd, 0644);  // whatever the agent's umask (the unit sets 0077)
    ::close(fd);
  }
  return all;
}

}  // namespace berth::agent::host
