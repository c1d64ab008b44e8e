#include "notify/smtp_sink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace berth::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kPollInterval = 20ms;
constexpr auto kStartDeadline = 20s;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

/// Binds a TCP socket to 127.0.0.1 with a port the kernel chooses; returns the fd and port.
std::pair<int, std::uint16_t> bind_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw std::runtime_error("socket() failed");
  }
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  return {fd, ntohs(address.sin_port)};
}

/// True when something on `port` accepts a connection and greets with an SMTP 220.
bool greets(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  const timeval timeout{.tv_sec = 2, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address = loopback(port);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    std::array<char, 512> buffer{};
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    ok = n >= 3 && std::string_view(buffer.data(), 3) == "220";
    if (ok) {
      static constexpr std::string_view kQuit = "QUIT\r\n";
      [[maybe_unused]] const ssize_t sent = ::send(fd, kQuit.data(), kQuit.size(), MSG_NOSIGNAL);
    }
  }
  ::close(fd);
  return ok;
}

/// Starts `python -m aiosmtpd` with argv (no shell); -1 when the interpreter is not there.
pid_t spawn_sink(const std::string& python, std::uint16_t port, const fs::path& maildir,
                 const fs::path& log_file) {
  std::vector<std::string> args = {python,
                                   "-m",
                                   "aiosmtpd",
                                   "-n",
                                   "-l",
                                   "127.0.0.1:" + std::to_string(port),
                                   "-c",
                                   "aiosmtpd.handlers.Mailbox",
                                   maildir.string()};
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

/// Stops `pid`: SIGTERM, then SIGKILL if it lingers, and always reaps it.
void stop_process(pid_t pid) {
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

std::unique_ptr<SmtpSink> SmtpSink::start(const fs::path& dir, std::string& why) {
  const fs::path maildir = dir / "maildir";
  // Debian's package installs into the system interpreter, which may not be the first python3
  // on PATH (pyenv, venvs); try it first.
  const std::array<std::string, 2> interpreters = {"/usr/bin/python3", "python3"};
  why.clear();
  int run = 0;
  for (const auto& python : interpreters) {
    // A free port is only free until someone takes it; try a few if the bind loses that race.
    for (int attempt = 0; attempt < 3; ++attempt) {
      const auto [fd, port] = bind_free_port();
      ::close(fd);
      const fs::path log_file = dir / ("sink-" + std::to_string(run++) + ".log");
      const pid_t pid = spawn_sink(python, port, maildir, log_file);
      if (pid < 0) {
        why += python + ": cannot be executed\n";
        break;
      }
      const auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
      bool exited = false;
      for (;;) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
          exited = true;
          break;
        }
        if (greets(port)) {
          return std::unique_ptr<SmtpSink>(new SmtpSink(pid, port, dir));
        }
        if (std::chrono::steady_clock::now() > deadline) {
          stop_process(pid);
          exited = true;
          why += python + ": no SMTP greeting on port " + std::to_string(port) + " within 20 s\n";
          break;
        }
        std::this_thread::sleep_for(kPollInterval);
      }
      const std::string output = read_text(log_file);
      if (exited && output.find("Address already in use") != std::string::npos) {
        continue;
      }
      why += python + " -m aiosmtpd exited: " + output + "\n";
      break;
    }
  }
  return nullptr;
}

SmtpSink::~SmtpSink() {
  if (pid_ > 0) {
    stop_process(pid_);
  }
}

std::vector<std::string> SmtpSink::messages() const {
  std::vector<fs::path> files;
  const fs::path fresh = dir_ / "maildir" / "new";
  if (fs::is_directory(fresh)) {
    for (const auto& entry : fs::directory_iterator(fresh)) {
      files.push_back(entry.path());
    }
  }
  // Maildir names start with the delivery time in seconds, so name order is delivery order
  // for everything a test sends.
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& file : files) {
    out.push_back(read_text(file));
  }
  return out;
}

std::string SmtpSink::log() const {
  std::string out;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (entry.path().extension() == ".log") {
      out += read_text(entry.path());
    }
  }
  return out;
}

ClosedPort::ClosedPort() {
  const auto [fd, port] = bind_free_port();
  fd_ = fd;
  port_ = port;
}

ClosedPort::~ClosedPort() { ::close(fd_); }

}  // namespace berth::testing
