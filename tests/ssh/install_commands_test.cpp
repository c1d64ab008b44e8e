#include "ssh/install_commands.hpp"

#include <gtest/gtest.h>

namespace berth::ssh {
namespace {

AdoptionPlan plan() {
  return {.agent_binary_path = "/usr/lib/berth/berth-agent",
          .server_url = "https://berth.example.com",
          .install_token = "itk_abc-DEF_1",
          .install_dir = "/opt/berth/"};
}

TEST(InstallCommands, LaysOutTheInstallDirectory) {
  const InstallLayout layout = make_install_layout(plan()).value();
  EXPECT_EQ(layout.install_dir, "/opt/berth");
  EXPECT_EQ(layout.agent_path, "/opt/berth/bin/berth-agent");
  EXPECT_EQ(layout.upload_path, "/opt/berth/bin/berth-agent.tmp");
  EXPECT_EQ(layout.state_dir, "/opt/berth/state");
  EXPECT_EQ(layout.pid_file, "/opt/berth/state/agent.pid");
}

TEST(InstallCommands, RefusesABadPlanBeforeAnythingIsSent) {
  for (const auto& [field, mutate] : std::vector<std::pair<std::string, void (*)(AdoptionPlan&)>>{
           {"install_dir", [](AdoptionPlan& p) { p.install_dir = "/"; }},
           {"install_dir", [](AdoptionPlan& p) { p.install_dir = "opt/berth"; }},
           {"install_dir", [](AdoptionPlan& p) { p.install_dir = "/opt/be rth"; }},
           {"server_url", [](AdoptionPlan& p) { p.server_url = "https://x/$(id)"; }},
           {"install_token", [](AdoptionPlan& p) { p.install_token = "a';reboot;'"; }},
       }) {
    AdoptionPlan bad = plan();
    mutate(bad);
    const auto layout = make_install_layout(bad);
    ASSERT_FALSE(layout.has_value()) << field;
    EXPECT_EQ(layout.error().code, "invalid_target");
    EXPECT_EQ(layout.error().details.at("field"), field);
  }
}

TEST(InstallCommands, EnrollsWithTheGivenServerAndToken) {
  const InstallLayout layout = make_install_layout(plan()).value();
  EXPECT_EQ(enroll_command(layout, plan()).value(),
            "'/opt/berth/bin/berth-agent' 'enroll' '--server' 'https://berth.example.com' "
            "'--install-token' 'itk_abc-DEF_1' '--state-dir' '/opt/berth/state'");
  EXPECT_EQ(replace_agent_command(layout).value(),
            "'mv' '-f' '--' '/opt/berth/bin/berth-agent.tmp' '/opt/berth/bin/berth-agent'");
}

TEST(InstallCommands, ScriptsTakeThePathsAsArguments) {
  const InstallLayout layout = make_install_layout(plan()).value();
  const std::string start = start_detached_agent_command(layout).value();
  EXPECT_TRUE(start.starts_with("sh -c '"));
  EXPECT_TRUE(start.ends_with(
      "' berth '/opt/berth/bin/berth-agent' '/opt/berth/state' '/opt/berth/state/agent.log' "
      "'/opt/berth/state/agent.pid'"))
      << start;
  EXPECT_TRUE(stop_detached_agent_command(layout).has_value());
  EXPECT_TRUE(make_directories_command(layout).has_value());
  EXPECT_TRUE(stop_systemd_agent_command().has_value());
  EXPECT_TRUE(start_systemd_agent_command().has_value());
}

TEST(InstallCommands, TheSystemdUnitRunsTheAgentAndRestartsIt) {
  const std::string unit = systemd_unit_text(make_install_layout(plan()).value());
  EXPECT_NE(unit.find("\nExecStart=/opt/berth/bin/berth-agent run --state-dir /opt/berth/state\n"),
            std::string::npos);
  EXPECT_NE(unit.find("\nRestart=always\n"), std::string::npos);
  EXPECT_NE(unit.find("\nWantedBy=multi-user.target\n"), std::string::npos);
}

}  // namespace
}  // namespace berth::ssh
