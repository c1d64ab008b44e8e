#include "api/domain_routes.hpp"

#include "api/apps_handlers.hpp"
#include "api/paging.hpp"
#include "api/request_helpers.hpp"
#include "core/json_schema.hpp"
#include "core/time_format.hpp"
#include "domain/domains/domain_service.hpp"
#include "domain/routing/route_table.hpp"

namespace berth::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json nullable(json schema_of) {
  schema_of["type"] = {schema_of.at("type"), "null"};
  return schema_of;
}

json certificate_upload_schema() {
  return schema::object(
      {{"chain", schema::string(1, 64 * 1024)}, {"key", schema::string(1, 16 * 1024)}},
      {"chain", "key"});
}

json domain_body_schema(bool create) {
  json properties = {
      {"tls", nullable(schema::one_of_strings({"acme", "internal", "off", "custom"}))},
      {"redirect_to", nullable(schema::string(0, 64))},
      {"path_prefix", nullable(schema::string(0, 256))},
      {"https_redirect", schema::boolean()},
      {"hsts", schema::boolean()},
      {"certificate", certificate_upload_schema()}};
  if (create) {
    properties["hostname"] = schema::string(1, 1024);
  }
  return schema::object(properties,
                        create ? std::vector<std::string>{"hostname"} : std::vector<std::string>{});
}

// A string member that may be null ("" then).
std::string nullable_member(const Request& request, const char* name) {
  const auto found = request.json.find(name);
  return found != request.json.end() && found->is_string() ? found->get<std::string>()
                                                           : std::string{};
}

std::optional<CertificateUpload> certificate_of(const Request& request) {
  const auto found = request.json.find("certificate");
  if (found == request.json.end() || !found->is_object()) {
    return std::nullopt;
  }
  return CertificateUpload{.chain = found->value("chain", ""), .key = found->value("key", "")};
}

DomainPatch patch_of(const Request& request) {
  DomainPatch patch;
  const json& body = request.json;
  if (body.contains("tls")) {
    patch.tls = nullable_member(request, "tls");
  }
  if (body.contains("redirect_to")) {
    patch.redirect_to = nullable_member(request, "redirect_to");
  }
  if (body.contains("path_prefix")) {
    patch.path_prefix = nullable_member(request, "path_prefix");
  }
  if (body.contains("https_redirect")) {
    patch.https_redirect = body["https_redirect"].get<bool>();
  }
  if (body.contains("hsts")) {
    patch.hsts = body["hsts"].get<bool>();
  }
  patch.certificate = certificate_of(request);
  return patch;
}

const char* const kFieldsNote =
    "tls: acme | internal | off | custom, or null to follow the server's proxy setting; a "
    "wildcard (*.example.com) needs internal, custom or off. certificate {chain, key} (PEM) "
    "sets tls custom and is for team admins only (403 admin_required); the key is sealed and "
    "never returned. redirect_to: the id of another domain of the same app that serves its "
    "root (answers 308 there, path and query kept). path_prefix: /segment[/segment…], routed "
    "without stripping. https_redirect (default true) and hsts (default false) apply where TLS "
    "is on. The server's route table is re-applied to Caddy.";

auto domain_view = [](const DomainView& view) { return domain_json(view); };

}  // namespace

json domain_json(const DomainView& view) {
  const DomainRecord& d = view.domain;
  // What the server serves once it was read back; until then an uploaded certificate's own
  // details.
  const json& status = d.certificate_status;
  json certificate = nullptr;
  if (status.is_object() && status.contains("served") && status["served"].is_object()) {
    certificate = status["served"];
  } else if (d.tls == "custom" && !d.cert_info.empty()) {
    certificate = d.cert_info;
  }
  json certificate_check = nullptr;
  if (status.is_object()) {
    certificate_check = {{"error", status.value("error", json())},
                         {"acme_error", status.value("acme_error", json())},
                         {"acme_failed_at", status.value("acme_failed_at", json())},
                         {"checked_at", status.value("checked_at", json())}};
  }
  return {{"id", d.id},
          {"app_id", d.app_id},
          {"hostname", d.hostname},
          {"path_prefix", or_null(d.path_prefix)},
          {"primary", d.is_primary},
          {"tls", effective_tls(d, view.proxy)},
          {"tls_follows_server", d.tls.empty()},
          {"redirect_to", or_null(d.redirect_to)},
          {"https_redirect", d.https_redirect},
          {"hsts", d.hsts},
          {"url", domain_origin(d, view.proxy) + d.path_prefix},
          {"status", view.status},
          {"certificate", certificate},
          {"certificate_check", certificate_check},
          {"dns",
           {{"status", d.dns_status},
            {"records", d.dns_records},
            {"checked_at",
             d.dns_checked_at ? json(format_rfc3339(*d.dns_checked_at)) : json(nullptr)}}},
          {"created_at", format_rfc3339(d.created_at)},
          {"updated_at", format_rfc3339(d.updated_at)}};
}

json domain_schema() {
  const json optional_string = {{"type", {"string", "null"}}};
  return schema::object(
      {{"id", schema::string()},
       {"app_id", schema::string()},
       {"hostname", schema::string()},
       {"path_prefix", optional_string},
       {"primary", schema::boolean()},
       {"tls", schema::one_of_strings({"acme", "internal", "off", "custom"})},
       {"tls_follows_server", schema::boolean()},
       {"redirect_to", optional_string},
       {"https_redirect", schema::boolean()},
       {"hsts", schema::boolean()},
       {"url", schema::string()},
       {"status", schema::one_of_strings({"serving", "redirecting", "inactive"})},
       {"certificate", nullable(schema::object({{"subject", schema::string()},
                                                {"issuer", schema::string()},
                                                {"not_before", schema::string()},
                                                {"not_after", schema::string()},
                                                {"sans", schema::array_of(schema::string())}}))},
       {"certificate_check",
        nullable(schema::object({{"error", {{"type", {"string", "null"}}}},
                                 {"acme_error", {{"type", {"string", "null"}}}},
                                 {"acme_failed_at", {{"type", {"string", "null"}}}},
                                 {"checked_at", {{"type", {"string", "null"}}}}}))},
       {"dns",
        schema::object({{"status", schema::one_of_strings({"pending_dns", "ok", "elsewhere"})},
                        {"records", schema::array_of(schema::object(
                                        {{"type", schema::one_of_strings({"A", "AAAA", "CNAME"})},
                                         {"value", schema::string()}}))},
                        {"checked_at", optional_string}})},
       {"created_at", schema::string()},
       {"updated_at", schema::string()}});
}

