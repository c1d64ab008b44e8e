#pragma once
/// Giving memory back to the system after a burst. glibc keeps freed heap pages mapped (one
/// arena per thread, up to 8 per core) and returns them only when the top of a heap is free,
/// so a burst of large request bodies leaves berthd's RSS high for good. Fewer arenas and a
/// periodic malloc_trim() (a few milliseconds on an idle heap) bring it back down.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace berth {

/// At most `arenas` malloc arenas for the process (call first thing in main).
void limit_malloc_arenas(int arenas);

/// Drops this process's mappings of the file pages it mapped read-only and has not written: what
/// the dynamic loader read once at start (each library's symbol, hash and relocation tables) and
/// code run only before main. They would count in RSS for the life of the process (libcrypto's
/// tables alone are ~0.8 MB, read even when TLS is never used). The pages stay in the page cache;
/// one touched again is mapped back on that touch (a minor fault), so nothing changes but RSS.
/// Only while the process has a single thread (nothing can unmap a library and map something
/// else there meanwhile); otherwise it does nothing. Returns the KB of RSS it released.
std::size_t release_clean_file_pages();

/// Calls malloc_trim(0) every `interval` on a thread of its own until destroyed.
class MemoryTrimmer {
 public:
  explicit MemoryTrimmer(std::chrono::milliseconds interval);
  ~MemoryTrimmer();
  MemoryTrimmer(const MemoryTrimmer&) = delete;
  MemoryTrimmer& operator=(const MemoryTrimmer&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace berth
