#pragma once
/// Test records for the identity and access parts of the Store contract: builders with
/// distinct values derived from a number, a one-transaction seeding helper, and a text form of
/// each record so a test compares whole records and a failure prints every field.

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/time_format.hpp"
#include "store/store_contract.hpp"

namespace berth {

std::string user_id(int n);  // "usr_0001"
std::string team_id(int n);  // "team_0001"

/// usr_000n, "usern@example.com", "User n", created and updated at test_time(n), no personal
/// team (set personal_team_id and create the team to have one).
UserRecord test_user(int n);
/// team_000n, "Team n", created at test_time(n).
TeamRecord test_team(int n);
/// team_id(team) × user_id(user), created at test_time(user).
MembershipRecord test_membership(int team, int user, Role role = Role::member);
/// ses_000n of user_id(user): created and last seen at test_time(n), expiring an hour later.
/// Access tokens belong to refresh chain "chain-a".
SessionRecord test_session(int n, int user, SessionKind kind = SessionKind::browser);
/// rtk_000n of user_id(user) in `chain`, created at test_time(n), expiring a day later.
RefreshTokenRecord test_refresh_token(int n, int user, std::string chain);
/// key_000n of team_id(team), created by user_id(1) at test_time(n), no expiry.
ApiKeyRecord test_api_key(int n, int team, Role role = Role::member);
/// inv_000n to team_id(team) for `email`, created at test_time(n), expiring an hour later.
InvitationRecord test_invitation(int n, int team, std::string email);

/// Records created in one write transaction, in this member order (teams first).
struct Seed {
  std::vector<TeamRecord> teams = {};
  std::vector<UserRecord> users = {};
  std::vector<MembershipRecord> memberships = {};
  std::vector<SessionRecord> sessions = {};
  std::vector<RefreshTokenRecord> refresh_tokens = {};
  std::vector<ApiKeyRecord> api_keys = {};
  std::vector<InvitationRecord> invitations = {};
};
Result<void> seed(Store& store, const Seed& records);

/// Runs `fn` in a read transaction and returns its Result (the value type is fn's).
template <class F>
auto read_tx(Store& store, F fn) {
  using Value = typename std::invoke_result_t<F, Tx&>::value_type;
  return read_value<Value>(store, fn);
}

/// The kind of a failed result, for EXPECT_EQ; ErrorKind::internal when it did not fail.
template <class T>
ErrorKind error_kind(const Result<T>& result) {
  return result.has_value() ? ErrorKind::internal : result.error().kind;
}

std::string to_text(const UserRecord& user);
std::string to_text(const TeamRecord& team);
std::string to_text(const MembershipRecord& membership);
std::string to_text(const MemberRow& member);
std::string to_text(const TeamMembershipRow& row);
std::string to_text(const SessionRecord& session);
std::string to_text(const RefreshTokenRecord& token);
std::string to_text(const ApiKeyRecord& key);
std::string to_text(const InvitationRecord& invitation);

/// "<none>" or the record's text.
template <class T>
std::string to_text(const std::optional<T>& record) {
  return record ? to_text(*record) : std::string("<none>");
}

/// The text of a successful result, or "<error: ...>".
template <class T>
std::string to_text(const Result<T>& result) {
  return result ? to_text(*result) : "<error: " + describe(result.error()) + ">";
}

/// The text of each record, in order.
template <class T>
std::vector<std::string> texts_of(const std::vector<T>& records) {
  std::vector<std::string> texts;
  for (const auto& record : records) {
    texts.push_back(to_text(record));
  }
  return texts;
}

/// A time as the contract compares it (RFC 3339, or "null").
inline std::string time_text(TimePoint time) { return format_rfc3339(time); }
inline std::string time_text(const std::optional<TimePoint>& time) {
  return time ? format_rfc3339(*time) : std::string("null");
}

/// Creates each record with `create` in `tx`, stopping at the first failure.
template <class T>
Result<void> create_each(const std::vector<T>& records, Result<void> (Tx::*create)(const T&),
                         Tx& tx) {
  for (const auto& record : records) {
    if (auto done = (tx.*create)(record); !done) {
      return done;
    }
  }
  return {};
}

/// The ids of records, in order.
template <class T>
std::vector<std::string> ids_of(const std::vector<T>& records) {
  std::vector<std::string> ids;
  for (const auto& record : records) {
    ids.push_back(record.id);
  }
  return ids;
}

}  // namespace berth
