// backup.run / backup.restore of a named volume. Every name that reaches an Engine path or
// query is checked against a closed character set first.

#include "agent/host/volume_backup.hpp"

#include <chrono>
#include <optional>

#include "agent/host/backup_download.hpp"
#include "agent/host/backup_objects.hpp"
#include "agent/host/docker_args.hpp"
#include "agent/host/job_args.hpp"
#include "backup/backup_stream.hpp"

namespace berth::agent::host {

namespace {

using nlohmann::json;

constexpr std::size_t kTarBlock = 512;

Result<std::uint64_t> tar_size(std::string_view field) {
  if (!field.empty() && (static_cast<unsigned char>(field.front()) & 0x80U) != 0) {
    std::uint64_t value = 0;
    for (std::size_t i = 1; i < field.size(); ++i) {
      if (value > (UINT64_MAX >> 8U)) {
        return fail(Error::invalid("a tar entry is too large"));
      }
      value = (value << 8U) | static_cast<unsigned char>(field[i]);
    }
    return value;
  }
  std::uint64_t value = 0;
  bool digits = false;
  for (const char c : field) {
    if (c >= '0' && c <= '7') {
      if (value > (UINT64_MAX >> 3U)) {
        return fail(Error::invalid("a tar entry is too large"));
      }
      value = value * 8 + static_cast<std::uint64_t>(c - '0');
      digits = true;
    } else if (c == ' ' || c == '\0') {
      if (digits) {
        break;
      }
    } else {
      return fail(Error::invalid("a tar header's size is not a number"));
    }
  }
  return value;
}

Result<std::string> path_arg(const json& args, const char* field) {
  auto path = string_field(args, field, 4096);
  if (!path) {
    return fail(path.error());
  }
  if (!is_absolute_path(*path) || *path == "/") {
    return fail(invalid_arg(field, "must be an absolute path other than / without '..'"));
  }
  while (path->size() > 1 && path->back() == '/') {
    path->pop_back();
  }
  return *path;
}

Result<std::string> volume_arg(const json& args, const char* field) {
  auto name = string_field(args, field, 128);
  if (!name) {
    return fail(name.error());
  }
  if (!is_volume_name(*name)) {
    return fail(invalid_arg(field, "must be a volume name [A-Za-z0-9][A-Za-z0-9_.-]{0,127}"));
  }
  return *name;
}

long long since_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// An Engine call whose answer only matters as success or refusal; `tolerated` is a status
// that counts as success (404 for a removal of what is already gone).
Result<void> engine_call(DockerJob& run, std::string_view method, const std::string& target,
                         const std::optional<json>& body = std::nullopt, unsigned tolerated = 0) {
  auto response = run.client().request(method, target, body, run.limits(kShortDockerCall));
  if (!response) {
    return fail(std::move(response.error()));
  }
  if (!is_success(response->status) && response->status != tolerated) {
    return fail(engine_error(*response));
  }
  return {};
}

}  // namespace

Result<void> TarEntryCounter::add(std::string_view bytes) {
  while (!bytes.empty() && !ended_) {
    if (skip_ > 0) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, bytes.size()));
      skip_ -= n;
      bytes.remove_prefix(n);
      continue;
    }
    const std::size_t n = std::min(kTarBlock - header_.size(), bytes.size());
    header_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (header_.size() < kTarBlock) {
      return {};
    }
    if (header_.find_first_not_of('\0') == std::string::npos) {
      ended_ = true;
      return {};
    }
    auto size = tar_size(std::string_view(header_).substr(124, 12));
    if (!size) {
      return fail(std::move(size.error()));
    }
    const char type = header_[156];
    if (type != 'x' && type != 'g' && type != 'L' && type != 'K') {
      ++entries_;
    }
    skip_ = *size + (kTarBlock - *size % kTarBlock) % kTarBlock;
    header_.clear();
  }
  return {};
}

std::string archive_parent(std::string_view target) {
  const auto slash = target.rfind('/');
  return slash == 0 || slash == std::string_view::npos ? std::string("/")
                                                       : std::string(target.substr(0, slash));
}

