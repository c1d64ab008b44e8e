#include "agent/host/rdb_restore.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace berth::agent::host {

namespace {

constexpr std::size_t kBlock = 512;

// Asks the server where its files are, and who owns the directory (the files put there get
// that owner: the server runs unprivileged and must write beside them).
constexpr const char* kWhereScript =
    R"sh(C=redis-cli; command -v valkey-cli >/dev/null 2>&1 && C=valkey-cli; export REDISCLI_AUTH="$REDIS_PASSWORD"; for p in dir dbfilename appendonly appenddirname appendfilename; do "$C" --no-auth-warning CONFIG GET "$p" | tail -n 1; done; stat -c '%u %g' "$("$C" --no-auth-warning CONFIG GET dir | tail -n 1)")sh";

bool safe_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' ||
                  c == '-';
         });
}

void put_octal(char* field, std::size_t width, std::uint64_t value) {
  // width-1 octal digits and a NUL.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

}  // namespace

Result<RedisFiles> parse_redis_files(std::string_view answer) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(answer)};
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
      line.pop_back();
    }
    lines.push_back(line);
  }
  if (lines.size() < 6) {
    return fail(Error::validation("redis", "the server did not say where its files are"));
  }
  RedisFiles files;
  files.dir = lines[0];
  files.dbfilename = lines[1];
  files.appendonly = lines[2] == "yes";
  files.appenddirname = lines[3];
  files.appendfilename = lines[4];
  if (!files.dir.starts_with('/') || files.dir.find("..") != std::string::npos ||
      !safe_name(files.dbfilename) || !safe_name(files.appenddirname) ||
      !safe_name(files.appendfilename)) {
    return fail(Error::validation("redis", "the server's data files have unexpected names"));
  }
  if (std::sscanf(lines[5].c_str(), "%u %u", &files.uid, &files.gid) != 2) {
    return fail(Error::validation("redis", "the owner of the server's directory is unknown"));
  }
  return files;
}

std::string tar_header(const std::string& name, char type, std::uint64_t size, unsigned mode,
                       unsigned uid, unsigned gid) {
  std::array<char, kBlock> h{};
  std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  put_octal(h.data() + 100, 8, mode);
  put_octal(h.data() + 108, 8, uid);
  put_octal(h.data() + 116, 8, gid);
  if (size < (1ULL << 33)) {
    put_octal(h.data() + 124, 12, size);
  } else {
    h[124] = static_cast<char>(0x80);  // base-256: a big-endian number after the marker
    for (int i = 11; i >= 1; --i) {
      h[static_cast<std::size_t>(124 + i)] = static_cast<char>(size & 0xff);
      size >>= 8;
    }
  }
  put_octal(h.data() + 136, 12, 0);  // mtime
  h[156] = type;
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (const char c : h) {
    sum += static_cast<unsigned char>(c);
  }
  std::snprintf(h.data() + 148, 8, "%06o", sum);  // six digits, NUL, and the space stays
  h[155] = ' ';
  return std::string(h.data(), h.size());
}

RdbTarStream::RdbTarStream(const RedisFiles& files, std::uint64_t size, const ExecInput& rdb)
    : rdb_(rdb), uid_(files.uid), gid_(files.gid) {
  if (files.appendonly) {
    const std::string base = files.appendfilename + ".1.base.rdb";
    entries_.push_back({files.appenddirname + "/", '5', 0, {}, false});
    entries_.push_back({files.appenddirname + "/" + base, '0', size, {}, true});
    // An empty incr file under the name the server appends to next: the old one (with the
    // writes made since the backup) would otherwise be appended to and replayed at a restart.
    const std::string incr = files.appendfilename + ".1.incr.aof";
    entries_.push_back({files.appenddirname + "/" + incr, '0', 0, {}, false});
    const std::string manifest = "file " + base + " seq 1 type b\nfile " + incr + " seq 1 type i\n";
    entries_.push_back({files.appenddirname + "/" + files.appendfilename + ".manifest", '0',
                        manifest.size(), manifest, false});
  } else {
    entries_.push_back({files.dbfilename, '0', size, {}, true});
  }
}

