// The Store contract, part 9: the metrics time series and server events.
#include <chrono>
#include <iostream>
#include <limits>
#include <vector>

#include "store/store_contract_fleet_records.hpp"

namespace berth {

namespace {

// test_time(0) is 10:00:00, a whole hour, so it starts a bucket of 10 s, 60 s and 3600 s.
MetricSample sample_at(int server, int seconds, double cpu, double memory_used = 1000) {
  MetricSample sample{.server_id = server_id(server),
                      .cpu_percent = cpu,
                      .load1 = cpu / 100,
                      .memory_used_bytes = memory_used,
                      .memory_total_bytes = 8'589'934'592,
                      .swap_used_bytes = 0,
                      .disk_used_bytes = 4e11,
                      .disk_total_bytes = 1e12,
                      .net_rx_bytes_per_second = 1024,
                      .net_tx_bytes_per_second = cpu * 2};
  sample.at = test_time(seconds, 500);
  return sample;
}

Result<void> record(Store& store, const std::vector<MetricSample>& samples,
                    const std::vector<std::int64_t>& resolutions) {
  return store.write([&](Tx& tx) { return tx.record_metric_samples(samples, resolutions); });
}

Result<std::vector<MetricPoint>> points(Store& store, int server, std::int64_t resolution,
                                        TimePoint from = test_time(-86400),
                                        TimePoint to = test_time(86400)) {
  return read_tx(store, [&](Tx& tx) {
    return tx.list_metric_points(server_id(server), resolution, from, to);
  });
}

// The point the samples' means make, starting at test_time(start).
MetricPoint mean_point(int start, const std::vector<MetricSample>& samples) {
  MetricPoint point{.samples = static_cast<std::int64_t>(samples.size())};
  point.bucket_start = test_time(start);
  for (const auto& sample : samples) {
    point.cpu_percent += sample.cpu_percent;
    point.load1 += sample.load1;
    point.memory_used_bytes += sample.memory_used_bytes;
    point.memory_total_bytes += sample.memory_total_bytes;
    point.swap_used_bytes += sample.swap_used_bytes;
    point.disk_used_bytes += sample.disk_used_bytes;
    point.disk_total_bytes += sample.disk_total_bytes;
    point.net_rx_bytes_per_second += sample.net_rx_bytes_per_second;
    point.net_tx_bytes_per_second += sample.net_tx_bytes_per_second;
  }
  const auto n = static_cast<double>(samples.size());
  for (double* figure :
       {&point.cpu_percent, &point.load1, &point.memory_used_bytes, &point.memory_total_bytes,
        &point.swap_used_bytes, &point.disk_used_bytes, &point.disk_total_bytes,
        &point.net_rx_bytes_per_second, &point.net_tx_bytes_per_second}) {
    *figure /= n;
  }
  return point;
}

FleetSeed two_servers() {
  return {.teams = {test_team(1)}, .servers = {test_server(1, 1), test_server(2, 1)}};
}

Result<std::vector<ServerEventRecord>> events(Store& store, int server, std::int64_t after_seq,
                                              std::int64_t limit = 100) {
  return read_tx(
      store, [&](Tx& tx) { return tx.list_server_events(server_id(server), after_seq, limit); });
}

Result<std::int64_t> append_event(Store& store, const ServerEventRecord& event) {
  return write_tx(store, [&](Tx& tx) { return tx.append_server_event(event); });
}

}  // namespace

TEST_P(StoreContract, MetricSamplesFoldIntoOneBucketPerResolution) {
  BERTH_ASSERT_OK(seed_fleet(store(), two_servers()));
  const auto a = sample_at(1, 0, 10);
  const auto b = sample_at(1, 9, 20, 3000);
  const auto c = sample_at(1, 10, 40);
  const auto d = sample_at(1, 61, 80);
  const auto other = sample_at(2, 0, 99);
  BERTH_ASSERT_OK(record(store(), {a, b, c, d, other}, {10, 60}));

  EXPECT_EQ(texts_of(points(store(), 1, 10).value_or(std::vector<MetricPoint>{})),
            texts_of(std::vector{mean_point(0, {a, b}), mean_point(10, {c}), mean_point(60, {d})}));
  EXPECT_EQ(texts_of(points(store(), 1, 60).value_or(std::vector<MetricPoint>{})),
            texts_of(std::vector{mean_point(0, {a, b, c}), mean_point(60, {d})}));
  EXPECT_EQ(texts_of(points(store(), 2, 60).value_or(std::vector<MetricPoint>{})),
            texts_of(std::vector{mean_point(0, {other})}));
  EXPECT_EQ(points(store(), 1, 3600).value_or(std::vector<MetricPoint>{{}}).size(), 0U);
}

TEST_P(StoreContract, MetricMeansStayExactAcrossManyCalls) {
  BERTH_ASSERT_OK(seed_fleet(store(), two_servers()));
  std::vector<MetricSample> all;
  for (int i = 0; i < 30; ++i) {
    const auto sample = sample_at(1, i, 0.1 * i, 1e9 + i);
    all.push_back(sample);
    BERTH_ASSERT_OK(record(store(), {sample}, {3600}));
  }
  auto listed = points(store(), 1, 3600);
  BERTH_ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1U);
  const MetricPoint expected = mean_point(0, all);
  EXPECT_EQ((*listed)[0].samples, 30);
  EXPECT_DOUBLE_EQ((*listed)[0].cpu_percent, expected.cpu_percent);
  EXPECT_DOUBLE_EQ((*listed)[0].load1, expected.load1);
  EXPECT_DOUBLE_EQ((*listed)[0].memory_used_bytes, expected.memory_used_bytes);
  EXPECT_DOUBLE_EQ((*listed)[0].net_tx_bytes_per_second, expected.net_tx_bytes_per_second);
}

