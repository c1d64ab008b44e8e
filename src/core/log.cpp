#include "core/log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/time_format.hpp"

namespace berth::log {

namespace {

// spdlog's stderr sink flushes after every line, which costs a write(2) per request in the
// access log; this one buffers and relies on flush_every / flush_on(warn) instead.
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::fwrite(msg.payload.data(), 1, msg.payload.size(), stderr);
    std::fputc('\n', stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

Format g_format = Format::text;
std::shared_ptr<spdlog::logger> g_logger;

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

// Text values are quoted only when they would otherwise be ambiguous.
void append_text_value(fmt::memory_buffer& out, std::string_view value) {
  const bool plain =
      !value.empty() && value.find_first_of(" \"=\n\r\t\\") == std::string_view::npos;
  if (plain) {
    out.append(value);
    return;
  }
  out.append(nlohmann::json(std::string(value))
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string format_line(Level level, std::string_view event, Fields fields) {
  const std::string time = format_rfc3339(std::chrono::system_clock::now());
  if (g_format == Format::json) {
    nlohmann::json line = {{"time", time}, {"level", level_name(level)}, {"event", event}};
    for (const auto& [key, value] : fields) {
      std::visit([&line, key = key](const auto& v) { line[std::string(key)] = v; }, value);
    }
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "{} {:<5} {}", time, level_name(level), event);
  for (const auto& [key, value] : fields) {
    fmt::format_to(std::back_inserter(out), " {}=", key);
    std::visit(
        [&out](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string_view>) {
            append_text_value(out, v);
          } else {
            fmt::format_to(std::back_inserter(out), "{}", v);
          }
        },
        value);
  }
  return fmt::to_string(out);
}

}  // namespace

void init_logging(const Options& options) {
  g_format = options.format;
  spdlog::sink_ptr sink;
  if (options.file.empty()) {
    sink = std::make_shared<BufferedStderrSink>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file);
  }
  g_logger = std::make_shared<spdlog::logger>("berth", std::move(sink));
  g_logger->set_pattern("%v");
  g_logger->set_level(to_spdlog(options.level));
  g_logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(g_logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void flush() {
  if (g_logger) {
    g_logger->flush();
  }
}

void write(Level level, std::string_view event, Fields fields) {
  if (!g_logger) {
    init_logging({});
  }
  const auto spd_level = to_spdlog(level);
  if (!g_logger->should_log(spd_level)) {
    return;
  }
  g_logger->log(spd_level, "{}", format_line(level, event, fields));
}

bool parse_format(std::string_view text, Format& out) {
  if (text == "text") {
    out = Format::text;
  } else if (text == "json") {
    out = Format::json;
  } else {
    return false;
  }
  return true;
}

bool parse_level(std::string_view text, Level& out) {
  if (text == "debug") {
    out = Level::debug;
  } else if (text == "info") {
    out = Level::info;
  } else if (text == "warn") {
    out = Level::warn;
  } else if (text == "error") {
    out = Level::error;
  } else {
    return false;
  }
  return true;
}

}  // namespace berth::log
