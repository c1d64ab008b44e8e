#include "core/memory_trim.hpp"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace berth {
namespace {

// The value of a "Name:   123 kB" line of /proc/self/status or smaps; -1 when `line` is not it.
long long kb_field(const std::string& line, std::string_view name) {
  if (line.size() <= name.size() || line.compare(0, name.size(), name) != 0 ||
      line[name.size()] != ':') {
    return -1;
  }
  return std::stoll(line.substr(name.size() + 1));
}

bool single_threaded() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (const auto threads = kb_field(line, "Threads"); threads >= 0) {
      return threads == 1;
    }
  }
  return false;
}

struct CleanMapping {
  std::uintptr_t start = {};
  std::uintptr_t end = {};
  long long rss_kb = {};
};

// The read-only, private, file-backed mappings with pages present and none of them written
// (no anonymous copy) nor locked.
std::vector<CleanMapping> clean_file_mappings() {
  std::vector<CleanMapping> found;
  std::ifstream smaps("/proc/self/smaps");
  CleanMapping current;
  bool candidate = false;
  long long anonymous = 0;
  long long locked = 0;
  const auto close_mapping = [&] {
    if (candidate && current.rss_kb > 0 && anonymous == 0 && locked == 0) {
      found.push_back(current);
    }
  };
  for (std::string line; std::getline(smaps, line);) {
    const std::string first = line.substr(0, line.find(' '));
    if (const auto dash = first.find('-'); !first.ends_with(':') && dash != std::string::npos) {
      // A mapping's header line: "start-end perms offset device inode [path]".
      close_mapping();
      std::istringstream header(line);
      std::string range;  // `first` again
      std::string perms;
      std::string offset;
      std::string device;
      std::string inode;
      std::string path;
      header >> range >> perms >> offset >> device >> inode >> path;
      current = {.start = std::stoull(first.substr(0, dash), nullptr, 16),
                 .end = std::stoull(first.substr(dash + 1), nullptr, 16),
                 .rss_kb = 0};
      candidate = (perms == "r--p" || perms == "r-xp") && inode != "0" && path.starts_with('/');
      anonymous = 0;
      locked = 0;
    } else if (const auto rss = kb_field(line, "Rss"); rss >= 0) {
      current.rss_kb = rss;
    } else if (const auto anon = kb_field(line, "Anonymous"); anon >= 0) {
      anonymous = anon;
    } else if (const auto lock = kb_field(line, "Locked"); lock >= 0) {
      locked = lock;
    }
  }
  close_mapping();
  return found;
}

}  // namespace

void limit_malloc_arenas(int arenas) { (void)::mallopt(M_ARENA_MAX, arenas); }

std::size_t release_clean_file_pages() {
  if (!single_threaded()) {
    return 0;
  }
  std::size_t released = 0;
  for (const auto& mapping : clean_file_mappings()) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): an address read from /proc/self/smaps
    if (::madvise(reinterpret_cast<void*>(mapping.start), mapping.end - mapping.start,
                  MADV_DONTNEED) == 0) {
      released += static_cast<std::size_t>(mapping.rss_kb);
    }
  }
  return released;
}

MemoryTrimmer::MemoryTrimmer(std::chrono::milliseconds interval)
    : thread_([this, interval] {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
          lock.unlock();
          (void)::malloc_trim(0);
          lock.lock();
        }
      }) {}

MemoryTrimmer::~MemoryTrimmer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace berth
