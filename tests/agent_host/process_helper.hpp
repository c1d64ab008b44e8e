#pragma once
// Runs the real programs some agent tests need (git, caddy) by argv, never through a shell.

#include <sys/types.h>

#include <string>
#include <vector>

namespace berth::agent::host::testing {

/// Runs `argv` (argv[0] found on PATH) to its end with `env` added to the test's environment;
/// output goes to `log` (appended). Returns the exit status, -1 when it could not start.
int run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                const std::string& log = "/dev/null");

/// Starts `argv` in the background like run_program; returns its pid (-1 on failure).
pid_t start_program(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& log);

/// SIGTERM, then waits for it.
void stop_program(pid_t pid);

/// True when `name` is an executable on PATH.
bool have_program(const std::string& name);

}  // namespace berth::agent::host::testing
