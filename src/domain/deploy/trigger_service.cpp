#include "domain/deploy/trigger_service.hpp"

#include <algorithm>

#include "core/crypto.hpp"
#include "core/json_limits.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"

namespace berth {

using nlohmann::json;

namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxDeliveryId = 200;

Error unauthenticated(std::string message) {
  Error error;
  error.kind = ErrorKind::unauthenticated;
  error.code = "bad_signature";
  error.message = std::move(message);
  return error;
}

bool is_commit(const std::string& text) {
  return text.size() == 40 && text != std::string(40, '0') &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// The signature or token check, before anything else is read from the request.
Result<void> verify(const WebhookDelivery& delivery, const std::string& secret) {
  if (!delivery.signature.empty()) {
    constexpr std::string_view prefix = "sha256=";
    std::string given = delivery.signature.starts_with(prefix)
                            ? delivery.signature.substr(prefix.size())
                            : std::string();
    std::transform(given.begin(), given.end(), given.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string expected = crypto::hmac_sha256_hex_any_key(secret, delivery.body);
    if (!crypto::constant_time_equal(given, expected)) {
      return fail(unauthenticated("the X-Hub-Signature-256 signature does not match"));
    }
    return {};
  }
  if (!delivery.gitlab_token.empty()) {
    if (!crypto::constant_time_equal(delivery.gitlab_token, secret)) {
      return fail(unauthenticated("the X-Gitlab-Token does not match"));
    }
    return {};
  }
  return fail(unauthenticated("sign the body (X-Hub-Signature-256) or send X-Gitlab-Token"));
}

// Which events deploy: pushes (GitHub's, GitLab's, or an unnamed event as the Mezzanine curl
// example sends); anything else is acknowledged and ignored.
std::optional<std::string> ignored_event(const WebhookDelivery& delivery) {
  if (delivery.github_event == "ping") {
    return "pong";
  }
  if (!delivery.github_event.empty() && delivery.github_event != "push") {
    return "event ignored: " + delivery.github_event;
  }
  if (!delivery.gitlab_event.empty() && delivery.gitlab_event != "Push Hook") {
    return "event ignored: " + delivery.gitlab_event;
  }
  return std::nullopt;
}

}  // namespace

Result<AppRecord> TriggerService::member_app(const Principal& who, std::string_view team_id,
                                             std::string_view app_id, Tx& tx) {
  if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
    return fail(std::move(role.error()));
  }
  return apps_tx::app(tx, team_id, app_id);
}

Result<WebhookSecret> TriggerService::rotate_webhook(const Principal& who, std::string_view team_id,
                                                     std::string_view app_id,
                                                     const ClientInfo& client) {
  WebhookSecret out{.url = ctx_.services.public_url + "/api/v1/hooks/" + std::string(app_id),
                    .secret = crypto::random_token(ctx_.services.random, kSecretBytes)};
  auto done = write_audited(ctx_.store(),
                            make_audit(ctx_, actor_of(who, client), "app.webhook_rotate",
                                       std::string(app_id), std::string(team_id)),
                            [&](Tx& tx) -> Result<void> {
                              auto app = member_app(who, team_id, app_id, tx);
                              if (!app) {
                                return fail(std::move(app.error()));
                              }
                              app->webhook_secret_sealed = crypto::seal(
                                  ctx_.services.master_key, ctx_.services.random, out.secret);
                              app->updated_at = ctx_.clock().now();
                              return tx.update_app(*app);
                            });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return out;
}

void TriggerService::prune_deliveries() {
  // Delivery ids only matter while a sender may retry (GitHub redelivers for days at most).
  const TimePoint now = ctx_.clock().now();
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  auto last = last_prune_ms_.load();
  if (now_ms - last < 60 * 60 * 1000 || !last_prune_ms_.compare_exchange_strong(last, now_ms)) {
    return;
  }
  (void)ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto pruned = tx.prune_webhook_deliveries(now - std::chrono::hours(24 * 7));
    return pruned ? Result<void>{} : fail(std::move(pruned.error()));
  });
}

