// The Store contract, part 5: sessions, refresh tokens, API keys, invitations, recovery codes.
#include <vector>

#include "core/time_format.hpp"
#include "store/store_contract_records.hpp"

namespace berth {

namespace {

Result<std::optional<SessionRecord>> find_session(Store& store, int n) {
  return read_tx(store, [&](Tx& tx) {
    return tx.find_session_by_token_hash("session-hash-" + std::to_string(n));
  });
}

Result<std::optional<RefreshTokenRecord>> find_refresh(Store& store, int n) {
  return read_tx(store, [&](Tx& tx) {
    return tx.find_refresh_token_by_hash("refresh-hash-" + std::to_string(n));
  });
}

Result<std::vector<SessionRecord>> live_sessions(Store& store, int user, SessionKind kind,
                                                 TimePoint now) {
  return read_tx(store, [&](Tx& tx) { return tx.list_user_sessions(user_id(user), kind, now); });
}

Result<void> write(Store& store, const std::function<Result<void>(Tx&)>& fn) {
  return store.write(fn);
}

// One user (usr_0001) and one team (team_0001), which most records here need.
Seed base() { return Seed{.teams = {test_team(1)}, .users = {test_user(1)}}; }

template <class T>
T with_revoked(T record, TimePoint at) {
  record.revoked_at = at;
  return record;
}

}  // namespace

TEST_P(StoreContract, SessionRoundTripsEveryField) {
  SessionRecord browser = test_session(1, 1);
  SessionRecord token = with_revoked(test_session(2, 1, SessionKind::access_token), test_time(50));
  token.refresh_chain_id = "chain-z";
  Seed records = base();
  records.sessions = {browser, token};
  BERTH_ASSERT_OK(seed(store(), records));
  EXPECT_EQ(to_text(find_session(store(), 1)), to_text(std::optional(browser)));
  EXPECT_EQ(to_text(find_session(store(), 2)), to_text(std::optional(token)));
  EXPECT_EQ(to_text(find_session(store(), 3)), "<none>");
  // The same token hash twice, or a session of no user, is refused.
  SessionRecord clash = test_session(3, 1);
  clash.token_hash = browser.token_hash;
  EXPECT_EQ(error_kind(seed(store(), {.sessions = {clash}})), ErrorKind::conflict);
  EXPECT_EQ(error_kind(seed(store(), {.sessions = {test_session(4, 2)}})), ErrorKind::conflict);
}

TEST_P(StoreContract, TouchAndRevokeSession) {
  Seed records = base();
  records.sessions = {test_session(1, 1)};
  BERTH_ASSERT_OK(seed(store(), records));
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.touch_session("ses_0001", test_time(30)); }));
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.revoke_session("ses_0001", test_time(40)); }));
  // Revoking again keeps the first time.
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.revoke_session("ses_0001", test_time(45)); }));
  SessionRecord expected = with_revoked(test_session(1, 1), test_time(40));
  expected.last_seen_at = test_time(30);
  EXPECT_EQ(to_text(find_session(store(), 1)), to_text(std::optional(expected)));

  EXPECT_EQ(
      error_kind(write(store(), [](Tx& tx) { return tx.touch_session("ses_9", test_time(1)); })),
      ErrorKind::not_found);
  EXPECT_EQ(
      error_kind(write(store(), [](Tx& tx) { return tx.revoke_session("ses_9", test_time(1)); })),
      ErrorKind::not_found);
}

