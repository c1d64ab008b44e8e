// Why poll(2) on the hijacked socket rather than Beast: after the 101 answer the Engine speaks
// a raw duplex byte stream (stdin one way, multiplexed stdout/stderr frames the other), which
// has to be read and written at once or a chatty process and a large stdin deadlock each
// other. Beast only carries the request and the answer's header.

// clang-format off: Boost 1.74's headers use std::exchange without including <utility>.
#include <utility>
// clang-format on

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <thread>

#include "agent/host/docker_exec.hpp"
#include "agent/host/docker_stream.hpp"
#include "agent/host/polled_connection.hpp"

namespace berth::agent::host {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using unix_socket = asio::local::stream_protocol;

constexpr std::chrono::milliseconds kPollStep{50};

Error exec_failure(std::string code, std::string message) {
  return Error{.kind = ErrorKind::unavailable,
               .code = std::move(code),
               .message = std::move(message),
               .internal_detail = {}};
}

Result<std::string> create_exec(DockerJob& run, const ExecCommand& command, bool with_stdin) {
  nlohmann::json body = {{"AttachStdin", with_stdin}, {"AttachStdout", true},
                         {"AttachStderr", true},      {"Tty", false},
                         {"Cmd", command.argv},       {"Env", command.env}};
  auto created = run.client().request("POST", "/containers/" + command.container + "/exec", body,
                                      run.limits(kShortDockerCall));
  if (!created) {
    return fail(std::move(created.error()));
  }
  if (!is_success(created->status)) {
    return fail(engine_error(*created));
  }
  const auto parsed = nlohmann::json::parse(created->body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("Id") || !parsed["Id"].is_string()) {
    return fail(Error::internal("Docker's exec answer has no Id"));
  }
  return parsed["Id"].get<std::string>();
}

// The duplex conversation after the upgrade: stdin out, frames in, until the Engine closes.
class Pump {
 public:
  Pump(int fd, const ExecInput* input, LogDemuxer& demux, const DockerCallLimits& limits)
      : fd_(fd), input_(input), demux_(demux), limits_(limits) {}

  Result<void> run(std::string_view already_read, std::chrono::steady_clock::time_point deadline) {
    demux_.feed(already_read);
    bool stdin_open = input_ != nullptr;
    std::string out;  // stdin bytes read but not yet written
    std::size_t out_at = 0;
    std::array<char, 64 * 1024> buffer{};
    for (;;) {
      if (limits_.cancelled != nullptr && limits_.cancelled->load()) {
        return fail(exec_failure("canceled", "the Docker call was cancelled"));
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return fail(Error{.kind = ErrorKind::timeout,
                          .code = "timeout",
                          .message = "the command did not end in time",
                          .internal_detail = {}});
      }
      if (stdin_open && out_at == out.size()) {
        out.resize(buffer.size());
        auto got = (*input_)(out.data(), out.size());
        if (!got) {
          return fail(std::move(got.error()));
        }
        out.resize(*got);
        out_at = 0;
        if (*got == 0) {
          ::shutdown(fd_, SHUT_WR);  // the process reads end of file
          stdin_open = false;
        }
      }
      pollfd events{.fd = fd_, .events = POLLIN, .revents = 0};
      if (stdin_open) {
        events.events |= POLLOUT;
      }
      const int ready = ::poll(&events, 1, static_cast<int>(kPollStep.count()));
      if (ready < 0 && errno != EINTR) {
        return fail(Error::internal(std::string("poll on the exec stream failed: ") +
                                    std::strerror(errno)));
      }
      if (ready <= 0) {
        continue;
      }
      if ((events.revents & POLLOUT) != 0 && out_at < out.size()) {
        const ssize_t sent =
            ::send(fd_, out.data() + out_at, out.size() - out_at, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno != EAGAIN && errno != EINTR) {
          return fail(exec_failure("exec_stdin_closed", "the command stopped reading its input: " +
                                                            std::string(std::strerror(errno))));
        }
        out_at += sent > 0 ? static_cast<std::size_t>(sent) : 0;
      }
      if ((events.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        const ssize_t got = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
          return {};  // the Engine closed the stream: the command ended
        }
        if (got > 0) {
          demux_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
          if (output_error) {
            return fail(std::move(*output_error));
          }
        }
      }
    }
  }

  std::optional<Error> output_error;

 private:
  int fd_;
  const ExecInput* input_;
  LogDemuxer& demux_;
  DockerCallLimits limits_;
};

Result<int> exit_code_of(DockerJob& run, const std::string& exec_id) {
  // The stream closes as the process ends; the Engine may record the exit a moment later.
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto state = get_json(run, "/exec/" + exec_id + "/json");
    if (!state) {
      return fail(std::move(state.error()));
    }
    if (!state->value("Running", false) && state->contains("ExitCode") &&
        (*state)["ExitCode"].is_number_integer()) {
      return (*state)["ExitCode"].get<int>();
    }
    std::this_thread::sleep_for(kPollStep);
  }
  return fail(Error::internal("the exec did not report its exit code"));
}

}  // namespace

