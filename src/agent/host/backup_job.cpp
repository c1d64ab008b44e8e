// backup.run / backup.restore. The engines' commands are fixed scripts that read the
// credentials from the container's own environment (the variables Berth gave it at creation),
// so neither a password nor any input ends up in a command line or a shell string.

#include "agent/host/backup_job.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/host/backup_download.hpp"
#include "agent/host/backup_objects.hpp"
#include "agent/host/docker_args.hpp"
#include "agent/host/docker_exec.hpp"
#include "agent/host/docker_job.hpp"
#include "agent/host/job_args.hpp"
#include "agent/host/rdb_restore.hpp"
#include "agent/host/volume_backup.hpp"
#include "backup/backup_stream.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kStderrKept = 16 * 1024;
// `redis-cli --rdb -` writes the 40-byte end mark of a diskless transfer after the RDB (it
// truncates it away only from a file): held back, and dropped when it follows the RDB's end
// (0xFF and an 8-byte checksum). A Redis 7 server loading the RDB as its AOF's base refuses
// trailing bytes.
constexpr std::size_t kRdbMarkSize = 40;
constexpr std::size_t kRdbTailKept = kRdbMarkSize + 9;

bool is_rdb_mark_tail(std::string_view tail) {
  return tail.size() == kRdbTailKept && static_cast<unsigned char>(tail.front()) == 0xFF &&
         std::all_of(tail.end() - kRdbMarkSize, tail.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// What runs inside the container, per engine: dump to stdout, load from stdin (none for Redis:
// rdb_restore.hpp puts the file in place), a check that the loaded data answers (a drill's
// proof), and whether it answers. `ready` goes over TCP on loopback: the official images (and
// the test images) first start the server on its socket only to initialise it, then restart
// it, and a restore must not run into that restart. The MySQL dump is of the database alone
// (no --databases: no CREATE DATABASE or USE in it), so it loads into the target's own
// MYSQL_DATABASE: a new service restored from another's backup keeps its own database name.
// Dumps made before say USE `<source name>` and still load there.
struct EngineCommands {
  const char* dump;
  const char* load;
  const char* check;
  const char* ready;
};

const std::map<std::string, EngineCommands, std::less<>>& engine_commands() {
  static const EngineCommands postgres{
      .dump =
          R"sh(PGPASSWORD="$POSTGRES_PASSWORD" exec pg_dump -Fc -U "$POSTGRES_USER" -d "$POSTGRES_DB")sh",
      .load =
          R"sh(PGPASSWORD="$POSTGRES_PASSWORD" exec pg_restore --clean --if-exists --no-owner --single-transaction -U "$POSTGRES_USER" -d "$POSTGRES_DB")sh",
      .check =
          R"sh(PGPASSWORD="$POSTGRES_PASSWORD" exec psql -At -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "select count(*) from pg_catalog.pg_tables where schemaname not in ('pg_catalog','information_schema')")sh",
      .ready = R"sh(exec pg_isready -q -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB")sh"};
  static const EngineCommands mysql{
      .dump =
          R"sh(D=mysqldump; command -v mariadb-dump >/dev/null 2>&1 && D=mariadb-dump; MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec "$D" -uroot --single-transaction --routines --events "$MYSQL_DATABASE")sh",
      .load =
          R"sh(C=mysql; command -v mariadb >/dev/null 2>&1 && C=mariadb; MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec "$C" -uroot "$MYSQL_DATABASE")sh",
      .check =
          R"sh(C=mysql; command -v mariadb >/dev/null 2>&1 && C=mariadb; MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec "$C" -uroot -N -D "$MYSQL_DATABASE" -e "select count(*) from information_schema.tables where table_schema = database()")sh",
      .ready =
          R"sh(C=mysql; command -v mariadb >/dev/null 2>&1 && C=mariadb; MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec "$C" -uroot -h127.0.0.1 --protocol=tcp -e "select 1")sh"};
  static const EngineCommands redis{
      .dump =
          R"sh(C=redis-cli; command -v valkey-cli >/dev/null 2>&1 && C=valkey-cli; REDISCLI_AUTH="$REDIS_PASSWORD" exec "$C" --no-auth-warning --rdb -)sh",
      .load = nullptr,
      .check =
          R"sh(C=redis-cli; command -v valkey-cli >/dev/null 2>&1 && C=valkey-cli; REDISCLI_AUTH="$REDIS_PASSWORD" exec "$C" --no-auth-warning DBSIZE)sh",
      .ready =
          R"sh(C=redis-cli; command -v valkey-cli >/dev/null 2>&1 && C=valkey-cli; [ "$(REDISCLI_AUTH="$REDIS_PASSWORD" "$C" --no-auth-warning PING)" = PONG ])sh"};
  static const std::map<std::string, EngineCommands, std::less<>> commands = {
      {"postgres", postgres},
      {"mysql", mysql},
      {"mariadb", mysql},
      {"redis", redis},
      {"valkey", redis}};
  return commands;
}

ExecCommand shell(const std::string& container, const char* script) {
  return ExecCommand{.container = container, .argv = {"sh", "-c", script}, .env = {}};
}

struct Common {
  std::string engine;
  std::string container;
  ObjectPlace place;
};

Result<Common> parse_common(const json& args) {
  Common common;
  auto engine = string_field(args, "engine", 32);
  if (!engine) {
    return fail(engine.error());
  }
  if (!engine_commands().contains(*engine)) {
    return fail(invalid_arg("engine", "must be postgres, mysql, mariadb, redis or valkey"));
  }
  common.engine = *engine;
  auto container = string_field(args, "container", 128);
  if (!container) {
    return fail(container.error());
  }
  if (!is_valid_container_ref(*container)) {
    return fail(invalid_arg("container", "must be a container name"));
  }
  common.container = *container;
  auto place = parse_object_place(args);
  if (!place) {
    return fail(place.error());
  }
  common.place = std::move(*place);
  return common;
}

// Keeps the start of a tool's stderr for the job's output and the failure's message.
struct StderrTail {
  std::string text;
  void add(std::string_view bytes) {
    text.append(bytes.substr(0, kStderrKept - std::min(kStderrKept, text.size())));
  }
  std::string last_line() const {
    std::string_view view = text;
    while (!view.empty() && (view.back() == '\n' || view.back() == '\r')) {
      view.remove_suffix(1);
    }
    const auto cut = view.rfind('\n');
    return std::string(cut == std::string_view::npos ? view : view.substr(cut + 1));
  }
};

long long elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

Result<int> wait_ready(DockerJob& run, const std::string& container, const char* script,
                       std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  for (;;) {
    auto code = run_exec(run, shell(container, script), nullptr,
                         [](std::string_view, std::string_view) -> Result<void> { return {}; });
    if (code && *code == 0) {
      return 0;
    }
    if (Clock::now() >= until || run.job().cancelled.load()) {
      return fail(
          with_code(Error::unavailable("the database did not become ready in time"), "not_ready"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

JobOutcome run_backup(DockerJob& run) {
  const auto started = Clock::now();
  auto common = parse_common(run.job().args);
  if (!common) {
    return outcome_of_error(common.error());
  }
  auto public_key = base64_arg(run.job().args, "public_key", backup::kBackupPublicKeySize);
  if (!public_key) {
    return outcome_of_error(public_key.error());
  }
  auto ready_seconds = int_field(run.job().args, "wait_ready_seconds", 0, 600);
  if (!ready_seconds) {
    return outcome_of_error(ready_seconds.error());
  }
  const auto& commands = engine_commands().find(common->engine)->second;
  // A service started moments ago (its container runs, the engine's entry point may still be
  // initialising or restarting its server) answers before its dump tool is run.
  if (ready_seconds->value_or(0) > 0) {
    if (auto ready = wait_ready(run, common->container, commands.ready,
                                std::chrono::seconds(**ready_seconds));
        !ready) {
      return outcome_of_error(ready.error());
    }
  }
  const std::string& key = common->place.key;
  auto upload = begin_upload(common->place);
  if (!upload) {
    return outcome_of_error(upload.error());
  }
  auto& output = run.job().output;
  output.write("system",
               "backing up " + common->engine + " in " + common->container + " to " + key + "\n");
  auto encoder = backup::BackupEncoder::create(
      *public_key, [&](std::string_view bytes) -> Result<void> { return (*upload)->write(bytes); });
  if (!encoder) {
    (*upload)->abort();
    return outcome_of_error(encoder.error());
  }
  StderrTail stderr_tail;
  const bool rdb = commands.load == nullptr;
  std::string held;  // an RDB's last bytes, until the end shows whether they are the mark
  auto exit_code = run_exec(run, shell(common->container, commands.dump), nullptr,
                            [&](std::string_view stream, std::string_view bytes) -> Result<void> {
                              if (stream == "stderr") {
                                stderr_tail.add(bytes);
                                output.write("stderr", bytes);
                                return {};
                              }
                              if (!rdb) {
                                return (*encoder)->write(bytes);
                              }
                              held.append(bytes);
                              if (held.size() <= kRdbTailKept) {
                                return {};
                              }
                              const std::size_t out = held.size() - kRdbTailKept;
                              auto written =
                                  (*encoder)->write(std::string_view(held).substr(0, out));
                              held.erase(0, out);
                              return written;
                            });
  auto fail_with = [&](const Error& error) {
    (*upload)->abort();
    return outcome_of_error(error);
  };
  if (!exit_code) {
    return fail_with(exit_code.error());
  }
  if (*exit_code != 0) {
    (*upload)->abort();
    auto outcome = JobOutcome::failed(
        "dump_failed",
        "the dump tool exited with " + std::to_string(*exit_code) + ": " + stderr_tail.last_line());
    outcome.exit_code = *exit_code;
    return outcome;
  }
  if (is_rdb_mark_tail(held)) {
    held.resize(kRdbTailKept - kRdbMarkSize);
  }
  if (auto last = (*encoder)->write(held); !last) {
    return fail_with(last.error());
  }
  if (auto finished = (*encoder)->finish(); !finished) {
    return fail_with(finished.error());
  }
  if (auto completed = (*upload)->complete(); !completed) {
    return outcome_of_error(completed.error());
  }
  const long long duration = elapsed_ms(started);
  output.write("system", "stored " + std::to_string((*encoder)->stored_bytes()) + " bytes (" +
                             std::to_string((*encoder)->plain_bytes()) +
                             " before compression) in " + std::to_string((*upload)->parts()) +
                             " parts, sha256 " + (*encoder)->sha256_hex() + "\n");
  return succeeded(stored_result(key, **encoder, **upload, duration));
}

JobOutcome run_restore(DockerJob& run) {
  const auto started = Clock::now();
  const json& args = run.job().args;
  auto common = parse_common(args);
  if (!common) {
    return outcome_of_error(common.error());
  }
  const auto& commands = engine_commands().find(common->engine)->second;
  const bool rdb = commands.load == nullptr;
  auto plain_size = int64_field(args, "plain_bytes", 0, std::numeric_limits<std::int64_t>::max());
  if (!plain_size) {
    return outcome_of_error(plain_size.error());
  }
  if (rdb && !plain_size->has_value()) {
    return outcome_of_error(invalid_arg("plain_bytes", "is required for Redis and Valkey"));
  }
  auto stream_key = base64_arg(args, "stream_key", backup::kStreamKeySize);
  auto sha256 = string_field(args, "sha256", 64);
  auto size = int64_field(args, "size_bytes", 0, std::numeric_limits<std::int64_t>::max());
  auto check = bool_field(args, "check", false);
  auto ready_seconds = int_field(args, "wait_ready_seconds", 0, 600);
  for (const Error* error :
       {stream_key ? nullptr : &stream_key.error(), sha256 ? nullptr : &sha256.error(),
        size ? nullptr : &size.error(), check ? nullptr : &check.error(),
        ready_seconds ? nullptr : &ready_seconds.error()}) {
    if (error != nullptr) {
      return outcome_of_error(*error);
    }
  }
  if (!size->has_value()) {
    return outcome_of_error(invalid_arg("size_bytes", "is required"));
  }
  auto& output = run.job().output;
  output.write("system", "checking " + common->place.key + "\n");
  if (auto verified = verify_object(common->place, *sha256, static_cast<std::uint64_t>(**size));
      !verified) {
    return outcome_of_error(verified.error());
  }
  if (ready_seconds->value_or(0) > 0) {
    if (auto ready = wait_ready(run, common->container, commands.ready,
                                std::chrono::seconds(**ready_seconds));
        !ready) {
      return outcome_of_error(ready.error());
    }
  }
  output.write("system", "restoring into " + common->container + "\n");
  DecryptedDownload plain(common->place, *stream_key);
  const ExecInput& input = plain.input();
  StderrTail stderr_tail;
  Result<int> exit_code = 0;
  if (rdb) {
    auto loaded = load_rdb(run, common->container, static_cast<std::uint64_t>(**plain_size), input);
    exit_code = loaded ? Result<int>(0) : Result<int>(fail(loaded.error()));
  } else {
    exit_code = run_exec(run, shell(common->container, commands.load), &input,
                         [&](std::string_view stream, std::string_view bytes) -> Result<void> {
                           if (stream == "stderr") {
                             stderr_tail.add(bytes);
                           }
                           output.write(stream, bytes);
                           return {};
                         });
  }
  auto restored = plain.finish();
  if (!restored) {
    return outcome_of_error(restored.error());
  }
  if (rdb && exit_code) {
    // The server starts again with the file: it answers once it has loaded it.
    if (auto ready = wait_ready(run, common->container, commands.ready,
                                std::chrono::seconds(std::max(ready_seconds->value_or(0), 120)));
        !ready) {
      return outcome_of_error(ready.error());
    }
  }
  if (!exit_code) {
    return outcome_of_error(exit_code.error());
  }
  if (*exit_code != 0) {
    auto outcome = JobOutcome::failed("restore_failed", "the restore tool exited with " +
                                                            std::to_string(*exit_code) + ": " +
                                                            stderr_tail.last_line());
    outcome.exit_code = *exit_code;
    return outcome;
  }
  json result = {{"restored_bytes", *restored}, {"duration_ms", elapsed_ms(started)}};
  if (*check) {
    std::string answer;
    auto checked = run_exec(run, shell(common->container, commands.check), nullptr,
                            [&](std::string_view stream, std::string_view bytes) -> Result<void> {
                              if (stream == "stdout" && answer.size() < 1024) {
                                answer.append(bytes);
                              }
                              return {};
                            });
    if (!checked || *checked != 0) {
      return JobOutcome::failed("check_failed", "the restored database does not answer the check");
    }
    while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) {
      answer.pop_back();
    }
    result["check"] = answer;
    output.write("system", "check: " + answer + "\n");
  }
  return succeeded(std::move(result));
}

}  // namespace

std::vector<std::string> backup_job_kinds() { return {"backup.run", "backup.restore"}; }

JobOutcome run_backup_job(JobContext& job, const std::string& socket_path) {
  DockerJob run(job, socket_path);
  try {
    const bool volume = job.args.is_object() && job.args.value("engine", json()) == "volume";
    if (job.kind == "backup.run") {
      return volume ? run_volume_backup(run) : run_backup(run);
    }
    if (job.kind == "backup.restore") {
      return volume ? run_volume_restore(run) : run_restore(run);
    }
    return JobOutcome::failed("unknown_kind", "not a backup job kind: " + job.kind);
  } catch (const std::exception& error) {
    return JobOutcome::failed("internal", error.what());
  }
}

}  // namespace berth::agent::host
