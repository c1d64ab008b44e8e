#include "domain/domains/domain_service.hpp"

#include <algorithm>
#include <map>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "domain/apps/apps_tx.hpp"
#include "domain/apps/deploy_policy.hpp"
#include "domain/domains/certificate_check.hpp"
#include "domain/domains/domain_rules.hpp"
#include "domain/domains/hostname_claims.hpp"
#include "domain/kernel/audit.hpp"
#include "domain/kernel/team_access.hpp"
#include "domain/routing/route_table.hpp"

namespace berth {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kCheckEvery = 24h;

Result<DomainRecord> team_domain(Tx& tx, std::string_view team_id, std::string_view id) {
  if (!is_valid_id("dom", id)) {
    return fail(Error::not_found("no such domain"));
  }
  auto found = tx.get_domain(team_id, id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(Error::not_found("no such domain"));
  }
  return std::move(**found);
}

Result<DomainView> view_in(Tx& tx, DomainRecord domain) {
  auto app = tx.get_app(domain.team_id, domain.app_id);
  if (!app) {
    return fail(std::move(app.error()));
  }
  if (!*app) {
    return fail(Error::not_found("no such app"));
  }
  auto proxy = proxy_settings_of(tx, (*app)->server_id);
  if (!proxy) {
    return fail(std::move(proxy.error()));
  }
  const bool serving = (*app)->status != "stopped" && !(*app)->current_deployment_id.empty();
  std::string status = !serving                      ? "inactive"
                       : !domain.redirect_to.empty() ? "redirecting"
                                                     : "serving";
  return DomainView{.domain = std::move(domain), .proxy = std::move(*proxy), .status = status};
}

Result<Page<DomainView>> views_of(Tx& tx, Page<DomainRecord> page) {
  Page<DomainView> out{.items = {}, .total = page.total};
  for (auto& domain : page.items) {
    auto view = view_in(tx, std::move(domain));
    if (!view) {
      return fail(std::move(view.error()));
    }
    out.items.push_back(std::move(*view));
  }
  return out;
}

// What a domain would be once stored: the rules that involve other rows of the store.
class DomainCheck {
 public:
  DomainCheck(Tx& tx, const AppRecord& app) : tx_(tx), app_(app) {}

  Result<void> redirect(const DomainRecord& domain) {
    if (domain.redirect_to.empty()) {
      return {};
    }
    const auto bad = [](std::string message) {
      return fail(Error::validation("redirect_to", std::move(message)));
    };
    if (domain.redirect_to == domain.id) {
      return bad("a domain cannot redirect to itself");
    }
    if (domain.is_primary) {
      return bad("the app's primary domain serves the app; make another domain redirect to it");
    }
    if (!is_valid_id("dom", domain.redirect_to)) {
      return bad("redirect_to must be the id of a domain of the same app");
    }
    auto target = tx_.get_domain(app_.team_id, domain.redirect_to);
    if (!target) {
      return fail(std::move(target.error()));
    }
    if (!*target || (*target)->app_id != app_.id) {
      return bad("redirect_to must be the id of a domain of the same app");
    }
    if (!(*target)->redirect_to.empty() || !(*target)->path_prefix.empty() ||
        domains::is_wildcard((*target)->hostname)) {
      return bad(
          "redirect_to must name a domain that serves the app at its root, not a redirect, "
          "a path prefix or a wildcard");
    }
    return {};
  }

  // Nothing may redirect to a domain that stops serving the root of its host.
  Result<void> still_a_target(const DomainRecord& domain) {
    if (domain.redirect_to.empty() && domain.path_prefix.empty()) {
      return {};
    }
    auto siblings = tx_.list_app_domains(app_.id);
    if (!siblings) {
      return fail(std::move(siblings.error()));
    }
    for (const auto& other : *siblings) {
      if (other.redirect_to == domain.id) {
        return fail(with_code(Error::conflict("other domains of the app redirect to this one"),
                              "domain_redirect_target"));
      }
    }
    return {};
  }

