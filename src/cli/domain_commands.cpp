// berth domains …, berth edge …: the hostnames an app answers at, and what its proxy route
// does before a request reaches it (docs/domains.md, docs/edge.md).
#include <fmt/format.h>

#include <iostream>

#include "cli/command.hpp"

namespace berth::cli {
namespace {

const std::vector<Column> kDomainColumns = {
    {"ID", "id"},         {"HOSTNAME", "hostname"}, {"PATH", "path_prefix"},       {"TLS", "tls"},
    {"STATUS", "status"}, {"DNS", "dns.status"},    {"REDIRECT TO", "redirect_to"}};

// "shop.example.com" or "shop.example.com/api" (a domain under a path prefix).
struct DomainName {
  std::string hostname;
  std::string path_prefix;
};

DomainName split_domain(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    return {.hostname = text, .path_prefix = ""};
  }
  return {.hostname = text.substr(0, slash), .path_prefix = text.substr(slash)};
}

// A domain id, or the id of the team's domain with that hostname (and path prefix).
Result<std::string> domain_id(Api& api, const std::string& domain) {
  if (domain.starts_with("dom_")) {
    return domain;
  }
  const DomainName name = split_domain(domain);
  auto items = api.list_all("/api/v1/domains?q=" + url_encode(name.hostname));
  if (!items) {
    return fail(std::move(items.error()));
  }
  for (const auto& item : *items) {
    const auto prefix =
        item["path_prefix"].is_string() ? item["path_prefix"].get<std::string>() : std::string();
    if (item.value("hostname", "") == name.hostname && prefix == name.path_prefix) {
      return item.value("id", "");
    }
  }
  return fail(Error::not_found("no domain " + domain + " in this team"));
}

// A file's text (stdin for "-"); a file that cannot be read is a usage error.
std::expected<std::string, int> read_text_file(const std::string& path) {
  auto text = read_input_file(path);
  if (!text) {
    return std::unexpected(complain(text.error().message, kUsage));
  }
  return std::move(*text);
}

struct DomainArgs {
  std::string app, domain, path_prefix, tls, redirect_to, cert_chain, cert_key;
  std::string https_redirect, hsts;  // "on" | "off" | "" (unchanged)
  bool no_redirect = false;
};

void add_domain_options(CLI::App* command, DomainArgs& args) {
  command->add_option("--path-prefix", args.path_prefix,
                      "Route only this path and below (/api); nothing is stripped");
  command->add_option("--tls", args.tls, "acme, internal, off or custom (default: the server's)")
      ->check(CLI::IsMember({"acme", "internal", "off", "custom"}));
  command->add_option("--redirect-to", args.redirect_to,
                      "Answer 308 to another domain of the app (its id or hostname)");
  command
      ->add_option("--https-redirect", args.https_redirect,
                   "Redirect http:// to https:// where TLS is on (on by default)")
      ->check(CLI::IsMember({"on", "off"}));
  command->add_option("--hsts", args.hsts, "Send Strict-Transport-Security")
      ->check(CLI::IsMember({"on", "off"}));
  command->add_option("--cert-chain", args.cert_chain,
                      "A PEM certificate chain for tls custom (admins)");
  command->add_option("--cert-key", args.cert_key, "Its PEM private key");
}

// The body fields the options name; the error side is the exit status.
std::expected<nlohmann::json, int> domain_body(Api& api, const DomainArgs& args,
                                               const CLI::App& command) {
  nlohmann::json body = nlohmann::json::object();
  if (command.count("--path-prefix") > 0) {
    body["path_prefix"] =
        args.path_prefix.empty() ? nlohmann::json() : nlohmann::json(args.path_prefix);
  }
  if (!args.tls.empty()) {
    body["tls"] = args.tls;
  }
  if (args.no_redirect) {
    body["redirect_to"] = nullptr;
  } else if (!args.redirect_to.empty()) {
    auto target = domain_id(api, args.redirect_to);
    if (!target) {
      return std::unexpected(report(target.error()));
    }
    body["redirect_to"] = *target;
  }
  if (!args.https_redirect.empty()) {
    body["https_redirect"] = args.https_redirect == "on";
  }
  if (!args.hsts.empty()) {
    body["hsts"] = args.hsts == "on";
  }
  if (args.cert_chain.empty() != args.cert_key.empty()) {
    return std::unexpected(complain("give both --cert-chain and --cert-key", kUsage));
  }
  if (!args.cert_chain.empty()) {
    auto chain = read_text_file(args.cert_chain);
    auto key = chain ? read_text_file(args.cert_key) : chain;
    if (!key) {
      return std::unexpected(key.error());
    }
    body["certificate"] = {{"chain", *chain}, {"key", *key}};
  }
  return body;
}

int show_domain_check(Api& api, const nlohmann::json& domain) {
  if (api.options().json) {
    fmt::print("{}\n", domain.dump(2));
    return kOk;
  }
  if (api.options().quiet) {
    fmt::print("{}\n", cell(domain, "id"));
    return kOk;
  }
  fmt::print("{}: DNS {}\n", cell(domain, "hostname"), cell(domain, "dns.status"));
  for (const auto& record : domain["dns"].value("records", nlohmann::json::array())) {
    fmt::print("  {} {}\n", cell(record, "type"), cell(record, "value"));
  }
  return kOk;
}

void add_domain_verbs(CLI::App* domains, const Runner& runner) {
  auto ls_app = std::make_shared<std::string>();
  auto dns = std::make_shared<std::string>();
  auto* ls = domains->add_subcommand("ls", "List the team's domains, or one app's");
  ls->add_option("app", *ls_app, "App id or name (default: every app of the team)");
  ls->add_option("--dns", *dns, "Only those whose DNS is pending_dns, ok or elsewhere")
      ->check(CLI::IsMember({"pending_dns", "ok", "elsewhere"}));
  ls->footer("Example:\n  berth domains ls web\n  berth domains ls --dns elsewhere");
  runner.on(ls, [ls_app, dns](Api& api) {
    std::string path = "/api/v1/domains";
    if (!ls_app->empty()) {
      auto app_path = path_of(api, "apps", *ls_app, "/domains");
      if (!app_path) {
        return report(app_path.error());
      }
      path = *app_path;
    }
    if (!dns->empty()) {
      path += "?dns=" + *dns;
    }
    auto items = api.list_all(path);
    return items ? show_list(api.options(), *items, kDomainColumns) : report(items.error());
  });

  auto add_args = std::make_shared<DomainArgs>();
  auto* add = domains->add_subcommand("add", "Give an app another hostname");
  add->add_option("app", add_args->app, "App id or name")->required();
  add->add_option("hostname", add_args->domain, "The hostname (*.example.com: a wildcard)")
      ->required();
  add_domain_options(add, *add_args);
  add->footer(
      "Example:\n  berth domains add web shop.example.com\n  berth domains add web "
      "www.shop.example.com --redirect-to shop.example.com");
  runner.on(add, [add_args, add](Api& api) {
    auto body = domain_body(api, *add_args, *add);
    if (!body) {
      return body.error();
    }
    (*body)["hostname"] = add_args->domain;
    auto path = path_of(api, "apps", add_args->app, "/domains");
    auto answer = path
                      ? api.call("POST", *path, *body, {{"Idempotency-Key", new_idempotency_key()}})
                      : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    return show_done(api.options(), *answer,
                     fmt::format("Added {} ({}): DNS {}", cell(*answer, "url"), cell(*answer, "id"),
                                 cell(*answer, "dns.status")));
  });

  auto edit_args = std::make_shared<DomainArgs>();
  auto* edit = domains->add_subcommand("edit", "Change a domain's TLS, redirect, prefix or HSTS");
  edit->add_option("domain", edit_args->domain, "Domain id or hostname[/prefix]")->required();
  add_domain_options(edit, *edit_args);
  edit->add_flag("--no-redirect", edit_args->no_redirect, "Serve the app again, not a redirect");
  edit->footer("Example:\n  berth domains edit shop.example.com --hsts on");
  runner.on(edit, [edit_args, edit](Api& api) {
    auto body = domain_body(api, *edit_args, *edit);
    if (!body) {
      return body.error();
    }
    if (body->empty()) {
      return complain("nothing to change", kUsage);
    }
    auto id = domain_id(api, edit_args->domain);
    auto answer =
        id ? api.call("PATCH", "/api/v1/domains/" + *id, *body) : fail(std::move(id.error()));
    return answer ? show_done(api.options(), *answer, "Updated " + cell(*answer, "url"))
                  : report(answer.error());
  });

  auto domain = std::make_shared<std::string>();
  auto* show = domains->add_subcommand("show", "Show a domain with its DNS and certificate");
  show->add_option("domain", *domain, "Domain id or hostname[/prefix]")->required();
  runner.on(show, [domain](Api& api) {
    auto id = domain_id(api, *domain);
    auto answer = id ? api.get("/api/v1/domains/" + *id) : fail(std::move(id.error()));
    if (!answer) {
      return report(answer.error());
    }
    return show_object(api.options(), *answer,
                       {{"ID", "id"},
                        {"URL", "url"},
                        {"APP", "app_id"},
                        {"PRIMARY", "primary"},
                        {"TLS", "tls"},
                        {"STATUS", "status"},
                        {"REDIRECT TO", "redirect_to"},
                        {"HTTPS REDIRECT", "https_redirect"},
                        {"HSTS", "hsts"},
                        {"DNS", "dns.status"},
                        {"DNS RECORDS", "dns.records"},
                        {"DNS CHECKED", "dns.checked_at"},
                        {"CERTIFICATE", "certificate"}});
  });

  auto* check = domains->add_subcommand(
      "check", "Check a domain's DNS now: where its name points, compared with the server");
  check->add_option("domain", *domain, "Domain id or hostname[/prefix]")->required();
  check->footer("Example:\n  berth domains check shop.example.com");
  runner.on(check, [domain](Api& api) {
    auto id = domain_id(api, *domain);
    auto answer =
        id ? api.call("POST", "/api/v1/domains/" + *id + "/check") : fail(std::move(id.error()));
    return answer ? show_domain_check(api, *answer) : report(answer.error());
  });

  auto* rm = domains->add_subcommand("rm", "Remove a domain (not the app's primary one)");
  rm->add_option("domain", *domain, "Domain id or hostname[/prefix]")->required();
  runner.on(rm, [domain](Api& api) {
    auto id = domain_id(api, *domain);
    auto answer = id ? api.call("DELETE", "/api/v1/domains/" + *id) : fail(std::move(id.error()));
    return answer ? show_done(api.options(), *answer, "Removed " + *domain)
                  : report(answer.error());
  });
}

void add_edge_verbs(CLI::App* edge, const Runner& runner) {
  auto app = std::make_shared<std::string>();
  auto* show = edge->add_subcommand("show", "Print an app's edge rules (JSON, as set takes it)");
  show->add_option("app", *app, "App id or name")->required();
  runner.on(show, [app](Api& api) {
    auto path = path_of(api, "apps", *app, "/edge");
    auto answer = path ? api.get(*path) : fail(std::move(path.error()));
    if (!answer) {
      return report(answer.error());
    }
    fmt::print("{}\n", answer->dump(2));
    return int{kOk};
  });

  auto file = std::make_shared<std::string>();
  auto maintenance = std::make_shared<std::string>();
  auto retry_after = std::make_shared<std::int64_t>(0);
  auto* set = edge->add_subcommand(
      "set", "Replace an app's edge rules with a JSON file, or switch maintenance on or off");
  set->add_option("app", *app, "App id or name")->required();
  auto* file_opt = set->add_option("-f,--file", *file, "The rules as JSON (- reads stdin)");
  set->add_option("--maintenance", *maintenance,
                  "on: answer 503 with Retry-After while the app stays deployed; off: serve")
      ->check(CLI::IsMember({"on", "off"}))
      ->excludes(file_opt);
  set->add_option("--retry-after", *retry_after, "Seconds for Retry-After with --maintenance on")
      ->check(CLI::Range(1, 7 * 24 * 3600));
  set->footer(
      "Example:\n  berth edge show web > edge.json && $EDITOR edge.json && berth edge set web -f "
      "edge.json\n  berth edge set web --maintenance on --retry-after 600");
  runner.on(set, [app, file, maintenance, retry_after](Api& api) {
    auto path = path_of(api, "apps", *app, "/edge");
    if (!path) {
      return report(path.error());
    }
    nlohmann::json rules;
    if (!file->empty()) {
      auto text = read_text_file(*file);
      if (!text) {
        return text.error();
      }
      rules = nlohmann::json::parse(*text, nullptr, false);
      if (rules.is_discarded() || !rules.is_object()) {
        return complain(*file + " is not a JSON object", kUsage);
      }
    } else if (!maintenance->empty()) {
      auto current = api.get(*path);  // the rest stays as it is
      if (!current) {
        return report(current.error());
      }
      rules = std::move(*current);
      rules["maintenance"]["enabled"] = *maintenance == "on";
      if (*retry_after > 0) {
        rules["maintenance"]["retry_after_seconds"] = *retry_after;
      }
    } else {
      return complain("give -f FILE or --maintenance on|off", kUsage);
    }
    auto answer = api.call("PUT", *path, rules);
    return answer ? show_done(api.options(), *answer, "Edge rules of " + *app + " applied")
                  : report(answer.error());
  });
}

}  // namespace

void add_domain_commands(CLI::App& app, const Runner& runner) {
  auto* domains = app.add_subcommand("domains", "The hostnames apps answer at, with TLS");
  domains->require_subcommand(1);
  add_domain_verbs(domains, runner);
  auto* edge = app.add_subcommand(
      "edge", "An app's edge rules: redirects, headers, allow-list, basic auth, maintenance");
  edge->require_subcommand(1);
  add_edge_verbs(edge, runner);
}

}  // namespace berth::cli
