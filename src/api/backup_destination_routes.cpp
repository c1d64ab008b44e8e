#include "api/backup_destination_routes.hpp"

#include "api/apps_handlers.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/backups/destination_rules.hpp"
#include "domain/backups/destination_service.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

// Every field of a kind may be null in a PATCH (back to its default).
json nullable_properties(json properties) {
  for (auto& [name, property] : properties.items()) {
    property["type"] = {property.at("type"), "null"};
  }
  return properties;
}

json destination_body_schema(bool create) {
  json s3 = backups::s3_settings_properties();
  json sftp = backups::sftp_settings_properties();
  json properties = {{"name", schema::string(1, 63)},
                     {"s3", schema::object(create ? s3 : nullable_properties(s3))},
                     {"sftp", schema::object(create ? sftp : nullable_properties(sftp))}};
  if (create) {
    properties["kind"] = schema::one_of_strings({"s3", "sftp"});
  }
  return schema::object(
      properties, create ? std::vector<std::string>{"name", "kind"} : std::vector<std::string>{});
}

// The settings of `kind` from the body ({} when absent); a member of the other kind is refused.
Result<json> destination_settings_of(const Request& request, const std::string& kind) {
  const std::string other = kind == "s3" ? "sftp" : "s3";
  if (request.json.contains(other)) {
    return fail(Error::validation(other, other + " settings do not go with kind " + kind));
  }
  const auto found = request.json.find(kind);
  return found != request.json.end() ? *found : json::object();
}

json destination_test_json(const DestinationTestResult& result) {
  json out = result.destination.last_test.is_object() ? result.destination.last_test : json();
  out["tested_at"] = result.destination.last_tested_at
                         ? json(format_rfc3339(*result.destination.last_tested_at))
                         : json(nullptr);
  out["host_key_fingerprint"] = result.report.host_key_fingerprint.empty()
                                    ? json(nullptr)
                                    : json(result.report.host_key_fingerprint);
  out["destination"] = backup_destination_json(result.destination);
  return out;
}

json destination_test_schema() {
  return schema::object({{"ok", schema::boolean()},
                         {"steps", schema::array_of(schema::object({{"step", schema::string()},
                                                                    {"ok", schema::boolean()},
                                                                    {"ms", schema::integer()},
                                                                    {"error", schema::string()},
                                                                    {"code", schema::string()}}))},
                         {"tested_at", {{"type", {"string", "null"}}}},
                         {"host_key_fingerprint", {{"type", {"string", "null"}}}},
                         {"destination", backup_destination_schema()}});
}

const char* const kDestinationFieldsNote =
    "kind s3: s3 {endpoint (https://host[:port]; http only for a loopback host or with "
    "allow_http), region (default us-east-1), bucket (AWS naming rules), prefix (segments "
    "without '..'), path_style (default false: virtual-host style), access_key_id, "
    "secret_access_key}. kind sftp: sftp {host, port (default 22), user, path (an absolute "
    "folder), password or private_key (+ private_key_passphrase), host_key_fingerprint "
    "(SHA256:…; pinned by the first successful test when not given)}. Secrets are sealed at "
    "rest and never returned: answers carry secret_set and an access key hint.";

auto destination_view = [](const BackupDestinationRecord& d) { return backup_destination_json(d); };

}  // namespace

json backup_destination_json(const BackupDestinationRecord& d) {
  json last_test = nullptr;
  if (d.last_test.is_object()) {
    last_test = d.last_test;
    last_test["tested_at"] = d.last_tested_at ? json(format_rfc3339(*d.last_tested_at)) : json();
  }
  json out = {{"id", d.id},
              {"name", d.name},
              {"kind", d.kind},
              {"secret_set", !d.secrets_sealed.empty()},
              {"last_test", last_test},
              {"created_at", format_rfc3339(d.created_at)},
              {"updated_at", format_rfc3339(d.updated_at)}};
  out[d.kind] = d.config;  // settings only: the secrets live sealed, elsewhere
  return out;
}

json backup_destination_schema() {
  const json optional_string = {{"type", {"string", "null"}}};
  return schema::object(
      {{"id", schema::string()},
       {"name", schema::string()},
       {"kind", schema::one_of_strings({"s3", "sftp"})},
       {"secret_set", schema::boolean()},
       {"s3", schema::object({{"endpoint", schema::string()},
                              {"region", schema::string()},
                              {"bucket", schema::string()},
                              {"prefix", schema::string()},
                              {"path_style", schema::boolean()},
                              {"allow_http", schema::boolean()},
                              {"access_key_hint", schema::string()}})},
       {"sftp", schema::object({{"host", schema::string()},
                                {"port", schema::integer()},
                                {"user", schema::string()},
                                {"path", schema::string()},
                                {"host_key_fingerprint", schema::string()},
                                {"auth", schema::one_of_strings({"password", "private_key"})}})},
       {"last_test",
        {{"type", {"object", "null"}},
         {"properties",
          {{"ok", schema::boolean()},
           {"tested_at", optional_string},
           {"steps", schema::array_of(schema::object({{"step", schema::string()},
                                                      {"ok", schema::boolean()},
                                                      {"ms", schema::integer()},
                                                      {"error", schema::string()},
                                                      {"code", schema::string()}}))}}}}},
       {"created_at", schema::string()},
       {"updated_at", schema::string()}});
}

