#include "store/sqlite/sqlite_fleet_columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace berth {

void bind_value(SqliteStatement& statement, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind_null(index);
  }
}

std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json json_column(RowReader& read, int column) {
  auto value = nlohmann::json::parse(read.text(column), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    read.malformed(column);
    return nlohmann::json::object();
  }
  return value;
}

std::string real_text(double value) { return fmt::format("{}", value); }

double real_column(RowReader& read, int column) {
  const std::string text = read.text(column);
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [parsed_to, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || parsed_to != end) {
    read.malformed(column);
    return 0;
  }
  return value;
}

Result<void> check_one_of(std::string_view field, std::string_view value,
                          std::span<const std::string_view> allowed) {
  if (std::ranges::find(allowed, value) != allowed.end()) {
    return {};
  }
  return fail(Error::validation(
      std::string(field), fmt::format("{} must be one of: {}", field, fmt::join(allowed, ", "))));
}

Result<std::vector<std::string>> distinct_words(std::string_view field,
                                                const std::vector<std::string>& values,
                                                std::span<const std::string_view> allowed) {
  for (const auto& value : values) {
    if (auto known = check_one_of(field, value, allowed); !known) {
      return fail(std::move(known.error()));
    }
  }
  std::vector<std::string> words;
  for (const auto word : allowed) {
    if (std::ranges::find(values, word) != values.end()) {
      words.emplace_back(word);
    }
  }
  return words;
}

Result<void> check_limit(std::int64_t limit) {
  if (limit < 1 || limit > kMaxPerPage) {
    return fail(
        Error::validation("limit", fmt::format("limit must be between 1 and {}", kMaxPerPage)));
  }
  return {};
}

std::string placeholders(std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    text += i == 0 ? "?" : ", ?";
  }
  return text;
}

int bind_texts(SqliteStatement& statement, int first, const std::vector<std::string>& values) {
  int index = first;
  for (const auto& value : values) {
    statement.bind(index++, value);
  }
  return index;
}

}  // namespace berth
