#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <unistd.h>

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

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace berth::testing
