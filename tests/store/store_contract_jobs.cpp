// The Store contract, part 8: jobs and their output.
#include <vector>

#include "store/store_contract_fleet_records.hpp"

namespace berth {

namespace {

Result<std::optional<JobRecord>> get_job(Store& store, std::string_view team, int n) {
  return read_tx(store, [&](Tx& tx) { return tx.get_job(team, job_id(n)); });
}

Result<Page<JobRecord>> list_jobs(Store& store, const JobQuery& query) {
  return read_tx(store, [&](Tx& tx) { return tx.list_jobs(query); });
}

std::vector<std::string> job_ids(Store& store, const JobQuery& query) {
  auto listed = list_jobs(store, query);
  return listed ? ids_of(listed->items) : std::vector<std::string>{"<error>"};
}

Result<bool> append(Store& store, const JobOutputChunk& chunk) {
  return write_tx(store, [&](Tx& tx) { return tx.append_job_output(chunk); });
}

Result<std::vector<JobOutputChunk>> output(Store& store, int job, std::int64_t after_seq,
                                           std::int64_t limit = 100) {
  return read_tx(store, [&](Tx& tx) { return tx.list_job_output(job_id(job), after_seq, limit); });
}

std::vector<std::int64_t> seqs_of(const Result<std::vector<JobOutputChunk>>& chunks) {
  std::vector<std::int64_t> seqs;
  if (!chunks) {
    return {-1};
  }
  for (const auto& chunk : *chunks) {
    seqs.push_back(chunk.seq);
  }
  return seqs;
}

std::int64_t last_seq(Store& store, int job) {
  auto found = get_job(store, "", job);
  return found && *found ? (*found)->last_seq : -1;
}

// Two teams; servers 1 and 2 in team 1, server 3 in team 2.
FleetSeed two_teams_with_servers() {
  return {.teams = {test_team(1), test_team(2)},
          .servers = {test_server(1, 1), test_server(2, 1), test_server(3, 2)}};
}

}  // namespace

TEST_P(StoreContract, JobRoundTripsEveryField) {
  const JobRecord full = full_job(1, 1, 1);
  const JobRecord queued = test_job(2, 1, 1);
  FleetSeed records = two_teams_with_servers();
  records.jobs = {full, queued};
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  EXPECT_EQ(to_text(get_job(store(), team_id(1), 1)), to_text(std::optional(full)));
  EXPECT_EQ(to_text(get_job(store(), "", 1)), to_text(std::optional(full)));
  // Absent times and exit code stay absent.
  EXPECT_EQ(to_text(get_job(store(), team_id(1), 2)), to_text(std::optional(queued)));
  // Another team's job, or none, reads as absent.
  EXPECT_EQ(to_text(get_job(store(), team_id(2), 1)), "<none>");
  EXPECT_EQ(to_text(get_job(store(), "", 9)), "<none>");
}

TEST_P(StoreContract, CreateJobRefusesUnknownServerStateOrDuplicateId) {
  BERTH_ASSERT_OK(seed_fleet(store(), two_teams_with_servers()));
  EXPECT_EQ(error_kind(seed_fleet(store(), {.jobs = {test_job(1, 1, 9)}})), ErrorKind::conflict);
  JobRecord bad_state = test_job(1, 1, 1);
  bad_state.state = "paused";
  EXPECT_EQ(error_kind(seed_fleet(store(), {.jobs = {bad_state}})), ErrorKind::invalid);
  BERTH_ASSERT_OK(seed_fleet(store(), {.jobs = {test_job(1, 1, 1)}}));
  EXPECT_EQ(error_kind(seed_fleet(store(), {.jobs = {test_job(1, 1, 2)}})), ErrorKind::conflict);
}

TEST_P(StoreContract, UpdateJobWritesEveryColumn) {
  FleetSeed records = two_teams_with_servers();
  records.jobs = {test_job(1, 1, 1)};
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  JobRecord changed = full_job(1, 1, 2);
  changed.created_at = test_time(3);
  changed.last_seq = 42;
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_job(changed); }));
  EXPECT_EQ(to_text(get_job(store(), "", 1)), to_text(std::optional(changed)));

  const JobRecord cleared = test_job(1, 1, 1);
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_job(cleared); }));
  EXPECT_EQ(to_text(get_job(store(), "", 1)), to_text(std::optional(cleared)));

  EXPECT_EQ(error_kind(store().write([](Tx& tx) { return tx.update_job(test_job(9, 1, 1)); })),
            ErrorKind::not_found);
  JobRecord bad_state = cleared;
  bad_state.state = "exploded";
  EXPECT_EQ(error_kind(store().write([&](Tx& tx) { return tx.update_job(bad_state); })),
            ErrorKind::invalid);
}

