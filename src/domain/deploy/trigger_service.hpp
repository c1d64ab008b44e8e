#pragma once
/// What deploys an app without a signed-in user: the git webhook (GitHub's
/// X-Hub-Signature-256 HMAC of the raw body, or GitLab's X-Gitlab-Token, checked in constant
/// time against the app's sealed secret; deliveries de-duplicated by their id) and deploy-hook
/// URLs for CI (a secret token in the path, stored only as a hash). The webhook answers at
/// once: the deployment runs in the background. Blocking (store). Thread-safe.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/deploy/deployment_service.hpp"

namespace berth {

/// One webhook request as it arrived.
struct WebhookDelivery {
  std::string app_id = {};
  std::string body = {};          // the raw bytes the signature covers
  std::string github_event = {};  // X-GitHub-Event ("" when absent: treated as a push)
  std::string signature = {};     // X-Hub-Signature-256: "sha256=<hex>"
  std::string gitlab_event = {};  // X-Gitlab-Event
  std::string gitlab_token = {};  // X-Gitlab-Token
  std::string delivery_id = {};   // X-GitHub-Delivery or X-Gitlab-Event-UUID
  std::string request_id = {};
  std::string source_address = {};
};

/// What the webhook answers: whether it deployed, and why not.
struct WebhookAnswer {
  bool deployed = false;
  std::string deployment_id = {};
  std::string reason = {};  // "pong", "duplicate delivery", "branch does not match", …
};

struct WebhookSecret {
  std::string url = {};
  std::string secret = {};  // shown once
};

struct NewDeployHook {
  DeployHookRecord hook = {};
  std::string url = {};  // holds the token; shown once
};

class TriggerService {
 public:
  TriggerService(AreaContext ctx, DeploymentService& deployments)
      : ctx_(ctx), deployments_(deployments) {}

  /// Member. A new secret for the app's webhook (the old one stops working).
  Result<WebhookSecret> rotate_webhook(const Principal& who, std::string_view team_id,
                                       std::string_view app_id, const ClientInfo& client);
  /// Public. Error::unauthenticated for a missing or wrong signature/token, not_found for an
  /// app without a webhook, invalid for a push body that is not JSON.
  Result<WebhookAnswer> receive_webhook(const WebhookDelivery& delivery);

  /// Member. A deploy hook: POST to its URL deploys the app.
  Result<NewDeployHook> create_deploy_hook(const Principal& who, std::string_view team_id,
                                           std::string_view app_id, const ClientInfo& client);
  Result<std::vector<DeployHookRecord>> list_deploy_hooks(const Principal& who,
                                                          std::string_view team_id,
                                                          std::string_view app_id);
  Result<void> delete_deploy_hook(const Principal& who, std::string_view team_id,
                                  std::string_view app_id, std::string_view hook_id,
                                  const ClientInfo& client);
  /// Public. Error::not_found for an unknown token.
  Result<DeploymentRecord> receive_deploy_hook(std::string_view token, const DeployRequest& request,
                                               const ClientInfo& client);

 private:
  Result<AppRecord> member_app(const Principal& who, std::string_view team_id,
                               std::string_view app_id, Tx& tx);

  /// Forgets delivery ids older than a week, at most once an hour.
  void prune_deliveries();
  /// True when one of the app's last 100 successful deployments, other than the current one,
  /// built `commit`.
  Result<bool> deployed_before(const AppRecord& app, const std::string& commit);

  AreaContext ctx_;
  DeploymentService& deployments_;
  std::atomic<std::int64_t> last_prune_ms_{0};
};

}  // namespace berth