TEST_P(StoreContract, RevokeUserSessionsKeepsOneOrNone) {
  Seed records = base();
  records.users.push_back(test_user(2));
  records.sessions = {test_session(1, 1), test_session(2, 1),
                      test_session(3, 1, SessionKind::access_token),
                      with_revoked(test_session(4, 1), test_time(5)), test_session(5, 2)};
  BERTH_ASSERT_OK(seed(store(), records));
  BERTH_ASSERT_OK(write(store(), [](Tx& tx) {
    return tx.revoke_user_sessions(user_id(1), "ses_0002", test_time(100));
  }));
  const auto revoked_at = [&](int n) -> std::string {
    auto found = find_session(store(), n);
    if (!found || !*found) {
      return "<missing>";
    }
    const auto& at = (*found)->revoked_at;
    return at ? format_rfc3339(*at) : "never";
  };
  const std::string never = "never";
  const auto at = [](int seconds) { return format_rfc3339(test_time(seconds)); };
  EXPECT_EQ(revoked_at(1), at(100));
  EXPECT_EQ(revoked_at(2), never);    // kept
  EXPECT_EQ(revoked_at(3), at(100));  // access tokens too
  EXPECT_EQ(revoked_at(4), at(5));    // already revoked
  EXPECT_EQ(revoked_at(5), never);    // another user's

  BERTH_ASSERT_OK(write(
      store(), [](Tx& tx) { return tx.revoke_user_sessions(user_id(1), "", test_time(200)); }));
  EXPECT_EQ(revoked_at(2), at(200));
  EXPECT_EQ(revoked_at(1), at(100));
  EXPECT_EQ(revoked_at(5), never);
}

TEST_P(StoreContract, RevokeChainSessionsRevokesOnlyThatChain) {
  Seed records = base();
  SessionRecord other_chain = test_session(3, 1, SessionKind::access_token);
  other_chain.refresh_chain_id = "chain-b";
  records.sessions = {test_session(1, 1, SessionKind::access_token),
                      test_session(2, 1, SessionKind::access_token), other_chain,
                      test_session(4, 1)};
  BERTH_ASSERT_OK(seed(store(), records));
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.revoke_chain_sessions("chain-a", test_time(60)); }));
  // Browser sessions have no chain: an empty chain id must not reach them.
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.revoke_chain_sessions("", test_time(61)); }));
  auto live = live_sessions(store(), 1, SessionKind::access_token, test_time(70));
  BERTH_ASSERT_OK(live);
  EXPECT_EQ(ids_of(*live), std::vector<std::string>{"ses_0003"});
  auto browser = live_sessions(store(), 1, SessionKind::browser, test_time(70));
  BERTH_ASSERT_OK(browser);
  EXPECT_EQ(ids_of(*browser), std::vector<std::string>{"ses_0004"});
  EXPECT_EQ(to_text(find_session(store(), 1)),
            to_text(std::optional(
                with_revoked(test_session(1, 1, SessionKind::access_token), test_time(60)))));
}

TEST_P(StoreContract, ListUserSessionsShowsLiveOnesNewestFirst) {
  Seed records = base();
  records.users.push_back(test_user(2));
  SessionRecord expires_at_now = test_session(4, 1);
  expires_at_now.expires_at = test_time(1000);
  SessionRecord expires_just_after = test_session(5, 1);
  expires_just_after.expires_at = test_time(1000, 1);
  records.sessions = {test_session(1, 1),
                      test_session(3, 1),
                      test_session(2, 1),
                      with_revoked(test_session(6, 1), test_time(7)),
                      expires_at_now,
                      expires_just_after,
                      test_session(7, 1, SessionKind::access_token),
                      test_session(8, 2)};
  BERTH_ASSERT_OK(seed(store(), records));
  auto live = live_sessions(store(), 1, SessionKind::browser, test_time(1000));
  BERTH_ASSERT_OK(live);
  EXPECT_EQ(ids_of(*live),
            (std::vector<std::string>{"ses_0005", "ses_0003", "ses_0002", "ses_0001"}));
  EXPECT_EQ(to_text(live->back()), to_text(test_session(1, 1)));
  auto later = live_sessions(store(), 1, SessionKind::browser, test_time(3601));
  BERTH_ASSERT_OK(later);
  EXPECT_EQ(ids_of(*later), (std::vector<std::string>{"ses_0003", "ses_0002"}));
  auto tokens = live_sessions(store(), 1, SessionKind::access_token, test_time(1000));
  BERTH_ASSERT_OK(tokens);
  EXPECT_EQ(ids_of(*tokens), std::vector<std::string>{"ses_0007"});
}

