// The fleet's pure rules: the job state machine, what each job kind accepts, server names,
// the deploy key's OpenSSH form.
#include <gtest/gtest.h>

#include "domain/fleet/enrolment_service.hpp"
#include "domain/fleet/job_service.hpp"
#include "domain/fleet/server_service.hpp"
#include "store/job_state.hpp"

namespace berth {
namespace {

using nlohmann::json;

TEST(JobState, FollowsTheArchitecturesMachine) {
  EXPECT_TRUE(job_state::can_move("queued", "dispatched"));
  EXPECT_TRUE(job_state::can_move("dispatched", "running"));
  EXPECT_TRUE(job_state::can_move("running", "succeeded"));
  EXPECT_TRUE(job_state::can_move("running", "lost"));
  EXPECT_TRUE(job_state::can_move("queued", "canceled"));
  EXPECT_FALSE(job_state::can_move("queued", "running"));
  EXPECT_FALSE(job_state::can_move("running", "queued"));
  for (const char* done : {"succeeded", "failed", "canceled", "lost"}) {
    EXPECT_TRUE(job_state::is_terminal(done));
    for (const char* next : {"queued", "dispatched", "running", "succeeded", "failed", "lost"}) {
      EXPECT_FALSE(job_state::can_move(done, next)) << done << " -> " << next;
    }
  }
  EXPECT_FALSE(job_state::is_known("exploded"));
}

TEST(JobArgs, ExecTakesAnArgvVectorNeverAString) {
  EXPECT_TRUE(check_job_args("exec", {{"argv", {"/bin/echo", "hi; rm -rf /"}}}));
  EXPECT_FALSE(check_job_args("exec", {{"argv", "echo hi"}}));
  EXPECT_FALSE(check_job_args("exec", {{"argv", json::array()}}));
  EXPECT_FALSE(check_job_args("exec", {{"argv", {""}}}));
  EXPECT_FALSE(check_job_args("exec", {{"argv", {"ls", 3}}}));
  EXPECT_FALSE(check_job_args("exec", {{"argv", {std::string("a\0b", 3)}}}));
  EXPECT_FALSE(check_job_args("exec", {{"argv", {"ls"}}, {"cwd", "tmp"}}));
  EXPECT_FALSE(check_job_args("exec", {{"argv", {"ls"}}, {"env", {{"1BAD", "x"}}}}));
  EXPECT_FALSE(check_job_args("exec", {{"argv", {"ls"}}, {"shell", true}}));
  const auto bad = check_job_args("exec", {{"argv", "ls"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().details["field"], "args.argv");
}

TEST(JobArgs, DockerKindsCheckNamesImagesAndPorts) {
  EXPECT_TRUE(check_job_args("docker.stop", {{"container", "web-1"}}));
  EXPECT_FALSE(check_job_args("docker.stop", {{"container", "web 1; reboot"}}));
  EXPECT_FALSE(check_job_args("docker.logs", json::object()));
  EXPECT_TRUE(check_job_args(
      "docker.run", {{"image", "nginx:1.25"}, {"ports", {{{"container", 80}, {"host", 8080}}}}}));
  EXPECT_FALSE(check_job_args(
      "docker.run", {{"image", "nginx:1.25"}, {"ports", {{{"container", 80}, {"host", 70000}}}}}));
  EXPECT_FALSE(check_job_args("docker.pull", {{"image", "$(reboot)"}}));
}

TEST(JobArgs, SummariesHideEnvValuesAndStdin) {
  const json summary =
      job_args_summary({{"argv", {"env"}}, {"env", {{"TOKEN", "secret"}}}, {"stdin", "password"}});
  EXPECT_EQ(summary["env"]["TOKEN"], "***");
  EXPECT_EQ(summary["stdin"], "***");
  EXPECT_EQ(summary["argv"][0], "env");
}

TEST(ServerNames, HostnamesBecomeValidNames) {
  EXPECT_EQ(server_name_from_hostname("web-1.example.com"), "web-1.example.com");
  EXPECT_EQ(server_name_from_hostname("-weird host!"), "weirdhost");
  EXPECT_EQ(server_name_from_hostname(""), "server");
  EXPECT_EQ(server_name_from_hostname(std::string(100, 'a')).size(), 63U);
  EXPECT_TRUE(is_valid_server_name("db.eu-1"));
  EXPECT_FALSE(is_valid_server_name(".hidden"));
  EXPECT_FALSE(is_valid_server_name("a b"));
}

TEST(InsecureEnrolment, OnlyPlainHttpToANonLoopbackHostIsInsecure) {
  EXPECT_TRUE(is_insecure_enrolment_url("http://192.0.2.10:8080"));
  EXPECT_TRUE(is_insecure_enrolment_url("http://berth.example.com"));
  EXPECT_TRUE(is_insecure_enrolment_url("http://0.0.0.0:8080"));
  EXPECT_TRUE(is_insecure_enrolment_url("http://[2001:db8::1]:8080/"));
  EXPECT_TRUE(is_insecure_enrolment_url("http://localhost.example.com"));
  EXPECT_TRUE(is_insecure_enrolment_url("http://127.0.0.1.example.com"));
  EXPECT_FALSE(is_insecure_enrolment_url("https://192.0.2.10"));
  EXPECT_FALSE(is_insecure_enrolment_url("http://127.0.0.1:8080"));
  EXPECT_FALSE(is_insecure_enrolment_url("http://127.1.2.3"));
  EXPECT_FALSE(is_insecure_enrolment_url("http://LOCALHOST:8080/"));
  EXPECT_FALSE(is_insecure_enrolment_url("http://[::1]:8080"));
  EXPECT_FALSE(is_insecure_enrolment_url("http://[::ffff:127.0.0.1]:8080"));
}

TEST(DeployKey, IsAnOpenSshEd25519Line) {
  const unsigned char key[32] = {1, 2, 3};
  const std::string line = openssh_ed25519_public_key(key, "berth-srv_x");
  EXPECT_TRUE(line.starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI")) << line;
  EXPECT_TRUE(line.ends_with(" berth-srv_x"));
}

}  // namespace
}  // namespace berth
