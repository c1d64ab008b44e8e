// The two kinds of place a backup object lives in, behind one upload and one download.
#include "agent/host/backup_objects.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "agent/host/chunk_queue.hpp"
#include "agent/host/job_args.hpp"
#include "agent/host/part_ring.hpp"
#include "backup/curl_sftp.hpp"
#include "backup/s3_multipart.hpp"
#include "core/clock.hpp"

namespace berth::agent::host {
namespace {

using nlohmann::json;

Result<backup::S3Settings> parse_s3(const json& args) {
  const auto found = args.find("s3");
  if (found == args.end()) {
    return fail(invalid_arg("s3", "is required"));
  }
  auto fields = known_fields(
      *found, {"endpoint", "region", "bucket", "path_style", "access_key_id", "secret_access_key"});
  if (!fields) {
    return fail(fields.error());
  }
  backup::S3Settings s3;
  for (auto [field, out] :
       {std::pair{"endpoint", &s3.endpoint}, std::pair{"region", &s3.region},
        std::pair{"bucket", &s3.bucket}, std::pair{"access_key_id", &s3.access_key_id},
        std::pair{"secret_access_key", &s3.secret_access_key}}) {
    auto value = string_field(*fields, field, 1024);
    if (!value) {
      return fail(value.error());
    }
    *out = std::move(*value);
  }
  if (!s3.endpoint.starts_with("http://") && !s3.endpoint.starts_with("https://")) {
    return fail(invalid_arg("s3.endpoint", "must be an http(s) URL"));
  }
  auto path_style = bool_field(*fields, "path_style", false);
  if (!path_style) {
    return fail(path_style.error());
  }
  s3.path_style = *path_style;
  return s3;
}

Result<backup::SftpSettings> parse_sftp(const json& args) {
  const auto found = args.find("sftp");
  auto fields = known_fields(*found, {"host", "port", "user", "folder", "password", "private_key",
                                      "private_key_passphrase", "host_key_fingerprint"});
  if (!fields) {
    return fail(fields.error());
  }
  backup::SftpSettings sftp;
  // The way to sign in is a password or a key (with a passphrase or not): those may be absent.
  for (auto [field, out, limit, required] :
       {std::tuple{"host", &sftp.host, 255, true}, std::tuple{"user", &sftp.user, 64, true},
        std::tuple{"folder", &sftp.folder, 1024, true},
        std::tuple{"host_key_fingerprint", &sftp.host_key_fingerprint, 128, true},
        std::tuple{"password", &sftp.password, 1024, false},
        std::tuple{"private_key", &sftp.private_key, 16 * 1024, false},
        std::tuple{"private_key_passphrase", &sftp.private_key_passphrase, 1024, false}}) {
    if (!required && fields->value(field, json()).is_null()) {
      continue;
    }
    auto value = string_field(*fields, field, static_cast<std::size_t>(limit));
    if (!value) {
      return fail(value.error());
    }
    *out = std::move(*value);
  }
  auto port = int_field(*fields, "port", 1, 65535);
  if (!port) {
    return fail(port.error());
  }
  sftp.port = static_cast<std::uint16_t>(port->value_or(22));
  if (sftp.host.empty() || has_space_or_control(sftp.host) || has_space_or_control(sftp.user)) {
    return fail(invalid_arg("sftp.host", "must be a host name or address"));
  }
  if (!sftp.folder.starts_with('/') || sftp.folder.find("..") != std::string::npos ||
      has_space_or_control(sftp.folder)) {
    return fail(invalid_arg("sftp.folder", "must be an absolute folder"));
  }
  if (sftp.password.empty() == sftp.private_key.empty()) {
    return fail(invalid_arg("sftp.password", "give either password or private_key"));
  }
  return sftp;
}

// Uploads parts on a thread of its own, out of one PartRing: the dump keeps flowing while a
// part is sent, and memory stays about one part however long the backup runs.
class PartUploader {
 public:
  explicit PartUploader(backup::S3MultipartUpload& upload)
      : upload_(upload), thread_([this] { loop(); }) {}
  ~PartUploader() { stop(); }
  PartUploader(const PartUploader&) = delete;
  PartUploader& operator=(const PartUploader&) = delete;

  /// Takes the encoder's bytes, cut into parts of `part_size(n)` for the n-th part (from 0).
  /// false once an upload failed.
  bool write(std::string_view bytes) {
    while (!bytes.empty()) {
      const std::size_t size = part_size(parts_cut_);
      if (ring_.capacity() < size + kRingSlack && !ring_.grow(size + kRingSlack)) {
        return false;
      }
      const std::size_t taken =
          std::min(bytes.size(), size - static_cast<std::size_t>(ring_.uncut()));
      if (!ring_.write(bytes.substr(0, taken))) {
        return false;
      }
      bytes.remove_prefix(taken);
      if (ring_.uncut() == size) {
        ring_.cut();
        ++parts_cut_;
      }
    }
    return true;
  }
  /// Sends the rest as the last part and waits for it; the upload's first error, if any.
  Result<void> finish() {
    ring_.cut();
    stop();
    if (error_) {
      return fail(*error_);
    }
    return {};
  }
  std::optional<Error> error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

  // Parts start at S3's 5 MiB minimum and grow by 5 MiB every 1,000 parts, so the 10,000-part
  // limit is reached only past 250 GiB.
  static std::size_t part_size(int part) {
    return backup::kMinPartSize * static_cast<std::size_t>(1 + part / kPartsPerStep);
  }
  static constexpr int kPartsPerStep = 1000;

 private:
  // What the dump may run ahead of the part being sent.
  static constexpr std::size_t kRingSlack = 1024 * 1024;

