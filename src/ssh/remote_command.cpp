#include "ssh/remote_command.hpp"

#include <algorithm>

namespace berth::ssh {

namespace {

// Why this module exists: the SSH exec channel takes one string that the remote login shell
// parses, so it is the single place where Berth cannot start a process from an argv vector.
// Quoting alone would be enough in theory; the character sets are the second wall, so that a
// quoting mistake, an odd remote shell (csh, fish) or a value that reaches another parser later
// (a systemd unit's ExecStart, the agent's own CLI) still cannot be turned into code.

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool all_of(std::string_view value, std::string_view extra) {
  return std::ranges::all_of(
      value, [extra](char c) { return is_alnum(c) || extra.find(c) != std::string_view::npos; });
}

bool has_dot_dot_component(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (path.substr(start, end - start) == "..") {
      return true;
    }
    start = end + 1;
  }
  return false;
}

bool is_valid(const RemoteArg& arg) {
  const std::string_view value = arg.value;
  if (value.empty()) {
    return false;
  }
  switch (arg.kind) {
    case ArgKind::literal:
      return all_of(value, "/._=-");
    case ArgKind::path:
      return value.front() == '/' && all_of(value, "/._-") && !has_dot_dot_component(value);
    case ArgKind::url: {
      const bool scheme_ok = value.starts_with("http://") || value.starts_with("https://");
      const std::size_t host_at = value.find("//") + 2;
      return scheme_ok && value.size() > host_at && all_of(value, ":/._-");
    }
    case ArgKind::token:
      return all_of(value, "_-");
  }
  return false;
}

std::string_view kind_name(ArgKind kind) {
  switch (kind) {
    case ArgKind::literal:
      return "literal";
    case ArgKind::path:
      return "path";
    case ArgKind::url:
      return "url";
    case ArgKind::token:
      return "token";
  }
  return "unknown";
}

void append_quoted(std::string& out, std::string_view value) {
  // Validation has already ruled out single quotes, so wrapping is the whole of the quoting.
  out += '\'';
  out += value;
  out += '\'';
}

Result<void> append_args(std::string& out, std::span<const RemoteArg> args) {
  for (const RemoteArg& arg : args) {
    if (auto valid = validate_arg(arg); !valid) {
      return valid;
    }
    if (!out.empty()) {
      out += ' ';
    }
    append_quoted(out, arg.value);
  }
  return {};
}

}  // namespace

Result<void> validate_arg(const RemoteArg& arg) {
  if (is_valid(arg)) {
    return {};
  }
  return fail(with_code(
      Error::invalid(
          "the adoption target holds characters that cannot be passed to the remote shell",
          {{"kind", kind_name(arg.kind)}}),
      "invalid_target"));
}

Result<std::string> build_remote_command(std::span<const RemoteArg> argv) {
  if (argv.empty()) {
    return fail(Error::internal("build_remote_command: empty argv"));
  }
  std::string command;
  if (auto appended = append_args(command, argv); !appended) {
    return fail(appended.error());
  }
  return command;
}

Result<std::string> build_remote_script(std::string_view script, std::span<const RemoteArg> args) {
  if (script.empty() || script.find('\'') != std::string_view::npos) {
    return fail(Error::internal("build_remote_script: script is empty or holds a single quote"));
  }
  std::string command = "sh -c ";
  append_quoted(command, script);
  // $0 of the script: a fixed name, so "$1" is the first real argument.
  command += " berth";
  if (auto appended = append_args(command, args); !appended) {
    return fail(appended.error());
  }
  return command;
}

}  // namespace berth::ssh