TEST_P(StoreContract, RefreshTokensRoundTripAndRotate) {
  Seed records = base();
  RefreshTokenRecord full = test_refresh_token(1, 1, "chain-a");
  full.used_at = test_time(10, 5);
  full.revoked_at = test_time(11, 6);
  records.refresh_tokens = {full, test_refresh_token(2, 1, "chain-a")};
  BERTH_ASSERT_OK(seed(store(), records));
  EXPECT_EQ(to_text(find_refresh(store(), 1)), to_text(std::optional(full)));
  EXPECT_EQ(to_text(find_refresh(store(), 3)), "<none>");

  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.mark_refresh_token_used("rtk_0002", test_time(20)); }));
  // Presented again: the first use stays recorded.
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.mark_refresh_token_used("rtk_0002", test_time(21)); }));
  RefreshTokenRecord used = test_refresh_token(2, 1, "chain-a");
  used.used_at = test_time(20);
  EXPECT_EQ(to_text(find_refresh(store(), 2)), to_text(std::optional(used)));
  EXPECT_EQ(error_kind(write(
                store(), [](Tx& tx) { return tx.mark_refresh_token_used("rtk_9", test_time(1)); })),
            ErrorKind::not_found);

  RefreshTokenRecord clash = test_refresh_token(3, 1, "chain-c");
  clash.token_hash = full.token_hash;
  EXPECT_EQ(error_kind(seed(store(), {.refresh_tokens = {clash}})), ErrorKind::conflict);
}

TEST_P(StoreContract, RevokeRefreshChainRevokesEveryTokenOfTheChain) {
  Seed records = base();
  RefreshTokenRecord used = test_refresh_token(1, 1, "chain-a");
  used.used_at = test_time(2);
  records.refresh_tokens = {used, test_refresh_token(2, 1, "chain-a"),
                            with_revoked(test_refresh_token(3, 1, "chain-a"), test_time(3)),
                            test_refresh_token(4, 1, "chain-b")};
  BERTH_ASSERT_OK(seed(store(), records));
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.revoke_refresh_chain("chain-a", test_time(50)); }));
  EXPECT_EQ(to_text(find_refresh(store(), 1)),
            to_text(std::optional(with_revoked(used, test_time(50)))));
  EXPECT_EQ(
      to_text(find_refresh(store(), 2)),
      to_text(std::optional(with_revoked(test_refresh_token(2, 1, "chain-a"), test_time(50)))));
  EXPECT_EQ(
      to_text(find_refresh(store(), 3)),
      to_text(std::optional(with_revoked(test_refresh_token(3, 1, "chain-a"), test_time(3)))));
  EXPECT_EQ(to_text(find_refresh(store(), 4)),
            to_text(std::optional(test_refresh_token(4, 1, "chain-b"))));
}

TEST_P(StoreContract, RevokeUserRefreshTokensRevokesOnlyThatUsersTokens) {
  Seed records{.teams = {test_team(1), test_team(2)}, .users = {test_user(1), test_user(2)}};
  records.refresh_tokens = {test_refresh_token(1, 1, "chain-a"),
                            test_refresh_token(2, 1, "chain-b"),
                            test_refresh_token(3, 2, "chain-c")};
  BERTH_ASSERT_OK(seed(store(), records));
  BERTH_ASSERT_OK(write(
      store(), [](Tx& tx) { return tx.revoke_user_refresh_tokens(user_id(1), test_time(70)); }));
  EXPECT_EQ(
      to_text(find_refresh(store(), 1)),
      to_text(std::optional(with_revoked(test_refresh_token(1, 1, "chain-a"), test_time(70)))));
  EXPECT_EQ(
      to_text(find_refresh(store(), 2)),
      to_text(std::optional(with_revoked(test_refresh_token(2, 1, "chain-b"), test_time(70)))));
  EXPECT_EQ(to_text(find_refresh(store(), 3)),
            to_text(std::optional(test_refresh_token(3, 2, "chain-c"))));
}

TEST_P(StoreContract, ApiKeysAreScopedToTheirTeam) {
  Seed records = base();
  records.teams.push_back(test_team(2));
  ApiKeyRecord full = test_api_key(1, 1, Role::admin);
  full.expires_at = test_time(9000);
  full.last_used_at = test_time(8, 1);
  records.api_keys = {full, test_api_key(2, 2)};
  BERTH_ASSERT_OK(seed(store(), records));
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.get_api_key(team_id(1), "key_0001"); })),
      to_text(std::optional(full)));
  EXPECT_EQ(to_text(read_tx(store(), [](Tx& tx) { return tx.find_api_key_by_hash("key-hash-1"); })),
            to_text(std::optional(full)));
  // Team 2 cannot see team 1's key by id, nor the other way round.
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.get_api_key(team_id(2), "key_0001"); })),
      "<none>");
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.get_api_key(team_id(1), "key_0002"); })),
      "<none>");
}