JobOutcome run_volume_backup(DockerJob& run) {
  const auto started = std::chrono::steady_clock::now();
  const json& args = run.job().args;
  auto container = string_field(args, "container", 128);
  if (!container || !is_valid_container_ref(*container)) {
    return outcome_of_error(container ? invalid_arg("container", "must be a container name")
                                      : container.error());
  }
  auto path = path_arg(args, "path");
  if (!path) {
    return outcome_of_error(path.error());
  }
  auto public_key = base64_arg(args, "public_key", backup::kBackupPublicKeySize);
  if (!public_key) {
    return outcome_of_error(public_key.error());
  }
  auto place = parse_object_place(args);
  if (!place) {
    return outcome_of_error(place.error());
  }
  auto upload = begin_upload(*place);
  if (!upload) {
    return outcome_of_error(upload.error());
  }
  auto& output = run.job().output;
  output.write("system", "backing up " + *path + " of " + *container + " to " + place->key + "\n");
  auto encoder = backup::BackupEncoder::create(
      *public_key, [&](std::string_view bytes) -> Result<void> { return (*upload)->write(bytes); });
  if (!encoder) {
    (*upload)->abort();
    return outcome_of_error(encoder.error());
  }
  TarEntryCounter entries;
  std::optional<Error> broken;
  // The stream cannot be stopped from its handler: after a failure the rest is read and
  // dropped, and the upload is aborted below.
  auto response = run.client().stream(
      "GET", "/containers/" + *container + "/archive?path=" + url_encode(*path), std::nullopt,
      [&](std::string_view chunk) {
        if (broken) {
          return;
        }
        if (auto counted = entries.add(chunk); !counted) {
          broken = counted.error();
        } else if (auto written = (*encoder)->write(chunk); !written) {
          broken = written.error();
        }
      },
      run.limits());
  auto fail_with = [&](const Error& error) {
    (*upload)->abort();
    return outcome_of_error(error);
  };
  if (!response) {
    return fail_with(response.error());
  }
  if (!is_success(response->status)) {
    (*upload)->abort();
    return engine_refusal(*response);
  }
  if (broken) {
    return fail_with(*broken);
  }
  if (entries.entries() == 0) {
    return fail_with(
        with_code(Error::unprocessable("the volume's archive has no entries"), "dump_failed"));
  }
  if (auto finished = (*encoder)->finish(); !finished) {
    return fail_with(finished.error());
  }
  if (auto completed = (*upload)->complete(); !completed) {
    return outcome_of_error(completed.error());
  }
  output.write("system", "stored " + std::to_string((*encoder)->stored_bytes()) + " bytes (" +
                             std::to_string(entries.entries()) + " entries, " +
                             std::to_string((*encoder)->plain_bytes()) + " bytes of tar), sha256 " +
                             (*encoder)->sha256_hex() + "\n");
  json result = stored_result(place->key, **encoder, **upload, since_ms(started));
  result["entries"] = entries.entries();
  return succeeded(std::move(result));
}

