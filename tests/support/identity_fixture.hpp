#pragma once
// A base fixture for the identity service tests: a fresh SQLite store in a temporary
// directory, a manual clock, real randomness and an IdentityContext over them (no mailer),
// with helpers that set up users and memberships and read the store directly.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/principal.hpp"
#include "core/random.hpp"
#include "domain/identity/accounts.hpp"
#include "domain/identity/identity_context.hpp"
#include "domain/identity/sign_in_service.hpp"
#include "store/store.hpp"
#include "support/fakes.hpp"
#include "support/temp_dir.hpp"

namespace berth::testing {

/// A password that passes the policy, for accounts whose sign-in a test exercises.
constexpr std::string_view kTestPassword = "correct horse battery";

class IdentityTest : public ::testing::Test {
 protected:
  ~IdentityTest() override;

  /// A new account with its personal team (through create_account); a failure fails the test
  /// and gives an empty record.
  UserRecord add_user(const NewAccount& account);
  /// The same with password hash "x".
  UserRecord user(const std::string& email, const std::string& name);

  /// `member` gets `role` in the team, written straight to the store.
  void put(const std::string& team_id, const UserRecord& member, Role role);
  /// The member's role in the team, none when not a member.
  std::optional<Role> role_of(const std::string& team_id, const UserRecord& member);

  /// Audit entries with this action ("" = all), newest first, up to 100.
  std::vector<AuditEntry> audit(const std::string& action = {});

  /// `user` signed in with a session.
  static Principal as(const UserRecord& user);
  /// `user` through an API key for `team_id` with `role`.
  static Principal key_of(const UserRecord& user, const std::string& team_id, Role role);
  /// The request details every call passes (request id "req-1").
  static ClientInfo client();

  TempDir dir_;
  std::unique_ptr<Store> store_ = open_store(dir_);
  ManualClock clock_;
  SodiumRandom random_;
  IdGenerator ids_{clock_, random_};
  ServiceContext services_{.store = *store_,
                           .clock = clock_,
                           .random = random_,
                           .ids = ids_,
                           .session_key = crypto::Key{},
                           .master_key = crypto::Key{}};
  IdentityContext ctx_{{services_}, IdentityPolicy{}};

 private:
  static std::unique_ptr<Store> open_store(const TempDir& dir);
};

}  // namespace berth::testing
