#include "agent/host/job_args.hpp"

#include <algorithm>

namespace berth::agent::host {

Error invalid_arg(std::string_view field, std::string_view message) {
  return Error{.kind = ErrorKind::invalid,
               .code = "invalid_args",
               .message = std::string(field) + ": " + std::string(message),
               .details = {{"field", field}},
               .internal_detail = {}};
}

Result<nlohmann::json> known_fields(const nlohmann::json& args,
                                    std::initializer_list<std::string_view> allowed) {
  if (args.is_null()) {
    return nlohmann::json::object();
  }
  if (!args.is_object()) {
    return fail(invalid_arg("args", "must be an object"));
  }
  for (const auto& [key, value] : args.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return fail(invalid_arg(key, "unknown field"));
    }
  }
  return args;
}

Result<bool> bool_field(const nlohmann::json& args, const char* key, bool fallback) {
  const auto found = args.find(key);
  if (found == args.end() || found->is_null()) {
    return fallback;
  }
  if (!found->is_boolean()) {
    return fail(invalid_arg(key, "must be a boolean"));
  }
  return found->get<bool>();
}

Result<std::optional<std::int64_t>> int64_field(const nlohmann::json& args, const char* key,
                                                std::int64_t min, std::int64_t max) {
  const auto found = args.find(key);
  if (found == args.end() || found->is_null()) {
    return std::optional<std::int64_t>();
  }
  if (!found->is_number_integer()) {
    return fail(invalid_arg(key, "must be an integer"));
  }
  const auto value = found->get<std::int64_t>();
  // A huge unsigned value reads back as negative: refuse it rather than wrap.
  if (value < min || value > max || (found->is_number_unsigned() && value < 0)) {
    return fail(
        invalid_arg(key, "must be between " + std::to_string(min) + " and " + std::to_string(max)));
  }
  return std::optional<std::int64_t>(value);
}

Result<std::optional<int>> int_field(const nlohmann::json& args, const char* key, int min,
                                     int max) {
  auto value = int64_field(args, key, min, max);
  if (!value) {
    return fail(value.error());
  }
  return value->has_value() ? std::optional<int>(static_cast<int>(**value)) : std::nullopt;
}

Result<std::string> string_field(const nlohmann::json& args, const char* key,
                                 std::size_t max_size) {
  const auto found = args.find(key);
  if (found == args.end() || !found->is_string()) {
    return fail(invalid_arg(key, "required, a string"));
  }
  auto value = found->get<std::string>();
  if (value.empty() || value.size() > max_size || value.find('\0') != std::string::npos) {
    return fail(invalid_arg(key, "must be 1-" + std::to_string(max_size) + " characters"));
  }
  return value;
}

Result<std::map<std::string, std::string>> string_map(const nlohmann::json& args, const char* key) {
  std::map<std::string, std::string> out;
  const auto found = args.find(key);
  if (found == args.end() || found->is_null()) {
    return out;
  }
  if (!found->is_object()) {
    return fail(invalid_arg(key, "must be an object of strings"));
  }
  for (const auto& [name, value] : found->items()) {
    if (!value.is_string()) {
      return fail(invalid_arg(key, "value of '" + name + "' must be a string"));
    }
    const auto text = value.get<std::string>();
    if (name.empty() || name.size() > 1024 ||
        name.find_first_of(std::string_view("=\0", 2)) != name.npos ||
        text.find('\0') != text.npos) {
      return fail(invalid_arg(key, "names must be 1-1024 characters without '=' or NUL"));
    }
    out.emplace(name, text);
  }
  return out;
}

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7F;
  });
}

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace berth::agent::host