Result<bool> TriggerService::deployed_before(const AppRecord& app, const std::string& commit) {
  if (!is_commit(commit)) {
    return false;
  }
  return read_value<bool>(ctx_.store(), [&](Tx& tx) -> Result<bool> {
    auto done = tx.list_deployments(DeploymentQuery{.team_id = app.team_id,
                                                    .app_id = app.id,
                                                    .states = {DeploymentState::succeeded},
                                                    .page = 1,
                                                    .per_page = 100});
    if (!done) {
      return fail(std::move(done.error()));
    }
    return std::any_of(done->items.begin(), done->items.end(), [&](const DeploymentRecord& d) {
      return d.id != app.current_deployment_id && d.artifact.value("commit", "") == commit;
    });
  });
}

Result<WebhookAnswer> TriggerService::receive_webhook(const WebhookDelivery& delivery) {
  auto app = read_value<std::optional<AppRecord>>(
      ctx_.store(), [&](Tx& tx) { return tx.get_app("", delivery.app_id); });
  if (!app) {
    return fail(std::move(app.error()));
  }
  if (!*app || (*app)->webhook_secret_sealed.empty()) {
    return fail(Error::not_found("no webhook is configured for this app"));
  }
  auto secret = crypto::open_sealed(ctx_.services.master_key, (*app)->webhook_secret_sealed);
  if (!secret) {
    return fail(std::move(secret.error()));
  }
  if (auto ok = verify(delivery, *secret); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ignored = ignored_event(delivery)) {
    return WebhookAnswer{.deployed = false, .reason = *ignored};
  }
  const json body = parse_untrusted_json(delivery.body).value_or(json());
  if (!body.is_object()) {
    return fail(Error::invalid("the push body must be a JSON object"));
  }
  // A delivery without an id (a hand-made curl) is known by its body: the signature covers
  // exactly those bytes, so a replay of it is the same delivery.
  const std::string delivery_id = delivery.delivery_id.empty()
                                      ? "body:" + crypto::sha256_hex(delivery.body)
                                      : delivery.delivery_id;
  {
    prune_deliveries();
    if (delivery_id.size() > kMaxDeliveryId || !printable(delivery_id)) {
      return fail(Error::invalid("the delivery id is not a printable string of at most 200"));
    }
    auto fresh = ctx_.store().write([&](Tx& tx) -> Result<void> {
      auto recorded = tx.record_webhook_delivery(delivery.app_id, delivery_id, ctx_.clock().now());
      if (!recorded) {
        return fail(std::move(recorded.error()));
      }
      if (!*recorded) {
        return fail(Error::conflict("duplicate"));
      }
      return {};
    });
    if (!fresh) {
      if (fresh.error().kind == ErrorKind::conflict) {
        return WebhookAnswer{.deployed = false, .reason = "duplicate delivery"};
      }
      return fail(std::move(fresh.error()));
    }
  }
  const std::string ref =
      body.value("ref", json()).is_string() ? body["ref"].get<std::string>() : "";
  if (body.value("deleted", false)) {
    return WebhookAnswer{.deployed = false, .reason = "branch deleted"};
  }
  DeployRequest request;
  if ((*app)->source.value("type", "") == "git") {
    const std::string branch = (*app)->source.value("branch", "main");
    if (ref != "refs/heads/" + branch) {
      return WebhookAnswer{.deployed = false,
                           .reason = "ref " + ref + " is not the app's branch " + branch};
    }
    const std::string after =
        body.value("after", json()).is_string() ? body["after"].get<std::string>() : "";
    request.ref = is_commit(after) ? after : branch;
    auto stale = deployed_before(**app, after);
    if (!stale) {
      return fail(std::move(stale.error()));
    }
    if (*stale) {
      // Delivery ids are forgotten after a week; an old signed push replayed later must still
      // not take the app back to its commit. Going back is a rollback's job.
      return WebhookAnswer{.deployed = false,
                           .reason = "commit " + after +
                                     " was deployed before and is not the "
                                     "current one; roll back to deploy it again"};
    }
  }
  const std::string via = delivery.gitlab_token.empty() ? "github" : "gitlab";
  auto deployment = deployments_.deploy_triggered(
      **app, request,
      TriggerInfo{.trigger = "webhook",
                  .created_by = "webhook:" + via,
                  .actor = Actor{.user_id = "webhook:" + via,
                                 .request_id = delivery.request_id,
                                 .source_address = delivery.source_address},
                  .details = {{"delivery_id", delivery_id}, {"ref", ref}}});
  if (!deployment) {
    return fail(std::move(deployment.error()));
  }
  return WebhookAnswer{.deployed = true, .deployment_id = deployment->id, .reason = "push"};
}

