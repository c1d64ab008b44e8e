#include "cli/api.hpp"

#include <chrono>
#include <cstdlib>

#include "cli/output.hpp"

namespace berth::cli {
namespace {

std::string env_var(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

Error not_signed_in(std::string message) {
  Error error;
  error.kind = ErrorKind::unauthenticated;
  error.code = "not_signed_in";
  error.message = std::move(message);
  return error;
}

bool looks_like_id(const std::string& value, const std::string& collection) {
  const std::string prefix = collection == "apps"                  ? "app_"
                             : collection == "servers"             ? "srv_"
                             : collection == "projects"            ? "prj_"
                             : collection == "services"            ? "svc_"
                             : collection == "backup-destinations" ? "bdst_"
                                                                   : "team_";
  return value.starts_with(prefix);
}

}  // namespace

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string context_name(const GlobalOptions& options, const CredentialFile& file) {
  if (!options.context.empty()) {
    return options.context;
  }
  if (auto from_env = env_var("BERTH_CONTEXT"); !from_env.empty()) {
    return from_env;
  }
  return file.current.empty() ? "default" : file.current;
}

client::ClientOptions Api::client_options(const std::string& token) const {
  client::ClientOptions result{.base_url = base_url_, .token = token};
  result.ca_file = options_.ca_file.empty() ? env_var("BERTH_CA_FILE") : options_.ca_file;
  result.insecure = options_.insecure;
  result.user_agent = "berth-cli/" BERTH_VERSION;
  return result;
}

Result<void> Api::connect() {
  const auto url = env_var("BERTH_URL");
  const auto token = env_var("BERTH_TOKEN");
  std::string team = options_.team.empty() ? env_var("BERTH_TEAM") : options_.team;
  if (!token.empty()) {
    // CI: everything from the environment, no file read or written.
    if (url.empty()) {
      return fail(not_signed_in("BERTH_TOKEN is set but BERTH_URL is not"));
    }
    base_url_ = url;
    client_ = std::make_unique<client::Client>(client_options(token));
  } else {
    auto file = read_credentials();
    if (!file) {
      return fail(std::move(file.error()));
    }
    context_name_ = context_name(options_, *file);
    const auto found = file->contexts.find(context_name_);
    if (found == file->contexts.end() || found->second.refresh_token.empty()) {
      return fail(not_signed_in("not signed in (context " + context_name_ +
                                "): run `berth login URL`, or set BERTH_URL and BERTH_TOKEN"));
    }
    base_url_ = found->second.url;
    if (team.empty()) {
      team = found->second.team;
    }
    from_file_ = true;
    client_ = std::make_unique<client::Client>(client_options(found->second.access_token));
    if (found->second.access_expires_at <= unix_now() + 30) {
      if (auto refreshed = refresh(false); !refreshed) {
        return refreshed;
      }
    }
  }
  if (!team.empty()) {
    auto id = resolve("teams", team);
    if (!id) {
      return fail(std::move(id.error()));
    }
    team_id_ = *id;
    auto with_team = client_->options();
    with_team.headers["X-Team-ID"] = team_id_;
    client_ = std::make_unique<client::Client>(std::move(with_team));
  }
  return {};
}

Result<void> Api::refresh(bool force) {
  CredentialLock lock;
  auto file = read_credentials();
  if (!file) {
    return fail(std::move(file.error()));
  }
  auto& credential = file->contexts[context_name_];
  // Another berth may have refreshed while this one waited for the lock.
  if (!force && credential.access_expires_at > unix_now() + 30) {
    client_->set_token(credential.access_token);
    return {};
  }
  client::Client anonymous(client_options(""));
  auto answer = anonymous.request("POST", "/api/v1/auth/refresh",
                                  nlohmann::json{{"refresh_token", credential.refresh_token}});
  if (!answer) {
    return fail(std::move(answer.error()));
  }
  if (!answer->ok()) {
    auto error = client::api_error(*answer);
    if (answer->status == 401) {
      credential.refresh_token.clear();
      credential.access_token.clear();
      (void)write_credentials(*file);
      error.message += " — the sign-in has ended; run `berth login` again";
    }
    return fail(std::move(error));
  }
  const auto json = answer->json();
  credential.access_token = json.value("access_token", "");
  credential.refresh_token = json.value("refresh_token", "");
  credential.access_expires_at = unix_now() + json.value("expires_in", 900LL);
  if (auto written = write_credentials(*file); !written) {
    return written;
  }
  client_->set_token(credential.access_token);
  return {};
}

Result<nlohmann::json> Api::call(const std::string& method, const std::string& path,
                                 const std::optional<nlohmann::json>& body,
                                 const std::map<std::string, std::string>& headers) {
  auto answer = client_->request(method, path, body, headers);
  if (answer && answer->status == 401 && from_file_) {
    if (auto refreshed = refresh(true); !refreshed) {
      return fail(std::move(refreshed.error()));
    }
    answer = client_->request(method, path, body, headers);
  }
  if (!answer) {
    return fail(std::move(answer.error()));
  }
  if (!answer->ok()) {
    return fail(client::api_error(*answer));
  }
  return answer->body.empty() ? nlohmann::json() : answer->json();
}

Result<nlohmann::json> Api::list_all(const std::string& path) {
  nlohmann::json all = nlohmann::json::array();
  const char joiner = path.find('?') == std::string::npos ? '?' : '&';
  for (int page = 1; page < 1000; ++page) {
    auto answer = get(path + joiner + "per_page=100&page=" + std::to_string(page));
    if (!answer) {
      return answer;
    }
    const auto& data = (*answer)["data"];
    for (const auto& item : data) {
      all.push_back(item);
    }
    if (data.size() < 100 || all.size() >= answer->value("total", 0U)) {
      break;
    }
  }
  return all;
}

Result<void> Api::stream(const std::string& path, const std::string& last_event_id,
                         const client::EventHandler& on_event,
                         const client::StreamOptions& stream_options) {
  auto result = client_->stream(path, last_event_id, on_event, stream_options);
  if (!result && result.error().kind == ErrorKind::unauthenticated && from_file_) {
    if (auto refreshed = refresh(true); !refreshed) {
      return refreshed;
    }
    result = client_->stream(path, last_event_id, on_event, stream_options);
  }
  return result;
}

Result<std::string> Api::resolve(const std::string& collection, const std::string& name_or_id) {
  if (looks_like_id(name_or_id, collection)) {
    return name_or_id;
  }
  auto items = list_all("/api/v1/" + collection);
  if (!items) {
    return fail(std::move(items.error()));
  }
  for (const auto& item : *items) {
    if (item.value("name", "") == name_or_id) {
      return item.value("id", "");
    }
  }
  auto error = Error::not_found("no " + collection.substr(0, collection.size() - 1) + " named " +
                                name_or_id);
  return fail(std::move(error));
}

}  // namespace berth::cli
