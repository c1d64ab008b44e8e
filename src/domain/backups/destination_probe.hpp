#pragma once
/// Testing a backup destination: write a probe object, read it back, compare, delete it.
/// The domain names this interface; src/backup implements it (S3 over libcurl, SFTP over
/// libssh) and only the composition root sees both. Blocking: call from a worker thread.

#include <cstdint>
#include <string>
#include <vector>

namespace berth {

struct S3DestinationTarget {
  std::string endpoint = {};  // "https://host[:port]"
  std::string region = {};
  std::string bucket = {};
  std::string prefix = {};  // "" or ending with '/'
  bool path_style = false;
  std::string access_key_id = {};
  std::string secret_access_key = {};
};

struct SftpDestinationTarget {
  std::string host = {};
  std::uint16_t port = 22;
  std::string user = {};
  std::string path = {};  // the folder, absolute
  std::string password = {};
  std::string private_key = {};
  std::string private_key_passphrase = {};
  /// "SHA256:<base64>"; "" trusts the key seen now (and the report carries it to pin).
  std::string host_key_fingerprint = {};
};

/// One step of a test: connect, write, read, compare, delete.
struct ProbeStep {
  std::string step = {};
  bool ok = false;
  std::int64_t ms = 0;
  std::string error = {};  // a message safe to show; "" when ok
  std::string code = {};   // the error's code ("s3_credentials_rejected", ...); "" when ok
};

struct ProbeReport {
  bool ok = false;
  std::vector<ProbeStep> steps = {};
  /// SFTP: the host key seen ("SHA256:<base64>"), to pin on first use; "" otherwise.
  std::string host_key_fingerprint = {};
};

class DestinationProbe {
 public:
  virtual ~DestinationProbe() = default;
  /// Writes `object_name` (a random name) with `content` under the prefix, reads it back,
  /// compares and deletes it. Stops at the first failed step (a written object is still
  /// deleted). Never throws; failures are steps.
  virtual ProbeReport probe_s3(const S3DestinationTarget& target, const std::string& object_name,
                               const std::string& content) = 0;
  /// The same over SFTP in the folder; a host key other than the pinned one fails the
  /// connect step (code host_key_changed) before any credential is sent.
  virtual ProbeReport probe_sftp(const SftpDestinationTarget& target,
                                 const std::string& object_name, const std::string& content) = 0;
};

}  // namespace berth
