#include "core/json_limits.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <vector>

namespace berth {

namespace {

// The shortest text of a number, as nlohmann writes it (within a character or two).
std::size_t number_length(const nlohmann::json& number) {
  std::array<char, 64> text{};
  std::to_chars_result written{};
  if (number.is_number_unsigned()) {
    written = std::to_chars(text.begin(), text.end(), number.get<std::uint64_t>());
  } else if (number.is_number_integer()) {
    written = std::to_chars(text.begin(), text.end(), number.get<std::int64_t>());
  } else {
    written = std::to_chars(text.begin(), text.end(), number.get<double>());
  }
  return static_cast<std::size_t>(written.ptr - text.begin());
}

}  // namespace

std::expected<nlohmann::json, JsonRefusal> parse_untrusted_json(std::string_view text,
                                                                std::size_t max_depth) {
  bool too_deep = false;
  // The callback sees each container open with the number of containers around it. Returning
  // false discards the container; the parser still reads to the end (iteratively), and the
  // flag turns the whole document into a refusal.
  const nlohmann::json::parser_callback_t limit_depth =
      [&too_deep, max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if ((event == nlohmann::json::parse_event_t::object_start ||
             event == nlohmann::json::parse_event_t::array_start) &&
            static_cast<std::size_t>(depth) >= max_depth) {
          too_deep = true;
          return false;
        }
        return !too_deep;
      };
  nlohmann::json parsed = nlohmann::json::parse(text, limit_depth, /*allow_exceptions=*/false);
  if (too_deep) {
    return std::unexpected(JsonRefusal::too_deep);
  }
  if (parsed.is_discarded()) {
    return std::unexpected(JsonRefusal::malformed);
  }
  return parsed;
}

bool json_size_within(const nlohmann::json& value, std::size_t max_bytes) {
  std::size_t total = 0;
  std::vector<const nlohmann::json*> pending{&value};
  while (!pending.empty()) {
    const nlohmann::json* item = pending.back();
    pending.pop_back();
    switch (item->type()) {
      case nlohmann::json::value_t::object:
        total += 2;  // {}
        for (const auto& [key, member] : item->items()) {
          total += key.size() + 4;  // "key": and a comma
          pending.push_back(&member);
        }
        break;
      case nlohmann::json::value_t::array:
        total += 2;  // []
        for (const auto& element : *item) {
          total += 1;  // a comma
          pending.push_back(&element);
        }
        break;
      case nlohmann::json::value_t::string:
        total += item->get_ref<const std::string&>().size() + 2;
        break;
      case nlohmann::json::value_t::binary:
        total += item->get_binary().size();
        break;
      case nlohmann::json::value_t::boolean:
        total += 5;
        break;
      case nlohmann::json::value_t::number_integer:
      case nlohmann::json::value_t::number_unsigned:
      case nlohmann::json::value_t::number_float:
        total += number_length(*item);
        break;
      default:  // null (discarded values never get here)
        total += 4;
        break;
    }
    if (total > max_bytes) {
      return false;
    }
  }
  return true;
}

}  // namespace berth
