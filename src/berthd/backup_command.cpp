#include "berthd/backup_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "backup/s3_client.hpp"
#include "berthd/backup_file.hpp"
#include "berthd/backup_target.hpp"
#include "berthd/data_dir.hpp"
#include "berthd/instance_secrets.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/time_format.hpp"
#include "store/sqlite/sqlite_snapshot.hpp"

namespace berth {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDatabaseFile = "berth.db";
// The largest backup file read back (the store and keys, held in memory whole).
constexpr std::size_t kMaxBackupFile = std::size_t{4} << 30;
constexpr const char* kLocalAgentFile = "local-agent/agent.json";

std::string system_error_text(int error) { return std::strerror(error); }

// Secrets are wiped from memory once used.
void wipe(std::string& text) {
  if (!text.empty()) {
    sodium_memzero(text.data(), text.size());
  }
}

void strip_line_end(std::string& text) {
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  if (!text.empty() && text.back() == '\r') {
    text.pop_back();
  }
}

Result<std::string> passphrase_from_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(
        Error::invalid(fmt::format("--passphrase-file {}: {}", path, system_error_text(errno))));
  }
  struct stat status {};
  const bool inspected = ::fstat(fd, &status) == 0;
  if (!inspected || !S_ISREG(status.st_mode) || (status.st_mode & 077) != 0) {
    ::close(fd);
    return fail(Error::invalid(
        inspected && S_ISREG(status.st_mode)
            ? fmt::format("--passphrase-file {}: group or others may read it (mode {:o}); "
                          "make it the owner's only: chmod 600 {}",
                          path, status.st_mode & 0777, path)
            : fmt::format("--passphrase-file {}: not a regular file", path)));
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  // The first line: editors end files with a newline, which is not part of the passphrase.
  text = text.substr(0, text.find('\n'));
  strip_line_end(text);
  return text;
}

/// One line from the terminal with echo off; nullopt when there is no terminal.
Result<std::optional<std::string>> prompt_on_terminal(const char* prompt) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return std::optional<std::string>{};
  }
  termios saved{};
  const bool is_terminal = ::tcgetattr(fd, &saved) == 0;
  if (is_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)::write(fd, prompt, std::strlen(prompt));
  std::string line;
  char c = 0;
  bool ended = false;
  while (!ended) {
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    ended = got <= 0 || c == '\n';
    if (!ended) {
      line.push_back(c);
    }
  }
  if (is_terminal) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
  }
  ::close(fd);
  strip_line_end(line);
  return std::optional<std::string>{std::move(line)};
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(
        Error::unavailable(fmt::format("cannot read {}: {}", path, system_error_text(errno))));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return fail(Error::unavailable(fmt::format("cannot read {}", path)));
  }
  return std::move(buffer).str();
}

void sync_parent(const fs::path& path) {
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);  // best effort: makes the rename durable
    ::close(fd);
  }
}

std::string summary_text(const StoreSummary& summary) {
  return fmt::format("{} teams, {} users, {} servers, {} apps", summary.teams, summary.users,
                     summary.servers, summary.apps);
}

struct RestoredContents {
  backup::Bundle bundle = {};
  StoreSummary summary = {};
};

// A manifest field as text; "?" when missing or not a string.
std::string manifest_text(const nlohmann::json& manifest, const char* key) {
  const auto found = manifest.find(key);
  return found != manifest.end() && found->is_string() ? found->get<std::string>() : "?";
}

// Where a backup file is: nullopt for a local file, else the S3 object of an s3:// URL (with
// its settings from the environment). Other URLs are refused plainly rather than taken for a
// file named "sftp:".
Result<std::optional<S3Location>> backup_target_of(const std::string& target) {
  if (is_s3_target(target)) {
    auto s3 = s3_location(target, ::getenv);
    if (!s3) {
      return fail(std::move(s3.error()));
    }
    return std::optional<S3Location>(std::move(*s3));
  }
  if (target.find("://") != std::string::npos) {
    return fail(Error::invalid(fmt::format("{}: only files and s3:// URLs are supported", target)));
  }
  return std::optional<S3Location>();
}