void add_backup_destination_routes(http::Router& router, const ApiContext& ctx) {
  router.get(
      "/api/v1/backup-destinations",
      {.summary = "List the team's backup destinations",
       .role = Role::viewer,
       .response_schema = [] { return page_schema(backup_destination_schema()); },
       .query = paging_query({{.name = "kind",
                               .description = "only destinations of this kind",
                               .schema = schema::one_of_strings({"s3", "sftp"})},
                              search_param("name")}),
       .description = "Ordered by name; ?kind=s3|sftp, ?q= (a substring of the name), ?page=, "
                      "?per_page=. Never a secret."},
      [&ctx](Request& request) -> Result<Response> {
        const DestinationFilter filter{.kind = request.query_param("kind").value_or(""),
                                       .q = request.query_param("q").value_or("")};
        return list_response(
            request,
            [&](const PageRequest& paging) {
              return ctx.destinations->list(caller(request), team_of_request(request), filter,
                                            paging);
            },
            destination_view);
      });

  router.post("/api/v1/backup-destinations",
              {.summary = "Add a backup destination",
               .role = Role::admin,
               .request_schema = destination_body_schema(true),
               .response_schema = backup_destination_schema,
               .success_status = 201,
               .description = std::string("name: 1-63 letters, digits, '-', '_', '.', unique in "
                                          "the team (409 destination_name_taken). ") +
                              kDestinationFieldsNote},
              [&ctx](Request& request) -> Result<Response> {
                const std::string kind = body_string(request, "kind");
                auto settings = destination_settings_of(request, kind);
                if (!settings) {
                  return fail(std::move(settings.error()));
                }
                DestinationInput input{.name = body_string(request, "name"),
                                       .kind = kind,
                                       .settings = std::move(*settings)};
                return json_or(201,
                               ctx.destinations->create(caller(request), team_of_request(request),
                                                        input, client_info(request)),
                               destination_view);
              });

  router.get("/api/v1/backup-destinations/{id}",
             {.summary = "Read a backup destination",
              .role = Role::viewer,
              .response_schema = backup_destination_schema},
             with_path_id("bdst", [&ctx](Request& request, const std::string& id) {
               return json_or(200,
                              ctx.destinations->get(caller(request), team_of_request(request), id),
                              destination_view);
             }));

  router.patch(
      "/api/v1/backup-destinations/{id}",
      {.summary = "Change a backup destination",
       .role = Role::admin,
       .request_schema = destination_body_schema(false),
       .response_schema = backup_destination_schema,
       .description = std::string("Only the fields given change (null: back to the default); "
                                  "the kind does not. Changing an S3 endpoint or an SFTP host "
                                  "needs the secret again and forgets a pinned host key. ") +
                      kDestinationFieldsNote},
      with_path_id("bdst", [&ctx](Request& request, const std::string& id) -> Result<Response> {
        auto current = ctx.destinations->get(caller(request), team_of_request(request), id);
        if (!current) {
          return fail(std::move(current.error()));
        }
        auto settings = destination_settings_of(request, current->kind);
        if (!settings) {
          return fail(std::move(settings.error()));
        }
        DestinationPatch patch{.name = std::nullopt, .settings = std::move(*settings)};
        if (request.json.contains("name")) {
          patch.name = body_string(request, "name");
        }
        return json_or(200,
                       ctx.destinations->update(caller(request), team_of_request(request), id,
                                                patch, client_info(request)),
                       destination_view);
      }));

  router.del("/api/v1/backup-destinations/{id}",
             {.summary = "Remove a backup destination", .role = Role::admin, .success_status = 204},
             with_path_id("bdst", [&ctx](Request& request, const std::string& id) {
               return no_content_or(ctx.destinations->remove(
                   caller(request), team_of_request(request), id, client_info(request)));
             }));

  router.post(
      "/api/v1/backup-destinations/{id}/test",
      {.summary = "Test a backup destination",
       .role = Role::admin,
       .response_schema = destination_test_schema,
       .description =
           "berthd writes a probe object with a random name under the prefix (or in the SFTP "
           "folder), reads it back, compares and deletes it: {ok, steps: [{step, ok, ms, error?, "
           "code?}]}. A failed step is an answer (200, ok false), not an error: code "
           "s3_credentials_rejected (the access key or secret is wrong), s3_bucket_missing, "
           "s3_unreachable, s3_access_denied, ssh_unreachable, ssh_auth_failed, "
           "host_key_changed, sftp_missing, sftp_denied, probe_mismatch. An SFTP host key seen by "
           "a successful first test is pinned."},
      with_path_id("bdst", [&ctx](Request& request, const std::string& id) {
        return json_or(200,
                       ctx.destinations->test(caller(request), team_of_request(request), id,
                                              client_info(request)),
                       destination_test_json);
      }));
}

}  // namespace berth::api
