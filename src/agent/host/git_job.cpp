#include "agent/host/git_job.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <vector>

#include "agent/exec_job.hpp"
#include "agent/host/job_args.hpp"

namespace berth::agent::host {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::string_view kShellMeta = ";&|`$<>\"'\\(){}*?!#";

bool is_hex40(std::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_valid_repository(std::string_view url) {
  if (url.empty() || url.size() > 2048 || url.front() == '-' || has_space_or_control(url) ||
      url.find_first_of(kShellMeta) != url.npos || url.find("::") != url.npos) {
    return false;
  }
  for (std::string_view scheme : {"https://", "http://", "ssh://"}) {
    if (url.starts_with(scheme)) {
      return url.size() > scheme.size();
    }
  }
  if (url.starts_with("file:///")) {
    return true;
  }
  // scp-like user@host:path; any other "scheme:" would be a transport git might know.
  const auto at = url.find('@');
  const auto colon = url.find(':');
  if (at == url.npos || at == 0 || colon == url.npos || colon < at + 2 || colon + 1 >= url.size() ||
      url[colon + 1] == '-') {
    return false;
  }
  const auto word = [](std::string_view part, std::string_view extra) {
    return std::all_of(part.begin(), part.end(), [extra](char c) {
      return is_ascii_alnum(c) || extra.find(c) != std::string_view::npos;
    });
  };
  return word(url.substr(0, at), "._-") && word(url.substr(at + 1, colon - at - 1), ".-") &&
         is_ascii_alnum(url[at + 1]);
}

bool is_valid_ref(std::string_view ref) {
  return !ref.empty() && ref.size() <= 200 && is_ascii_alnum(ref.front()) &&
         std::all_of(ref.begin(), ref.end(),
                     [](char c) {
                       return is_ascii_alnum(c) || c == '.' || c == '_' || c == '/' || c == '-';
                     }) &&
         ref.find("..") == ref.npos && ref.find("@{") == ref.npos;
}

bool is_workspace_name(std::string_view name) {
  const auto lower = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return !name.empty() && name.size() <= 64 && lower(name.front()) &&
         std::all_of(name.begin(), name.end(),
                     [&](char c) { return lower(c) || c == '_' || c == '-'; });
}

// Collects one step's stdout (rev-parse's answer) while passing everything on.
class Tee final : public JobOutput {
 public:
  explicit Tee(JobOutput& next) : next_(next) {}
  void write(std::string_view stream, std::string_view text) override {
    if (stream == "stdout") {
      std::lock_guard lock(mutex_);
      captured_.append(text);
    }
    next_.write(stream, text);
  }
  std::string captured() {
    std::lock_guard lock(mutex_);
    return captured_;
  }

 private:
  JobOutput& next_;
  std::mutex mutex_;
  std::string captured_;
};

// Runs git steps with the job's remaining time, cancel flag and environment.
class GitRunner {
 public:
  GitRunner(JobContext& job, std::string program, nlohmann::json env)
      : job_(job),
        program_(std::move(program)),
        env_(std::move(env)),
        deadline_(steady_clock::now() + job.timeout) {}

  // nullopt when the step succeeded; otherwise the job's outcome.
  std::optional<JobOutcome> step(std::vector<std::string> args, JobOutput& output,
                                 bool quiet_failure = false) {
    args.insert(args.begin(), program_);
    const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - steady_clock::now());
    const std::string what = args.size() > 1 ? args[args[1] == "-C" ? 3 : 1] : "git";
    output.write("system", "git " + what + "\n");
    JobContext sub{.job_id = job_.job_id,
                   .kind = "exec",
                   .args = {{"argv", args}, {"env", env_}},
                   .timeout = std::max(milliseconds(1), left),
                   .output = output,
                   .cancelled = job_.cancelled};
    JobOutcome outcome = run_exec_job(sub, ExecOptions{});
    if (outcome.status == "succeeded") {
      return std::nullopt;
    }
    if (outcome.error_code == "exit_status" || outcome.error_code == "spawn_failed") {
      if (quiet_failure) {
        return outcome;
      }
      return JobOutcome::failed("git_failed", "git " + what + " failed: " + outcome.error_message);
    }
    if (outcome.error_code == "timeout") {
      outcome.error_message = "git " + what + " did not finish before the job's timeout";
    }
    return outcome;
  }

 private:
  JobContext& job_;
  std::string program_;
  nlohmann::json env_;
  steady_clock::time_point deadline_;
};

// The deploy key in a 0600 file that is removed when the job ends, however it ends.
class KeyFile {
 public:
  ~KeyFile() {
    if (!path_.empty()) {
      ::unlink(path_.c_str());
    }
  }
  bool write(const std::string& path, const std::string& key) {
    ::unlink(path.c_str());  // a file left by a crash
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return false;
    }
    path_ = path;
    const std::string text = key.ends_with('\n') ? key : key + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    return ::close(fd) == 0 && ok;
  }

