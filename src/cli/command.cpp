#include "cli/command.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>

namespace berth::cli {

namespace {

// An answer of an unexpected shape (a proxy's HTML page, a newer berthd) makes nlohmann::json
// throw; berth then says so and fails instead of aborting.
int guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& error) {
    return complain(std::string("unexpected answer from berthd: ") + error.what());
  }
}

}  // namespace

void Runner::on(CLI::App* command, std::function<int(Api&)> body) const {
  command->callback([global = &global, exit_code = &exit_code, body = std::move(body)] {
    *exit_code = guarded([&] {
      Api api(*global);
      if (auto connected = api.connect(); !connected) {
        return report(connected.error());
      }
      return body(api);
    });
  });
}

void Runner::offline(CLI::App* command, std::function<int()> body) const {
  command->callback(
      [exit_code = &exit_code, body = std::move(body)] { *exit_code = guarded(body); });
}

int show_list(const GlobalOptions& global, const nlohmann::json& items,
              const std::vector<Column>& columns) {
  if (global.json) {
    fmt::print("{}\n", items.dump(2));
  } else if (global.quiet) {
    for (const auto& item : items) {
      fmt::print("{}\n", cell(item, columns.empty() ? "id" : "id"));
    }
  } else {
    print_table(columns, items);
  }
  return kOk;
}

int show_object(const GlobalOptions& global, const nlohmann::json& object,
                const std::vector<Column>& fields) {
  if (global.json) {
    fmt::print("{}\n", object.dump(2));
  } else if (global.quiet) {
    fmt::print("{}\n", cell(object, "id"));
  } else {
    print_fields(object, fields);
  }
  return kOk;
}

int show_done(const GlobalOptions& global, const nlohmann::json& answer,
              const std::string& message) {
  if (global.json) {
    fmt::print("{}\n", answer.is_null() ? "{}" : answer.dump(2));
  } else if (global.quiet) {
    if (answer.is_object() && answer.contains("id")) {
      fmt::print("{}\n", cell(answer, "id"));
    }
  } else {
    fmt::print("{}\n", message);
  }
  return kOk;
}

Result<std::string> path_of(Api& api, const std::string& collection, const std::string& name_or_id,
                            const std::string& rest) {
  auto id = api.resolve(collection, name_or_id);
  if (!id) {
    return fail(std::move(id.error()));
  }
  return "/api/v1/" + collection + "/" + *id + rest;
}

namespace {

// "servers" -> "server": the argument's name in help and errors.
std::string singular(const std::string& collection) {
  return collection.substr(0, collection.size() - 1);
}

}  // namespace

void add_list_command(CLI::App* parent, const Runner& runner, const std::string& collection,
                      const std::string& description, std::vector<Column> columns) {
  runner.on(parent->add_subcommand("ls", description),
            [collection, columns = std::move(columns)](Api& api) {
              auto items = api.list_all("/api/v1/" + collection);
              return items ? show_list(api.options(), *items, columns) : report(items.error());
            });
}

void add_show_command(CLI::App* parent, const Runner& runner, const std::string& collection,
                      const std::string& description, std::vector<Column> fields) {
  auto target = std::make_shared<std::string>();
  auto* show = parent->add_subcommand("show", description);
  show->add_option(singular(collection), *target, "Its id or name")->required();
  runner.on(show, [collection, target, fields = std::move(fields)](Api& api) {
    auto path = path_of(api, collection, *target);
    auto item = path ? api.get(*path) : fail(std::move(path.error()));
    return item ? show_object(api.options(), *item, fields) : report(item.error());
  });
}

void add_delete_command(CLI::App* parent, const Runner& runner, const std::string& collection,
                        const std::string& description) {
  auto target = std::make_shared<std::string>();
  auto* rm = parent->add_subcommand("rm", description);
  rm->add_option(singular(collection), *target, "Its id or name")->required();
  runner.on(rm, [collection, target](Api& api) {
    auto path = path_of(api, collection, *target);
    auto answer = path ? api.call("DELETE", *path) : fail(std::move(path.error()));
    return answer ? show_done(api.options(), *answer, "Deleted " + *target)
                  : report(answer.error());
  });
}

std::string url_encode(const std::string& text) {
  std::string encoded;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  return encoded;
}

Result<std::string> read_input_file(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path);
  if (!in) {
    return fail(Error::invalid("cannot read " + path));
  }
  text << in.rdbuf();
  return text.str();
}

std::string new_idempotency_key() {
  std::array<unsigned char, 16> bytes{};
  std::ifstream random("/dev/urandom", std::ios::binary);
  random.read(reinterpret_cast<char*>(bytes.data()), bytes.size());
  std::string key = "berth-cli-";
  for (const auto byte : bytes) {
    key += fmt::format("{:02x}", byte);
  }
  return key;
}

}  // namespace berth::cli
