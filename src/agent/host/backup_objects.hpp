#pragma once
/// Where a backup job's object goes and comes back from: an S3 multipart upload, or a file on
/// an SFTP server (backup/curl_sftp.hpp). Either way the bytes stream: memory stays about one
/// S3 part, or a few chunks for SFTP, however large the dump.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "backup/s3_client.hpp"
#include "backup/sftp_settings.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

struct ObjectPlace {
  std::optional<backup::S3Settings> s3 = {};
  std::optional<backup::SftpSettings> sftp = {};
  std::string key = {};  // relative: the S3 object key, or the path under the SFTP folder
};

/// The job's "s3" or "sftp" object (exactly one) and its "key"; invalid_args otherwise.
Result<ObjectPlace> parse_object_place(const nlohmann::json& args);

class ObjectUpload {
 public:
  virtual ~ObjectUpload() = default;
  /// Takes the next bytes; the upload's error once it failed.
  virtual Result<void> write(std::string_view bytes) = 0;
  /// Sends the rest and makes the object appear under its key (not before).
  virtual Result<void> complete() = 0;
  /// Gives up; nothing is left under the key.
  virtual void abort() = 0;
  /// How many requests carried it (S3's parts; one SFTP file).
  virtual int parts() const = 0;
};

/// Starts an upload to `place` (an S3 multipart upload is created at once).
Result<std::unique_ptr<ObjectUpload>> begin_upload(const ObjectPlace& place);

/// Downloads the object at `place` into `sink`.
Result<void> download_object(const ObjectPlace& place, const backup::BodySink& sink);

}  // namespace berth::agent::host