TEST_P(StoreContract, ListApiKeysShowsTheTeamsUnrevokedKeysNewestFirst) {
  Seed records = base();
  records.teams.push_back(test_team(2));
  records.api_keys = {test_api_key(1, 1), test_api_key(3, 1), test_api_key(2, 1),
                      with_revoked(test_api_key(4, 1), test_time(5)), test_api_key(5, 2)};
  BERTH_ASSERT_OK(seed(store(), records));
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.revoke_api_key("key_0003", test_time(9)); }));
  auto keys = read_tx(store(), [](Tx& tx) { return tx.list_api_keys(team_id(1)); });
  BERTH_ASSERT_OK(keys);
  EXPECT_EQ(texts_of(*keys),
            (std::vector<std::string>{to_text(test_api_key(2, 1)), to_text(test_api_key(1, 1))}));
}

TEST_P(StoreContract, RevokeAndTouchApiKey) {
  Seed records = base();
  records.api_keys = {test_api_key(1, 1)};
  BERTH_ASSERT_OK(seed(store(), records));
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.touch_api_key("key_0001", test_time(30)); }));
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.revoke_api_key("key_0001", test_time(40)); }));
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.revoke_api_key("key_0001", test_time(41)); }));
  ApiKeyRecord expected = with_revoked(test_api_key(1, 1), test_time(40));
  expected.last_used_at = test_time(30);
  EXPECT_EQ(to_text(read_tx(store(), [](Tx& tx) { return tx.find_api_key_by_hash("key-hash-1"); })),
            to_text(std::optional(expected)));
  EXPECT_EQ(
      error_kind(write(store(), [](Tx& tx) { return tx.touch_api_key("key_9", test_time(1)); })),
      ErrorKind::not_found);
  EXPECT_EQ(
      error_kind(write(store(), [](Tx& tx) { return tx.revoke_api_key("key_9", test_time(1)); })),
      ErrorKind::not_found);
  ApiKeyRecord clash = test_api_key(2, 1);
  clash.token_hash = "key-hash-1";
  EXPECT_EQ(error_kind(seed(store(), {.api_keys = {clash}})), ErrorKind::conflict);
  EXPECT_EQ(error_kind(seed(store(), {.api_keys = {test_api_key(3, 1, Role::instance_admin)}})),
            ErrorKind::invalid);
  EXPECT_EQ(error_kind(seed(store(), {.api_keys = {test_api_key(4, 7)}})), ErrorKind::conflict);
}

TEST_P(StoreContract, InvitationsRoundTripWithinTheirTeam) {
  Seed records = base();
  records.teams.push_back(test_team(2));
  InvitationRecord full = test_invitation(1, 1, "new@example.com");
  full.role = Role::admin;
  full.accepted_at = test_time(20, 2);
  full.accepted_by = user_id(1);
  full.revoked_at = test_time(21, 3);
  records.invitations = {full};
  BERTH_ASSERT_OK(seed(store(), records));
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.get_invitation(team_id(1), "inv_0001"); })),
      to_text(std::optional(full)));
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.find_invitation_by_hash("invite-hash-1"); })),
      to_text(std::optional(full)));
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.get_invitation(team_id(2), "inv_0001"); })),
      "<none>");
  InvitationRecord clash = test_invitation(2, 1, "other@example.com");
  clash.token_hash = full.token_hash;
  EXPECT_EQ(error_kind(seed(store(), {.invitations = {clash}})), ErrorKind::conflict);
}