Result<void> RdbTarStream::refill() {
  pending_.clear();
  pending_at_ = 0;
  if (in_rdb_) {
    if (rdb_left_ > 0) {
      pending_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(rdb_left_, 64 * 1024)));
      auto got = rdb_(pending_.data(), pending_.size());
      if (!got) {
        return fail(std::move(got.error()));
      }
      if (*got == 0) {
        return fail(with_code(Error::unprocessable("the backup is shorter than recorded"),
                              "restore_failed"));
      }
      pending_.resize(*got);
      rdb_left_ -= *got;
      return {};
    }
    std::array<char, 1> extra{};
    auto more = rdb_(extra.data(), extra.size());
    if (!more) {
      return fail(std::move(more.error()));
    }
    if (*more != 0) {
      return fail(
          with_code(Error::unprocessable("the backup is longer than recorded"), "restore_failed"));
    }
    in_rdb_ = false;
    pending_.assign(static_cast<std::size_t>(padding_), '\0');
    return {};
  }
  if (next_ < entries_.size()) {
    const Entry& entry = entries_[next_++];
    pending_ =
        tar_header(entry.name, entry.type, entry.size, entry.type == '5' ? 0755 : 0644, uid_, gid_);
    padding_ = (kBlock - entry.size % kBlock) % kBlock;
    if (entry.is_rdb) {
      in_rdb_ = true;
      rdb_left_ = entry.size;
    } else if (entry.type == '0') {
      pending_ += entry.content;
      pending_.append(static_cast<std::size_t>(padding_), '\0');
    }
    return {};
  }
  if (!ended_) {
    ended_ = true;
    pending_.assign(2 * kBlock, '\0');
  }
  return {};
}

Result<std::size_t> RdbTarStream::fill(char* buffer, std::size_t room) {
  while (pending_at_ == pending_.size()) {
    if (ended_ && next_ == entries_.size() && !in_rdb_) {
      return std::size_t{0};
    }
    if (auto more = refill(); !more) {
      return fail(std::move(more.error()));
    }
  }
  const std::size_t n = std::min(room, pending_.size() - pending_at_);
  std::copy_n(pending_.data() + pending_at_, n, buffer);
  pending_at_ += n;
  return n;
}

Result<void> load_rdb(DockerJob& run, const std::string& container, std::uint64_t size,
                      const ExecInput& rdb) {
  std::string answer;
  auto asked = run_exec(
      run, ExecCommand{.container = container, .argv = {"sh", "-c", kWhereScript}, .env = {}},
      nullptr, [&](std::string_view stream, std::string_view bytes) -> Result<void> {
        if (stream == "stdout" && answer.size() < 4096) {
          answer.append(bytes);
        }
        return {};
      });
  if (!asked) {
    return fail(std::move(asked.error()));
  }
  auto files = parse_redis_files(answer);
  if (*asked != 0 || !files) {
    return fail(with_code(Error::unprocessable("the Redis server did not say where its data is"),
                          "restore_failed"));
  }
  auto stopped = run.client().request("POST", "/containers/" + container + "/stop?t=30",
                                      std::nullopt, run.limits(kShortDockerCall));
  if (!stopped) {
    return fail(std::move(stopped.error()));
  }
  if (!is_success(stopped->status) && stopped->status != 304) {
    return fail(engine_error(*stopped));
  }
  RdbTarStream tar(*files, size, rdb);
  const ExecInput body = [&tar](char* buffer, std::size_t room) { return tar.fill(buffer, room); };
  auto put = put_archive(run, container, files->dir, body);
  // Started again whatever happened: a failed put leaves the server's own files in place.
  auto started = run.client().request("POST", "/containers/" + container + "/start", std::nullopt,
                                      run.limits(kShortDockerCall));
  if (!put) {
    return put;
  }
  if (!started) {
    return fail(std::move(started.error()));
  }
  if (!is_success(started->status) && started->status != 304) {
    return fail(engine_error(*started));
  }
  return {};
}

}  // namespace berth::agent::host