TEST_P(StoreContract, ListJobsNewestFirstWithPagesAndTotal) {
  FleetSeed records = two_teams_with_servers();
  for (int n : {3, 1, 4, 2}) {
    records.jobs.push_back(test_job(n, 1, 1));
  }
  // Two jobs created in the same millisecond: the higher id is the newer.
  JobRecord tie = test_job(5, 1, 1);
  tie.created_at = test_time(4);
  records.jobs.push_back(tie);
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  const std::vector<std::vector<std::string>> expected{
      {job_id(5), job_id(4)}, {job_id(3), job_id(2)}, {job_id(1)}, {}};
  for (std::int64_t page = 1; page <= 4; ++page) {
    auto listed = list_jobs(store(), {.page = page, .per_page = 2});
    BERTH_ASSERT_OK(listed);
    EXPECT_EQ(ids_of(listed->items), expected[static_cast<std::size_t>(page - 1)]) << page;
    EXPECT_EQ(listed->total, 5) << page;
  }
  EXPECT_EQ(error_kind(list_jobs(store(), {.page = 0})), ErrorKind::invalid);
  EXPECT_EQ(error_kind(list_jobs(store(), {.per_page = 0})), ErrorKind::invalid);
}

TEST_P(StoreContract, ListJobsFiltersByTeamServerAndStates) {
  FleetSeed records = two_teams_with_servers();
  const auto job = [](int n, int team, int server, std::string state) {
    JobRecord record = test_job(n, team, server);
    record.state = std::move(state);
    return record;
  };
  records.jobs = {job(1, 1, 1, "queued"), job(2, 1, 2, "running"), job(3, 2, 3, "queued"),
                  job(4, 1, 1, "succeeded"), job(5, 1, 1, "running")};
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  using Ids = std::vector<std::string>;
  EXPECT_EQ(job_ids(store(), {}), (Ids{job_id(5), job_id(4), job_id(3), job_id(2), job_id(1)}));
  EXPECT_EQ(job_ids(store(), {.team_id = team_id(1)}),
            (Ids{job_id(5), job_id(4), job_id(2), job_id(1)}));
  EXPECT_EQ(job_ids(store(), {.server_id = server_id(1)}), (Ids{job_id(5), job_id(4), job_id(1)}));
  EXPECT_EQ(job_ids(store(), {.states = {"queued"}}), (Ids{job_id(3), job_id(1)}));
  // Duplicates in states change nothing.
  EXPECT_EQ(job_ids(store(), {.states = {"running", "queued", "running"}}),
            (Ids{job_id(5), job_id(3), job_id(2), job_id(1)}));
  EXPECT_EQ(job_ids(store(), {.team_id = team_id(1), .states = {"queued", "running"}}),
            (Ids{job_id(5), job_id(2), job_id(1)}));
  EXPECT_EQ(
      job_ids(store(), {.team_id = team_id(1), .server_id = server_id(1), .states = {"running"}}),
      Ids{job_id(5)});
  EXPECT_EQ(job_ids(store(), {.team_id = team_id(2), .server_id = server_id(1)}), Ids{});

  auto counted = list_jobs(store(), {.team_id = team_id(1), .states = {"running"}, .per_page = 1});
  BERTH_ASSERT_OK(counted);
  EXPECT_EQ(counted->total, 2);
  EXPECT_EQ(ids_of(counted->items), Ids{job_id(5)});
  EXPECT_EQ(error_kind(list_jobs(store(), {.states = {"queued", "paused"}})), ErrorKind::invalid);
}