// A backup file's bytes: a local file, or an S3 object.
Result<std::string> fetch_backup_file(const std::string& target) {
  auto where = backup_target_of(target);
  if (!where) {
    return fail(std::move(where.error()));
  }
  if (!*where) {
    return read_whole_file(target);
  }
  SystemClock clock;
  return backup::S3Client((*where)->settings, clock).get_small((*where)->key, kMaxBackupFile);
}

/// Decrypts and checks everything before anything is written.
Result<RestoredContents> open_backup_file(const std::string& path, const std::string& passphrase) {
  auto file = fetch_backup_file(path);
  if (!file) {
    return fail(std::move(file.error()));
  }
  auto plaintext = backup::decrypt(*file, passphrase);
  if (!plaintext) {
    return fail(std::move(plaintext.error()));
  }
  auto bundle = backup::decode_bundle(*plaintext);
  wipe(*plaintext);
  if (!bundle) {
    return fail(std::move(bundle.error()));
  }
  const auto find = [&](std::string_view name) -> const backup::BundleFile* {
    for (const auto& entry : bundle->files) {
      if (entry.name == name) {
        return &entry;
      }
    }
    return nullptr;
  };
  for (const char* key : {kSessionKeyFile, kMasterKeyFile}) {
    const auto* entry = find(key);
    if (entry == nullptr || entry->content.size() != std::tuple_size_v<crypto::Key>) {
      return fail(Error::invalid(fmt::format("the backup lacks a sound {}", key)));
    }
  }
  const auto* database = find(kDatabaseFile);
  if (database == nullptr) {
    return fail(Error::invalid("the backup holds no berth.db"));
  }
  auto summary = inspect_sqlite_image(database->content);
  if (!summary) {
    return fail(std::move(summary.error()));
  }
  const auto manifest_id = manifest_text(bundle->manifest, "instance_id");
  if (manifest_id != summary->instance_id) {
    return fail(Error::invalid(
        fmt::format("the backup's manifest names instance {} but its store is instance {}",
                    manifest_id, summary->instance_id)));
  }
  return RestoredContents{.bundle = std::move(*bundle), .summary = std::move(*summary)};
}

}  // namespace

Result<std::string> read_backup_passphrase(const std::string& file, bool confirm) {
  std::string passphrase;
  if (!file.empty()) {
    auto read = passphrase_from_file(file);
    if (!read) {
      return read;
    }
    passphrase = std::move(*read);
  } else if (const char* value = std::getenv("BERTH_BACKUP_PASSPHRASE"); value != nullptr) {
    passphrase = value;
  } else {
    auto typed = prompt_on_terminal("Backup passphrase: ");
    if (!typed) {
      return fail(std::move(typed.error()));
    }
    if (!*typed) {
      return fail(Error::invalid(
          "no passphrase: give --passphrase-file FILE, set BERTH_BACKUP_PASSPHRASE, or run on "
          "a terminal to be asked"));
    }
    passphrase = std::move(**typed);
    if (confirm && !passphrase.empty()) {
      auto again = prompt_on_terminal("The same again: ");
      if (!again || !*again || **again != passphrase) {
        return fail(Error::invalid("the two passphrases differ"));
      }
    }
  }
  if (passphrase.empty()) {
    return fail(Error::invalid("the passphrase is empty"));
  }
  return passphrase;
}

Result<void> write_file_atomically(const std::string& path, std::string_view content) {
  std::string temporary = path + ".XXXXXX";
  // mkstemp: a fresh name, created 0600 with O_EXCL, so nothing planted there is written through.
  const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) {
    return fail(
        Error::unavailable(fmt::format("cannot write {}: {}", path, system_error_text(errno))));
  }
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < content.size()) {
    const ssize_t written = ::write(fd, content.data() + done, content.size() - done);
    if (written < 0 && errno == EINTR) {
      continue;
    }
    ok = written > 0;
    done += ok ? static_cast<std::size_t>(written) : 0;
  }
  const int write_error = errno;
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = ok ? errno : write_error;
    ::unlink(temporary.c_str());
    return fail(
        Error::unavailable(fmt::format("cannot write {}: {}", path, system_error_text(error))));
  }
  sync_parent(path);
  return {};
}

