#pragma once
/// Loading an RDB file into a Redis or Valkey container (backup.restore): Redis has no load
/// command, so the file goes where the server reads it at start. The running server is asked
/// where that is (CONFIG GET dir, dbfilename, appendonly, appenddirname, appendfilename) and
/// who owns its directory; the container is stopped; the RDB is put into it through the
/// Engine's archive API as a tar stream built on the fly; the container is started again
/// (also when the put failed). With appendonly yes a Redis 7 server loads its AOF, not
/// dump.rdb, and makes an empty AOF when none exists (seen with Redis 7.0) — so the RDB then
/// becomes the AOF's base file under a one-line manifest. Internal to berth_agent_host.

#include <cstdint>
#include <string>

#include "agent/host/docker_exec.hpp"
#include "agent/host/docker_job.hpp"

namespace berth::agent::host {

/// Where a Redis server keeps its data, as it answered.
struct RedisFiles {
  std::string dir = {};  // "/data"
  std::string dbfilename = "dump.rdb";
  bool appendonly = false;
  std::string appenddirname = "appendonlydir";
  std::string appendfilename = "appendonly.aof";
  unsigned uid = 0;
  unsigned gid = 0;
};

/// Parses the script's answer (one value a line: dir, dbfilename, appendonly, appenddirname,
/// appendfilename, then "uid gid"); Error::invalid when a line is missing or a name is unsafe.
Result<RedisFiles> parse_redis_files(std::string_view answer);

/// The tar stream of the files that make `files` load an RDB of `size` bytes read from `rdb`.
/// Fills buffers like an ExecInput; fails when `rdb` ends early or runs past `size`.
class RdbTarStream {
 public:
  RdbTarStream(const RedisFiles& files, std::uint64_t size, const ExecInput& rdb);
  Result<std::size_t> fill(char* buffer, std::size_t room);

 private:
  struct Entry {
    std::string name;
    char type;  // '5' a directory, '0' a file
    std::uint64_t size;
    std::string content;  // for a small file; the RDB entry reads `rdb_`
    bool is_rdb;
  };
  Result<void> refill();

  const ExecInput& rdb_;
  std::uint64_t rdb_left_ = 0;
  unsigned uid_ = 0;
  unsigned gid_ = 0;
  std::vector<Entry> entries_;
  std::size_t next_ = 0;
  std::string pending_;  // bytes ready to hand out
  std::size_t pending_at_ = 0;
  bool in_rdb_ = false;
  std::uint64_t padding_ = 0;
  bool ended_ = false;
};

/// One ustar header block (512 bytes); sizes past 8 GiB in base-256.
std::string tar_header(const std::string& name, char type, std::uint64_t size, unsigned mode,
                       unsigned uid, unsigned gid);

/// Stops the container, puts the RDB from `rdb` (`size` bytes) where the server loads it,
/// starts the container. The caller waits for it to answer.
Result<void> load_rdb(DockerJob& run, const std::string& container, std::uint64_t size,
                      const ExecInput& rdb);

}  // namespace berth::agent::host
