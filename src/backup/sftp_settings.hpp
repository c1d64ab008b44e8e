#pragma once
/// Where an SFTP destination's files go and how to sign in: shared by berthd's SftpClient
/// (libssh) and the agent's CurlSftp (libcurl).

#include <chrono>
#include <cstdint>
#include <string>

namespace berth::backup {

struct SftpSettings {
  std::string host = {};
  std::uint16_t port = 22;
  std::string user = {};
  std::string folder = {};  // absolute
  std::string password = {};
  std::string private_key = {};
  std::string private_key_passphrase = {};
  std::string host_key_fingerprint = {};  // "SHA256:<base64>"; see each client for ""
  std::chrono::seconds connect_timeout{10};
  /// A transfer slower than 1 KiB/s for this long is abandoned (CurlSftp).
  std::chrono::seconds stall_timeout{60};
};

}  // namespace berth::backup