JobOutcome run_volume_restore(DockerJob& run) {
  const auto started = std::chrono::steady_clock::now();
  const json& args = run.job().args;
  auto volume = volume_arg(args, "volume");
  auto path = path_arg(args, "path");
  auto image = string_field(args, "image", 512);
  auto stream_key = base64_arg(args, "stream_key", backup::kStreamKeySize);
  auto sha256 = string_field(args, "sha256", 64);
  auto size = int64_field(args, "size_bytes", 0, std::numeric_limits<std::int64_t>::max());
  auto check = bool_field(args, "check", false);
  auto scratch = bool_field(args, "remove_volume", false);
  for (const Error* error :
       {volume ? nullptr : &volume.error(), path ? nullptr : &path.error(),
        image ? nullptr : &image.error(), stream_key ? nullptr : &stream_key.error(),
        sha256 ? nullptr : &sha256.error(), size ? nullptr : &size.error(),
        check ? nullptr : &check.error(), scratch ? nullptr : &scratch.error()}) {
    if (error != nullptr) {
      return outcome_of_error(*error);
    }
  }
  if (!size->has_value()) {
    return outcome_of_error(invalid_arg("size_bytes", "is required"));
  }
  auto image_ref = parse_image_ref(*image);
  if (!image_ref) {
    return outcome_of_error(image_ref.error());
  }
  auto place = parse_object_place(args);
  if (!place) {
    return outcome_of_error(place.error());
  }
  const std::string helper = *volume + "-restore";
  if (!is_valid_container_ref(helper)) {
    return outcome_of_error(invalid_arg("volume", "is too long for its helper container's name"));
  }
  auto& output = run.job().output;
  output.write("system", "checking " + place->key + "\n");
  if (auto verified = verify_object(*place, *sha256, static_cast<std::uint64_t>(**size));
      !verified) {
    return outcome_of_error(verified.error());
  }
  // The fresh volume must be new: a restore never writes into a volume something uses.
  auto existing = run.client().request("GET", "/volumes/" + *volume, std::nullopt,
                                       run.limits(kShortDockerCall));
  if (!existing) {
    return outcome_of_error(existing.error());
  }
  if (existing->status != 404) {
    return JobOutcome::failed("volume_exists", "the volume " + *volume +
                                                   " exists already: a restore only fills a "
                                                   "fresh volume");
  }
  if (auto made =
          engine_call(run, "POST", "/volumes/create",
                      json{{"Name", *volume}, {"Labels", {{"berth.restored-from", place->key}}}});
      !made) {
    return outcome_of_error(made.error());
  }
  output.write("system", "restoring into the new volume " + *volume + "\n");
  const auto remove_helper = [&] {
    return engine_call(run, "DELETE", "/containers/" + helper + "?force=1", std::nullopt, 404);
  };
  TarEntryCounter entries;
  const auto filled = [&]() -> Result<std::uint64_t> {
    if (auto stale = remove_helper(); !stale) {  // left by an interrupted restore
      return fail(std::move(stale.error()));
    }
    json mount = {{"Type", "volume"},
                  {"Source", *volume},
                  {"Target", *path},
                  {"VolumeOptions", {{"NoCopy", true}}}};
    json body = {{"Image", image_ref->canonical},
                 {"Entrypoint", json::array({"true"})},
                 {"Labels", {{"berth.role", "volume-restore"}}},
                 {"HostConfig", {{"Mounts", json::array({mount})}, {"NetworkMode", "none"}}}};
    if (auto created = engine_call(run, "POST", "/containers/create?name=" + helper, body);
        !created) {
      return fail(std::move(created.error()));
    }
    DecryptedDownload plain(*place, *stream_key);
    const ExecInput counted = [&](char* buffer, std::size_t room) -> Result<std::size_t> {
      auto got = plain.input()(buffer, room);
      if (got && *got > 0) {
        if (auto ok = entries.add(std::string_view(buffer, *got)); !ok) {
          return fail(std::move(ok.error()));
        }
      }
      return got;
    };
    auto put = put_archive(run, helper, archive_parent(*path), counted);
    auto restored = plain.finish();
    auto removed = remove_helper();
    if (!restored) {
      return fail(std::move(restored.error()));
    }
    if (!put) {
      return fail(std::move(put.error()));
    }
    if (!removed) {
      return fail(std::move(removed.error()));
    }
    return *restored;
  }();
  const auto drop_volume = [&] {
    return engine_call(run, "DELETE", "/volumes/" + *volume, std::nullopt, 404);
  };
  if (!filled) {
    (void)drop_volume();  // half filled: nobody should mount it
    return outcome_of_error(filled.error());
  }
  json result = {{"restored_bytes", *filled},
                 {"volume", *volume},
                 {"entries", entries.entries()},
                 {"duration_ms", since_ms(started)}};
  if (*check) {
    if (entries.entries() == 0 || !entries.ended()) {
      (void)drop_volume();
      return JobOutcome::failed("check_failed", "the restored archive has no entries");
    }
    result["check"] = std::to_string(entries.entries()) + " entries";
    output.write("system", "check: " + result["check"].get<std::string>() + "\n");
  }
  if (*scratch) {
    if (auto dropped = drop_volume(); !dropped) {
      return outcome_of_error(dropped.error());
    }
    output.write("system", "removed the scratch volume " + *volume + "\n");
  }
  return succeeded(std::move(result));
}

}  // namespace berth::agent::host
