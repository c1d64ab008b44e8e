#pragma once
/// How berth talks to people and scripts: exit codes, error lines, tables, colours.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace berth::cli {

/// Exit codes (docs/cli.md): scripts switch on these.
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;
inline constexpr int kUsage = 2;
inline constexpr int kNotAuthorized = 3;  // not signed in, or the role is too low
inline constexpr int kNotFound = 4;
inline constexpr int kNetwork = 5;

/// The exit code an error stands for.
int exit_code_for(const Error& error);

/// Prints "berth: <code>: <message>" to stderr (red "error" on a TTY without NO_COLOR) and
/// returns exit_code_for(error).
int report(const Error& error);
/// Prints "berth: <message>" to stderr and returns `code`.
int complain(const std::string& message, int code = kFailed);

struct Column {
  std::string title;
  std::string field;  // a top-level field, or "a.b" for a nested one
};

/// The field's text for a table: strings as they are, null as "-", others as JSON.
std::string cell(const nlohmann::json& object, const std::string& field);
/// Prints `rows` as an aligned table with a header line (bold on a colour terminal).
void print_table(const std::vector<Column>& columns, const nlohmann::json& rows);
/// Prints "key: value" lines for the given fields of one object.
void print_fields(const nlohmann::json& object, const std::vector<Column>& fields);

/// True when stdout is a terminal and NO_COLOR is not set.
bool colour_stdout();
/// `text` wrapped in the ANSI colour (e.g. "32" green) when stdout takes colour.
std::string paint(const std::string& text, const char* code);

}  // namespace berth::cli
