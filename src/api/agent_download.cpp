#include "api/agent_download.hpp"

#include <filesystem>
#include <fstream>

#include "core/crypto.hpp"

namespace berth::api {

Result<AgentBinary> AgentDownload::get() {
  std::lock_guard lock(mutex_);
  if (loaded_) {
    return *loaded_;
  }
  // Read at its size in one go: no doubling buffer, so loading peaks at one copy.
  std::string bytes;
  std::error_code ec;
  const auto size = path_.empty() ? 0 : std::filesystem::file_size(path_, ec);
  std::ifstream file(path_, std::ios::binary);
  if (!ec && size > 0 && file) {
    bytes.resize(static_cast<std::size_t>(size));
    file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(file.gcount()));
  }
  if (bytes.empty()) {
    Error error =
        Error::unavailable("this berthd has no agent binary to serve (see --agent-binary)");
    error.code = "no_agent_binary";
    return fail(std::move(error));
  }
  AgentBinary binary{.bytes = nullptr, .sha256 = crypto::sha256_hex(bytes)};
  binary.bytes = std::make_shared<const std::string>(std::move(bytes));
  loaded_ = binary;
  return binary;
}

}  // namespace berth::api