  Result<void> tls(const DomainRecord& domain, const ProxySettingsRecord& proxy) {
    if (domains::is_wildcard(domain.hostname) && effective_tls(domain, proxy) == "acme") {
      return fail(Error::validation(
          "tls",
          "a wildcard domain needs tls internal, custom or off (ACME HTTP-01 cannot "
          "issue wildcard certificates)"));
    }
    if (domain.tls == "custom" && domain.cert_chain.empty()) {
      return fail(Error::validation("certificate", "tls custom needs a certificate {chain, key}"));
    }
    return {};
  }

 private:
  Tx& tx_;
  const AppRecord& app_;
};

// Validates and seals an uploaded certificate into `domain` (its tls becomes custom).
Result<void> take_certificate(DomainRecord& domain, const CertificateUpload& upload,
                              const AreaContext& ctx) {
  auto info =
      domains::check_certificate(upload.chain, upload.key, domain.hostname, ctx.clock().now());
  if (!info) {
    return fail(std::move(info.error()));
  }
  domain.tls = "custom";
  domain.cert_chain = upload.chain;
  domain.cert_key_sealed = crypto::seal(ctx.services.master_key, ctx.random(), upload.key);
  domain.cert_info = domains::certificate_info_json(*info);
  return {};
}

void drop_certificate(DomainRecord& domain) {
  domain.cert_chain.clear();
  domain.cert_key_sealed.clear();
  domain.cert_info = json::object();
}

Result<std::string> checked_tls(const std::string& tls) {
  if (!tls.empty() && !domains::is_domain_tls(tls)) {
    return fail(Error::validation("tls", "tls must be acme, internal, off or custom"));
  }
  return tls;
}

json audit_details(const DomainRecord& domain) {
  return {{"app_id", domain.app_id},
          {"hostname", domain.hostname},
          {"path_prefix", domain.path_prefix},
          {"tls", domain.tls},
          {"redirect_to", domain.redirect_to},
          {"https_redirect", domain.https_redirect},
          {"hsts", domain.hsts},
          {"certificate", !domain.cert_chain.empty()}};
}

std::vector<std::string> server_addresses(const ServerRecord& server,
                                          const ProxySettingsRecord& proxy) {
  if (!proxy.public_addresses.empty()) {
    return proxy.public_addresses;
  }
  std::vector<std::string> out;
  const auto reported = server.facts.find("addresses");
  if (reported != server.facts.end() && reported->is_array()) {
    for (const auto& address : *reported) {
      if (address.is_string()) {
        out.push_back(address.get<std::string>());
      }
    }
  }
  return out;
}

}  // namespace

Result<Page<DomainView>> DomainService::list(const Principal& who, std::string_view team_id,
                                             const DomainFilter& filter, const PageRequest& page) {
  if (auto ok = check_page_request(page); !ok) {
    return fail(std::move(ok.error()));
  }
  if (auto ok = check_filter(filter.q, "q"); !ok) {
    return fail(std::move(ok.error()));
  }
  if (!filter.app_id.empty() && !is_valid_id("app", filter.app_id)) {
    return fail(Error::validation("app_id", "app_id is not an app id"));
  }
  if (!filter.dns.empty() && filter.dns != "pending_dns" && filter.dns != "ok" &&
      filter.dns != "elsewhere") {
    return fail(Error::validation("dns", "dns must be pending_dns, ok or elsewhere"));
  }
  return read_value<Page<DomainView>>(ctx_.store(), [&](Tx& tx) -> Result<Page<DomainView>> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto found = tx.list_domains(DomainQuery{.team_id = std::string(team_id),
                                             .app_id = filter.app_id,
                                             .dns_status = filter.dns,
                                             .q = filter.q,
                                             .page = page.page,
                                             .per_page = page.per_page});
    if (!found) {
      return fail(std::move(found.error()));
    }
    return views_of(tx, std::move(*found));
  });
}

