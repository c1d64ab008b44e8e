// The other two sources with real parts: a git repository (a bare repo on disk, cloned and
// built on the server) and a workflow (steps run on the server with per-step output).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "system/deploy_fixture.hpp"

namespace berth::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

// The index of the first `step` event with this status whose step name contains `part`.
std::ptrdiff_t step_index(const std::vector<SseEvent>& events, const std::string& part,
                          const std::string& status) {
  const auto found = std::find_if(events.begin(), events.end(), [&](const SseEvent& event) {
    return event.event == "step" && event.data.value("status", "") == status &&
           event.data.value("step", "").find(part) != std::string::npos;
  });
  return found == events.end() ? -1 : found - events.begin();
}

std::string step_named(const std::vector<SseEvent>& events, const std::string& part) {
  const auto index = step_index(events, part, "started");
  return index < 0 ? "" : events[static_cast<std::size_t>(index)].data.value("step", "");
}

class GitDeployTest : public DeployTest {
 protected:
  // A bare repository with one commit on main (Dockerfile + index.html); its SHA.
  std::string push_repository(const fs::path& bare, const std::string& page) {
    const fs::path work = dir_.path() / "clone";
    auto git = [](const std::vector<std::string>& args) {
      std::vector<std::string> argv = {"git",
                                       "-c",
                                       "user.name=Berth Test",
                                       "-c",
                                       "user.email=test@example.com",
                                       "-c",
                                       "init.defaultBranch=main"};
      argv.insert(argv.end(), args.begin(), args.end());
      const CommandResult ran = run_command(argv);
      EXPECT_EQ(ran.exit_code, 0) << ran.output;
      return trimmed(ran.output);
    };
    git({"init", "--bare", bare.string()});
    git({"init", work.string()});
    std::ofstream(work / "Dockerfile")
        << "FROM " << kTestImage
        << "\nCOPY index.html /www/index.html\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", "
           "\"/www\"]\n";
    std::ofstream(work / "index.html") << page;
    git({"-C", work.string(), "add", "Dockerfile", "index.html"});
    git({"-C", work.string(), "commit", "-q", "-m", "first"});
    git({"-C", work.string(), "push", "-q", bare.string(), "HEAD:refs/heads/main"});
    return git({"-C", work.string(), "rev-parse", "HEAD"});
  }
};

TEST_F(GitDeployTest, ABareRepositoryIsClonedBuiltAndServed) {
  const fs::path bare = dir_.path() / "repo.git";
  const std::string sha = push_repository(bare, "from-git\n");
  ASSERT_EQ(sha.size(), 40u) << sha;
  const std::string id = create_app("gitapp", {{"type", "git"},
                                               {"repository", "file://" + bare.string()},
                                               {"branch", "main"},
                                               {"dockerfile", "Dockerfile"},
                                               {"context", "."}});
  ASSERT_FALSE(id.empty());
  const json done = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(done));
  EXPECT_EQ(done["artifact"].value("commit", ""), sha) << done.dump();
  const ProxyReply page = through_proxy("gitapp.test");
  EXPECT_EQ(page.status, 200) << page.error;
  EXPECT_EQ(page.body, "from-git\n");
  const auto finished = steps_with(events(done["id"]), "succeeded");
  for (const std::string step : {"fetch", "build", "start", "health", "switch"}) {
    EXPECT_NE(std::find(finished.begin(), finished.end(), step), finished.end())
        << step << "\n"
        << describe(done["id"]);
  }
}

TEST_F(DeployTest, AWorkflowRunsItsStepsInOrderWithTheirOutput) {
  const fs::path marker = dir_.path() / "workflow-greeting";
  const std::string id =
      create_app("flow",
                 {{"type", "workflow"},
                  {"steps",
                   {{{"name", "hello"}, {"run", {"/bin/echo", "hi"}}},
                    {{"name", "write"}, {"shell", "echo \"$GREETING\" > " + marker.string()}}}}},
                 nullptr);
  ASSERT_FALSE(id.empty());
  const HttpResponse set =
      api("PATCH", "/api/v1/apps/" + id + "/env",
          {{"vars", {{{"key", "GREETING"}, {"value", "hello"}, {"secret", false}}}}});
  ASSERT_EQ(set.status, 200) << set.body;

  const json done = deploy_and_wait(id);
  ASSERT_TRUE(succeeded(done));
  const auto history = events(done["id"]);
  const auto hello = step_index(history, "hello", "started");
  const auto hello_done = step_index(history, "hello", "succeeded");
  const auto write = step_index(history, "write", "started");
  const auto write_done = step_index(history, "write", "succeeded");
  ASSERT_GE(hello, 0) << describe(done["id"]);
  ASSERT_GE(write, 0) << describe(done["id"]);
  EXPECT_LT(hello, hello_done);
  EXPECT_LT(hello_done, write) << "the second step started before the first ended";
  EXPECT_LT(write, write_done);
  EXPECT_EQ(step_output(history, step_named(history, "hello")), "hi\n") << describe(done["id"]);
  EXPECT_EQ(read_file(marker), "hello\n") << "the shell step ran with the app's environment";
}

TEST_F(DeployTest, AFailingWorkflowStepFailsTheDeploymentThere) {
  const fs::path never = dir_.path() / "never-written";
  const std::string id =
      create_app("flow-fail",
                 {{"type", "workflow"},
                  {"steps",
                   {{{"name", "tolerated"}, {"run", {"/bin/false"}}, {"continue_on_error", true}},
                    {{"name", "boom"}, {"shell", "echo broken >&2; exit 3"}},
                    {{"name", "after"}, {"run", {"/usr/bin/touch", never.string()}}}}}},
                 nullptr);
  ASSERT_FALSE(id.empty());
  const json done = deploy_and_wait(id);
  EXPECT_EQ(done.value("state", ""), "failed") << describe(done["id"]);
  EXPECT_NE(done.value("step", "").find("boom"), std::string::npos) << done.dump();
  const auto history = events(done["id"]);
  EXPECT_GE(step_index(history, "tolerated", "failed"), 0) << describe(done["id"]);
  EXPECT_GE(step_index(history, "boom", "failed"), 0) << describe(done["id"]);
  EXPECT_LT(step_index(history, "after", "started"), 0) << "a step ran after the failing one";
  EXPECT_NE(step_output(history, step_named(history, "boom")).find("broken"), std::string::npos)
      << describe(done["id"]);
  EXPECT_FALSE(fs::exists(never));
}

}  // namespace
}  // namespace berth::testing
