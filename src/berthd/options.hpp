#pragma once
/// berthd's command line, environment (BERTH_*) and config file. Precedence, highest first:
/// flags, the config file, the environment, the defaults.

#include <string>
#include <variant>

#include "core/log.hpp"
#include "http/server.hpp"

namespace berth {

struct DaemonOptions {
  http::ServerOptions server;
  std::string port_file;
  std::string data_dir = "./data";
  log::Options log;
  bool print_openapi = false;
};

/// Parsed options, or the exit code to end with (after --help, --version or a bad option,
/// which have already been reported).
std::variant<DaemonOptions, int> parse_options(int argc, char** argv, const std::string& version);

}  // namespace berth
