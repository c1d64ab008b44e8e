#include "backup/s3rver_fixture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace berth::testing {

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path run_script() {
  return std::filesystem::path(BERTH_SOURCE_DIR) / "tests" / "s3rver" / "run-s3rver";
}

bool exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

std::string S3rverFixture::unavailable_reason() {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    return "node is not installed (scripts/install-deps installs Debian's nodejs)";
  }
  // @20minutes/s3rver needs Node 20; Debian 12's own is 18.
  if (std::system("node -e 'process.exit(+process.versions.node.split(\".\")[0] >= 20 ? 0 : 1)'") !=
      0) {
    return "the S3 test server (@20minutes/s3rver) needs Node 20 or later";
  }
  return "";
}

S3rverFixture::S3rverFixture(const std::vector<std::string>& buckets,
                             std::vector<std::string> extra_args)
    : data_(dir_.path() / "objects") {
  std::filesystem::create_directories(data_);
  std::vector<std::string> args = {run_script().string(), data_.string()};
  for (const auto& bucket : buckets) {
    args.push_back("--configure-bucket");
    args.push_back(bucket);
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const std::string log = (dir_.path() / "s3rver.log").string();

  pid_ = ::fork();
  if (pid_ < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    ::setpgid(0, 0);  // its own group: node and npm go with it
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& arg : args) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string text = read_all(log);
    if (std::regex_search(text, match, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[1].str()));
      return;
    }
    if (exited(pid_)) {
      pid_ = -1;
      throw std::runtime_error("s3rver exited before it listened:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string text = output();
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  throw std::runtime_error("s3rver did not listen within 60 s:\n" + text);
}

S3rverFixture::~S3rverFixture() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(-pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited(pid_)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string S3rverFixture::output() const { return read_all(dir_.path() / "s3rver.log"); }

}  // namespace berth::testing