Result<Page<DomainView>> DomainService::list_app(const Principal& who, std::string_view team_id,
                                                 std::string_view app_id, const PageRequest& page) {
  auto exists = read_value<bool>(ctx_.store(), [&](Tx& tx) -> Result<bool> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    if (auto app = apps_tx::app(tx, team_id, app_id); !app) {
      return fail(std::move(app.error()));
    }
    return true;
  });
  if (!exists) {
    return fail(std::move(exists.error()));
  }
  return list(who, team_id, DomainFilter{.app_id = std::string(app_id)}, page);
}

Result<DomainView> DomainService::get(const Principal& who, std::string_view team_id,
                                      std::string_view id) {
  return read_value<DomainView>(ctx_.store(), [&](Tx& tx) -> Result<DomainView> {
    if (auto role = require_team_role(tx, who, team_id, Role::viewer); !role) {
      return fail(std::move(role.error()));
    }
    auto domain = team_domain(tx, team_id, id);
    if (!domain) {
      return fail(std::move(domain.error()));
    }
    return view_in(tx, std::move(*domain));
  });
}

Result<DomainView> DomainService::create(const Principal& who, std::string_view team_id,
                                         std::string_view app_id, const DomainInput& input,
                                         const ClientInfo& client) {
  auto hostname = domains::normalize_hostname(input.hostname, "hostname");
  if (!hostname) {
    return fail(std::move(hostname.error()));
  }
  auto prefix = domains::normalize_path_prefix(input.path_prefix, "path_prefix");
  if (!prefix) {
    return fail(std::move(prefix.error()));
  }
  auto tls = checked_tls(input.tls);
  if (!tls) {
    return fail(std::move(tls.error()));
  }
  const TimePoint now = ctx_.clock().now();
  DomainRecord domain{.id = ctx_.ids().next("dom"),
                      .team_id = std::string(team_id),
                      .app_id = std::string(app_id),
                      .hostname = *hostname,
                      .path_prefix = *prefix,
                      .tls = *tls,
                      .redirect_to = input.redirect_to,
                      .https_redirect = input.https_redirect,
                      .hsts = input.hsts};
  domain.created_at = now;
  domain.updated_at = now;
  json details = audit_details(domain);
  if (input.certificate) {
    details["tls"] = "custom";
    details["certificate"] = true;
  }
  auto created = write_audited_value<DomainView>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "domain.create", domain.id, std::string(team_id),
                 details),
      [&](Tx& tx) -> Result<DomainView> {
        auto role = require_team_role(tx, who, team_id, Role::member);
        if (!role) {
          return fail(std::move(role.error()));
        }
        if (input.certificate) {
          if (!role_includes(*role, Role::admin)) {
            return fail(admin_required_error("certificate"));
          }
          if (auto taken = take_certificate(domain, *input.certificate, ctx_); !taken) {
            return fail(std::move(taken.error()));
          }
        }
        if (!is_valid_id("app", app_id)) {
          return fail(Error::not_found("no such app"));
        }
        auto app = apps_tx::app(tx, team_id, app_id);
        if (!app) {
          return fail(std::move(app.error()));
        }
        auto proxy = proxy_settings_of(tx, app->server_id);
        if (!proxy) {
          return fail(std::move(proxy.error()));
        }
        DomainCheck rules(tx, *app);
        for (auto step : {rules.redirect(domain), rules.tls(domain, *proxy),
                          hostname_available(tx, *app, domain.hostname, domain.path_prefix, "",
                                             panel_hostname(ctx_.services.public_url))}) {
          if (!step) {
            return fail(std::move(step.error()));
          }
        }
        if (auto stored = tx.create_domain(domain); !stored) {
          return fail(std::move(stored.error()));
        }
        return view_in(tx, domain);
      });
  if (!created) {
    return created;
  }
  routes_changed(app_id);
  background_.post([this, id = domain.id] { (void)run_check(id); });
  return created;
}

