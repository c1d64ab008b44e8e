#pragma once
// Text checks the app and source specs share (internal to domain/apps).

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json_schema.hpp"
#include "domain/apps/app_spec.hpp"

namespace berth::spec_text {

using nlohmann::json;

constexpr std::size_t kMaxValue = 64 * 1024;

inline bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
inline bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
inline bool all_of(std::string_view text, bool (*ok)(char)) {
  return std::all_of(text.begin(), text.end(), ok);
}
inline bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
inline bool has_nul(std::string_view text) { return text.find('\0') != std::string_view::npos; }

// Characters a shell would act on, plus whitespace and controls: never part of a URL we run.
inline json string_map_schema(std::size_t max_value) {
  return {{"type", "object"}, {"additionalProperties", schema::string(0, max_value)}};
}

// Validates `value` under the name `field` so errors read "source.image", not "image".
inline Result<void> validate_as(std::string_view field, const json& schema_of, const json& value) {
  return validate_json(schema::object({{std::string(field), schema_of}}),
                       json{{std::string(field), value}});
}

inline Result<void> check_string_map(const json& map, const std::string& field) {
  for (const auto& [key, value] : map.items()) {
    if (!berth::is_valid_env_key(key)) {
      return fail(
          Error::validation(field + "." + key, "keys must match ^[A-Za-z_][A-Za-z0-9_]{0,127}$"));
    }
    if (has_nul(value.get_ref<const std::string&>())) {
      return fail(Error::validation(field + "." + key, "values must not contain NUL"));
    }
  }
  return {};
}

}  // namespace berth::spec_text
