#pragma once
/// backup.run and backup.restore (docs/protocol.md): a managed service's dump streamed from
/// the engine's own tool inside its container, through backup_stream.hpp's encoder, to an S3
/// multipart upload or an SFTP file (backup_objects.hpp) — and back. Nothing unencrypted
/// touches the disk and memory stays bounded (a part being filled and one being uploaded). The
/// agent holds only the team's public key for a backup; a restore gets that one backup's stream
/// key, never the team's secret key.

#include <string>
#include <vector>

#include "agent/job_types.hpp"

namespace berth::agent::host {

std::vector<std::string> backup_job_kinds();

/// Runs a backup.* job against the Engine at `socket_path`. Refused arguments fail with
/// "invalid_args"; a dump tool that exits non-zero with "dump_failed" (its stderr in the
/// job's output); an object whose SHA-256 or size is not the recorded one with
/// "backup_checksum_mismatch" before anything is restored; S3's and SFTP's errors with their
/// codes.
JobOutcome run_backup_job(JobContext& job, const std::string& socket_path);

}  // namespace berth::agent::host
