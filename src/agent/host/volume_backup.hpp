#pragma once
/// backup.run and backup.restore with engine "volume" (docs/protocol.md): an app's named
/// volume as a tar stream, read through the Engine's archive API from the app's container (any
/// image, even one without tar) into the same encoder and upload as the engines' dumps. A
/// restore never touches the live volume: it makes a fresh volume, creates (never starts) a
/// helper container of the app's image with it mounted where the app mounts its volume, puts
/// the decrypted tar there through the archive API and removes the helper. The check is the
/// number of entries of the tar. Internal to berth_agent_host.

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/host/docker_job.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

/// Counts the entries of a tar stream fed in pieces of any size (pax and GNU long-name
/// headers are not entries). Fails on a header whose size field cannot be read.
class TarEntryCounter {
 public:
  Result<void> add(std::string_view bytes);
  std::uint64_t entries() const { return entries_; }
  /// The end-of-archive block was seen.
  bool ended() const { return ended_; }

 private:
  std::string header_;
  std::uint64_t skip_ = 0;  // bytes of the current entry's data and padding still to pass
  std::uint64_t entries_ = 0;
  bool ended_ = false;
};

/// The directory a volume mounted at `target` is put back from (the archive's entries are
/// named after target's last component): "/srv/data" → "/srv", "/data" → "/".
std::string archive_parent(std::string_view target);

JobOutcome run_volume_backup(DockerJob& run);
JobOutcome run_volume_restore(DockerJob& run);

}  // namespace berth::agent::host
