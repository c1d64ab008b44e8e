#pragma once
// A real S3-compatible server on loopback for backup tests: @20minutes/s3rver (npm; a fork of
// s3rver, whose 3.7.1 accepts any SigV4 signature) started through tests/s3rver/run-s3rver on
// a free port, with its own data directory and the buckets asked for, stopped (SIGTERM, then
// SIGKILL) when the fixture goes. It accepts the access key S3RVER with the secret S3RVER and
// checks SigV4 signatures. Throws std::runtime_error (with its output) when it does not come
// up within a minute (the first run may install it).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace berth::testing {

class S3rverFixture {
 public:
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecret = "S3RVER";

  /// Why s3rver cannot run here ("" when it can): node missing or older than 20.
  static std::string unavailable_reason();

  explicit S3rverFixture(const std::vector<std::string>& buckets,
                         std::vector<std::string> extra_args = {});
  ~S3rverFixture();
  S3rverFixture(const S3rverFixture&) = delete;
  S3rverFixture& operator=(const S3rverFixture&) = delete;

  std::uint16_t port() const { return port_; }
  /// "http://127.0.0.1:<port>"
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// Where s3rver keeps its objects (to grep for what it stored).
  const std::filesystem::path& data_dir() const { return data_; }
  std::string output() const;

 private:
  TempDir dir_;
  std::filesystem::path data_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace berth::testing
