#pragma once
// A real OpenSSH server on port 22 of a NetnsFixture's namespace address, for adoption tests.
//
//   NetnsFixture netns;
//   SshdFixture sshd(netns);   // throws std::runtime_error when sshd does not come up
//   connect to sshd.address():22 as SshdFixture::kUser with sshd.password() or
//   sshd.private_key(); sshd.host_key_fingerprint() is what a client must see.
//
// sshd runs with its own configuration, ed25519 host key, pid file and authorized keys in a
// temporary directory (mode 0755 so the test user can read its authorized keys); password and
// key authentication are on, PAM off: sshd then checks /etc/shadow itself. (Password login
// works with PAM here too, but pam_unix delays each wrong password by ~3 s and the result
// would depend on the machine's PAM stack.) The local user `berthtest` (home under /tmp,
// shell /bin/sh) is created on first use and gets a fresh random password each time. Needs
// root, sshd, ssh-keygen, useradd and chpasswd: check unavailable_reason() and GTEST_SKIP().

#include <sys/types.h>

#include <string>

#include "support/temp_dir.hpp"
#include "system/netns_fixture.hpp"

namespace berth::testing {

class SshdFixture {
 public:
  static constexpr const char* kUser = "berthtest";

  /// Why sshd cannot run here ("" when it can); includes NetnsFixture's reasons.
  static std::string unavailable_reason();

  explicit SshdFixture(NetnsFixture& netns);
  ~SshdFixture();
  SshdFixture(const SshdFixture&) = delete;
  SshdFixture& operator=(const SshdFixture&) = delete;

  const std::string& address() const { return netns_.inside_address(); }
  static constexpr int port() { return 22; }

  const std::string& password() const { return password_; }
  /// An ed25519 private key (OpenSSH format, no passphrase) authorized for kUser.
  const std::string& private_key() const { return private_key_; }
  /// "SHA256:..." of the current host key, as `ssh-keygen -l` prints it.
  const std::string& host_key_fingerprint() const { return host_key_fingerprint_; }

  uid_t user_uid() const { return uid_; }
  gid_t user_gid() const { return gid_; }

  /// Restarts sshd with a newly generated host key (the "server was replaced" case).
  void change_host_key();

  /// sshd's own log (-e), for a failing test's output.
  std::string log() const;

 private:
  void generate_host_key();
  void start();
  void stop();

  /// One sshd fixture at a time on this machine (across test processes): they share the user
  /// berthtest, whose password each one sets. Declared first: held until teardown is done.
  struct MachineLock {
    MachineLock();
    ~MachineLock();
    MachineLock(const MachineLock&) = delete;
    MachineLock& operator=(const MachineLock&) = delete;
    int fd = -1;
  };

  MachineLock lock_;
  NetnsFixture& netns_;
  TempDir dir_;
  std::string password_;
  std::string private_key_;
  std::string host_key_fingerprint_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  pid_t sshd_pid_ = -1;
};

/// An SFTP destination's server: sshd in a namespace of its own, and a folder its user owns
/// under a work dir that stays root's (others may only traverse it). Throws like SshdFixture.
class SftpServerFixture {
 public:
  SftpServerFixture();

  SshdFixture& sshd() { return sshd_; }
  std::string folder() const { return work_.file("backups"); }

 private:
  TempDir work_;
  NetnsFixture netns_;
  SshdFixture sshd_;
};

}  // namespace berth::testing
