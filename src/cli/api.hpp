#pragma once
/// The CLI's view of berthd: finds the credentials (BERTH_URL + BERTH_TOKEN, else the context
/// in the credential file, refreshing its access token when due), names the team, and turns
/// non-2xx answers into the API's Error. One per command run.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/credentials.hpp"
#include "client/client.hpp"
#include "core/error.hpp"

namespace berth::cli {

/// The flags every command takes (docs/cli.md "Global flags").
struct GlobalOptions {
  bool json = false;
  bool quiet = false;
  std::string team = {};     // --team / BERTH_TEAM: a team id or name
  std::string context = {};  // --context / BERTH_CONTEXT
  std::string ca_file = {};  // --ca-file / BERTH_CA_FILE
  bool insecure = false;
};

class Api {
 public:
  explicit Api(const GlobalOptions& options) : options_(options) {}

  /// Finds the URL and token; unauthenticated ("not_signed_in") when there are none.
  Result<void> connect();

  /// A call whose 2xx answer's JSON (null for 204) is returned; other answers are their Error.
  Result<nlohmann::json> call(const std::string& method, const std::string& path,
                              const std::optional<nlohmann::json>& body = std::nullopt,
                              const std::map<std::string, std::string>& headers = {});
  Result<nlohmann::json> get(const std::string& path) { return call("GET", path); }

  /// Every page of a list (per_page=100), concatenated.
  Result<nlohmann::json> list_all(const std::string& path);

  /// Reads an SSE stream (refreshing the token once on a 401).
  Result<void> stream(const std::string& path, const std::string& last_event_id,
                      const client::EventHandler& on_event,
                      const client::StreamOptions& stream_options = {});

  /// The id of the app/server/project named `name_or_id` ("apps", "servers", "projects"):
  /// ids pass through; names are looked up in the team (not_found when none matches).
  Result<std::string> resolve(const std::string& collection, const std::string& name_or_id);

  /// The team the calls act in ("" = the credential's default).
  const std::string& team_id() const { return team_id_; }
  const std::string& base_url() const { return base_url_; }
  const GlobalOptions& options() const { return options_; }

 private:
  Result<void> refresh(bool force);
  client::ClientOptions client_options(const std::string& token) const;

  GlobalOptions options_;
  std::string base_url_;
  std::string context_name_;
  bool from_file_ = false;  // a login context (refreshable), not BERTH_TOKEN
  std::string team_id_;
  std::unique_ptr<client::Client> client_;
};

/// The context name `berth` uses: --context, BERTH_CONTEXT, the file's current, or "default".
std::string context_name(const GlobalOptions& options, const CredentialFile& file);

/// Unix seconds now.
long long unix_now();

}  // namespace berth::cli
