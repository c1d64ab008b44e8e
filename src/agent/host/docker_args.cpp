#include "agent/host/docker_args.hpp"

#include <algorithm>

#include "agent/host/job_args.hpp"

namespace berth::agent::host {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

template <class Pred>
bool all_of(std::string_view text, Pred pred) {
  return std::all_of(text.begin(), text.end(), pred);
}

Result<std::string> container_field(const nlohmann::json& args) {
  const auto found = args.find("container");
  if (found == args.end() || !found->is_string()) {
    return fail(invalid_arg("container", "required, a string"));
  }
  auto value = found->get<std::string>();
  if (!is_valid_container_ref(value)) {
    return fail(invalid_arg("container", "must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}"));
  }
  return value;
}

bool is_path_component(std::string_view part) {
  return !part.empty() && is_lower_alnum(part.front()) && is_lower_alnum(part.back()) &&
         all_of(part, [](char c) { return is_lower_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

// A registry host: "localhost", a name with a dot, or either with a numeric port.
bool is_registry_host(std::string_view part) {
  const auto colon = part.find(':');
  const auto host = part.substr(0, colon);
  if (colon != part.npos) {
    const auto port = part.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !all_of(port, [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
  }
  const bool looks_like_host =
      host == "localhost" || host.find('.') != host.npos || colon != part.npos;
  return looks_like_host && !host.empty() && is_alnum(host.front()) && is_alnum(host.back()) &&
         all_of(host, [](char c) { return is_alnum(c) || c == '.' || c == '-'; });
}

bool is_image_name(std::string_view name) {
  bool first = true;
  while (true) {
    const auto slash = name.find('/');
    const auto part = name.substr(0, slash);
    const bool ok =
        (first && slash != name.npos && is_registry_host(part)) || is_path_component(part);
    if (!ok) {
      return false;
    }
    if (slash == name.npos) {
      return true;
    }
    name.remove_prefix(slash + 1);
    first = false;
  }
}

}  // namespace

bool is_valid_container_ref(std::string_view text) {
  return !text.empty() && text.size() <= 128 && is_alnum(text.front()) &&
         all_of(text, [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

Result<ImageRef> parse_image_ref(std::string_view text) {
  if (text.empty() || text.size() > 255) {
    return fail(invalid_arg("image", "must be 1-255 characters"));
  }
  ImageRef ref;
  std::string_view name = text;
  if (const auto at = text.find('@'); at != text.npos) {
    name = text.substr(0, at);
    const auto digest = text.substr(at + 1);
    const auto colon = digest.find(':');
    const bool ok = colon != digest.npos && colon > 0 && digest.size() - colon - 1 >= 32 &&
                    all_of(digest.substr(0, colon), is_lower_alnum) &&
                    all_of(digest.substr(colon + 1), is_hex);
    if (!ok) {
      return fail(invalid_arg("image", "digest must look like sha256:<hex>"));
    }
    ref.digest = std::string(digest);
  } else if (const auto colon = text.rfind(':');
             colon != text.npos && (text.rfind('/') == text.npos || colon > text.rfind('/'))) {
    name = text.substr(0, colon);
    const auto tag = text.substr(colon + 1);
    const bool ok =
        !tag.empty() && tag.size() <= 128 && (is_alnum(tag.front()) || tag.front() == '_') &&
        all_of(tag, [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
    if (!ok) {
      return fail(invalid_arg("image", "tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"));
    }
    ref.tag = std::string(tag);
  } else {
    ref.tag = "latest";
  }
  if (!is_image_name(name)) {
    return fail(invalid_arg("image", "name must be [registry/]path of lower-case components"));
  }
  ref.name = std::string(name);
  ref.canonical = ref.digest.empty() ? ref.name + ":" + ref.tag : ref.name + "@" + ref.digest;
  return ref;
}

Result<bool> parse_list_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"all"});
  if (!fields) {
    return fail(fields.error());
  }
  return bool_field(*fields, "all", false);
}

Result<std::string> parse_inspect_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"container"});
  if (!fields) {
    return fail(fields.error());
  }
  return container_field(*fields);
}

Result<ImageRef> parse_pull_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"image"});
  if (!fields) {
    return fail(fields.error());
  }
  const auto image = fields->find("image");
  if (image == fields->end() || !image->is_string()) {
    return fail(invalid_arg("image", "required, a string"));
  }
  return parse_image_ref(image->get<std::string>());
}

Result<PullArgs> parse_pull_job_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"image", "policy"});
  if (!fields) {
    return fail(fields.error());
  }
  auto image = parse_pull_args(nlohmann::json{{"image", fields->value("image", nlohmann::json())}});
  if (!image) {
    return fail(image.error());
  }
  PullArgs out{.image = std::move(*image)};
  const std::string policy = fields->value("policy", "always");
  if (policy == "if_not_present") {
    out.policy = PullPolicy::if_not_present;
  } else if (policy == "never") {
    out.policy = PullPolicy::never;
  } else if (policy != "always") {
    return fail(invalid_arg("policy", "must be always, if_not_present or never"));
  }
  return out;
}

Result<StopArgs> parse_stop_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"container", "timeout_seconds"});
  if (!fields) {
    return fail(fields.error());
  }
  auto container = container_field(*fields);
  auto timeout = int_field(*fields, "timeout_seconds", 0, 3600);
  if (!container || !timeout) {
    return fail(!container ? container.error() : timeout.error());
  }
  return StopArgs{.container = *container, .timeout_seconds = timeout->value_or(10)};
}

Result<RemoveArgs> parse_remove_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"container", "force", "volumes"});
  if (!fields) {
    return fail(fields.error());
  }
  auto container = container_field(*fields);
  auto force = bool_field(*fields, "force", false);
  auto volumes = bool_field(*fields, "volumes", false);
  if (!container || !force || !volumes) {
    return fail(!container ? container.error() : !force ? force.error() : volumes.error());
  }
  return RemoveArgs{.container = *container, .force = *force, .volumes = *volumes};
}

Result<LogsArgs> parse_logs_args(const nlohmann::json& args) {
  auto fields = known_fields(args, {"container", "tail", "follow"});
  if (!fields) {
    return fail(fields.error());
  }
  auto container = container_field(*fields);
  auto tail = int_field(*fields, "tail", 0, 1'000'000);
  auto follow = bool_field(*fields, "follow", false);
  if (!container || !tail || !follow) {
    return fail(!container ? container.error() : !tail ? tail.error() : follow.error());
  }
  return LogsArgs{.container = *container, .tail = *tail, .follow = *follow};
}

}  // namespace berth::agent::host