 private:
  std::string path_;
};

std::string find_git(const std::string& configured) {
  if (!configured.empty()) {
    return configured;
  }
  return resolve_program("git", "/usr/local/bin:/usr/bin:/bin").value_or("/usr/bin/git");
}

}  // namespace

Result<GitFetchArgs> parse_git_fetch_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"repository", "ref", "dir", "deploy_key"});
  if (!fields) {
    return fail(fields.error());
  }
  GitFetchArgs out;
  auto repository = string_field(*fields, "repository", 2048);
  if (!repository || !is_valid_repository(*repository)) {
    return fail(invalid_arg("repository",
                            "must be an https://, http://, ssh://, file:/// or user@host:path URL "
                            "without spaces, quotes or shell characters"));
  }
  auto ref = string_field(*fields, "ref", 200);
  if (!ref || !is_valid_ref(*ref)) {
    return fail(invalid_arg("ref", "must match [A-Za-z0-9][A-Za-z0-9._/-]{0,199} without '..'"));
  }
  auto dir = string_field(*fields, "dir", 64);
  if (!dir || !is_workspace_name(*dir)) {
    return fail(invalid_arg("dir", "must match [a-z0-9][a-z0-9_-]{0,63}"));
  }
  out.repository = std::move(*repository);
  out.ref = std::move(*ref);
  out.dir = std::move(*dir);
  if (const auto key = fields->find("deploy_key"); key != fields->end() && !key->is_null()) {
    auto text = string_field(*fields, "deploy_key", 16 * 1024);
    if (!text || text->find("PRIVATE KEY-----") == std::string::npos) {
      return fail(invalid_arg("deploy_key", "must be an OpenSSH private key (PEM text)"));
    }
    out.deploy_key = std::move(*text);
  }
  return out;
}

JobOutcome run_git_fetch(JobContext& job, const GitOptions& options) {
  auto args = parse_git_fetch_args(job.args);
  if (!args) {
    return JobOutcome::failed("invalid_args", args.error().message);
  }
  nlohmann::json env = {{"GIT_TERMINAL_PROMPT", "0"},
                        {"GIT_ALLOW_PROTOCOL", "file:http:https:ssh"},
                        {"GIT_CONFIG_NOSYSTEM", "1"}};
  KeyFile key_file;
  if (args->deploy_key) {
    const std::string key_path = options.state_dir + "/git-key-" + job.job_id;
    const std::string known_hosts = options.state_dir + "/known_hosts";
    // GIT_SSH_COMMAND goes through a shell; the paths are the agent's own, checked to be plain.
    const bool plain = std::none_of(key_path.begin(), key_path.end(), [](char c) {
      return has_space_or_control(std::string_view(&c, 1)) ||
             kShellMeta.find(c) != std::string_view::npos;
    });
    if (!plain || !key_file.write(key_path, *args->deploy_key)) {
      return JobOutcome::failed("git_failed", "cannot write the deploy key in the state dir");
    }
    env["GIT_SSH_COMMAND"] = "ssh -i " + key_path +
                             " -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new"
                             " -o UserKnownHostsFile=" +
                             known_hosts;
  }
  const fs::path checkout = fs::absolute(fs::path(options.work_dir) / args->dir);
  std::error_code ec;
  fs::remove_all(checkout, ec);
  if (ec) {
    return JobOutcome::failed("git_failed", "cannot remove the old checkout: " + ec.message());
  }
  GitRunner git(job, find_git(options.git_program), env);
  const std::string dir = checkout.string();
  if (auto failed = git.step({"init", "-q", "--", dir}, job.output)) {
    return *failed;
  }
  auto shallow = git.step({"-C", dir, "fetch", "--depth", "1", "--", args->repository, args->ref},
                          job.output, is_hex40(args->ref));
  std::string target = "FETCH_HEAD";
  if (shallow && shallow->error_code == "exit_status") {
    // A server that refuses a bare commit id in a want gets the whole history instead.
    job.output.write("system", "shallow fetch of a commit refused; fetching all branches\n");
    if (auto failed = git.step(
            {"-C", dir, "fetch", "--", args->repository, "+refs/heads/*:refs/berth/heads/*"},
            job.output)) {
      return *failed;
    }
    target = args->ref;
  } else if (shallow) {
    return *shallow;
  }
  if (auto failed = git.step({"-C", dir, "checkout", "-q", "--detach", target}, job.output)) {
    return *failed;
  }
  Tee tee(job.output);
  if (auto failed = git.step({"-C", dir, "rev-parse", "HEAD"}, tee)) {
    return *failed;
  }
  std::string commit = tee.captured();
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) {
    commit.pop_back();
  }
  if (!is_hex40(commit)) {
    return JobOutcome::failed("git_failed", "git rev-parse HEAD did not print a commit id");
  }
  JobOutcome out;
  out.result = {{"commit", commit}, {"dir", dir}};
  return out;
}

}  // namespace berth::agent::host