Result<DomainView> DomainService::update(const Principal& who, std::string_view team_id,
                                         std::string_view id, const DomainPatch& patch,
                                         const ClientInfo& client) {
  std::optional<std::string> prefix;
  if (patch.path_prefix) {
    auto normalized = domains::normalize_path_prefix(*patch.path_prefix, "path_prefix");
    if (!normalized) {
      return fail(std::move(normalized.error()));
    }
    prefix = *normalized;
  }
  if (patch.tls) {
    if (auto tls = checked_tls(*patch.tls); !tls) {
      return fail(std::move(tls.error()));
    }
  }
  json details = json::object();
  for (const auto& [field, given] : std::initializer_list<std::pair<const char*, bool>>{
           {"tls", patch.tls.has_value()},
           {"redirect_to", patch.redirect_to.has_value()},
           {"path_prefix", patch.path_prefix.has_value()},
           {"https_redirect", patch.https_redirect.has_value()},
           {"hsts", patch.hsts.has_value()},
           {"certificate", patch.certificate.has_value()}}) {
    if (given) {
      details["changed"].push_back(field);
    }
  }
  std::string app_id;
  auto updated = write_audited_value<DomainView>(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "domain.update", std::string(id),
                 std::string(team_id), details),
      [&](Tx& tx) -> Result<DomainView> {
        auto role = require_team_role(tx, who, team_id, Role::member);
        if (!role) {
          return fail(std::move(role.error()));
        }
        if (patch.certificate && !role_includes(*role, Role::admin)) {
          return fail(admin_required_error("certificate"));
        }
        auto found = team_domain(tx, team_id, id);
        if (!found) {
          return fail(std::move(found.error()));
        }
        DomainRecord domain = std::move(*found);
        app_id = domain.app_id;
        auto app = apps_tx::app(tx, team_id, domain.app_id);
        if (!app) {
          return fail(std::move(app.error()));
        }
        domain.path_prefix = prefix.value_or(domain.path_prefix);
        domain.redirect_to = patch.redirect_to.value_or(domain.redirect_to);
        domain.https_redirect = patch.https_redirect.value_or(domain.https_redirect);
        domain.hsts = patch.hsts.value_or(domain.hsts);
        if (patch.tls) {
          domain.tls = *patch.tls;
          if (domain.tls != "custom") {
            drop_certificate(domain);
          }
        }
        if (patch.certificate) {
          if (auto taken = take_certificate(domain, *patch.certificate, ctx_); !taken) {
            return fail(std::move(taken.error()));
          }
        }
        auto proxy = proxy_settings_of(tx, app->server_id);
        if (!proxy) {
          return fail(std::move(proxy.error()));
        }
        DomainCheck rules(tx, *app);
        for (auto step :
             {rules.redirect(domain), rules.still_a_target(domain), rules.tls(domain, *proxy),
              hostname_available(tx, *app, domain.hostname, domain.path_prefix, domain.id,
                                 panel_hostname(ctx_.services.public_url))}) {
          if (!step) {
            return fail(std::move(step.error()));
          }
        }
        domain.updated_at = ctx_.clock().now();
        if (auto stored = tx.update_domain(domain); !stored) {
          return fail(std::move(stored.error()));
        }
        return view_in(tx, domain);
      });
  if (updated) {
    routes_changed(app_id);
  }
  return updated;
}

Result<void> DomainService::remove(const Principal& who, std::string_view team_id,
                                   std::string_view id, const ClientInfo& client) {
  std::string app_id;
  auto done = write_audited(
      ctx_.store(),
      make_audit(ctx_, actor_of(who, client), "domain.delete", std::string(id),
                 std::string(team_id)),
      [&](Tx& tx) -> Result<void> {
        if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
          return fail(std::move(role.error()));
        }
        auto domain = team_domain(tx, team_id, id);
        if (!domain) {
          return fail(std::move(domain.error()));
        }
        app_id = domain->app_id;
        if (domain->is_primary) {
          return fail(with_code(Error::conflict("this is the app's primary domain: change the "
                                                "app's hostname instead"),
                                "domain_primary"));
        }
        auto siblings = tx.list_app_domains(domain->app_id);
        if (!siblings) {
          return fail(std::move(siblings.error()));
        }
        for (const auto& other : *siblings) {
          if (other.redirect_to == domain->id) {
            return fail(with_code(Error::conflict("other domains of the app redirect to this one"),
                                  "domain_redirect_target"));
          }
        }
        return tx.delete_domain(id);
      });
  if (done) {
    routes_changed(app_id);
  }
  return done;
}

