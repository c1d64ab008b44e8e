// The Store contract, part 2: the audit log.
#include <vector>

#include "store/store_contract.hpp"

namespace berth {

namespace {

Result<Page<AuditEntry>> list(Store& store, const AuditQuery& query) {
  return read_value<Page<AuditEntry>>(store, [&](Tx& tx) { return tx.list_audit(query); });
}

Result<void> append_all(Store& store, const std::vector<AuditEntry>& entries) {
  return store.write([&](Tx& tx) -> Result<void> {
    for (const auto& entry : entries) {
      if (auto done = tx.append_audit(entry); !done) {
        return done;
      }
    }
    return {};
  });
}

// A query with the exact-match filters and paging set (q stays empty).
AuditQuery query(std::string team_id, std::string actor, std::string action, std::int64_t page = 1,
                 std::int64_t per_page = 20) {
  AuditQuery out;
  out.team_id = std::move(team_id);
  out.actor = std::move(actor);
  out.action = std::move(action);
  out.page = page;
  out.per_page = per_page;
  return out;
}

std::vector<std::string> ids(const Page<AuditEntry>& page) {
  std::vector<std::string> out;
  for (const auto& entry : page.items) {
    out.push_back(entry.id);
  }
  return out;
}

}  // namespace

TEST_P(StoreContract, EmptyAuditLogListsNothing) {
  auto page = list(store(), {});
  BERTH_ASSERT_OK(page);
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(page->total, 0);
}

TEST_P(StoreContract, AuditEntryRoundTripsEveryField) {
  const AuditEntry entry{.id = test_audit_id(7),
                         .at = test_time(42, 123),
                         .actor = "usr_01JD7Q8M3X4V9T2K5R6W8Y0ZAB",
                         .action = "server.cordon",
                         .target = "srv_01JD7Q8M3X4V9T2K5R6W8Y0ZAC",
                         .team_id = "tea_01JD7Q8M3X4V9T2K5R6W8Y0ZAD",
                         .request_id = "req-123",
                         .source_address = "192.0.2.10",
                         .details = {{"reason", "kernel update"}, {"drain", true}, {"n", 3}},
                         .outcome = "denied"};
  BERTH_ASSERT_OK(append_all(store(), {entry}));
  auto page = list(store(), {});
  BERTH_ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 1U);
  const AuditEntry& got = page->items[0];
  EXPECT_EQ(got.id, entry.id);
  EXPECT_EQ(got.at, entry.at);  // millisecond precision survives
  EXPECT_EQ(got.actor, entry.actor);
  EXPECT_EQ(got.action, entry.action);
  EXPECT_EQ(got.target, entry.target);
  EXPECT_EQ(got.team_id, entry.team_id);
  EXPECT_EQ(got.request_id, entry.request_id);
  EXPECT_EQ(got.source_address, entry.source_address);
  EXPECT_EQ(got.details, entry.details);
  EXPECT_EQ(got.outcome, entry.outcome);
}

TEST_P(StoreContract, AuditListsNewestFirst) {
  // Appended out of order; listed by time, newest first.
  BERTH_ASSERT_OK(append_all(
      store(), {test_audit(2), test_audit(5), test_audit(1), test_audit(4), test_audit(3)}));
  auto page = list(store(), {});
  BERTH_ASSERT_OK(page);
  EXPECT_EQ(ids(*page),
            (std::vector<std::string>{test_audit_id(5), test_audit_id(4), test_audit_id(3),
                                      test_audit_id(2), test_audit_id(1)}));
}

TEST_P(StoreContract, AuditEntriesAtTheSameTimeAreOrderedByIdNewestFirst) {
  std::vector<AuditEntry> entries;
  for (int n : {3, 1, 2}) {
    AuditEntry entry = test_audit(n);
    entry.at = test_time(100);
    entries.push_back(entry);
  }
  BERTH_ASSERT_OK(append_all(store(), entries));
  // Unfiltered and filtered lists may take different paths (indexes) through a backend.
  for (const AuditQuery& filter :
       {query("", "", ""), query("", "usr_alice", ""), query("", "", "settings.update")}) {
    auto page = list(store(), filter);
    BERTH_ASSERT_OK(page);
    EXPECT_EQ(ids(*page),
              (std::vector<std::string>{test_audit_id(3), test_audit_id(2), test_audit_id(1)}))
        << "actor=" << filter.actor << " action=" << filter.action;
  }
}

TEST_P(StoreContract, AuditListPages) {
  std::vector<AuditEntry> entries;
  for (int n = 1; n <= 25; ++n) {
    entries.push_back(test_audit(n));
  }
  BERTH_ASSERT_OK(append_all(store(), entries));

  std::vector<std::string> seen;
  const std::vector<std::size_t> sizes{10, 10, 5, 0};
  for (std::int64_t page_number = 1; page_number <= 4; ++page_number) {
    auto page = list(store(), query("", "", "", page_number, 10));
    BERTH_ASSERT_OK(page);
    EXPECT_EQ(page->total, 25) << "page " << page_number;
    EXPECT_EQ(page->items.size(), sizes[static_cast<std::size_t>(page_number - 1)])
        << "page " << page_number;
    for (const auto& id : ids(*page)) {
      seen.push_back(id);
    }
  }
  // Pages follow each other without gaps or repeats: 25 newest to 1 oldest.
  ASSERT_EQ(seen.size(), 25U);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], test_audit_id(25 - static_cast<int>(i)));
  }
}

