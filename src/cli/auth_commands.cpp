// berth login | logout | whoami | context ls|use|rm — the commands that manage who berth is.
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "cli/command.hpp"

namespace berth::cli {
namespace {

// Reads one line from stdin; with a terminal and `secret`, without echoing it. Echo goes off
// before the question shows, and nothing typed is flushed (TCSANOW, not TCSAFLUSH): whatever
// follows the question is the answer, however fast it comes.
std::string prompt(const std::string& question, bool secret) {
  const bool terminal = isatty(STDIN_FILENO) == 1;
  termios saved{};
  const bool hide = secret && terminal && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (hide) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  if (terminal) {
    fmt::print(stderr, "{}", question);
    std::fflush(stderr);
  }
  std::string line;
  std::getline(std::cin, line);
  if (hide) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fmt::print(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

struct LoginArgs {
  std::string url;
  std::string email;
};

int login(const GlobalOptions& global, const LoginArgs& args) {
  auto file = read_credentials();
  if (!file) {
    return report(file.error());
  }
  const auto name = context_name(global, *file);
  std::string url = args.url;
  if (url.empty()) {
    if (const char* from_env = std::getenv("BERTH_URL"); from_env != nullptr) {
      url = from_env;
    } else if (file->contexts.contains(name)) {
      url = file->contexts[name].url;
    }
  }
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  if (url.empty()) {
    return complain("which berthd? run `berth login https://berth.example.com`", kUsage);
  }
  const std::string email = args.email.empty() ? prompt("Email: ", false) : args.email;
  const std::string password = prompt("Password: ", true);
  client::ClientOptions options{.base_url = url};
  options.ca_file = global.ca_file;
  options.insecure = global.insecure;
  client::Client anonymous(options);
  nlohmann::json body{{"email", email}, {"password", password}};
  auto answer = anonymous.request("POST", "/api/v1/auth/token", body);
  if (answer && answer->status == 401 && client::api_error(*answer).code == "totp_required") {
    body["totp"] = prompt("Two-factor code: ", true);
    answer = anonymous.request("POST", "/api/v1/auth/token", body);
  }
  if (!answer) {
    return report(answer.error());
  }
  if (!answer->ok()) {
    return report(client::api_error(*answer));
  }
  const auto json = answer->json();
  CredentialLock lock;
  auto fresh = read_credentials();
  if (!fresh) {
    return report(fresh.error());
  }
  fresh->contexts[name] =
      Credential{.url = url,
                 .email = email,
                 .team = global.team,
                 .refresh_token = json.value("refresh_token", ""),
                 .access_token = json.value("access_token", ""),
                 .access_expires_at = unix_now() + json.value("expires_in", 900LL)};
  fresh->current = name;
  if (auto written = write_credentials(*fresh); !written) {
    return report(written.error());
  }
  if (!global.quiet) {
    fmt::print("Signed in to {} as {} (context {})\n", url, email, name);
  }
  return kOk;
}

int logout(const GlobalOptions& global) {
  CredentialLock lock;
  auto file = read_credentials();
  if (!file) {
    return report(file.error());
  }
  const auto name = context_name(global, *file);
  const auto found = file->contexts.find(name);
  if (found == file->contexts.end()) {
    return complain("not signed in (context " + name + ")", kNotAuthorized);
  }
  if (!found->second.access_token.empty() && found->second.access_expires_at > unix_now()) {
    // Best effort: the credential is forgotten here whether or not berthd can be reached.
    client::Client signed_in({.base_url = found->second.url, .token = found->second.access_token});
    (void)signed_in.request("POST", "/api/v1/auth/logout");
  }
  file->contexts.erase(found);
  if (file->current == name) {
    file->current = file->contexts.empty() ? "" : file->contexts.begin()->first;
  }
  if (auto written = write_credentials(*file); !written) {
    return report(written.error());
  }
  if (!global.quiet) {
    fmt::print("Signed out (context {})\n", name);
  }
  return kOk;
}

int whoami(Api& api) {
  auto me = api.get("/api/v1/me");
  if (!me) {
    return report(me.error());
  }
  const auto& global = api.options();
  if (global.json) {
    fmt::print("{}\n", me->dump(2));
    return kOk;
  }
  if (global.quiet) {
    fmt::print("{}\n", cell(*me, "user.id"));
    return kOk;
  }
  fmt::print("{} <{}> on {}\n", cell(*me, "user.display_name"), cell(*me, "user.email"),
             api.base_url());
  if ((*me)["api_key"].is_object()) {
    fmt::print("API key {} ({} in {})\n", cell(*me, "api_key.id"), cell(*me, "api_key.role"),
               cell(*me, "api_key.team_id"));
  }
  for (const auto& membership : (*me)["memberships"]) {
    fmt::print("  {}  {}  {}\n", cell(membership, "team.id"), cell(membership, "team.name"),
               cell(membership, "role"));
  }
  return kOk;
}

int context_list(const GlobalOptions& global) {
  auto file = read_credentials();
  if (!file) {
    return report(file.error());
  }
  nlohmann::json rows = nlohmann::json::array();
  const auto current = context_name(global, *file);
  for (const auto& [name, credential] : file->contexts) {
    // Never the tokens: --json output ends up in logs.
    rows.push_back({{"id", name},
                    {"current", name == current ? "*" : ""},
                    {"url", credential.url},
                    {"email", credential.email},
                    {"team", credential.team}});
  }
  return show_list(
      global, rows,
      {{"", "current"}, {"NAME", "id"}, {"URL", "url"}, {"EMAIL", "email"}, {"TEAM", "team"}});
}

int context_change(const GlobalOptions& global, const std::string& name, bool remove) {
  CredentialLock lock;
  auto file = read_credentials();
  if (!file) {
    return report(file.error());
  }
  if (!file->contexts.contains(name)) {
    return complain("no context named " + name, kNotFound);
  }
  if (remove) {
    file->contexts.erase(name);
    if (file->current == name) {
      file->current.clear();
    }
  } else {
    file->current = name;
  }
  if (auto written = write_credentials(*file); !written) {
    return report(written.error());
  }
  if (!global.quiet) {
    fmt::print("{} context {}\n", remove ? "Removed" : "Using", name);
  }
  return kOk;
}

}  // namespace

void add_auth_commands(CLI::App& app, const Runner& runner) {
  auto args = std::make_shared<LoginArgs>();
  auto* login_cmd = app.add_subcommand("login", "Sign in to a berthd and keep the credential");
  login_cmd->add_option("url", args->url, "berthd's URL (default: BERTH_URL or the context's)");
  login_cmd->add_option("--email", args->email, "The account's email (else asked)");
  runner.offline(login_cmd, [&global = runner.global, args] { return login(global, *args); });

  auto* logout_cmd = app.add_subcommand("logout", "Sign out and forget the context's credential");
  runner.offline(logout_cmd, [&global = runner.global] { return logout(global); });

  runner.on(app.add_subcommand("whoami", "Show the signed-in account and its teams"), whoami);

  auto* context = app.add_subcommand("context", "Named sign-ins (several berthds or accounts)");
  context->require_subcommand(1);
  runner.offline(context->add_subcommand("ls", "List the contexts"),
                 [&global = runner.global] { return context_list(global); });
  auto name = std::make_shared<std::string>();
  auto* use = context->add_subcommand("use", "Make a context the current one");
  use->add_option("name", *name, "The context")->required();
  runner.offline(use,
                 [&global = runner.global, name] { return context_change(global, *name, false); });
  auto* rm = context->add_subcommand("rm", "Forget a context");
  rm->add_option("name", *name, "The context")->required();
  runner.offline(rm,
                 [&global = runner.global, name] { return context_change(global, *name, true); });
}

}  // namespace berth::cli
