#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "domain/apps/app_spec.hpp"
#include "domain/apps/spec_text.hpp"

// The source half of app_spec.hpp: image refs, repository URLs, branches, paths, workflows.

namespace berth {

namespace {

using namespace spec_text;  // NOLINT(google-build-using-namespace): the shared text checks

constexpr std::size_t kMaxImageRef = 255;
constexpr std::size_t kMaxRepositoryUrl = 2048;
constexpr std::size_t kMaxBranch = 200;
constexpr std::size_t kMaxPath = 255;
bool unsafe_in_url(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7F ||
         std::string_view(";`$|&<>\"'\\(){}*?!#").find(c) != std::string_view::npos;
}

// http(s)://user[:token]@host/…: a token in the URL would be stored, shown and logged with it
// (GitHub takes a token as the user name alone, so any user part counts).
bool has_credentials(std::string_view url) {
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (url.starts_with(scheme)) {
      const std::string_view authority =
          url.substr(scheme.size()).substr(0, url.substr(scheme.size()).find('/'));
      return authority.find('@') != std::string_view::npos;
    }
  }
  return false;
}

bool is_valid_url_host(std::string_view host) {
  if (host.empty() || host.front() == '-' || host.front() == '.') {
    return false;
  }
  return all_of(host, [](char c) { return alnum(c) || c == '.' || c == '-' || c == ':'; }) ||
         (host.front() == '[' && host.back() == ']');
}

Result<void> check_git(json& source) {
  const std::string repository = source.value("repository", "");
  if (!is_valid_repository_url(repository)) {
    return fail(Error::validation(
        "source.repository",
        "repository must be an https://, http://, ssh://, file:/// or user@host:path URL without "
        "spaces or shell characters"));
  }
  source["branch"] = source.value("branch", "main");
  source["dockerfile"] = source.value("dockerfile", "Dockerfile");
  source["context"] = source.value("context", ".");
  source["build_args"] = source.value("build_args", json::object());
  if (has_credentials(repository)) {
    return fail(Error::validation(
        "source.repository",
        "repository URLs must not carry credentials (user:token@): use an ssh:// or user@host:path "
        "URL with the server's deploy key"));
  }
  if (!is_valid_branch(source["branch"].get<std::string>())) {
    return fail(Error::validation(
        "source.branch", "branch must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$ without '..'"));
  }
  for (const char* field : {"dockerfile", "context"}) {
    if (!is_valid_relative_path(source[field].get<std::string>())) {
      return fail(Error::validation(
          fmt::format("source.{}", field),
          fmt::format("{} must be a relative path of [A-Za-z0-9._/-] without '..'", field)));
    }
  }
  if (auto ok = check_string_map(source["build_args"], "source.build_args"); !ok) {
    return ok;
  }
  const json secret_args = source.value("secret_build_args", json::array());
  for (std::size_t i = 0; i < secret_args.size(); ++i) {
    const std::string& key = secret_args[i].get_ref<const std::string&>();
    if (!is_valid_env_key(key)) {
      return fail(Error::validation(fmt::format("source.secret_build_args[{}]", i),
                                    "names must be env var keys (^[A-Za-z_][A-Za-z0-9_]{0,127}$)"));
    }
    if (source["build_args"].contains(key)) {
      return fail(
          Error::validation(fmt::format("source.secret_build_args[{}]", i),
                            "a build arg is either plain (build_args) or secret, not both"));
    }
  }
  return {};
}

Result<void> check_workflow(json& source) {
  if (!source.contains("steps")) {
    return fail(Error::validation("source.steps", "a workflow needs steps"));
  }
  auto& steps = source["steps"];
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto& step = steps[i];
    const std::string field = fmt::format("source.steps[{}]", i);
    const bool run = step.contains("run");
    if (run == step.contains("shell")) {
      return fail(Error::validation(field, "each step needs exactly one of run or shell"));
    }
    const std::string name = step.value("name", "");
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
      return fail(Error::validation(field + ".name", "step names must be printable"));
    }
    if (run) {
      for (const auto& arg : step["run"]) {
        if (has_nul(arg.get_ref<const std::string&>())) {
          return fail(Error::validation(field + ".run", "arguments must not contain NUL"));
        }
      }
    } else if (has_nul(step["shell"].get_ref<const std::string&>())) {
      return fail(Error::validation(field + ".shell", "the script must not contain NUL"));
    }
    step["env"] = step.value("env", json::object());
    step["timeout_s"] = step.value("timeout_s", std::int64_t{600});
    step["continue_on_error"] = step.value("continue_on_error", false);
    if (auto ok = check_string_map(step["env"], field + ".env"); !ok) {
      return ok;
    }
  }
  return {};
}
}  // namespace

bool is_valid_image_ref(std::string_view ref) {
  if (ref.empty() || ref.size() > kMaxImageRef || !lower_alnum(ref.front())) {
    return false;
  }
  std::string_view name = ref;
  if (const auto at = ref.find('@'); at != std::string_view::npos) {
    const std::string_view digest = ref.substr(at + 1);
    const auto colon = digest.find(':');
    if (colon == std::string_view::npos || colon == 0 || digest.size() - colon - 1 < 32 ||
        !all_of(digest.substr(0, colon), lower_alnum) ||
        !all_of(digest.substr(colon + 1), is_hex)) {
      return false;
    }
    name = ref.substr(0, at);
  }
  const auto slash = name.rfind('/');
  const auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    const std::string_view tag = name.substr(colon + 1);
    if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-' ||
        !all_of(tag, [](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; })) {
      return false;
    }
    name = name.substr(0, colon);
  }
  return !name.empty() && name.back() != '/' && name.find("//") == std::string_view::npos &&
         all_of(name, [](char c) {
           return lower_alnum(c) || std::string_view("._/:-").find(c) != std::string_view::npos;
         });
}

