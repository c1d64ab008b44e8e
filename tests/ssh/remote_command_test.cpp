#include "ssh/remote_command.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace berth::ssh {
namespace {

void expect_refused(const RemoteArg& arg) {
  const std::array argv{literal_arg("echo"), arg};
  const auto command = build_remote_command(argv);
  ASSERT_FALSE(command.has_value()) << "accepted: " << arg.value << " -> " << *command;
  EXPECT_EQ(command.error().kind, ErrorKind::invalid);
  EXPECT_EQ(command.error().code, "invalid_target");
  // The refused value may be a secret (a token): it is never echoed back.
  if (!arg.value.empty()) {
    EXPECT_EQ(command.error().message.find(arg.value), std::string::npos);
    EXPECT_EQ(command.error().details.dump().find(arg.value), std::string::npos);
  }
}

// Shell metacharacters, in every position an attacker could place them.
const std::vector<std::string> kInjections = {
    "'",
    "x'; rm -rf / #",
    "$(id)",
    "`id`",
    "a\nb",
    "a b",
    "a;b",
    "a|b",
    "a&b",
    "a>b",
    "a<b",
    "\"x\"",
    "a\\b",
    "*",
    "~",
    "a\tb",
    "a\rb",
    "${IFS}",
    "a#b",
    "!x",
    "a%b",
    "(x)",
    "{x}",
    "a?b",
    "x=$y",
    "é",
    std::string("a\0b", 3),
};

TEST(RemoteCommand, QuotesEveryElement) {
  const std::array argv{literal_arg("mkdir"), literal_arg("-p"), path_arg("/opt/berth/bin")};
  EXPECT_EQ(build_remote_command(argv).value(), "'mkdir' '-p' '/opt/berth/bin'");
}

TEST(RemoteCommand, AcceptsTheValuesAPlanHolds) {
  const std::array argv{path_arg("/opt/berth-1.2/bin/berth-agent"),
                        literal_arg("enroll"),
                        literal_arg("--server"),
                        url_arg("https://berth.example.com:8443/base"),
                        literal_arg("--install-token"),
                        token_arg("itk_AbC-09_xyz"),
                        literal_arg("--state-dir"),
                        path_arg("/opt/berth/state")};
  EXPECT_EQ(build_remote_command(argv).value(),
            "'/opt/berth-1.2/bin/berth-agent' 'enroll' '--server' "
            "'https://berth.example.com:8443/base' '--install-token' 'itk_AbC-09_xyz' "
            "'--state-dir' '/opt/berth/state'");
  EXPECT_TRUE(validate_arg(url_arg("http://10.0.0.2:8080")).has_value());
}

TEST(RemoteCommand, RefusesInjectionInPaths) {
  for (const std::string& bad : kInjections) {
    expect_refused(path_arg("/opt/" + bad));
  }
}

TEST(RemoteCommand, RefusesInjectionInUrls) {
  for (const std::string& bad : kInjections) {
    expect_refused(url_arg("https://berth.example.com/" + bad));
  }
}

TEST(RemoteCommand, RefusesInjectionInTokens) {
  for (const std::string& bad : kInjections) {
    expect_refused(token_arg("itk_" + bad));
  }
}

TEST(RemoteCommand, RefusesInjectionInLiterals) {
  for (const std::string& bad : kInjections) {
    expect_refused(literal_arg("echo" + bad));
  }
}

TEST(RemoteCommand, RefusesPathsThatAreNotPlainAbsolute) {
  for (const char* bad :
       {"", "opt/berth", "./berth", "-rf", "/opt/../etc", "/..", "/opt/..", "../x"}) {
    expect_refused(path_arg(bad));
  }
  EXPECT_TRUE(validate_arg(path_arg("/opt/..berth/x..y")).has_value());
}

TEST(RemoteCommand, RefusesUrlsWithOtherSchemesOrCharacters) {
  for (const char* bad :
       {"", "berth.example.com", "ftp://berth.example.com", "http://", "file:///etc/passwd",
        "https://berth.example.com/?a=1", "https://user@berth.example.com", "-https://x"}) {
    expect_refused(url_arg(bad));
  }
}

TEST(RemoteCommand, RefusesTokensOutsideTheirAlphabet) {
  for (const char* bad : {"", "a.b", "a/b", "a:b", "a+b", "a=b"}) {
    expect_refused(token_arg(bad));
  }
}

TEST(RemoteCommand, RefusesAnEmptyArgv) { EXPECT_FALSE(build_remote_command({}).has_value()); }

TEST(RemoteScript, PassesArgumentsAsPositionalParameters) {
  const std::array args{path_arg("/opt/berth/state"), token_arg("abc")};
  EXPECT_EQ(build_remote_script("echo \"$1\" \"$2\"", args).value(),
            "sh -c 'echo \"$1\" \"$2\"' berth '/opt/berth/state' 'abc'");
}

TEST(RemoteScript, ValidatesItsArguments) {
  const std::array args{path_arg("/opt/$(reboot)")};
  const auto command = build_remote_script("echo \"$1\"", args);
  ASSERT_FALSE(command.has_value());
  EXPECT_EQ(command.error().code, "invalid_target");
}

TEST(RemoteScript, RefusesAScriptHoldingAQuote) {
  const auto command = build_remote_script("echo 'x'", {});
  ASSERT_FALSE(command.has_value());
  EXPECT_EQ(command.error().kind, ErrorKind::internal);
}

}  // namespace
}  // namespace berth::ssh
