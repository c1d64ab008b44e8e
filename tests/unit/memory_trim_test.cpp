// release_clean_file_pages(): file pages mapped read-only and never written leave RSS and come
// back intact on their next touch; written private pages (as the loader's relocated RELRO) and
// anonymous memory are never dropped; nothing happens while another thread runs.

#include "core/memory_trim.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "support/temp_dir.hpp"

namespace berth {
namespace {

constexpr std::size_t kSize = 64 * 4096;

// The Rss of the mapping that starts at `address`, in KB (-1 when there is none).
long long mapping_rss_kb(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto start = reinterpret_cast<std::uintptr_t>(address);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    const std::string first = line.substr(0, line.find(' '));
    if (!first.ends_with(':') && first.find('-') != std::string::npos) {
      inside = std::stoull(first.substr(0, first.find('-')), nullptr, 16) == start;
    } else if (inside && first == "Rss:") {
      return std::stoll(line.substr(4));
    }
  }
  return -1;
}

class FileMapping {
 public:
  FileMapping(const std::string& path, int prot) {
    std::string data(kSize, '\0');
    for (std::size_t i = 0; i < kSize; ++i) {
      data[i] = static_cast<char>('a' + i % 26);
    }
    std::ofstream(path, std::ios::binary) << data;
    const int fd = ::open(path.c_str(), O_RDONLY);
    address_ = static_cast<char*>(::mmap(nullptr, kSize, prot, MAP_PRIVATE, fd, 0));
    ::close(fd);
  }
  ~FileMapping() { ::munmap(address_, kSize); }
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;
  char* data() const { return address_; }
  // Reads every page; true when every byte is what the file holds.
  bool intact() const {
    for (std::size_t i = 0; i < kSize; ++i) {
      if (address_[i] != static_cast<char>('a' + i % 26)) {
        return false;
      }
    }
    return true;
  }

 private:
  char* address_ = nullptr;
};

TEST(ReleaseCleanFilePages, DropsReadOnlyFilePagesWhichComeBackIntact) {
  const testing::TempDir dir;
  const FileMapping mapping(dir.file("clean"), PROT_READ);
  ASSERT_TRUE(mapping.intact());
  ASSERT_EQ(mapping_rss_kb(mapping.data()), static_cast<long long>(kSize / 1024));

  EXPECT_GE(release_clean_file_pages(), kSize / 1024);

  EXPECT_EQ(mapping_rss_kb(mapping.data()), 0);
  EXPECT_TRUE(mapping.intact());
  EXPECT_EQ(mapping_rss_kb(mapping.data()), static_cast<long long>(kSize / 1024));
}

TEST(ReleaseCleanFilePages, KeepsWrittenPrivatePagesAndAnonymousMemory) {
  const testing::TempDir dir;
  // As the loader does with RELRO: written while writable, then made read-only.
  const FileMapping relocated(dir.file("relocated"), PROT_READ | PROT_WRITE);
  relocated.data()[0] = '!';
  ASSERT_EQ(::mprotect(relocated.data(), kSize, PROT_READ), 0);
  ASSERT_GT(mapping_rss_kb(relocated.data()), 0);
  auto* anonymous = static_cast<char*>(
      ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(anonymous, MAP_FAILED);
  anonymous[0] = '!';
  ASSERT_EQ(::mprotect(anonymous, kSize, PROT_READ), 0);

  release_clean_file_pages();

  EXPECT_EQ(relocated.data()[0], '!');
  EXPECT_EQ(anonymous[0], '!');
  ::munmap(anonymous, kSize);
}

TEST(ReleaseCleanFilePages, DoesNothingWhileAnotherThreadRuns) {
  const testing::TempDir dir;
  const FileMapping mapping(dir.file("clean"), PROT_READ);
  ASSERT_TRUE(mapping.intact());
  std::promise<void> stop;
  std::thread other([done = stop.get_future()] { done.wait(); });

  EXPECT_EQ(release_clean_file_pages(), 0u);
  EXPECT_EQ(mapping_rss_kb(mapping.data()), static_cast<long long>(kSize / 1024));

  stop.set_value();
  other.join();
}

}  // namespace
}  // namespace berth
