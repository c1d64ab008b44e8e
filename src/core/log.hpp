#pragma once
/// Structured logging: one line per event, `text` (key=value) or `json`, to stderr or a file.
/// Secrets must never be passed as fields. Thread-safe after init_logging().

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace berth::log {

enum class Format { text, json };
enum class Level { debug, info, warn, error };

struct Options {
  Format format = Format::text;
  Level level = Level::info;
  std::string file;  // empty: stderr
};

/// Sets up the process-wide logger; call once at start-up, before other threads log.
void init_logging(const Options& options);

/// Writes buffered lines out; the logger also does this every second and on warn and above.
void flush();

using Value = std::variant<std::string_view, std::int64_t, double, bool>;
using Fields = std::initializer_list<std::pair<std::string_view, Value>>;

void write(Level level, std::string_view event, Fields fields);

inline void debug(std::string_view event, Fields fields = {}) {
  write(Level::debug, event, fields);
}
inline void info(std::string_view event, Fields fields = {}) { write(Level::info, event, fields); }
inline void warn(std::string_view event, Fields fields = {}) { write(Level::warn, event, fields); }
inline void error(std::string_view event, Fields fields = {}) {
  write(Level::error, event, fields);
}

/// `text` with the secret part of every credential Berth issues replaced by "[redacted]": API
/// keys (bk_), access and refresh tokens (bat_, brt_ — agent tokens too), install tokens (bit_)
/// and deploy hooks (bdh_). Every log line passes through it, so a token in a request path
/// (a deploy hook's URL) or in a message never reaches the log.
std::string redact_credentials(std::string_view text);

/// Parses "text"/"json"; false when unknown.
bool parse_format(std::string_view text, Format& out);
/// Parses "debug"/"info"/"warn"/"error"; false when unknown.
bool parse_level(std::string_view text, Level& out);

}  // namespace berth::log
