#include "system/sshd_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace berth::testing {

namespace {

namespace fs = std::filesystem;

constexpr const char* kSshd = "/usr/sbin/sshd";
constexpr const char* kUserHome = "/tmp/berthtest-home";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

void write_file(const std::string& path, const std::string& content, fs::perms mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  fs::permissions(path, mode, fs::perm_options::replace);
}

std::string random_password() {
  std::random_device random;
  std::string password;
  for (int i = 0; i < 6; ++i) {
    password += fmt::format("{:08x}", random());
  }
  return password;
}

/// True when something at address:port completes a TCP handshake and sends an SSH banner.
bool answers_ssh(const std::string& address, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &peer.sin_addr);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) == 0) {
    pollfd wait{.fd = fd, .events = POLLIN, .revents = 0};
    char banner[8] = {};
    ok = ::poll(&wait, 1, 1000) == 1 && ::recv(fd, banner, 4, 0) == 4 &&
         std::string_view(banner, 4) == "SSH-";
  }
  ::close(fd);
  return ok;
}

}  // namespace

SshdFixture::MachineLock::MachineLock()
    : fd(::open("/tmp/berth-sshd-fixture.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600)) {
  if (fd < 0 || ::flock(fd, LOCK_EX) != 0) {
    throw std::runtime_error("cannot lock /tmp/berth-sshd-fixture.lock");
  }
}

SshdFixture::MachineLock::~MachineLock() {
  if (fd >= 0) {
    ::close(fd);
  }
}

std::string SshdFixture::unavailable_reason() {
  if (std::string reason = NetnsFixture::unavailable_reason(); !reason.empty()) {
    return reason;
  }
  for (const char* program :
       {kSshd, "/usr/bin/ssh-keygen", "/usr/sbin/useradd", "/usr/sbin/chpasswd"}) {
    if (::access(program, X_OK) != 0) {
      return fmt::format("sshd tests need {} (openssh-server, passwd)", program);
    }
  }
  return {};
}

SshdFixture::SshdFixture(NetnsFixture& netns) : netns_(netns) {
  fs::permissions(dir_.path(),
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::replace);

  if (::getpwnam(kUser) == nullptr) {
    // Exit 9 (already exists) is fine: another test process may have won the race.
    run_process({"useradd", "--home-dir", kUserHome, "--shell", "/bin/sh", kUser});
  }
  const passwd* user = ::getpwnam(kUser);
  if (user == nullptr) {
    throw std::runtime_error("cannot create the user berthtest");
  }
  uid_ = user->pw_uid;
  gid_ = user->pw_gid;
  fs::create_directories(kUserHome);
  if (::chown(kUserHome, uid_, gid_) != 0) {
    throw std::runtime_error("cannot chown the home of berthtest");
  }
  password_ = random_password();
  run_checked({"chpasswd"}, fmt::format("{}:{}\n", kUser, password_));

  const std::string user_key = dir_.file("user_key");
  run_checked({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "berthtest", "-f", user_key});
  private_key_ = read_file(user_key);
  write_file(dir_.file(fmt::format("authorized_keys_{}", kUser)), read_file(user_key + ".pub"),
             fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                 fs::perms::others_read);

  write_file(dir_.file("sshd_config"),
             fmt::format("ListenAddress {}:{}\n"
                         "HostKey {}\n"
                         "PidFile {}\n"
                         "AuthorizedKeysFile {}/authorized_keys_%u\n"
                         "PasswordAuthentication yes\n"
                         "PubkeyAuthentication yes\n"
                         "KbdInteractiveAuthentication no\n"
                         "PermitRootLogin yes\n"
                         "StrictModes no\n"
                         "UsePAM no\n"
                         "UseDNS no\n"
                         "LogLevel VERBOSE\n"
                         "Subsystem sftp internal-sftp\n",
                         address(), port(), dir_.file("host_key"), dir_.file("sshd.pid"),
                         dir_.path().string()),
             fs::perms::owner_read | fs::perms::owner_write);
  // sshd's privilege separation directory; Debian's init script would make it.
  fs::create_directories("/run/sshd");
  generate_host_key();
  start();
}

SshdFixture::~SshdFixture() { stop(); }

void SshdFixture::change_host_key() {
  stop();
  generate_host_key();
  start();
}

std::string SshdFixture::log() const { return read_file(dir_.file("sshd.log")); }

void SshdFixture::generate_host_key() {
  const std::string key = dir_.file("host_key");
  fs::remove(key);
  fs::remove(key + ".pub");
  run_checked({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "berth-test-host", "-f", key});
  const std::string listing = dir_.file("host_key.fingerprint");
  fs::remove(listing);
  if (run_process({"ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub"}, {}, listing) != 0) {
    throw std::runtime_error("ssh-keygen -l failed");
  }
  // "256 SHA256:abc... berth-test-host (ED25519)"
  std::istringstream fields(read_file(listing));
  std::string bits;
  fields >> bits >> host_key_fingerprint_;
}

void SshdFixture::start() {
  sshd_pid_ =
      netns_.run_inside({kSshd, "-D", "-e", "-f", dir_.file("sshd_config")}, dir_.file("sshd.log"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(sshd_pid_, nullptr, WNOHANG) == sshd_pid_) {
      sshd_pid_ = -1;
      throw std::runtime_error("sshd exited at start-up:\n" + log());
    }
    if (answers_ssh(address(), port())) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("sshd did not answer within 15 s:\n" + log());
}

void SshdFixture::stop() {
  if (sshd_pid_ > 0) {
    netns_.stop(sshd_pid_);
    sshd_pid_ = -1;
  }
}

SftpServerFixture::SftpServerFixture() : sshd_(netns_) {
  namespace fs = std::filesystem;
  fs::permissions(work_.path(), fs::perms::owner_all | fs::perms::others_exec,
                  fs::perm_options::replace);
  fs::create_directory(folder());
  if (::chown(folder().c_str(), sshd_.user_uid(), sshd_.user_gid()) != 0) {
    throw std::runtime_error("cannot give " + folder() + " to " + SshdFixture::kUser);
  }
}

}  // namespace berth::testing
