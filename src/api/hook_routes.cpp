#include "api/hook_routes.hpp"

#include "api/deploy_views.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "domain/deploy/trigger_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

std::string header_or_empty(const Request& request, std::string_view name) {
  auto value = request.header(name);
  return value ? std::string(*value) : std::string();
}

json any_object() { return {{"type", "object"}, {"additionalProperties", true}}; }

}  // namespace

void add_hook_routes(http::Router& router, const ApiContext& ctx) {
  router.post(
      "/api/v1/apps/{id}/webhook/rotate",
      {.summary = "Mint a new git webhook secret for an app",
       .role = Role::member,
       .response_schema =
           [] {
             return schema::object({{"url", schema::string()}, {"secret", schema::string()}});
           },
       .description = "Returns the webhook URL and its HMAC secret (shown only here; "
                      "the previous secret stops working). Give both to GitHub "
                      "(content type application/json) or GitLab (secret token)."},
      [&ctx](Request& request) -> Result<Response> {
        auto id = path_id(request, "id", "app");
        if (!id) {
          return fail(std::move(id.error()));
        }
        auto secret = ctx.triggers->rotate_webhook(caller(request), team_of(request), *id,
                                                   client_info(request));
        return json_or(200, std::move(secret), [](const WebhookSecret& made) {
          return json{{"url", made.url}, {"secret", made.secret}};
        });
      });

  router.post(
      "/api/v1/hooks/{app_id}",
      {.summary = "Git webhook: deploy on a push",
       .role = Role::anyone,
       .request_schema = any_object(),
       .response_schema =
           [] {
             return schema::object({{"deployed", schema::boolean()},
                                    {"deployment_id", schema::string()},
                                    {"reason", schema::string()}});
           },
       .success_status = 202,
       .description = "Public. X-Hub-Signature-256: sha256=<HMAC-SHA256 hex of the raw body "
                      "under the app's secret> (GitHub), or X-Gitlab-Token: <secret> (GitLab); "
                      "401 bad_signature otherwise. A push to the app's branch deploys (202, "
                      "deployed true); ping and other events answer 202 with deployed false. "
                      "X-GitHub-Delivery / X-Gitlab-Event-UUID de-duplicate deliveries.",
       .raw_body = true},
      [&ctx](Request& request) -> Result<Response> {
        auto id = path_id(request, "app_id", "app");
        if (!id) {
          return fail(std::move(id.error()));
        }
        std::string delivery_id = header_or_empty(request, "x-github-delivery");
        if (delivery_id.empty()) {
          delivery_id = header_or_empty(request, "x-gitlab-event-uuid");
        }
        auto answer = ctx.triggers->receive_webhook(
            WebhookDelivery{.app_id = *id,
                            .body = request.body,
                            .github_event = header_or_empty(request, "x-github-event"),
                            .signature = header_or_empty(request, "x-hub-signature-256"),
                            .gitlab_event = header_or_empty(request, "x-gitlab-event"),
                            .gitlab_token = header_or_empty(request, "x-gitlab-token"),
                            .delivery_id = std::move(delivery_id),
                            .request_id = request.request_id,
                            .source_address = request.remote_address});
        return json_or(202, std::move(answer), [](const WebhookAnswer& said) {
          return json{{"deployed", said.deployed},
                      {"deployment_id",
                       said.deployment_id.empty() ? json(nullptr) : json(said.deployment_id)},
                      {"reason", said.reason}};
        });
      });

  router.post("/api/v1/apps/{id}/deploy-hooks",
              {.summary = "Create a deploy-hook URL for CI",
               .role = Role::member,
               .response_schema = deploy_hook_schema,
               .success_status = 201,
               .description = "A POST to the returned url (no other credential) deploys the "
                              "app; the url holds a secret shown only here."},
              [&ctx](Request& request) -> Result<Response> {
                auto id = path_id(request, "id", "app");
                if (!id) {
                  return fail(std::move(id.error()));
                }
                auto made = ctx.triggers->create_deploy_hook(caller(request), team_of(request), *id,
                                                             client_info(request));
                return json_or(201, std::move(made), [](const NewDeployHook& hook) {
                  json out = deploy_hook_json(hook.hook);
                  out["url"] = hook.url;
                  return out;
                });
              });

  router.get("/api/v1/apps/{id}/deploy-hooks",
             {.summary = "List an app's deploy hooks",
              .role = Role::member,
              .response_schema =
                  [] {
                    return nlohmann::json{
                        {"type", "object"},
                        {"properties", {{"data", schema::array_of(deploy_hook_schema())}}}};
                  }},
             [&ctx](Request& request) -> Result<Response> {
               auto id = path_id(request, "id", "app");
               if (!id) {
                 return fail(std::move(id.error()));
               }
               auto hooks = ctx.triggers->list_deploy_hooks(caller(request), team_of(request), *id);
               return json_or(200, std::move(hooks), [](const std::vector<DeployHookRecord>& all) {
                 json data = json::array();
                 for (const auto& hook : all) {
                   data.push_back(deploy_hook_json(hook));
                 }
                 return json{{"data", std::move(data)}};
               });
             });

  router.del("/api/v1/apps/{id}/deploy-hooks/{hook_id}",
             {.summary = "Delete a deploy hook", .role = Role::member},
             [&ctx](Request& request) -> Result<Response> {
               auto id = path_id(request, "id", "app");
               if (!id) {
                 return fail(std::move(id.error()));
               }
               auto hook = path_id(request, "hook_id", "dhk");
               if (!hook) {
                 return fail(std::move(hook.error()));
               }
               return no_content_or(ctx.triggers->delete_deploy_hook(
                   caller(request), team_of(request), *id, *hook, client_info(request)));
             });

  router.post(
      "/api/v1/hooks/deploy/{token}",
      {.summary = "Deploy hook: deploy an app from CI",
       .role = Role::anyone,
       .request_schema =
           schema::object({{"ref", schema::string(1, 200)}, {"image", schema::string(1, 255)}}),
       .response_schema = deployment_schema,
       .success_status = 202,
       .description = "Public; the token in the path is the credential (404 when "
                      "unknown). The body is optional: {ref} or {image} as for POST "
                      "/apps/{id}/deployments.",
       .body_optional = true},
      [&ctx](Request& request) -> Result<Response> {
        const auto it = request.params.find("token");
        const std::string token = it == request.params.end() ? "" : it->second;
        if (!token.starts_with("bdh_") || token.size() > 100) {
          return fail(Error::not_found("no such deploy hook"));
        }
        return json_or(
            202,
            ctx.triggers->receive_deploy_hook(token,
                                              DeployRequest{.ref = body_string(request, "ref"),
                                                            .image = body_string(request, "image")},
                                              client_info(request)),
            deployment_json);
      });

  router.get("/api/v1/servers/{id}/proxy",
             {.summary = "Read a server's proxy settings",
              .role = Role::viewer,
              .response_schema = proxy_settings_schema},
             [&ctx](Request& request) -> Result<Response> {
               auto id = path_id(request, "id", "srv");
               if (!id) {
                 return fail(std::move(id.error()));
               }
               return json_or(
                   200, ctx.deployments->proxy_settings(caller(request), team_of(request), *id),
                   proxy_settings_json);
             });

  router.put("/api/v1/servers/{id}/proxy",
             {.summary = "Change a server's proxy settings",
              .role = Role::admin,
              .request_schema =
                  schema::object({{"base_domain", schema::string(0, 200)},
                                  {"http_port", schema::integer(1, 65535)},
                                  {"https_port", schema::integer(1, 65535)},
                                  {"tls", schema::one_of_strings({"off", "internal", "acme"})},
                                  {"public_addresses", schema::array_of(schema::string(2, 45))},
                                  {"acme_ca", schema::string(0, 512)},
                                  {"acme_ca_root", schema::string(0, 65536)},
                                  {"acme_email", schema::string(0, 254)}},
                                 {"http_port", "https_port", "tls"}),
              .response_schema = proxy_settings_schema,
              .description = "base_domain: apps without their own hostname answer at "
                             "<app>.<base_domain> (new apps; existing hostnames stay). "
                             "public_addresses: the IP addresses the server is reached at from "
                             "the internet, which domains' DNS checks compare with (empty or "
                             "absent: the addresses its agent reports). acme_ca, acme_ca_root, "
                             "acme_email: the ACME directory (https) of the CA that issues "
                             "certificates for acme domains, the PEM of a root to trust for it "
                             "(only with acme_ca; X.509 certificates only) and the account's "
                             "email; empty or absent: Caddy's defaults (Let's Encrypt, then "
                             "ZeroSSL). A value with {}, a control character or a bad form is "
                             "400 naming the field. The whole document is replaced: send back "
                             "what GET answered to keep a setting. The server's route table "
                             "is re-applied to Caddy."},
             [&ctx](Request& request) -> Result<Response> {
               auto id = path_id(request, "id", "srv");
               if (!id) {
                 return fail(std::move(id.error()));
               }
               ProxySettingsRecord settings{
                   .server_id = *id,
                   .base_domain = body_string(request, "base_domain"),
                   .http_port = request.json.value("http_port", std::int64_t{80}),
                   .https_port = request.json.value("https_port", std::int64_t{443}),
                   .tls = body_string(request, "tls"),
                   .acme_ca = body_string(request, "acme_ca"),
                   .acme_ca_root = body_string(request, "acme_ca_root"),
                   .acme_email = body_string(request, "acme_email")};
               for (const auto& address :
                    request.json.value("public_addresses", nlohmann::json::array())) {
                 settings.public_addresses.push_back(address.get<std::string>());
               }
               return json_or(200,
                              ctx.deployments->set_proxy_settings(caller(request), team_of(request),
                                                                  settings, client_info(request)),
                              proxy_settings_json);
             });
}

}  // namespace berth::api
