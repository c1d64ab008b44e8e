#pragma once
/// The one place Berth builds a shell command line. An SSH exec request carries a single string
/// that the remote user's shell parses, so argv cannot be passed as a vector there. Every
/// argument is checked against a strict character set for what it is (a path, a URL, a token,
/// a literal word of ours) and then single-quoted; anything else is refused with invalid
/// `invalid_target`. Pure functions, safe from any thread.

#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::ssh {

enum class ArgKind {
  literal,  // a fixed word written in our code ("mkdir", "-p", "0700"): [A-Za-z0-9/._=-]
  path,     // absolute, [A-Za-z0-9/._-], no ".." component
  url,      // http:// or https://, [A-Za-z0-9:/._-]
  token,    // [A-Za-z0-9_-]
};

struct RemoteArg {
  ArgKind kind = ArgKind::literal;
  std::string value = {};
};

inline RemoteArg literal_arg(std::string_view value) {
  return {.kind = ArgKind::literal, .value = std::string(value)};
}
inline RemoteArg path_arg(std::string_view value) {
  return {.kind = ArgKind::path, .value = std::string(value)};
}
inline RemoteArg url_arg(std::string_view value) {
  return {.kind = ArgKind::url, .value = std::string(value)};
}
inline RemoteArg token_arg(std::string_view value) {
  return {.kind = ArgKind::token, .value = std::string(value)};
}

/// Checks one argument against its kind; invalid `invalid_target` (details: kind) when it fails.
/// The value itself is not echoed back: it may be a secret.
Result<void> validate_arg(const RemoteArg& arg);

/// "'a' 'b' 'c'": each element validated and single-quoted. Fails on an empty argv too.
Result<std::string> build_remote_command(std::span<const RemoteArg> argv);

/// "sh -c '<script>' berth 'a' 'b'": runs a fixed script of ours that reads its inputs only as
/// "$1", "$2"...; used where redirections or conditionals are unavoidable. `script` must be a
/// constant from our code; one holding a single quote is a bug and fails as internal.
Result<std::string> build_remote_script(std::string_view script, std::span<const RemoteArg> args);

}  // namespace berth::ssh
