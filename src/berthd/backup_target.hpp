#pragma once
/// Where `berthd backup --to` puts a backup file and `berthd restore --from` takes it: a local
/// path, or `s3://bucket/key` on any S3-compatible storage. The S3 settings come from the
/// environment, under the AWS CLI's names, never from arguments (which any user reads in ps):
/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (or AWS_DEFAULT_REGION; us-east-1),
/// AWS_ENDPOINT_URL (default https://s3.<region>.amazonaws.com), and BERTH_S3_PATH_STYLE
/// (1 or 0; path-style by default when AWS_ENDPOINT_URL is set: MinIO, Ceph, s3rver).

#include <functional>
#include <string>
#include <string_view>

#include "backup/s3_client.hpp"
#include "core/error.hpp"

namespace berth {

/// Reads an environment variable; nullptr when unset (::getenv in berthd, a map in tests).
using EnvLookup = std::function<const char*(const char*)>;

/// Whether `target` names S3 storage rather than a local file.
bool is_s3_target(std::string_view target);

struct S3Location {
  backup::S3Settings settings = {};
  std::string key = {};
};

/// The bucket and key of `url` (s3://bucket/key) and the settings of the environment.
/// Error::invalid naming what is missing or malformed.
Result<S3Location> s3_location(std::string_view url, const EnvLookup& env);

}  // namespace berth
