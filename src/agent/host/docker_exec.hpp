#pragma once
/// A command run inside a running container through the Engine API (POST
/// /containers/{id}/exec, then /exec/{id}/start on a hijacked connection): its output streamed
/// out, and its stdin streamed in when a source is given. How backup and restore jobs reach an
/// engine's own dump and load tools without a shell string, a published port or a file on the
/// host. Blocking; the job's deadline and cancel flag bound it.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/host/docker_job.hpp"
#include "core/error.hpp"

namespace berth::agent::host {

struct ExecCommand {
  std::string container = {};
  std::vector<std::string> argv = {};
  std::vector<std::string> env = {};  // "NAME=value", added to the container's own
};

/// Fills up to `size` bytes of stdin; 0 ends it (the process sees end of file).
using ExecInput = std::function<Result<std::size_t>(char* buffer, std::size_t size)>;
/// Takes output as it arrives: `stream` is "stdout" or "stderr". A failure stops the command.
using ExecOutput = std::function<Result<void>(std::string_view stream, std::string_view bytes)>;

/// Runs `command` to its end and returns its exit code. `input` may be null (no stdin).
/// Errors: the Engine's refusal ("docker_error", e.g. a container that is not running), the
/// Docker client's (timeout, canceled, docker_unreachable), or the first error of `input` or
/// `output`.
Result<int> run_exec(DockerJob& run, const ExecCommand& command, const ExecInput* input,
                     const ExecOutput& output);

/// Extracts a tar stream into the container's filesystem under `path` (PUT
/// /containers/{id}/archive, chunked): `tar` fills the body as it is sent, so a large file
/// passes through in bounded memory. Works on a stopped container. Errors as run_exec's; the
/// Engine's refusal (a bad path, a broken archive) is "docker_error".
Result<void> put_archive(DockerJob& run, const std::string& container, const std::string& path,
                         const ExecInput& tar);

}  // namespace berth::agent::host