void add_domain_routes(http::Router& router, const ApiContext& ctx) {
  router.get("/api/v1/apps/{id}/domains",
             {.summary = "List an app's domains",
              .role = Role::viewer,
              .response_schema = [] { return page_schema(domain_schema()); },
              .query = paging_query(),
              .description = "Ordered by hostname, then path prefix; ?page=, ?per_page=."},
             with_path_id("app", [&ctx](Request& request, const std::string& id) {
               return list_response(
                   request,
                   [&](const PageRequest& paging) {
                     return ctx.domains->list_app(caller(request), team_of_request(request), id,
                                                  paging);
                   },
                   domain_view);
             }));

  router.post("/api/v1/apps/{id}/domains",
              {.summary = "Give an app a domain",
               .role = Role::member,
               .request_schema = domain_body_schema(true),
               .response_schema = domain_schema,
               .success_status = 201,
               .description =
                   std::string("hostname: a DNS name of two labels or more (lower-cased; Unicode "
                               "is converted to its xn-- form), or *.name. 409 hostname_taken "
                               "when any app of the instance holds it (at this path prefix, or "
                               "in another team or on another server at any). The DNS check "
                               "starts in the background. ") +
                   kFieldsNote},
              with_path_id("app", [&ctx](Request& request, const std::string& id) {
                DomainInput input{.hostname = body_string(request, "hostname"),
                                  .tls = nullable_member(request, "tls"),
                                  .redirect_to = nullable_member(request, "redirect_to"),
                                  .path_prefix = nullable_member(request, "path_prefix"),
                                  .https_redirect = request.json.value("https_redirect", true),
                                  .hsts = request.json.value("hsts", false),
                                  .certificate = certificate_of(request)};
                return json_or(201,
                               ctx.domains->create(caller(request), team_of_request(request), id,
                                                   input, client_info(request)),
                               domain_view);
              }));

  router.get(
      "/api/v1/domains",
      {.summary = "List the team's domains",
       .role = Role::viewer,
       .response_schema = [] { return page_schema(domain_schema()); },
       .query =
           paging_query({filter_param("app_id", "app"),
                         {.name = "dns",
                          .description = "only domains whose DNS check found this",
                          .schema = schema::one_of_strings({"pending_dns", "ok", "elsewhere"})},
                         search_param("hostname")}),
       .description = "Ordered by hostname; ?app_id=, ?dns=pending_dns|ok|elsewhere, ?q= "
                      "(a substring of the hostname), ?page=, ?per_page=."},
      [&ctx](Request& request) -> Result<Response> {
        const DomainFilter filter{.app_id = request.query_param("app_id").value_or(""),
                                  .dns = request.query_param("dns").value_or(""),
                                  .q = request.query_param("q").value_or("")};
        return list_response(
            request,
            [&](const PageRequest& paging) {
              return ctx.domains->list(caller(request), team_of_request(request), filter, paging);
            },
            domain_view);
      });

  router.get("/api/v1/domains/{id}",
             {.summary = "Read a domain", .role = Role::viewer, .response_schema = domain_schema},
             with_path_id("dom", [&ctx](Request& request, const std::string& id) {
               return json_or(200, ctx.domains->get(caller(request), team_of_request(request), id),
                              domain_view);
             }));

  router.patch("/api/v1/domains/{id}",
               {.summary = "Change a domain",
                .role = Role::member,
                .request_schema = domain_body_schema(false),
                .response_schema = domain_schema,
                .description = std::string("The hostname does not change: add a domain and "
                                           "remove this one (the primary domain follows the "
                                           "app's hostname). ") +
                               kFieldsNote},
               with_path_id("dom", [&ctx](Request& request, const std::string& id) {
                 return json_or(200,
                                ctx.domains->update(caller(request), team_of_request(request), id,
                                                    patch_of(request), client_info(request)),
                                domain_view);
               }));

  router.del("/api/v1/domains/{id}",
             {.summary = "Remove a domain",
              .role = Role::member,
              .success_status = 204,
              .description = "409 domain_primary for the app's primary domain (change the app's "
                             "hostname instead); 409 domain_redirect_target while other domains "
                             "redirect to it."},
             with_path_id("dom", [&ctx](Request& request, const std::string& id) {
               return no_content_or(ctx.domains->remove(caller(request), team_of_request(request),
                                                        id, client_info(request)));
             }));

  router.post("/api/v1/domains/{id}/check",
              {.summary = "Check a domain's DNS now",
               .role = Role::member,
               .response_schema = domain_schema,
               .description = "Resolves A/AAAA/CNAME and compares the addresses with the "
                              "server's public addresses: dns.status pending_dns (no address), "
                              "ok (one is the server's) or elsewhere. Shown, never enforced."},
              with_path_id("dom", [&ctx](Request& request, const std::string& id) {
                return json_or(200,
                               ctx.domains->check(caller(request), team_of_request(request), id),
                               domain_view);
              }));
}

}  // namespace berth::api