std::string_view image_repository(std::string_view ref) {
  std::string_view name = ref.substr(0, ref.find('@'));
  const auto slash = name.rfind('/');
  const auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    name = name.substr(0, colon);
  }
  return name;
}

bool is_valid_repository_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxRepositoryUrl || url.front() == '-' ||
      url.find("::") != std::string_view::npos ||
      std::any_of(url.begin(), url.end(), unsafe_in_url)) {
    return false;
  }
  if (url.starts_with("file:///")) {
    return url.size() > 8;
  }
  for (const std::string_view scheme : {"https://", "http://", "ssh://"}) {
    if (url.starts_with(scheme)) {
      std::string_view rest = url.substr(scheme.size());
      rest = rest.substr(0, rest.find('/'));
      rest = rest.substr(rest.find('@') == std::string_view::npos ? 0 : rest.find('@') + 1);
      return is_valid_url_host(rest);
    }
  }
  // scp-like: user@host:path (git's own syntax for ssh).
  const auto at = url.find('@');
  const auto colon = url.find(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || at == 0 || colon < at) {
    return false;
  }
  const std::string_view user = url.substr(0, at);
  const std::string_view host = url.substr(at + 1, colon - at - 1);
  const std::string_view path = url.substr(colon + 1);
  return all_of(user, [](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; }) &&
         !host.empty() && host.front() != '-' &&
         all_of(host, [](char c) { return alnum(c) || c == '.' || c == '-'; }) && !path.empty() &&
         path.front() != '-';
}

bool is_valid_branch(std::string_view branch) {
  return !branch.empty() && branch.size() <= kMaxBranch && alnum(branch.front()) &&
         branch.back() != '/' && branch.find("..") == std::string_view::npos &&
         all_of(branch, [](char c) {
           return alnum(c) || std::string_view("._/-").find(c) != std::string_view::npos;
         });
}

bool is_valid_relative_path(std::string_view path) {
  return !path.empty() && path.size() <= kMaxPath && path.front() != '/' && path.front() != '-' &&
         path.find("..") == std::string_view::npos && all_of(path, [](char c) {
           return alnum(c) || std::string_view("._/-").find(c) != std::string_view::npos;
         });
}

json source_schema() {
  const json step = schema::object({{"name", schema::string(1, 100)},
                                    {"run",
                                     [] {
                                       json argv = schema::array_of(schema::string(0, kMaxValue));
                                       argv["minItems"] = 1;
                                       argv["maxItems"] = 1000;
                                       return argv;
                                     }()},
                                    {"shell", schema::string(1, kMaxValue)},
                                    {"env", string_map_schema(kMaxValue)},
                                    {"timeout_s", schema::integer(1, 86400)},
                                    {"continue_on_error", schema::boolean()}},
                                   {"name"});
  json steps = schema::array_of(step);
  steps["minItems"] = 1;
  steps["maxItems"] = 50;
  return schema::object({{"type", schema::one_of_strings({"image", "git", "workflow"})},
                         {"image", schema::string(1, kMaxImageRef)},
                         {"repository", schema::string(1, kMaxRepositoryUrl)},
                         {"branch", schema::string(1, kMaxBranch)},
                         {"dockerfile", schema::string(1, kMaxPath)},
                         {"context", schema::string(1, kMaxPath)},
                         {"build_args", string_map_schema(kMaxValue)},
                         {"secret_build_args",
                          [] {
                            json names = schema::array_of(schema::string(1, 128));
                            names["maxItems"] = 50;
                            return names;
                          }()},
                         {"steps", steps}},
                        {"type"});
}

Result<json> normalize_source(const json& source) {
  if (auto ok = validate_as("source", source_schema(), source); !ok) {
    return fail(std::move(ok.error()));
  }
  json out = source;
  const std::string type = out["type"].get<std::string>();
  const std::set<std::string> allowed =
      type == "image" ? std::set<std::string>{"type", "image"}
      : type == "git"
          ? std::set<std::string>{"type",    "repository", "branch",           "dockerfile",
                                  "context", "build_args", "secret_build_args"}
          : std::set<std::string>{"type", "steps"};
  for (const auto& [key, value] : out.items()) {
    if (!allowed.contains(key)) {
      return fail(Error::validation("source." + key,
                                    fmt::format("a {} source has no field {}", type, key)));
    }
  }
  if (type == "image") {
    if (!is_valid_image_ref(out.value("image", ""))) {
      return fail(Error::validation(
          "source.image", "image must be a reference like registry/name:tag or name@sha256:…"));
    }
    return out;
  }
  auto checked = type == "git" ? check_git(out) : check_workflow(out);
  if (!checked) {
    return fail(std::move(checked.error()));
  }
  return out;
}

}  // namespace berth
