#include "core/json_schema.hpp"

#include <fmt/format.h>

#include <regex>

namespace berth {

namespace {

using nlohmann::json;

std::string_view type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::null:
      return "null";
    default:
      return "unknown";
  }
}

bool has_type(const json& value, std::string_view wanted) {
  const std::string_view actual = type_name(value);
  return actual == wanted || (wanted == "number" && actual == "integer");
}

bool matches_type(const json& schema, const json& value) {
  const auto it = schema.find("type");
  if (it == schema.end()) {
    return true;
  }
  if (it->is_array()) {
    for (const auto& wanted : *it) {
      if (has_type(value, wanted.get<std::string>())) {
        return true;
      }
    }
    return false;
  }
  return has_type(value, it->get<std::string>());
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

std::string display(const std::string& path) { return path.empty() ? "body" : path; }

// Counts code points, not bytes: limits are about what a user typed.
std::size_t utf8_length(const std::string& text) {
  std::size_t count = 0;
  for (const char c : text) {
    count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  }
  return count;
}

Result<void> validate_at(const json& schema, const json& value, const std::string& path);

Result<void> validate_object(const json& schema, const json& value, const std::string& path) {
  const json empty = json::object();
  const auto props_it = schema.find("properties");
  const json& properties = props_it != schema.end() ? *props_it : empty;
  if (const auto req = schema.find("required"); req != schema.end()) {
    for (const auto& name : *req) {
      if (!value.contains(name.get<std::string>())) {
        const std::string field = child_path(path, name.get<std::string>());
        return fail(Error::validation(field, fmt::format("{} is required", field)));
      }
    }
  }
  const auto additional = schema.find("additionalProperties");
  for (const auto& [key, member] : value.items()) {
    const std::string field = child_path(path, key);
    if (const auto prop = properties.find(key); prop != properties.end()) {
      if (auto ok = validate_at(*prop, member, field); !ok) {
        return ok;
      }
    } else if (additional != schema.end() && additional->is_object()) {
      if (auto ok = validate_at(*additional, member, field); !ok) {
        return ok;
      }
    } else if (additional == schema.end() || !additional->is_boolean() ||
               !additional->get<bool>()) {
      return fail(Error::validation(field, fmt::format("unknown field {}", field)));
    }
  }
  return {};
}

Result<void> validate_string(const json& schema, const json& value, const std::string& path) {
  const auto& text = value.get_ref<const std::string&>();
  const std::size_t length = utf8_length(text);
  if (const auto min = schema.find("minLength");
      min != schema.end() && length < min->get<std::size_t>()) {
    return fail(Error::validation(
        display(path),
        fmt::format("{} must be at least {} characters", display(path), min->get<std::size_t>())));
  }
  if (const auto max = schema.find("maxLength");
      max != schema.end() && length > max->get<std::size_t>()) {
    return fail(Error::validation(
        display(path),
        fmt::format("{} must be at most {} characters", display(path), max->get<std::size_t>())));
  }
  if (const auto pattern = schema.find("pattern"); pattern != schema.end()) {
    const std::regex re(pattern->get<std::string>(), std::regex::ECMAScript);
    if (!std::regex_search(text, re)) {
      return fail(
          Error::validation(display(path), fmt::format("{} has an invalid format", display(path))));
    }
  }
  return {};
}

Result<void> validate_number(const json& schema, const json& value, const std::string& path) {
  const double number = value.get<double>();
  if (const auto min = schema.find("minimum"); min != schema.end() && number < min->get<double>()) {
    return fail(Error::validation(
        display(path), fmt::format("{} must be at least {}", display(path), min->dump())));
  }
  if (const auto max = schema.find("maximum"); max != schema.end() && number > max->get<double>()) {
    return fail(Error::validation(
        display(path), fmt::format("{} must be at most {}", display(path), max->dump())));
  }
  return {};
}

Result<void> validate_array(const json& schema, const json& value, const std::string& path) {
  if (const auto min = schema.find("minItems");
      min != schema.end() && value.size() < min->get<std::size_t>()) {
    return fail(Error::validation(
        display(path),
        fmt::format("{} needs at least {} items", display(path), min->get<std::size_t>())));
  }
  if (const auto max = schema.find("maxItems");
      max != schema.end() && value.size() > max->get<std::size_t>()) {
    return fail(Error::validation(
        display(path),
        fmt::format("{} takes at most {} items", display(path), max->get<std::size_t>())));
  }
  if (const auto items = schema.find("items"); items != schema.end()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (auto ok = validate_at(*items, value[i], fmt::format("{}[{}]", display(path), i)); !ok) {
        return ok;
      }
    }
  }
  return {};
}

Result<void> validate_at(const json& schema, const json& value, const std::string& path) {
  if (!matches_type(schema, value)) {
    return fail(Error::validation(display(path), fmt::format("{} must be of type {}", display(path),
                                                             schema.at("type").dump())));
  }
  if (const auto allowed = schema.find("enum"); allowed != schema.end()) {
    if (std::find(allowed->begin(), allowed->end(), value) == allowed->end()) {
      return fail(Error::validation(
          display(path), fmt::format("{} must be one of {}", display(path), allowed->dump())));
    }
  }
  if (value.is_object()) {
    return validate_object(schema, value, path);
  }
  if (value.is_string()) {
    return validate_string(schema, value, path);
  }
  if (value.is_number()) {
    return validate_number(schema, value, path);
  }
  if (value.is_array()) {
    return validate_array(schema, value, path);
  }
  return {};
}

}  // namespace

Result<void> validate_json(const nlohmann::json& schema, const nlohmann::json& value) {
  return validate_at(schema, value, "");
}

namespace schema {

nlohmann::json object(nlohmann::json properties, std::vector<std::string> required) {
  nlohmann::json out = {
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) {
    out["required"] = std::move(required);
  }
  return out;
}

nlohmann::json string(std::size_t min_length, std::size_t max_length) {
  nlohmann::json out = {{"type", "string"}};
  if (min_length > 0) {
    out["minLength"] = min_length;
  }
  if (max_length > 0) {
    out["maxLength"] = max_length;
  }
  return out;
}

nlohmann::json integer(std::optional<std::int64_t> minimum, std::optional<std::int64_t> maximum) {
  nlohmann::json out = {{"type", "integer"}};
  if (minimum) {
    out["minimum"] = *minimum;
  }
  if (maximum) {
    out["maximum"] = *maximum;
  }
  return out;
}

nlohmann::json boolean() { return {{"type", "boolean"}}; }

nlohmann::json array_of(nlohmann::json items) {
  return {{"type", "array"}, {"items", std::move(items)}};
}

nlohmann::json one_of_strings(std::vector<std::string> values) {
  return {{"type", "string"}, {"enum", std::move(values)}};
}

}  // namespace schema

}  // namespace berth
