#pragma once
/// The checks every job kind's argument parser shares. Each failure is an Error with code
/// "invalid_args" whose message starts with the field's name and whose details carry
/// {"field": name}, so berthd can show which argument was refused.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace berth::agent::host {

Error invalid_arg(std::string_view field, std::string_view message);

/// The object of arguments, with nothing outside `allowed`; null reads as no arguments.
Result<nlohmann::json> known_fields(const nlohmann::json& args,
                                    std::initializer_list<std::string_view> allowed);

/// An optional boolean; absent or null gives `fallback`.
Result<bool> bool_field(const nlohmann::json& args, const char* key, bool fallback);

/// An optional integer in [min, max]; absent or null gives nullopt.
Result<std::optional<std::int64_t>> int64_field(const nlohmann::json& args, const char* key,
                                                std::int64_t min, std::int64_t max);
Result<std::optional<int>> int_field(const nlohmann::json& args, const char* key, int min, int max);

/// A required string field; `max_size` bounds it and NUL is refused.
Result<std::string> string_field(const nlohmann::json& args, const char* key, std::size_t max_size);

/// An optional object of strings (names 1-1024 characters without '=' or NUL).
Result<std::map<std::string, std::string>> string_map(const nlohmann::json& args, const char* key);

/// True when any byte is a control character (below 0x20, or DEL) or a space.
bool has_space_or_control(std::string_view text);

/// Letters and digits of ASCII only.
bool is_ascii_alnum(char c);

}  // namespace berth::agent::host
