#include "cli/output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace berth::cli {
namespace {

bool no_color() {
  const char* value = std::getenv("NO_COLOR");
  return value != nullptr && *value != '\0';
}

bool colour_stderr() { return isatty(STDERR_FILENO) == 1 && !no_color(); }

const nlohmann::json* find_field(const nlohmann::json& object, const std::string& field) {
  const nlohmann::json* at = &object;
  std::size_t start = 0;
  while (start <= field.size()) {
    const auto dot = field.find('.', start);
    const auto name =
        field.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(name)) {
      return nullptr;
    }
    at = &(*at)[name];
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  return at;
}

}  // namespace

int exit_code_for(const Error& error) {
  if (error.kind == ErrorKind::unavailable && error.code == "network") {
    return kNetwork;
  }
  switch (error.kind) {
    case ErrorKind::unauthenticated:
    case ErrorKind::forbidden:
      return kNotAuthorized;
    case ErrorKind::not_found:
      return kNotFound;
    default:
      return kFailed;
  }
}

int report(const Error& error) {
  const std::string label = colour_stderr() ? "\x1b[31merror\x1b[0m" : "error";
  if (error.code.empty()) {
    fmt::print(stderr, "berth: {}: {}\n", label, error.message);
  } else {
    fmt::print(stderr, "berth: {}: {}: {}\n", label, error.code, error.message);
  }
  if (error.details.is_object() && error.details.contains("field")) {
    fmt::print(stderr, "  field: {}\n", cell(error.details, "field"));
  }
  return exit_code_for(error);
}

int complain(const std::string& message, int code) {
  fmt::print(stderr, "berth: {}\n", message);
  return code;
}

std::string cell(const nlohmann::json& object, const std::string& field) {
  const auto* value = find_field(object, field);
  if (value == nullptr || value->is_null()) {
    return "-";
  }
  if (value->is_string()) {
    return value->get<std::string>();
  }
  if (value->is_number_float()) {  // metrics: a table needs no 15 digits
    return fmt::format("{:.2f}", value->get<double>());
  }
  if (value->is_array() &&
      std::ranges::all_of(*value, [](const auto& v) { return v.is_string(); })) {
    std::string joined;
    for (const auto& item : *value) {
      joined += (joined.empty() ? "" : ",") + item.get<std::string>();
    }
    return joined.empty() ? "-" : joined;
  }
  return value->dump();
}

void print_table(const std::vector<Column>& columns, const nlohmann::json& rows) {
  std::vector<std::size_t> widths;
  for (const auto& column : columns) {
    widths.push_back(column.title.size());
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : rows) {
    auto& line = cells.emplace_back();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      line.push_back(cell(row, columns[i].field));
      widths[i] = std::max(widths[i], line.back().size());
    }
  }
  auto print_line = [&](const std::vector<std::string>& values, bool header) {
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const bool last = i + 1 == values.size();
      text += last ? values[i] : fmt::format("{:<{}}  ", values[i], widths[i]);
    }
    fmt::print("{}\n", header ? paint(text, "1") : text);
  };
  std::vector<std::string> titles;
  for (const auto& column : columns) {
    titles.push_back(column.title);
  }
  print_line(titles, true);
  for (const auto& line : cells) {
    print_line(line, false);
  }
}

void print_fields(const nlohmann::json& object, const std::vector<Column>& fields) {
  std::size_t width = 0;
  for (const auto& field : fields) {
    width = std::max(width, field.title.size() + 1);
  }
  for (const auto& field : fields) {
    fmt::print("{:<{}} {}\n", field.title + ":", width, cell(object, field.field));
  }
}

bool colour_stdout() { return isatty(STDOUT_FILENO) == 1 && !no_color(); }

std::string paint(const std::string& text, const char* code) {
  return colour_stdout() ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : text;
}

}  // namespace berth::cli