TEST_P(StoreContract, AuditListFilters) {
  BERTH_ASSERT_OK(append_all(store(), {test_audit(1, "usr_alice", "app.create", "tea_a"),
                                       test_audit(2, "usr_bob", "app.create", "tea_a"),
                                       test_audit(3, "usr_alice", "app.delete", "tea_b"),
                                       test_audit(4, "usr_alice", "app.create", "tea_b"),
                                       test_audit(5, "system", "instance.initialize", ""),
                                       test_audit(6, "usr_bob", "app.delete", "tea_a")}));

  struct Case {
    AuditQuery query;
    std::vector<int> expected;  // newest first
    std::int64_t total = static_cast<std::int64_t>(expected.size());
  };
  const std::vector<Case> cases{
      {query("tea_a", "", ""), {6, 2, 1}},
      {query("tea_b", "", ""), {4, 3}},
      {query("", "usr_alice", ""), {4, 3, 1}},
      {query("", "system", ""), {5}},
      {query("", "", "app.delete"), {6, 3}},
      {query("tea_a", "usr_bob", ""), {6, 2}},
      {query("tea_b", "usr_alice", "app.create"), {4}},
      {query("tea_c", "", ""), {}},
      {query("", "usr_alice", "", 1, 2), {4, 3}, 3},
      {query("", "usr_alice", "", 2, 2), {1}, 3},
  };
  for (const auto& c : cases) {
    auto page = list(store(), c.query);
    BERTH_ASSERT_OK(page);
    std::vector<std::string> expected_ids;
    for (int n : c.expected) {
      expected_ids.push_back(test_audit_id(n));
    }
    const auto label =
        "team=" + c.query.team_id + " actor=" + c.query.actor + " action=" + c.query.action;
    EXPECT_EQ(ids(*page), expected_ids) << label;
    // The total counts every match, not just those on the page.
    EXPECT_EQ(page->total, c.total) << label;
  }
}

TEST_P(StoreContract, AuditListRejectsBadPaging) {
  for (const AuditQuery& bad : {query("", "", "", 0), query("", "", "", -1),
                                query("", "", "", 1, 0), query("", "", "", 1, -5)}) {
    auto page = list(store(), bad);
    ASSERT_FALSE(page.has_value()) << "page=" << bad.page << " per_page=" << bad.per_page;
    EXPECT_EQ(page.error().kind, ErrorKind::invalid);
  }
}

TEST_P(StoreContract, DuplicateAuditIdIsConflict) {
  BERTH_ASSERT_OK(append_all(store(), {test_audit(1)}));
  auto again = append_all(store(), {test_audit(1)});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  // Store internals stay out of the client-safe message.
  EXPECT_EQ(again.error().message.find("audit_log"), std::string::npos) << again.error().message;
  EXPECT_EQ(audit_total(store()), 1);
}

TEST_P(StoreContract, AuditOutcomeRoundTrips) {
  std::vector<AuditEntry> entries{test_audit(1), test_audit(2), test_audit(3)};
  entries[1].outcome = "failure";
  entries[2].outcome = "denied";
  BERTH_ASSERT_OK(append_all(store(), entries));
  auto page = list(store(), {});
  BERTH_ASSERT_OK(page);
  std::vector<std::string> outcomes;
  for (const auto& entry : page->items) {
    outcomes.push_back(entry.outcome);
  }
  EXPECT_EQ(outcomes, (std::vector<std::string>{"denied", "failure", "success"}));

  AuditEntry bad = test_audit(4);
  bad.outcome = "maybe";
  auto refused = append_all(store(), {bad});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::invalid);
  EXPECT_EQ(audit_total(store()), 3);
}

TEST_P(StoreContract, AuditQMatchesSubstringsOfActionOrTarget) {
  std::vector<AuditEntry> entries{
      test_audit(1, "usr_a", "server.cordon"), test_audit(2, "usr_b", "app.create"),
      test_audit(3, "usr_a", "app.delete"), test_audit(4, "usr_a", "team.member_add")};
  entries[1].target = "app_WEB01";
  entries[2].target = "app_db%01";
  BERTH_ASSERT_OK(append_all(store(), entries));
  struct Case {
    std::string q;
    std::string actor;
    std::vector<int> expected;  // newest first
  };
  const std::vector<Case> cases{
      {"app", "", {3, 2}},  {"CORDON", "", {1}},   {"web01", "", {2}},  // the target, in any case
      {"%", "", {3}},  // LIKE's wildcards match only themselves
      {"_", "", {4, 3, 2}}, {"app", "usr_a", {3}}, {"nothing", "", {}},
  };
  for (const auto& c : cases) {
    AuditQuery filter = query("", c.actor, "");
    filter.q = c.q;
    auto page = list(store(), filter);
    BERTH_ASSERT_OK(page);
    std::vector<std::string> expected_ids;
    for (int n : c.expected) {
      expected_ids.push_back(test_audit_id(n));
    }
    EXPECT_EQ(ids(*page), expected_ids) << "q=" << c.q << " actor=" << c.actor;
    EXPECT_EQ(page->total, static_cast<std::int64_t>(c.expected.size())) << "q=" << c.q;
  }
  // The filter applies before paging: the total counts every match.
  AuditQuery paged = query("", "", "", 2, 1);
  paged.q = "app";
  auto second = list(store(), paged);
  BERTH_ASSERT_OK(second);
  EXPECT_EQ(ids(*second), std::vector<std::string>{test_audit_id(2)});
  EXPECT_EQ(second->total, 2);
}

}  // namespace berth