TEST_P(StoreContract, ListMetricPointsTakesAnInclusiveRangeOldestFirst) {
  BERTH_ASSERT_OK(seed_fleet(store(), two_servers()));
  std::vector<MetricSample> samples;
  for (int minute = 0; minute < 5; ++minute) {
    samples.push_back(sample_at(1, minute * 60, minute));
  }
  BERTH_ASSERT_OK(record(store(), samples, {60}));
  auto listed = points(store(), 1, 60, test_time(60), test_time(180));
  BERTH_ASSERT_OK(listed);
  EXPECT_EQ(texts_of(*listed),
            texts_of(std::vector{mean_point(60, {samples[1]}), mean_point(120, {samples[2]}),
                                 mean_point(180, {samples[3]})}));
  EXPECT_EQ(points(store(), 9, 60).value_or(std::vector<MetricPoint>{{}}).size(), 0U);
}

TEST_P(StoreContract, PruneMetricPointsDeletesOlderBucketsOfOneResolution) {
  BERTH_ASSERT_OK(seed_fleet(store(), two_servers()));
  std::vector<MetricSample> samples;
  for (int minute = 0; minute < 5; ++minute) {
    samples.push_back(sample_at(1, minute * 60, minute));
    samples.push_back(sample_at(2, minute * 60, minute));
  }
  BERTH_ASSERT_OK(record(store(), samples, {60, 3600}));
  auto pruned =
      write_tx(store(), [](Tx& tx) { return tx.prune_metric_points(60, test_time(120)); });
  EXPECT_EQ(pruned.value_or(-1), 4);  // minutes 0 and 1 of both servers
  auto left = points(store(), 1, 60);
  BERTH_ASSERT_OK(left);
  ASSERT_EQ(left->size(), 3U);
  EXPECT_EQ(left->front().bucket_start, test_time(120));
  EXPECT_EQ(points(store(), 1, 3600).value_or(std::vector<MetricPoint>{}).size(), 1U);
}

TEST_P(StoreContract, MetricSamplesOfUnknownServersAreDroppedAndBadInputRecordsNothing) {
  BERTH_ASSERT_OK(seed_fleet(store(), two_servers()));
  BERTH_EXPECT_OK(record(store(), {sample_at(9, 0, 10), sample_at(1, 0, 10)}, {60}));
  EXPECT_EQ(points(store(), 1, 60).value_or(std::vector<MetricPoint>{}).size(), 1U);
  EXPECT_EQ(points(store(), 9, 60).value_or(std::vector<MetricPoint>{{}}).size(), 0U);

  EXPECT_EQ(error_kind(record(store(), {sample_at(2, 0, 10)}, {60, 0})), ErrorKind::invalid);
  auto not_a_number = sample_at(2, 0, 10);
  not_a_number.load1 = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(error_kind(record(store(), {sample_at(2, 0, 10), not_a_number}, {60})),
            ErrorKind::invalid);
  EXPECT_EQ(points(store(), 2, 60).value_or(std::vector<MetricPoint>{{}}).size(), 0U);
}

