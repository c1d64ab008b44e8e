#include "domain/identity/sign_in_lockouts.hpp"

#include <algorithm>

#include "core/client_address.hpp"

namespace berth {

namespace {

using Count = SignInLockouts::Count;
using Account = SignInLockouts::Account;

// Enough for a home, an office, a phone and a laptop on the road.
constexpr std::size_t kKnownNetworks = 8;

std::string pair_key(std::string_view account, const std::string& network) {
  std::string key(account);
  key += '\n';
  key += network;
  return key;
}

const Count& count_of(const Count& count) { return count; }
const Count& count_of(const Account& account) { return account.count; }

bool locked(const Count& count, TimePoint now) { return count.locked_until > now; }

// What a full table keeps first: live locks, and the networks an account signed in from.
bool worth_keeping(const Count& count, TimePoint now) { return locked(count, now); }
bool worth_keeping(const Account& account, TimePoint now) {
  return locked(account.count, now) || !account.known_networks.empty();
}

// One failure more; true when it reaches `threshold` (the count then starts again under a
// lock of `duration`).
bool count_failure(Count& count, int threshold, TimePoint now, std::chrono::seconds duration) {
  if (++count.failures < threshold) {
    return false;
  }
  count.failures = 0;
  count.locked_until = now + duration;
  return true;
}

}  // namespace

template <class Entry>
void SignInLockouts::make_room(std::unordered_map<std::string, Entry>& table, TimePoint now) {
  if (table.size() < max_entries_) {
    return;
  }
  // Forgetting a count gives an attacker a fresh one, never a lock lifted early; only when
  // every entry is worth keeping does the lock that ends soonest go.
  std::erase_if(table, [&](const auto& entry) { return !worth_keeping(entry.second, now); });
  if (table.size() >= max_entries_) {
    table.erase(std::min_element(table.begin(), table.end(), [](const auto& a, const auto& b) {
      return count_of(a.second).locked_until < count_of(b.second).locked_until;
    }));
  }
}

std::optional<TimePoint> SignInLockouts::locked_until(std::string_view account,
                                                      std::string_view client, TimePoint now) {
  const std::string network = client_network(client);
  std::lock_guard lock(mutex_);
  std::optional<TimePoint> until;
  if (auto it = pairs_.find(pair_key(account, network));
      it != pairs_.end() && locked(it->second, now)) {
    until = it->second.locked_until;
  }
  if (auto it = accounts_.find(std::string(account));
      it != accounts_.end() && locked(it->second.count, now)) {
    const auto& known = it->second.known_networks;
    if (std::find(known.begin(), known.end(), network) == known.end()) {
      until = std::max(until.value_or(TimePoint{}), it->second.count.locked_until);
    }
  }
  return until;
}

bool SignInLockouts::record_failure(std::string_view account, std::string_view client,
                                    TimePoint now, const LockoutPolicy& policy) {
  const std::string network = client_network(client);
  std::string key = pair_key(account, network);
  std::lock_guard lock(mutex_);
  if (!pairs_.contains(key)) {
    make_room(pairs_, now);
  }
  if (!accounts_.contains(std::string(account))) {
    make_room(accounts_, now);
  }
  const bool pair_locked =
      count_failure(pairs_[std::move(key)], policy.failures, now, policy.duration);
  const bool account_locked = count_failure(accounts_[std::string(account)].count,
                                            policy.account_failures, now, policy.duration);
  return pair_locked || account_locked;
}

void SignInLockouts::record_success(std::string_view account, std::string_view client,
                                    TimePoint now) {
  const std::string network = client_network(client);
  std::lock_guard lock(mutex_);
  pairs_.erase(pair_key(account, network));
  if (!accounts_.contains(std::string(account))) {
    make_room(accounts_, now);
  }
  Account& entry = accounts_[std::string(account)];
  // The count starts again, but a lock already set stays: it keeps strangers on networks new
  // to the account out for its full time.
  entry.count.failures = 0;
  std::erase(entry.known_networks, network);
  entry.known_networks.push_back(network);
  if (entry.known_networks.size() > kKnownNetworks) {
    entry.known_networks.erase(entry.known_networks.begin());
  }
}

void SignInLockouts::clear(std::string_view account) {
  const std::string prefix = pair_key(account, "");
  std::lock_guard lock(mutex_);
  std::erase_if(pairs_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
  if (auto it = accounts_.find(std::string(account)); it != accounts_.end()) {
    it->second.count = Count{};
  }
}

}  // namespace berth
