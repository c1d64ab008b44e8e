#pragma once
/// Timestamps as API.md wants them: RFC 3339, UTC, milliseconds (`2026-11-22T10:15:01.123Z`).

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace berth {

std::string format_rfc3339(TimePoint time);

/// Parses what format_rfc3339 writes (also without milliseconds); nullopt when malformed.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace berth
