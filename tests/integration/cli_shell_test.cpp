// What `berth` looks like from a shell: the completion scripts it prints, loaded by the real
// bash, zsh and fish, and colours only on a terminal and never with NO_COLOR.
#include <gtest/gtest.h>

#include <fstream>

#include "integration/cli_runner.hpp"
#include "support/temp_dir.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;

class CliShellTest : public ::testing::Test {
 protected:
  // The completion script for `shell`, written to a file the shell sources.
  std::string script_for(const std::string& shell) {
    const CliRun printed = run_cli(dir_.path(), {"completion", shell});
    EXPECT_EQ(printed.exit, 0) << printed.err;
    const std::string path = (dir_.path() / ("berth." + shell)).string();
    std::ofstream(path) << printed.out;
    return path;
  }
  // Runs `shell -c program` (stdout and stderr captured apart).
  CliRun shell(const std::string& shell, const std::string& program) {
    const std::string path = "/usr/bin/" + shell;
    if (!fs::exists(path)) {
      return {
          .exit = 127, .out = "", .err = path + " is not installed (scripts/install-deps --test)"};
    }
    return run_program(dir_.path(), {path, "-c", program});
  }

  TempDir dir_;
};

TEST_F(CliShellTest, BashCompletesNounsVerbsAndEachVerbsFlags) {
  const std::string script = script_for("bash");
  const CliRun nouns = shell("bash", "source " + script +
                                         "; COMP_WORDS=(berth serve); COMP_CWORD=1; _berth; "
                                         "printf '%s\\n' \"${COMPREPLY[@]}\"");
  ASSERT_EQ(nouns.exit, 0) << nouns.err;
  EXPECT_EQ(nouns.out, "servers\n");
  const CliRun flags = shell("bash", "source " + script +
                                         "; COMP_WORDS=(berth servers add --h); COMP_CWORD=3; "
                                         "_berth; printf '%s\\n' \"${COMPREPLY[@]}\"");
  EXPECT_EQ(flags.out, "--host-key\n--help\n") << flags.err;
  const CliRun registered = shell("bash", "source " + script + "; complete -p berth");
  EXPECT_EQ(registered.out, "complete -F _berth berth\n") << registered.err;
}

TEST_F(CliShellTest, ZshLoadsTheScriptThroughItsBashCompletionLayer) {
  const std::string script = script_for("zsh");
  // zsh filters the candidates by what was typed itself (compadd); the script offers a noun's
  // verbs after it, as bashcompinit's compgen -F runs it during completion.
  const CliRun loaded = shell(
      "zsh", "autoload -U compinit && compinit -u -d " + (dir_.path() / "zcompdump").string() +
                 " && source " + script +
                 " && print -r -- ${_comps[berth]} && COMP_WORDS=(berth teams) COMP_CWORD=2 && "
                 "compgen -F _berth -- ''");
  ASSERT_EQ(loaded.exit, 0) << loaded.err;
  EXPECT_TRUE(loaded.out.starts_with("_bash_complete -F _berth\n")) << loaded.out;
  EXPECT_NE(loaded.out.find("transfer"), std::string::npos) << loaded.out;
  EXPECT_EQ(loaded.err, "");
}

TEST_F(CliShellTest, FishCompletesVerbsWithDescriptionsAndTheirFlags) {
  const std::string script = script_for("fish");
  const CliRun verbs = shell("fish", "source " + script + "; complete -C 'berth servers ad'");
  ASSERT_EQ(verbs.exit, 0) << verbs.err;
  EXPECT_NE(verbs.out.find("add\tAdopt a server over SSH"), std::string::npos) << verbs.out;
  EXPECT_NE(verbs.out.find("adopt\t"), std::string::npos) << verbs.out;
  // An apostrophe in a description survives fish's quoting.
  const CliRun nouns = shell("fish", "source " + script + "; complete -C 'berth serve'");
  EXPECT_EQ(nouns.out, "servers\tThe team's servers\n") << nouns.err;
  const CliRun flags =
      shell("fish", "source " + script + "; complete -C 'berth servers add --host'");
  EXPECT_EQ(flags.out, "--host-key\n") << flags.err;
  // Once a verb is typed, the noun's other verbs are no longer offered.
  const CliRun after = shell("fish", "source " + script + "; complete -C 'berth servers ls '");
  EXPECT_EQ(after.out.find("cordon"), std::string::npos) << after.out;
}

TEST_F(CliShellTest, ColoursOnlyOnATerminalAndNeverWithNoColor) {
  // Nothing listens on port 1: an error berth reports, with its label in red on a terminal.
  const std::map<std::string, std::string> env = {{"BERTH_URL", "http://127.0.0.1:1"},
                                                  {"BERTH_TOKEN", "bk_unused"}};
  const CliRun terminal =
      run_cli_on_terminal(dir_.path(), {"servers", "ls"}, {}, std::chrono::seconds(30), env);
  EXPECT_EQ(terminal.exit, 5) << terminal.out;
  EXPECT_NE(terminal.out.find("\x1b[31merror\x1b[0m"), std::string::npos) << terminal.out;
  auto no_color = env;
  no_color["NO_COLOR"] = "1";
  const CliRun plain =
      run_cli_on_terminal(dir_.path(), {"servers", "ls"}, {}, std::chrono::seconds(30), no_color);
  EXPECT_EQ(plain.exit, 5) << plain.out;
  EXPECT_EQ(plain.out.find('\x1b'), std::string::npos) << plain.out;
  const CliRun piped = run_cli(dir_.path(), {"servers", "ls"}, env);
  EXPECT_EQ(piped.exit, 5);
  EXPECT_EQ(piped.err.find('\x1b'), std::string::npos) << piped.err;
  EXPECT_NE(piped.err.find("error"), std::string::npos) << piped.err;
}

}  // namespace
}  // namespace berth::testing