  void loop() {
    const backup::BodySource source = [this](char* out, std::size_t size) -> Result<std::size_t> {
      return ring_.read(out, size);
    };
    while (const auto size = ring_.next_part()) {
      if (auto sent = upload_.upload_part(*size, source); !sent) {
        std::lock_guard lock(mutex_);
        error_ = std::move(sent.error());
        ring_.abandon();
        return;
      }
    }
  }
  void stop() {
    ring_.finish();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  backup::S3MultipartUpload& upload_;
  PartRing ring_{part_size(0) + kRingSlack};
  int parts_cut_ = 0;
  std::mutex mutex_;
  std::optional<Error> error_;
  std::thread thread_;  // last: it starts with the members above in place
};

class S3ObjectUpload final : public ObjectUpload {
 public:
  S3ObjectUpload(const backup::S3Settings& settings) : s3_(settings, clock_) {}

  Result<void> begin(const std::string& key) {
    auto upload = backup::S3MultipartUpload::begin(s3_, key);
    if (!upload) {
      return fail(std::move(upload.error()));
    }
    upload_.emplace(std::move(*upload));
    uploader_.emplace(*upload_);
    return {};
  }
  Result<void> write(std::string_view bytes) override {
    if (!uploader_->write(bytes)) {
      return fail(uploader_->error().value_or(Error::internal("the upload stopped")));
    }
    return {};
  }
  Result<void> complete() override {
    if (auto sent = uploader_->finish(); !sent) {
      upload_->abort();
      return sent;
    }
    if (auto completed = upload_->complete(); !completed) {
      upload_->abort();
      return fail(std::move(completed.error()));
    }
    return {};
  }
  void abort() override {
    (void)uploader_->finish();
    upload_->abort();
  }
  int parts() const override { return upload_->parts(); }

 private:
  SystemClock clock_;
  backup::S3Client s3_;
  std::optional<backup::S3MultipartUpload> upload_;
  std::optional<PartUploader> uploader_;
};

// libcurl pulls the file's bytes on a thread of its own from a few queued chunks.
class SftpObjectUpload final : public ObjectUpload {
 public:
  SftpObjectUpload(const backup::SftpSettings& settings, std::string key)
      : sftp_(settings), key_(std::move(key)), thread_([this] { send(); }) {}
  ~SftpObjectUpload() override { abort(); }
  SftpObjectUpload(const SftpObjectUpload&) = delete;
  SftpObjectUpload& operator=(const SftpObjectUpload&) = delete;

  Result<void> write(std::string_view bytes) override {
    if (!queue_.push(std::string(bytes))) {
      return fail(error().value_or(Error::internal("the upload stopped")));
    }
    return {};
  }
  Result<void> complete() override {
    queue_.finish();
    join();
    if (auto failed = error()) {
      return fail(std::move(*failed));
    }
    return {};
  }
  void abort() override {
    aborted_.store(true);
    queue_.abandon();
    join();
  }
  int parts() const override { return 1; }

 private:
  void send() {
    std::string pending;
    std::size_t at = 0;
    const backup::BodySource source = [&](char* out, std::size_t room) -> Result<std::size_t> {
      if (at == pending.size()) {
        auto next = queue_.pop();
        if (!next) {
          if (aborted_.load()) {
            return fail(Error::unavailable("the backup stopped"));
          }
          return std::size_t{0};
        }
        pending = std::move(*next);
        at = 0;
      }
      const std::size_t n = std::min(room, pending.size() - at);
      std::copy_n(pending.data() + at, n, out);
      at += n;
      return n;
    };
    if (auto sent = sftp_.put_stream(key_, source); !sent) {
      std::lock_guard lock(mutex_);
      error_ = std::move(sent.error());
      queue_.abandon();
    }
  }
  void join() {
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  std::optional<Error> error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

  backup::CurlSftp sftp_;
  std::string key_;
  ChunkQueue queue_{16};
  std::atomic<bool> aborted_{false};
  std::mutex mutex_;
  std::optional<Error> error_;
  std::thread thread_;  // last: it starts with the members above in place
};

}  // namespace

Result<ObjectPlace> parse_object_place(const json& args) {
  ObjectPlace place;
  const bool s3 = args.contains("s3");
  const bool sftp = args.contains("sftp");
  if (s3 == sftp) {
    return fail(invalid_arg("s3", "give exactly one of s3 and sftp"));
  }
  if (s3) {
    auto settings = parse_s3(args);
    if (!settings) {
      return fail(settings.error());
    }
    place.s3 = std::move(*settings);
  } else {
    auto settings = parse_sftp(args);
    if (!settings) {
      return fail(settings.error());
    }
    place.sftp = std::move(*settings);
  }
  auto key = string_field(args, "key", 1024);
  if (!key) {
    return fail(key.error());
  }
  if (key->empty() || key->starts_with('/') || key->find("..") != std::string::npos ||
      has_space_or_control(*key)) {
    return fail(invalid_arg("key", "must be a relative object key"));
  }
  place.key = *key;
  return place;
}

Result<std::unique_ptr<ObjectUpload>> begin_upload(const ObjectPlace& place) {
  if (place.sftp) {
    return std::unique_ptr<ObjectUpload>(
        std::make_unique<SftpObjectUpload>(*place.sftp, place.key));
  }
  auto upload = std::make_unique<S3ObjectUpload>(*place.s3);
  if (auto begun = upload->begin(place.key); !begun) {
    return fail(std::move(begun.error()));
  }
  return std::unique_ptr<ObjectUpload>(std::move(upload));
}

Result<void> download_object(const ObjectPlace& place, const backup::BodySink& sink) {
  if (place.sftp) {
    return backup::CurlSftp(*place.sftp).get(place.key, sink);
  }
  SystemClock clock;
  return backup::S3Client(*place.s3, clock).get(place.key, sink);
}

}  // namespace berth::agent::host
