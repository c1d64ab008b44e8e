#include "core/log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/time_format.hpp"

namespace berth::log {

namespace {

// spdlog's own sinks flush stderr after every line and write files through a 4 KiB stdio
// buffer: a write(2) per request or every few requests in the access log. This sink keeps a
// 64 KiB buffer and relies on flush_every (1 s) and flush_on(warn) instead.
//
// Lines arrive already formatted (log::write builds them), so the sink writes the payload as
// it is instead of running spdlog's pattern formatter over it again.
class BufferedSink final : public spdlog::sinks::sink {
 public:
  /// Writes to `file` (opened for appending, 0600) or, when empty, to stderr.
  explicit BufferedSink(const std::string& file) {
    if (file.empty()) {
      out_ = stderr;
    } else {
      const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      out_ = fd < 0 ? nullptr : ::fdopen(fd, "a");
      if (out_ == nullptr) {
        throw std::runtime_error("cannot open log file " + file);
      }
      owned_ = true;
    }
    std::setvbuf(out_, buffer_.data(), _IOFBF, buffer_.size());
  }
  ~BufferedSink() override {
    std::fflush(out_);
    if (owned_) {
      std::fclose(out_);
    } else {
      std::setvbuf(out_, nullptr, _IONBF, 0);  // the buffer dies with this sink
    }
  }
  BufferedSink(const BufferedSink&) = delete;
  BufferedSink& operator=(const BufferedSink&) = delete;

  void log(const spdlog::details::log_msg& msg) override {
    std::lock_guard lock(mutex_);
    // mutex_ already serialises writers; stdio's own lock would be a second one.
    ::fwrite_unlocked(msg.payload.data(), 1, msg.payload.size(), out_);
    ::fputc_unlocked('\n', out_);
  }
  void flush() override {
    std::lock_guard lock(mutex_);
    std::fflush(out_);
  }
  void set_pattern(const std::string& /*pattern*/) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter> /*formatter*/) override {}

 private:
  std::mutex mutex_;
  std::array<char, 64 * 1024> buffer_{};
  std::FILE* out_ = nullptr;
  bool owned_ = false;
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

// The access log writes a line per request; formatting the date once per second per thread
// instead of once per line is a measurable share of a cheap request.
std::string_view current_time() {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string cached;
  const auto now = std::chrono::system_clock::now();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::int64_t second = millis / 1000;
  if (second != cached_second) {
    cached_second = second;
    cached = format_rfc3339(now);  // "YYYY-MM-DDTHH:MM:SS.mmmZ"
  }
  const auto ms = static_cast<int>(millis % 1000);
  char* digits = cached.data() + cached.size() - 4;
  digits[0] = static_cast<char>('0' + ms / 100);
  digits[1] = static_cast<char>('0' + ms / 10 % 10);
  digits[2] = static_cast<char>('0' + ms % 10);
  return cached;
}

void format_line(fmt::memory_buffer& out, Level level, std::string_view event, Fields fields) {
  const std::string_view time = current_time();
  if (g_format == Format::json) {
    nlohmann::json line = {{"time", time}, {"level", level_name(level)}, {"event", event}};
    for (const auto& [key, value] : fields) {
      std::visit([&line, key = key](const auto& v) { line[std::string(key)] = v; }, value);
    }
    out.append(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  const std::string_view name = level_name(level);
  out.append(time);
  out.push_back(' ');
  out.append(name);
  out.append(std::string_view("      ").substr(0, 6 - name.size()));
  out.append(event);
  for (const auto& [key, value] : fields) {
    out.push_back(' ');
    out.append(key);
    out.push_back('=');
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
}

}  // namespace

void init_logging(const Options& options) {
  g_format = options.format;
  g_logger =
      std::make_shared<spdlog::logger>("berth", std::make_shared<BufferedSink>(options.file));
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

std::string redact_credentials(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kPrefixes = {"bk_",  "bat_", "brt_",
                                                                "bit_", "bdh_", "bpr_"};
  constexpr std::size_t kMinSecret = 8;  // shorter is no token of ours, only a word
  const auto token_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const bool at_word_start = text[i] == 'b' && (i == 0 || !token_char(text[i - 1]));
    std::size_t prefix = 0;
    for (const auto candidate : kPrefixes) {
      if (at_word_start && text.substr(i).starts_with(candidate)) {
        prefix = candidate.size();
      }
    }
    std::size_t end = i + prefix;
    while (prefix > 0 && end < text.size() && token_char(text[end])) {
      ++end;
    }
    if (prefix > 0 && end - i - prefix >= kMinSecret) {
      out.append(text.substr(i, prefix)).append("[redacted]");
      i = end;
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

void write(Level level, std::string_view event, Fields fields) {
  if (!g_logger) {
    init_logging({});
  }
  const auto spd_level = to_spdlog(level);
  if (!g_logger->should_log(spd_level)) {
    return;
  }
  fmt::memory_buffer line;
  format_line(line, level, event, fields);
  const std::string safe = redact_credentials(std::string_view(line.data(), line.size()));
  g_logger->log(spd_level, spdlog::string_view_t(safe.data(), safe.size()));
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