Result<int> run_exec(DockerJob& run, const ExecCommand& command, const ExecInput* input,
                     const ExecOutput& output) {
  auto exec_id = create_exec(run, command, input != nullptr);
  if (!exec_id) {
    return fail(std::move(exec_id.error()));
  }
  const DockerCallLimits limits = run.limits();
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  PolledConnection<unix_socket> conn(limits.timeout, limits.cancelled);
  const unix_socket::endpoint endpoint(run.client().socket_path());
  if (auto ec = conn.run([&](auto handler) { conn.socket().async_connect(endpoint, handler); })) {
    return fail(
        exec_failure("docker_unreachable",
                     "cannot connect to " + run.client().socket_path() + ": " + ec.message()));
  }
  bhttp::request<bhttp::string_body> req;
  req.method(bhttp::verb::post);
  req.target(std::string(kDockerApiPrefix) + "/exec/" + *exec_id + "/start");
  req.version(11);
  req.set(bhttp::field::host, "docker");
  req.set(bhttp::field::connection, "Upgrade");
  req.set(bhttp::field::upgrade, "tcp");
  req.set(bhttp::field::content_type, "application/json");
  req.body() = R"({"Detach":false,"Tty":false})";
  req.prepare_payload();
  if (auto ec = conn.run([&](auto handler) { bhttp::async_write(conn.socket(), req, handler); })) {
    return fail(exec_failure("docker_unreachable", "exec start failed: " + ec.message()));
  }
  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);  // a 101 (or 200) answer is followed by the raw stream, not a body
  if (auto ec = conn.run([&](auto handler) {
        bhttp::async_read_header(conn.socket(), buffer, parser, handler);
      })) {
    return fail(exec_failure("docker_unreachable", "exec start failed: " + ec.message()));
  }
  const unsigned status = parser.get().result_int();
  if (status != 101 && status != 200) {
    return fail(Error{
        .kind = ErrorKind::unprocessable,
        .code = "docker_error",
        .message = "Docker refused to start the command (HTTP " + std::to_string(status) + ")",
        .internal_detail = {}});
  }
  std::optional<Error>* output_error = nullptr;
  LogDemuxer demux([&](std::string_view stream, std::string_view text) {
    if (output_error != nullptr && !output_error->has_value()) {
      if (auto taken = output(stream, text); !taken) {
        *output_error = std::move(taken.error());
      }
    }
  });
  Pump pump(conn.socket().native_handle(), input, demux, limits);
  output_error = &pump.output_error;
  const auto* data = static_cast<const char*>(buffer.data().data());
  if (auto pumped = pump.run(std::string_view(data, buffer.size()), deadline); !pumped) {
    return fail(std::move(pumped.error()));
  }
  if (pump.output_error) {
    return fail(std::move(*pump.output_error));
  }
  if (demux.truncated()) {
    return fail(Error::internal("the command's output stream ended mid-frame"));
  }
  return exit_code_of(run, *exec_id);
}

namespace {

// A query value: unreserved characters and '/' as they are, the rest percent-encoded.
std::string query_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      std::array<char, 4> hex{};
      std::snprintf(hex.data(), hex.size(), "%%%02X", u);
      out.append(hex.data(), 3);
    }
  }
  return out;
}

}  // namespace

Result<void> put_archive(DockerJob& run, const std::string& container, const std::string& path,
                         const ExecInput& tar) {
  const DockerCallLimits limits = run.limits();
  PolledConnection<unix_socket> conn(limits.timeout, limits.cancelled);
  const unix_socket::endpoint endpoint(run.client().socket_path());
  if (auto ec = conn.run([&](auto handler) { conn.socket().async_connect(endpoint, handler); })) {
    return fail(
        exec_failure("docker_unreachable",
                     "cannot connect to " + run.client().socket_path() + ": " + ec.message()));
  }
  const auto send = [&](std::string_view bytes) -> Result<void> {
    if (auto ec = conn.run([&](auto handler) {
          asio::async_write(conn.socket(), asio::buffer(bytes.data(), bytes.size()), handler);
        })) {
      return fail(
          exec_failure(conn.stopped() == PolledStop::cancelled ? "canceled" : "docker_unreachable",
                       "sending the archive failed: " + ec.message()));
    }
    return {};
  };
  const std::string head = "PUT " + std::string(kDockerApiPrefix) + "/containers/" + container +
                           "/archive?path=" + query_escaped(path) +
                           " HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
                           "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  if (auto sent = send(head); !sent) {
    return sent;
  }
  std::string chunk(64 * 1024, '\0');
  for (;;) {
    auto got = tar(chunk.data(), chunk.size());
    if (!got) {
      return fail(std::move(got.error()));  // the Engine sees the body break off
    }
    std::array<char, 24> size_line{};
    const int n = std::snprintf(size_line.data(), size_line.size(), "%zx\r\n", *got);
    if (auto sent = send(std::string_view(size_line.data(), static_cast<std::size_t>(n))); !sent) {
      return sent;
    }
    if (*got == 0) {
      break;
    }
    if (auto sent = send(std::string_view(chunk.data(), *got)); !sent) {
      return sent;
    }
    if (auto sent = send("\r\n"); !sent) {
      return sent;
    }
  }
  if (auto sent = send("\r\n"); !sent) {
    return sent;
  }
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> answer;
  if (auto ec = conn.run(
          [&](auto handler) { bhttp::async_read(conn.socket(), buffer, answer, handler); })) {
    return fail(exec_failure("docker_unreachable", "the archive's answer: " + ec.message()));
  }
  if (answer.result_int() < 200 || answer.result_int() >= 300) {
    return fail(engine_error(DockerResponse{.status = answer.result_int(), .body = answer.body()}));
  }
  return {};
}

}  // namespace berth::agent::host
