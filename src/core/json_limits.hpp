#pragma once
/// Bounds for JSON that comes from outside (request bodies, agent frames, webhook payloads).
/// nlohmann's parser and destructor are iterative, but copying, comparing and dumping a value
/// recurse once per level: a 200 KB body nested 100,000 deep would overflow the stack the
/// first time it is copied. Such input is refused while it is parsed, so every later copy,
/// comparison or dump of a value parsed here is safe. Pure; any thread.

#include <cstddef>
#include <expected>
#include <nlohmann/json.hpp>
#include <string_view>

namespace berth {

/// The deepest nesting accepted from outside: far beyond any document Berth reads.
constexpr std::size_t kMaxJsonDepth = 64;

enum class JsonRefusal { malformed, too_deep };

/// Parses `text`, refusing it when it is not JSON or when objects and arrays nest deeper than
/// `max_depth` (a bare scalar has depth 0, `[]` depth 1).
std::expected<nlohmann::json, JsonRefusal> parse_untrusted_json(
    std::string_view text, std::size_t max_depth = kMaxJsonDepth);

/// True when the compact serialisation of `value` is at most `max_bytes` long (escapes in
/// strings are not counted, so a value with many may pass slightly above it). Walks the value
/// without recursion, copying or serialising it, and stops as soon as the bound is passed.
bool json_size_within(const nlohmann::json& value, std::size_t max_bytes);

}  // namespace berth
