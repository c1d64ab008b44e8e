// A deployment's stream: its own events with each step job's output read from the job (where
// it is stored, once) right after the step's `started` event, placed so a client that resumes
// from any entry, or reads in pages, gets the rest exactly once and in order.
#include <gtest/gtest.h>

#include "deploy/deploy_fixture.hpp"
#include "domain/deploy/deploy_log.hpp"

namespace berth::testing {
namespace {

class DeploymentStreamTest : public DeployTest {
 protected:
  void SetUp() override {
    app_ = add_app("web", {{"type", "image"}, {"image", "web:1"}});
    deployment_ = serve(app_, 20000);
    auto job =
        jobs_.create_internal(team_, server_.id, "docker.run", nlohmann::json::object(), owner_.id);
    ASSERT_TRUE(job.has_value());
    job_id_ = job->id;
    append("state", {{"state", "running"}});
    append("step", {{"step", "start"}, {"status", "started"}, {"job_id", job_id_}});
    for (int chunk = 1; chunk <= 3; ++chunk) {
      ASSERT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
        auto stored = tx.append_job_output(JobOutputChunk{.job_id = job_id_,
                                                          .seq = chunk,
                                                          .stream = "stdout",
                                                          .text = "line " + std::to_string(chunk),
                                                          .at = clock_.now()});
        if (!stored) {
          return fail(std::move(stored.error()));
        }
        return {};
      }));
    }
    append("step", {{"step", "start"}, {"status", "succeeded"}});
    append("done", {{"state", "succeeded"}});
  }

  void append(std::string event, nlohmann::json data) {
    ASSERT_TRUE(store_->write([&](Tx& tx) -> Result<void> {
      auto appended = tx.append_deployment_event(DeploymentEventRecord{
          .deployment_id = deployment_.id, .seq = 0, .event = event, .data = data, .at = {}});
      if (!appended) {
        return fail(std::move(appended.error()));
      }
      return {};
    }));
  }

  // "event" or "output:<text>" for each entry, and the places.
  std::vector<std::string> read(std::int64_t after, std::int64_t limit,
                                std::vector<std::int64_t>* places = nullptr) {
    auto entries = deployments_->events(deployment_.id, after, limit);
    EXPECT_TRUE(entries.has_value());
    std::vector<std::string> out;
    for (const auto& entry : entries.value_or(std::vector<DeploymentEventRecord>{})) {
      out.push_back(entry.event == "output" ? "output:" + entry.data.value("text", "")
                                            : entry.event + ":" + entry.data.value("status", ""));
      if (places != nullptr) {
        places->push_back(entry.seq);
      }
    }
    return out;
  }

  AppRecord app_;
  DeploymentRecord deployment_;
  std::string job_id_;
};

const std::vector<std::string> kWhole = {"state:",        "step:started",  "output:line 1",
                                         "output:line 2", "output:line 3", "step:succeeded",
                                         "done:"};

TEST_F(DeploymentStreamTest, AStepsJobOutputFollowsItsStartedEvent) {
  std::vector<std::int64_t> places;
  EXPECT_EQ(read(0, 100, &places), kWhole);
  ASSERT_EQ(places.size(), kWhole.size());
  EXPECT_TRUE(std::is_sorted(places.begin(), places.end()));
  EXPECT_EQ(std::adjacent_find(places.begin(), places.end()), places.end());
  EXPECT_EQ(places[1], stream_place(2));
  EXPECT_EQ(places[3], stream_place(2, 2));
  EXPECT_EQ(places[5], stream_place(3));
}

TEST_F(DeploymentStreamTest, AClientResumingAnywhereGetsTheRestOnceInOrder) {
  std::vector<std::int64_t> places;
  read(0, 100, &places);
  for (std::size_t i = 0; i < places.size(); ++i) {
    const std::vector<std::string> rest(kWhole.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                        kWhole.end());
    EXPECT_EQ(read(places[i], 100), rest) << "after entry " << i;
  }
}

TEST_F(DeploymentStreamTest, PagesOfAnySizeAddUpToTheWholeStream) {
  for (std::int64_t limit = 1; limit <= 4; ++limit) {
    std::vector<std::string> all;
    std::int64_t after = 0;
    for (int pages = 0; pages < 20; ++pages) {
      std::vector<std::int64_t> places;
      const auto page = read(after, limit, &places);
      all.insert(all.end(), page.begin(), page.end());
      if (static_cast<std::int64_t>(page.size()) < limit) {
        break;
      }
      after = places.back();
    }
    EXPECT_EQ(all, kWhole) << "pages of " << limit;
  }
}

}  // namespace
}  // namespace berth::testing