// Not a timing assertion: it reports how long berthd's heaviest metrics load takes here, and
// fails only if recording fails.
TEST_P(StoreContract, RecordsTenThousandSamplesAtThreeResolutions) {
  FleetSeed fleet{.teams = {test_team(1)}};
  constexpr int kServers = 300;
  for (int n = 1; n <= kServers; ++n) {
    fleet.servers.push_back(test_server(n, 1));
  }
  BERTH_ASSERT_OK(seed_fleet(store(), fleet));
  constexpr int kSamples = 10'000;
  constexpr std::size_t kBatch = 300;  // one heartbeat of every server, one transaction
  std::vector<MetricSample> batch;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kSamples; ++i) {
    batch.push_back(sample_at(i % kServers + 1, i / kServers, i % 100));
    if (batch.size() == kBatch || i + 1 == kSamples) {
      BERTH_ASSERT_OK(record(store(), batch, {10, 60, 3600}));
      batch.clear();
    }
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::cout << "[ timing   ] " << GetParam().name << ": " << kSamples
            << " samples x 3 resolutions in " << elapsed.count() << " ms\n";
  RecordProperty("metrics_10k_x3_ms", static_cast<int>(elapsed.count()));
  auto hourly = points(store(), 1, 3600);
  BERTH_ASSERT_OK(hourly);
  ASSERT_EQ(hourly->size(), 1U);
  EXPECT_EQ((*hourly)[0].samples, (kSamples + kServers - 1) / kServers);
}

TEST_P(StoreContract, ServerEventsGetIncreasingSeqsAndListAfterASeq) {
  BERTH_ASSERT_OK(seed_fleet(store(), two_servers()));
  std::vector<ServerEventRecord> mine;
  std::int64_t previous = 0;
  for (int n = 1; n <= 4; ++n) {
    auto event = test_event(n, 1, n % 2 == 0 ? "agent_connected" : "status_changed");
    event.seq = 999;  // ignored: the store assigns it
    auto seq = append_event(store(), event);
    BERTH_ASSERT_OK(seq);
    EXPECT_GT(*seq, previous);
    previous = *seq;
    event.seq = *seq;
    mine.push_back(event);
    auto theirs = append_event(store(), test_event(n, 2));
    BERTH_ASSERT_OK(theirs);
    EXPECT_GT(*theirs, previous);
    previous = *theirs;
  }
  EXPECT_EQ(texts_of(events(store(), 1, 0).value_or(std::vector<ServerEventRecord>{})),
            texts_of(mine));
  EXPECT_EQ(texts_of(events(store(), 1, mine[1].seq, 1).value_or(std::vector<ServerEventRecord>{})),
            texts_of(std::vector{mine[2]}));
  EXPECT_EQ(events(store(), 1, mine[3].seq).value_or(std::vector<ServerEventRecord>{{}}).size(),
            0U);
  EXPECT_EQ(error_kind(events(store(), 1, 0, 0)), ErrorKind::invalid);
  EXPECT_EQ(error_kind(append_event(store(), test_event(1, 9))), ErrorKind::conflict);
}

TEST_P(StoreContract, PruneServerEventsByTimeNeverReusesSeqs) {
  BERTH_ASSERT_OK(seed_fleet(store(), two_servers()));
  std::int64_t last = 0;
  for (int n = 1; n <= 4; ++n) {
    auto seq = append_event(store(), test_event(n * 10, n % 2 + 1));
    BERTH_ASSERT_OK(seq);
    last = *seq;
  }
  auto pruned = write_tx(store(), [](Tx& tx) { return tx.prune_server_events(test_time(30)); });
  EXPECT_EQ(pruned.value_or(-1), 2);  // at 10 s and 20 s
  auto left = events(store(), 1, 0);  // server 1 had the events at 20 s and 40 s
  BERTH_ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1U);
  EXPECT_EQ(left->front().at, test_time(40));

  // Even with every event pruned, a new one gets a seq above all before it.
  BERTH_ASSERT_OK(
      write_tx(store(), [](Tx& tx) { return tx.prune_server_events(test_time(3600)); }));
  auto next = append_event(store(), test_event(50, 1));
  BERTH_ASSERT_OK(next);
  EXPECT_GT(*next, last);
}

}  // namespace berth