// Stores a backup file's bytes at `target`: a file written atomically, or an S3 object (which
// appears whole or not at all).
Result<void> store_backup_file(const std::string& target, std::string_view bytes) {
  auto where = backup_target_of(target);
  if (!where) {
    return fail(std::move(where.error()));
  }
  if (!*where) {
    return write_file_atomically(target, bytes);
  }
  SystemClock clock;
  return backup::S3Client((*where)->settings, clock).put((*where)->key, bytes);
}

Result<BackupWritten> write_backup(const std::string& data_dir_text, const std::string& file,
                                   std::string_view passphrase, const std::string& version,
                                   TimePoint taken_at) {
  const fs::path data_dir(data_dir_text);
  const std::string database = (data_dir / kDatabaseFile).string();
  if (!fs::exists(database)) {
    return fail(Error::unavailable(
        fmt::format("no {} in {} (give --data-dir)", kDatabaseFile, data_dir_text)));
  }
  if (passphrase.size() < kMinBackupPassphrase) {
    return fail(Error::invalid(fmt::format(
        "the passphrase is too short: use at least {} characters (it is all that protects the "
        "keys in the backup)",
        kMinBackupPassphrase)));
  }
  auto secrets = load_instance_secrets(data_dir_text);
  if (!secrets) {
    return fail(std::move(secrets.error()));
  }
  auto snapshot = snapshot_sqlite_store(database, std::chrono::seconds(10));
  if (!snapshot) {
    return fail(std::move(snapshot.error()));
  }
  BackupWritten written{.summary = snapshot->summary};
  const auto& summary = written.summary;
  backup::Bundle bundle;
  bundle.manifest = {{"format", "berth-backup"},
                     {"created_at", format_rfc3339(taken_at)},
                     {"berth_version", version},
                     {"instance_id", summary.instance_id},
                     {"schema_version", summary.schema_version},
                     {"counts",
                      {{"teams", summary.teams},
                       {"users", summary.users},
                       {"servers", summary.servers},
                       {"apps", summary.apps}}}};
  bundle.files.push_back({.name = kDatabaseFile, .content = std::move(snapshot->image)});
  bundle.files.push_back(
      {.name = kSessionKeyFile,
       .content = std::string(secrets->session_key.begin(), secrets->session_key.end())});
  bundle.files.push_back(
      {.name = kMasterKeyFile,
       .content = std::string(secrets->master_key.begin(), secrets->master_key.end())});
  // The local agent's enrolment, when it lives in the data dir (berthd not root): with it the
  // restored local agent reconnects as the same server instead of enrolling a new one.
  if (const auto agent = data_dir / kLocalAgentFile; fs::exists(agent)) {
    auto content = read_whole_file(agent.string());
    if (!content) {
      return fail(std::move(content.error()));
    }
    bundle.files.push_back({.name = kLocalAgentFile, .content = std::move(*content)});
  }
  std::string plaintext = backup::encode_bundle(bundle);
  for (auto& entry : bundle.files) {
    wipe(entry.content);
  }
  SodiumRandom random;
  auto sealed = backup::encrypt(plaintext, passphrase, random);
  wipe(plaintext);
  if (!sealed) {
    return fail(std::move(sealed.error()));
  }
  if (auto saved = store_backup_file(file, *sealed); !saved) {
    return fail(std::move(saved.error()));
  }
  written.bytes = sealed->size();
  return written;
}