TEST_P(StoreContract, UpdateInvitationWritesEveryColumn) {
  Seed records = base();
  records.invitations = {test_invitation(1, 1, "new@example.com")};
  BERTH_ASSERT_OK(seed(store(), records));
  InvitationRecord accepted = test_invitation(1, 1, "new@example.com");
  accepted.accepted_at = test_time(30);
  accepted.accepted_by = user_id(1);
  accepted.role = Role::viewer;
  BERTH_ASSERT_OK(write(store(), [&](Tx& tx) { return tx.update_invitation(accepted); }));
  EXPECT_EQ(
      to_text(read_tx(store(), [](Tx& tx) { return tx.get_invitation(team_id(1), "inv_0001"); })),
      to_text(std::optional(accepted)));
  EXPECT_EQ(error_kind(write(store(),
                             [](Tx& tx) {
                               return tx.update_invitation(test_invitation(9, 1, "x@example.com"));
                             })),
            ErrorKind::not_found);
}

TEST_P(StoreContract, ListPendingInvitationsSkipsAcceptedRevokedAndExpired) {
  Seed records = base();
  records.teams.push_back(test_team(2));
  InvitationRecord accepted = test_invitation(3, 1, "c@example.com");
  accepted.accepted_at = test_time(10);
  accepted.accepted_by = user_id(1);
  InvitationRecord expired = test_invitation(4, 1, "d@example.com");
  expired.expires_at = test_time(500);
  records.invitations = {test_invitation(1, 1, "a@example.com"),
                         test_invitation(2, 1, "b@example.com"),
                         accepted,
                         expired,
                         with_revoked(test_invitation(5, 1, "e@example.com"), test_time(11)),
                         test_invitation(6, 2, "f@example.com")};
  BERTH_ASSERT_OK(seed(store(), records));
  auto pending = read_tx(
      store(), [](Tx& tx) { return tx.list_pending_invitations(team_id(1), test_time(500)); });
  BERTH_ASSERT_OK(pending);
  EXPECT_EQ(texts_of(*pending),
            (std::vector<std::string>{to_text(test_invitation(2, 1, "b@example.com")),
                                      to_text(test_invitation(1, 1, "a@example.com"))}));
  auto later = read_tx(
      store(), [](Tx& tx) { return tx.list_pending_invitations(team_id(1), test_time(3601)); });
  BERTH_ASSERT_OK(later);
  EXPECT_EQ(ids_of(*later), std::vector<std::string>{"inv_0002"});
}

TEST_P(StoreContract, RecoveryCodesAreSingleUse) {
  BERTH_ASSERT_OK(seed(store(), {.users = {test_user(1), test_user(2)}}));
  BERTH_ASSERT_OK(write(store(), [](Tx& tx) -> Result<void> {
    auto done = tx.replace_recovery_codes(user_id(1), {"code-a", "code-b", "code-c"});
    if (done) {
      done = tx.replace_recovery_codes(user_id(2), {"code-z"});
    }
    return done;
  }));
  const auto unused = [&](int user) {
    return read_tx(store(), [&](Tx& tx) { return tx.count_unused_recovery_codes(user_id(user)); })
        .value_or(-1);
  };
  const auto use = [&](int user, std::string code) {
    bool used = false;
    auto done = write(store(), [&](Tx& tx) -> Result<void> {
      auto result = tx.use_recovery_code(user_id(user), code, test_time(10));
      if (!result) {
        return fail(std::move(result.error()));
      }
      used = *result;
      return {};
    });
    EXPECT_TRUE(done.has_value()) << describe(done.error());
    return used;
  };
  EXPECT_EQ(unused(1), 3);
  EXPECT_TRUE(use(1, "code-b"));
  EXPECT_FALSE(use(1, "code-b"));  // already used
  EXPECT_FALSE(use(1, "code-x"));  // never issued
  EXPECT_FALSE(use(1, "code-z"));  // another user's
  EXPECT_EQ(unused(1), 2);
  EXPECT_EQ(unused(2), 1);

  // A new set replaces the old one entirely.
  BERTH_ASSERT_OK(
      write(store(), [](Tx& tx) { return tx.replace_recovery_codes(user_id(1), {"code-d"}); }));
  EXPECT_EQ(unused(1), 1);
  EXPECT_FALSE(use(1, "code-a"));
  EXPECT_TRUE(use(1, "code-d"));
  EXPECT_EQ(unused(1), 0);
}

}  // namespace berth