Result<NewDeployHook> TriggerService::create_deploy_hook(const Principal& who,
                                                         std::string_view team_id,
                                                         std::string_view app_id,
                                                         const ClientInfo& client) {
  const std::string token = "bdh_" + crypto::random_token(ctx_.services.random, kSecretBytes);
  NewDeployHook out{.hook = DeployHookRecord{.id = ctx_.ids().next("dhk"),
                                             .team_id = std::string(team_id),
                                             .app_id = std::string(app_id),
                                             .token_hash = crypto::sha256_hex(token),
                                             .created_by = principal_id(who),
                                             .created_at = ctx_.clock().now()},
                    .url = ctx_.services.public_url + "/api/v1/hooks/deploy/" + token};
  auto done =
      write_audited(ctx_.store(),
                    make_audit(ctx_, actor_of(who, client), "app.deploy_hook_create", out.hook.id,
                               std::string(team_id), {{"app_id", std::string(app_id)}}),
                    [&](Tx& tx) -> Result<void> {
                      if (auto app = member_app(who, team_id, app_id, tx); !app) {
                        return fail(std::move(app.error()));
                      }
                      return tx.create_deploy_hook(out.hook);
                    });
  if (!done) {
    return fail(std::move(done.error()));
  }
  return out;
}

Result<std::vector<DeployHookRecord>> TriggerService::list_deploy_hooks(const Principal& who,
                                                                        std::string_view team_id,
                                                                        std::string_view app_id) {
  return read_value<std::vector<DeployHookRecord>>(
      ctx_.store(), [&](Tx& tx) -> Result<std::vector<DeployHookRecord>> {
        if (auto app = member_app(who, team_id, app_id, tx); !app) {
          return fail(std::move(app.error()));
        }
        return tx.list_deploy_hooks(app_id);
      });
}

Result<void> TriggerService::delete_deploy_hook(const Principal& who, std::string_view team_id,
                                                std::string_view app_id, std::string_view hook_id,
                                                const ClientInfo& client) {
  return write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "app.deploy_hook_delete", std::string(hook_id),
                 std::string(team_id), {{"app_id", std::string(app_id)}}),
      [&](Tx& tx) -> Result<void> {
        if (auto app = member_app(who, team_id, app_id, tx); !app) {
          return fail(std::move(app.error()));
        }
        auto deleted = tx.delete_deploy_hook(app_id, hook_id);
        if (!deleted) {
          return fail(std::move(deleted.error()));
        }
        return *deleted ? Result<void>{} : fail(Error::not_found("no such deploy hook"));
      });
}

Result<DeploymentRecord> TriggerService::receive_deploy_hook(std::string_view token,
                                                             const DeployRequest& request,
                                                             const ClientInfo& client) {
  std::optional<DeployHookRecord> hook;
  std::optional<AppRecord> app;
  auto found = ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto stored = tx.find_deploy_hook_by_hash(crypto::sha256_hex(token));
    if (!stored) {
      return fail(std::move(stored.error()));
    }
    if (!*stored) {
      return fail(Error::not_found("no such deploy hook"));
    }
    hook = std::move(*stored);
    auto owner = tx.get_app(hook->team_id, hook->app_id);
    if (!owner) {
      return fail(std::move(owner.error()));
    }
    if (!*owner) {
      return fail(Error::not_found("no such deploy hook"));
    }
    app = std::move(*owner);
    return tx.touch_deploy_hook(hook->id, ctx_.clock().now());
  });
  if (!found) {
    return fail(std::move(found.error()));
  }
  return deployments_.deploy_triggered(
      *app, request,
      TriggerInfo{
          .trigger = "deploy_hook",
          .created_by = "deploy_hook:" + hook->id,
          .actor = Actor{.user_id = "deploy_hook:" + hook->id,
                         .request_id = client.request_id,
                         .source_address = client.source_address},
          .details = {{"hook_id", hook->id}, {"ref", request.ref}, {"image", request.image}}});
}

}  // namespace berth
