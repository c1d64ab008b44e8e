#pragma once
/// A binary berthd serves for download — berth-agent (GET /api/v1/agent/download, the install
/// script's checksum, agent upgrades) and the berth CLI (GET /api/v1/cli/download): read from
/// disk on first use, then one immutable buffer shared by every download, however many run at
/// once; read again when the file's size or modification time changed (a new build or package
/// put another binary there). Thread-safe.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "http/router.hpp"

namespace berth::api {

struct Binary {
  std::shared_ptr<const std::string> bytes;
  std::string sha256;  // lower-case hex of `bytes`
};

class BinaryDownload {
 public:
  /// `missing`: the error when there is no file at `path` (code and message naming the
  /// option that sets it).
  BinaryDownload(std::string path, Error missing)
      : path_(std::move(path)), missing_(std::move(missing)) {}

  /// The binary; `missing` when there is none at the path (a later call looks again: the
  /// binary may be built after berthd started). One stat(2) per call.
  Result<Binary> get();

 private:
  std::string path_;
  Error missing_;
  std::mutex mutex_;
  std::optional<Binary> loaded_;
  std::uintmax_t loaded_size_ = 0;
  std::filesystem::file_time_type loaded_mtime_{};
};

/// GET `path` (the binary, its SHA-256 in X-Checksum-SHA256) and GET `path`.sha256 (one line
/// in sha256sum's format), both public: what they serve is built from this repository.
void add_download_routes(http::Router& router, const std::string& path, const std::string& name,
                         const std::string& summary, std::shared_ptr<BinaryDownload> download);

/// GET /api/v1/cli/download and its .sha256: the berth CLI built with this berthd.
void add_cli_download_routes(http::Router& router, const std::string& cli_binary_path);

}  // namespace berth::api
