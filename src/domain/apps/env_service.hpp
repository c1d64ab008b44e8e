#pragma once
/// Env vars of apps and projects (an app inherits its project's and may override them).
/// Secret values are sealed with the instance master key, masked in every list and readable
/// only through reveal (admin, audited). Values never reach logs or audit details: audit
/// entries name keys only. Every change bumps the config_version of the apps it affects.
/// Viewers list; members change; admins reveal. Blocking (store). Thread-safe.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/service_context.hpp"

namespace berth {

/// What a list shows instead of a secret's value.
constexpr std::string_view kMaskedValue = "********";
constexpr std::size_t kMaxEnvValue = 64 * 1024;
constexpr std::size_t kMaxEnvVars = 500;  // per app or project

enum class EnvScope { app, project };

/// Whose vars: an app's ("app_…") or a project's ("prj_…").
struct EnvTarget {
  EnvScope scope = EnvScope::app;
  std::string id = {};
};

struct EnvInput {
  std::string key = {};
  /// For a key that is already secret, kMaskedValue keeps the stored value (so a list can be
  /// edited and sent back).
  std::string value = {};
  std::optional<bool> secret = {};  // nullopt: as the existing var, else false
};

/// One line of a list: `value` is kMaskedValue for secrets; inherited_from is "project" for
/// a project var the app does not override, "" otherwise.
struct EnvEntry {
  std::string key = {};
  std::string value = {};
  bool secret = false;
  std::string inherited_from = {};
  TimePoint updated_at{};
};

class EnvService {
 public:
  explicit EnvService(AreaContext ctx) : ctx_(ctx) {}

  /// Viewer. For an app, the merged view (its project's vars marked inherited unless
  /// overridden); ordered by key. Error::not_found for another team's app or project.
  Result<std::vector<EnvEntry>> list(const Principal& who, std::string_view team_id,
                                     const EnvTarget& target);
  /// Member. Replaces all of the target's own vars; returns the new list. Error::validation
  /// for a bad key (^[A-Za-z_][A-Za-z0-9_]{0,127}$), a value over 64 KiB or with NUL, a key
  /// given twice, or more than 500 vars.
  Result<std::vector<EnvEntry>> replace(const Principal& who, std::string_view team_id,
                                        const EnvTarget& target, const std::vector<EnvInput>& vars,
                                        const ClientInfo& client);
  /// Member. Sets the given vars, keeping the others; returns the new list.
  Result<std::vector<EnvEntry>> set(const Principal& who, std::string_view team_id,
                                    const EnvTarget& target, const std::vector<EnvInput>& vars,
                                    const ClientInfo& client);
  /// Member. Error::not_found when the target has no such var of its own.
  Result<void> remove(const Principal& who, std::string_view team_id, const EnvTarget& target,
                      std::string_view key, const ClientInfo& client);
  /// Admin. The plain value of one var (for an app: its own, else its project's). Audited
  /// with its outcome (success, failure, denied); the value is never in the entry.
  Result<std::string> reveal(const Principal& who, std::string_view team_id,
                             const EnvTarget& target, std::string_view key,
                             const ClientInfo& client);

 private:
  Result<std::vector<EnvEntry>> change(const Principal& who, std::string_view team_id,
                                       const EnvTarget& target, const std::vector<EnvInput>& vars,
                                       bool replace_all, const ClientInfo& client);

  AreaContext ctx_;
};

/// The env an app's containers get: its project's vars overridden by its own, secrets opened.
/// Error::internal when a sealed value cannot be opened (wrong master key). For the pipeline.
Result<std::map<std::string, std::string>> resolve_app_env(Tx& tx, const crypto::Key& master_key,
                                                           const AppRecord& app);

}  // namespace berth