int run_backup(const DaemonOptions& options, const std::string& version) {
  const auto& command = *options.backup;
  const auto failed = [](const Error& error) {
    fmt::print(stderr, "berthd backup: {}\n",
               error.kind == ErrorKind::internal ? error.internal_detail : error.message);
    return 1;
  };
  if (auto usable = backup_target_of(command.file); !usable) {  // before the passphrase
    return failed(usable.error());
  }
  // Checked before the passphrase is asked for: a typo in --data-dir fails at once.
  if (!fs::exists(fs::path(options.data_dir) / kDatabaseFile)) {
    return failed(Error::unavailable(
        fmt::format("no {} in {} (give --data-dir)", kDatabaseFile, options.data_dir)));
  }
  auto passphrase = read_backup_passphrase(command.passphrase_file, /*confirm=*/true);
  if (!passphrase) {
    return failed(passphrase.error());
  }
  auto written =
      write_backup(options.data_dir, command.file, *passphrase, version, SystemClock().now());
  wipe(*passphrase);
  if (!written) {
    return failed(written.error());
  }
  fmt::print(
      "berthd: backed up instance {} ({}) to {} ({} bytes, encrypted with the passphrase: "
      "without it the file cannot be restored)\n",
      written->summary.instance_id, summary_text(written->summary), command.file, written->bytes);
  return 0;
}

int run_restore(const DaemonOptions& options) {
  const auto& command = *options.restore;
  const auto failed = [](const std::string& message) {
    fmt::print(stderr, "berthd restore: {}\n", message);
    return 1;
  };
  if (auto usable = backup_target_of(command.file); !usable) {  // before the passphrase
    return failed(usable.error().message);
  }
  const fs::path data_dir(options.data_dir);
  std::error_code ec;
  if (fs::exists(data_dir, ec)) {
    if (!fs::is_directory(data_dir, ec)) {
      return failed(fmt::format("{} is not a directory", options.data_dir));
    }
    if (!fs::is_empty(data_dir, ec) && !command.force) {
      return failed(fmt::format(
          "{} is not empty: restore into a new or empty directory, or give --force to replace "
          "the store and keys in it (stop the berthd using it first)",
          options.data_dir));
    }
  }
  auto passphrase = read_backup_passphrase(command.passphrase_file, /*confirm=*/false);
  if (!passphrase) {
    return failed(passphrase.error().message);
  }
  auto contents = open_backup_file(command.file, *passphrase);
  wipe(*passphrase);
  if (!contents) {
    return failed(contents.error().message);
  }
  if (auto prepared = prepare_data_dir(options.data_dir); !prepared) {
    return failed(prepared.error().message);
  }
  // A WAL or shared-memory file left by another database would be replayed into this one.
  for (const char* stale : {"berth.db-wal", "berth.db-shm", "setup-token"}) {
    fs::remove(data_dir / stale, ec);
    if (ec) {
      return failed(fmt::format("cannot remove {}: {}", (data_dir / stale).string(), ec.message()));
    }
  }
  // The store last: a data dir with berth.db is a whole one.
  auto& files = contents->bundle.files;
  std::ranges::stable_partition(files, [](const auto& f) { return f.name != kDatabaseFile; });
  for (auto& file : files) {
    const fs::path target = data_dir / file.name;
    if (target.parent_path() != data_dir) {
      fs::create_directories(target.parent_path(), ec);
      fs::permissions(target.parent_path(), fs::perms::owner_all, fs::perm_options::replace, ec);
      if (ec) {
        return failed(
            fmt::format("cannot create {}: {}", target.parent_path().string(), ec.message()));
      }
    }
    if (auto written = write_private_file(target.string(), file.content); !written) {
      return failed(written.error().message);
    }
    wipe(file.content);
  }
  sync_parent(data_dir / kDatabaseFile);
  const auto& summary = contents->summary;
  fmt::print(
      "berthd: restored instance {} from a backup taken {} (Berth {}) into {}: {}.\n"
      "  Start berthd with --data-dir {} where the agents reach it at the URL they dial (the "
      "same --public-url, DNS name or address): they reconnect by themselves.\n",
      summary.instance_id, manifest_text(contents->bundle.manifest, "created_at"),
      manifest_text(contents->bundle.manifest, "berth_version"), options.data_dir,
      summary_text(summary), options.data_dir);
  return 0;
}

}  // namespace berth