Result<DomainView> DomainService::check(const Principal& who, std::string_view team_id,
                                        std::string_view id) {
  auto allowed = read_value<bool>(ctx_.store(), [&](Tx& tx) -> Result<bool> {
    if (auto role = require_team_role(tx, who, team_id, Role::member); !role) {
      return fail(std::move(role.error()));
    }
    if (auto domain = team_domain(tx, team_id, id); !domain) {
      return fail(std::move(domain.error()));
    }
    return true;
  });
  if (!allowed) {
    return fail(std::move(allowed.error()));
  }
  if (auto checked = run_check(id); !checked) {
    return fail(std::move(checked.error()));
  }
  // And what its server serves now; an unreachable agent leaves the last reading as it was.
  auto server_id = read_value<std::string>(ctx_.store(), [&](Tx& tx) -> Result<std::string> {
    auto domain = team_domain(tx, team_id, id);
    auto app = domain ? apps_tx::app(tx, team_id, domain->app_id) : fail(domain.error());
    return app ? Result<std::string>(app->server_id) : fail(std::move(app.error()));
  });
  if (server_id && !server_id->empty() && certificates_.read) {
    (void)check_certificates(*server_id);
  }
  return get(who, team_id, id);
}

void DomainService::check_due(std::int64_t batch) {
  auto due = read_value<std::vector<std::string>>(ctx_.store(), [&](Tx& tx) {
    return tx.list_domains_to_check(ctx_.clock().now() - kCheckEvery, batch);
  });
  if (!due) {
    log::warn("domains.check_due_failed", {{"message", due.error().message}});
    return;
  }
  for (const auto& id : *due) {
    background_.post([this, id] { (void)run_check(id); });
  }
}

Result<void> DomainService::run_check(std::string_view domain_id) {
  struct Target {
    std::string hostname;
    std::vector<std::string> addresses;
  };
  auto target = read_value<Target>(ctx_.store(), [&](Tx& tx) -> Result<Target> {
    auto domain = team_domain(tx, "", domain_id);
    if (!domain) {
      return fail(std::move(domain.error()));
    }
    auto app = apps_tx::app(tx, "", domain->app_id);
    if (!app) {
      return fail(std::move(app.error()));
    }
    auto server = tx.get_server("", app->server_id);
    auto proxy = proxy_settings_of(tx, app->server_id);
    if (!server || !proxy) {
      return fail(!server ? std::move(server.error()) : std::move(proxy.error()));
    }
    return Target{
        .hostname = domain->hostname,
        .addresses = *server ? server_addresses(**server, *proxy) : std::vector<std::string>{}};
  });
  if (!target) {
    return fail(std::move(target.error()));
  }
  // The lookup runs outside any transaction: it may take seconds.
  const auto verdict = domains::judge_dns(resolver_.resolve(domains::probe_name(target->hostname)),
                                          target->addresses);
  return ctx_.store().write([&](Tx& tx) -> Result<void> {
    auto stored = tx.get_domain("", domain_id);
    if (!stored) {
      return fail(std::move(stored.error()));
    }
    if (!*stored || (*stored)->hostname != target->hostname) {
      return {};  // removed or renamed meanwhile: this verdict is about another name
    }
    DomainRecord domain = std::move(**stored);
    domain.dns_status = verdict.status;
    domain.dns_records = verdict.records;
    domain.dns_checked_at = ctx_.clock().now();
    return tx.update_domain(domain);
  });
}

void DomainService::routes_changed(std::string_view app_id) {
  if (lifecycle_ == nullptr) {
    return;
  }
  auto app = read_value<std::optional<AppRecord>>(ctx_.store(),
                                                  [&](Tx& tx) { return tx.get_app("", app_id); });
  // Only a deployed app has routes; the others' domains wait for their first deployment.
  if (app && *app && !(*app)->current_deployment_id.empty()) {
    lifecycle_->routes_changed((*app)->server_id);
  }
}

}  // namespace berth