TEST_P(StoreContract, AppendJobOutputStoresEachSeqOnceAndRaisesLastSeq) {
  FleetSeed records = two_teams_with_servers();
  records.jobs = {test_job(1, 1, 1), test_job(2, 1, 1)};
  BERTH_ASSERT_OK(seed_fleet(store(), records));

  // Out of order, as a reconnecting agent may resend.
  EXPECT_EQ(append(store(), test_chunk(1, 1, "one\n")).value_or(false), true);
  EXPECT_EQ(append(store(), test_chunk(1, 3, "three\n")).value_or(false), true);
  EXPECT_EQ(last_seq(store(), 1), 3);
  JobOutputChunk second = test_chunk(1, 2, "two\n");
  second.stream = "stderr";
  EXPECT_EQ(append(store(), second).value_or(false), true);
  EXPECT_EQ(last_seq(store(), 1), 3);

  // A duplicate changes nothing: the first copy stays.
  EXPECT_EQ(append(store(), test_chunk(1, 3, "again\n")).value_or(true), false);
  EXPECT_EQ(last_seq(store(), 1), 3);
  EXPECT_EQ(append(store(), test_chunk(2, 1, "other job\n")).value_or(false), true);
  EXPECT_EQ(last_seq(store(), 2), 1);

  const std::vector<JobOutputChunk> all{test_chunk(1, 1, "one\n"), second,
                                        test_chunk(1, 3, "three\n")};
  EXPECT_EQ(texts_of(output(store(), 1, 0).value_or(std::vector<JobOutputChunk>{})), texts_of(all));
  EXPECT_EQ(seqs_of(output(store(), 1, 1)), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(seqs_of(output(store(), 1, 0, 2)), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(seqs_of(output(store(), 1, 3)), std::vector<std::int64_t>{});
  EXPECT_EQ(seqs_of(output(store(), 9, 0)), std::vector<std::int64_t>{});
}

TEST_P(StoreContract, JobOutputBytesCountsTheStoredTextInBytes) {
  FleetSeed records = two_teams_with_servers();
  records.jobs = {test_job(1, 1, 1), test_job(2, 1, 1)};
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  const auto bytes = [&](int job) {
    return read_value<std::int64_t>(store(),
                                    [&](Tx& tx) { return tx.job_output_bytes(job_id(job)); })
        .value_or(-1);
  };
  EXPECT_EQ(bytes(1), 0);
  BERTH_ASSERT_OK(append(store(), test_chunk(1, 1, "one\n")));
  BERTH_ASSERT_OK(append(store(), test_chunk(1, 2, "\u00e9t\u00e9\n")));  // 2 × 2 bytes + 2
  BERTH_ASSERT_OK(append(store(), test_chunk(1, 2, "a duplicate is not stored")));
  BERTH_ASSERT_OK(append(store(), test_chunk(2, 1, "other")));
  EXPECT_EQ(bytes(1), 10);
  EXPECT_EQ(bytes(2), 5);
  EXPECT_EQ(bytes(9), 0);
}

TEST_P(StoreContract, AServersOutputIsCountedAndItsOldestFinishedJobsPruned) {
  FleetSeed records = two_teams_with_servers();
  records.jobs = {test_job(1, 1, 1), test_job(2, 1, 1), test_job(3, 1, 1), test_job(4, 2, 2)};
  for (int n : {1, 2}) {
    records.jobs[static_cast<std::size_t>(n - 1)].state = "succeeded";
    records.jobs[static_cast<std::size_t>(n - 1)].finished_at = test_time(10 - n);  // 2 first
  }
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  for (int job : {1, 2, 3}) {
    BERTH_ASSERT_OK(append(store(), test_chunk(job, 1, "0123456789")));
    BERTH_ASSERT_OK(append(store(), test_chunk(job, 2, "0123456789")));
  }
  BERTH_ASSERT_OK(append(store(), test_chunk(4, 1, "another server")));
  const auto server_bytes = [&](int server) {
    return read_value<std::int64_t>(
               store(), [&](Tx& tx) { return tx.server_job_output_bytes(server_id(server)); })
        .value_or(-1);
  };
  EXPECT_EQ(server_bytes(1), 60);
  EXPECT_EQ(server_bytes(2), 14);
  const auto prune = [&](std::int64_t bytes) {
    return write_value<std::int64_t>(
               store(),
               [&](Tx& tx) { return tx.prune_job_output(server_id(1), bytes, "[pruned]"); })
        .value_or(-1);
  };
  // The oldest finished job goes first, whole, and keeps one marker at its last seq.
  EXPECT_EQ(prune(5), 12);
  EXPECT_EQ(server_bytes(1), 48);
  const auto pruned = output(store(), 2, 0).value_or(std::vector<JobOutputChunk>{});
  ASSERT_EQ(pruned.size(), 1U);
  EXPECT_EQ(pruned[0].seq, 2);
  EXPECT_EQ(pruned[0].stream, "system");
  EXPECT_EQ(pruned[0].text, "[pruned]");
  // Then the next; a running job (3) and a job already pruned are never touched.
  EXPECT_EQ(prune(1000), 12);
  EXPECT_EQ(seqs_of(output(store(), 3, 0)), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(prune(1000), 0);
  EXPECT_EQ(server_bytes(1), 36);
  EXPECT_EQ(server_bytes(2), 14);
}

TEST_P(StoreContract, AppendJobOutputRefusesUnknownJobStreamOrLimit) {
  FleetSeed records = two_teams_with_servers();
  records.jobs = {test_job(1, 1, 1)};
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  EXPECT_EQ(error_kind(append(store(), test_chunk(9, 1, "x"))), ErrorKind::conflict);
  JobOutputChunk bad_stream = test_chunk(1, 1, "x");
  bad_stream.stream = "stdin";
  EXPECT_EQ(error_kind(append(store(), bad_stream)), ErrorKind::invalid);
  EXPECT_EQ(error_kind(output(store(), 1, 0, 0)), ErrorKind::invalid);
  EXPECT_EQ(seqs_of(output(store(), 1, 0)), std::vector<std::int64_t>{});
}

TEST_P(StoreContract, UpdateJobNeverLowersLastSeqBelowStoredOutput) {
  FleetSeed records = two_teams_with_servers();
  records.jobs = {test_job(1, 1, 1)};
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  // A caller that read the job before its output arrived writes the stale last_seq back.
  JobRecord stale = test_job(1, 1, 1);
  BERTH_ASSERT_OK(append(store(), test_chunk(1, 1, "a")));
  BERTH_ASSERT_OK(append(store(), test_chunk(1, 2, "b")));
  stale.state = "running";
  BERTH_ASSERT_OK(store().write([&](Tx& tx) { return tx.update_job(stale); }));
  EXPECT_EQ(last_seq(store(), 1), 2);
  auto found = get_job(store(), "", 1);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->state, "running");
}

TEST_P(StoreContract, DeletingAServerDeletesEverythingItOwns) {
  FleetSeed records = two_teams_with_servers();
  records.install_tokens = {test_install_token(1, 1, 1), test_install_token(2, 1),
                            test_install_token(3, 1, 2)};
  records.jobs = {test_job(1, 1, 1), test_job(2, 1, 2)};
  BERTH_ASSERT_OK(seed_fleet(store(), records));
  BERTH_ASSERT_OK(append(store(), test_chunk(1, 1, "gone")));
  BERTH_ASSERT_OK(append(store(), test_chunk(2, 1, "kept")));
  std::vector<MetricSample> samples;
  for (int server : {1, 2}) {
    MetricSample sample{.server_id = server_id(server), .cpu_percent = 50};
    sample.at = test_time(0);
    samples.push_back(sample);
  }
  BERTH_ASSERT_OK(store().write([&](Tx& tx) -> Result<void> {
    if (auto done = tx.record_metric_samples(samples, {60}); !done) {
      return done;
    }
    for (int server : {1, 2}) {
      if (auto seq = tx.append_server_event(test_event(1, server)); !seq) {
        return fail(std::move(seq.error()));
      }
    }
    return {};
  }));

  BERTH_ASSERT_OK(store().write([](Tx& tx) { return tx.delete_server(server_id(1)); }));

  const auto counts = [&](int server, int job) {
    return read_tx(store(), [&](Tx& tx) -> Result<std::vector<std::size_t>> {
      auto points = tx.list_metric_points(server_id(server), 60, test_time(-3600), test_time(3600));
      auto events = tx.list_server_events(server_id(server), 0, 100);
      auto chunks = tx.list_job_output(job_id(job), 0, 100);
      auto found = tx.get_job("", job_id(job));
      if (!points || !events || !chunks || !found) {
        return fail(Error::internal("a read failed"));
      }
      return std::vector<std::size_t>{points->size(), events->size(), chunks->size(),
                                      found->has_value() ? 1U : 0U};
    });
  };
  EXPECT_EQ(counts(1, 1).value_or(std::vector<std::size_t>{}),
            (std::vector<std::size_t>{0, 0, 0, 0}));
  EXPECT_EQ(counts(2, 2).value_or(std::vector<std::size_t>{}),
            (std::vector<std::size_t>{1, 1, 1, 1}));
  const auto token = [&](int n) {
    return to_text(read_tx(store(), [&](Tx& tx) {
      return tx.find_install_token_by_hash(test_install_token(n, 1).token_hash);
    }));
  };
  EXPECT_EQ(token(1), "<none>");
  EXPECT_NE(token(2), "<none>");  // not bound to a server: the team's
  EXPECT_NE(token(3), "<none>");
}

}  // namespace berth
