#include "core/memory_trim.hpp"

#include <malloc.h>

namespace berth {

void limit_malloc_arenas(int arenas) { (void)::mallopt(M_ARENA_MAX, arenas); }

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
