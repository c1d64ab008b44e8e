#include "berthd/backup_target.hpp"

#include <fmt/format.h>

namespace berth {

namespace {

constexpr std::string_view kScheme = "s3://";

std::string env_text(const EnvLookup& env, const char* name) {
  const char* value = env(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

bool is_s3_target(std::string_view target) { return target.starts_with(kScheme); }

Result<S3Location> s3_location(std::string_view url, const EnvLookup& env) {
  if (!is_s3_target(url)) {
    return fail(Error::invalid(fmt::format("{} is not an s3://bucket/key URL", url)));
  }
  const std::string_view rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
    return fail(Error::invalid(
        fmt::format("{}: give the bucket and the object's key, as s3://bucket/path/file", url)));
  }
  S3Location target;
  target.settings.bucket = std::string(rest.substr(0, slash));
  target.key = std::string(rest.substr(slash + 1));
  target.settings.access_key_id = env_text(env, "AWS_ACCESS_KEY_ID");
  target.settings.secret_access_key = env_text(env, "AWS_SECRET_ACCESS_KEY");
  if (target.settings.access_key_id.empty() || target.settings.secret_access_key.empty()) {
    return fail(Error::invalid(
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment for s3:// (never "
        "on the command line)"));
  }
  std::string region = env_text(env, "AWS_REGION");
  if (region.empty()) {
    region = env_text(env, "AWS_DEFAULT_REGION");
  }
  if (!region.empty()) {
    target.settings.region = region;
  }
  const std::string endpoint = env_text(env, "AWS_ENDPOINT_URL");
  target.settings.endpoint =
      endpoint.empty() ? "https://s3." + target.settings.region + ".amazonaws.com" : endpoint;
  if (!target.settings.endpoint.starts_with("https://") &&
      !target.settings.endpoint.starts_with("http://")) {
    return fail(Error::invalid("AWS_ENDPOINT_URL must start with https:// (or http://)"));
  }
  while (target.settings.endpoint.ends_with('/')) {
    target.settings.endpoint.pop_back();
  }
  // Storage other than AWS (MinIO, Ceph, s3rver) mostly wants path-style addressing.
  const std::string path_style = env_text(env, "BERTH_S3_PATH_STYLE");
  if (path_style.empty()) {
    target.settings.path_style = !endpoint.empty();
  } else if (path_style == "1" || path_style == "0") {
    target.settings.path_style = path_style == "1";
  } else {
    return fail(Error::invalid("BERTH_S3_PATH_STYLE must be 1 or 0"));
  }
  return target;
}

}  // namespace berth
