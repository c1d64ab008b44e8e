#pragma once
/// An S3 multipart upload: how a backup of unknown size is stored without holding it. Parts
/// are uploaded in order as they fill (every part but the last at least 5 MiB, S3's minimum);
/// the object exists only once complete() succeeds, so a writer that dies mid-way never leaves
/// a partial object under the key (abort() frees the parts; a bucket lifecycle rule frees what
/// a killed writer left). Blocking; one thread at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backup/s3_client.hpp"

namespace berth::backup {

/// S3's smallest part but the last.
inline constexpr std::size_t kMinPartSize = 5 * 1024 * 1024;
/// S3's largest part count.
inline constexpr int kMaxParts = 10000;

class S3MultipartUpload {
 public:
  /// Starts an upload (POST ?uploads); errors as S3Client's.
  static Result<S3MultipartUpload> begin(const S3Client& client, std::string key);

  /// Uploads the next part. unprocessable s3_too_many_parts past kMaxParts.
  Result<void> upload_part(std::string_view bytes);
  /// Uploads the next part of `size` bytes, taken from `source` as they are sent.
  Result<void> upload_part(std::uint64_t size, const BodySource& source);
  /// Assembles the parts into the object (an upload with no part uploads one empty part).
  Result<void> complete();
  /// Frees the uploaded parts; best effort (errors are ignored), for a failed writer.
  void abort();

  const std::string& key() const { return key_; }
  int parts() const { return static_cast<int>(etags_.size()); }

 private:
  S3MultipartUpload(const S3Client& client, std::string key, std::string upload_id)
      : client_(&client), key_(std::move(key)), upload_id_(std::move(upload_id)) {}

  const S3Client* client_;
  std::string key_;
  std::string upload_id_;
  std::vector<std::string> etags_;
};

}  // namespace berth::backup
