#pragma once
/// Sign-in lockouts. Failures are counted per (account, client network) — an IPv4 address, an
/// IPv6 /64 (core/client_address.hpp) — so a stranger failing on purpose locks only their own
/// network out of an account, never its owner elsewhere. A much higher account-wide ceiling
/// bounds guessing spread over many networks; it locks out only networks the account has not
/// signed in from before. Counts run "in a row": a success starts them again. Kept in memory
/// (forgotten at restart) with bounded size. Thread-safe.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"

namespace berth {

struct LockoutPolicy {
  int failures = 5;           // in a row from one network: that network is locked out
  int account_failures = 50;  // in a row from anywhere: networks new to the account are
  std::chrono::seconds duration{15 * 60};
};

class SignInLockouts {
 public:
  struct Count {
    int failures = 0;
    TimePoint locked_until{};
  };
  struct Account {
    Count count;
    std::vector<std::string> known_networks;  // most recent last, a few at most
  };

  SignInLockouts() = default;
  /// `max_entries` bounds each of the two tables (pairs and accounts).
  explicit SignInLockouts(std::size_t max_entries) : max_entries_(max_entries) {}

  /// Until when `client` (an address) may not try `account` (any stable key: a user id, an
  /// email without an account); nullopt when it may.
  std::optional<TimePoint> locked_until(std::string_view account, std::string_view client,
                                        TimePoint now);

  /// Counts a failed password or code; true when this failure locked the client's network
  /// out of the account (or the account out of new networks).
  bool record_failure(std::string_view account, std::string_view client, TimePoint now,
                      const LockoutPolicy& policy);

  /// A successful sign-in or check: the counts start again, and the client's network becomes
  /// one the account is known to sign in from.
  void record_success(std::string_view account, std::string_view client, TimePoint now);

  /// The owner proved themselves another way (a password reset): every count and lock of the
  /// account, from every network, is lifted. The networks it is known from stay known.
  void clear(std::string_view account);

 private:
  // Makes room in a full table: first what is neither locked nor worth keeping, then the
  // lock that ends soonest.
  template <class Entry>
  void make_room(std::unordered_map<std::string, Entry>& table, TimePoint now);

  const std::size_t max_entries_ = 100000;
  std::mutex mutex_;
  std::unordered_map<std::string, Count> pairs_;  // "<account>\n<network>"
  std::unordered_map<std::string, Account> accounts_;
};

}  // namespace berth
