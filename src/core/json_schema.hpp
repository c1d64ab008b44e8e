#pragma once
/// Validation of request bodies against the subset of JSON Schema that Berth's route table
/// uses (the same schemas appear in the OpenAPI document, so docs and checks cannot drift).
///
/// Supported keywords: type, properties, required, additionalProperties (an object schema
/// without it rejects unknown fields: API.md wants a typo to fail), items, enum, minLength,
/// maxLength, minimum, maximum, minItems, maxItems, pattern, description.
/// Written by hand because Debian 12 packages no C++ JSON Schema validator.

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace berth {

/// Checks `value` against `schema`. On failure returns Error::validation naming the first
/// offending field as a dotted path ("labels.env", "ports[2]"). Thread-safe.
Result<void> validate_json(const nlohmann::json& schema, const nlohmann::json& value);

/// Helpers that build the schemas used in route tables.
namespace schema {
nlohmann::json object(nlohmann::json properties, std::vector<std::string> required = {});
nlohmann::json string(std::size_t min_length = 0, std::size_t max_length = 0);
nlohmann::json integer(std::optional<std::int64_t> minimum = {},
                       std::optional<std::int64_t> maximum = {});
nlohmann::json boolean();
nlohmann::json array_of(nlohmann::json items);
nlohmann::json one_of_strings(std::vector<std::string> values);
}  // namespace schema

}  // namespace berth
