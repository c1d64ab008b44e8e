#include "backup/destination_probe.hpp"

#include <optional>

#include "backup/s3_client.hpp"
#include "backup/sftp_client.hpp"

namespace berth::backup {

namespace {

constexpr std::size_t kProbeLimit = 64 * 1024;

// Runs the steps in order, timing each; stops at the first failure.
class StepRecorder {
 public:
  explicit StepRecorder(ProbeReport& report) : report_(report) {}

  template <class Fn>
  bool run(std::string step, Fn&& fn) {
    const auto start = std::chrono::steady_clock::now();
    Result<void> done = fn();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    ProbeStep out{.step = std::move(step), .ok = done.has_value(), .ms = ms};
    if (!done) {
      out.error = done.error().message;
      out.code = done.error().code;
    }
    report_.steps.push_back(std::move(out));
    return done.has_value();
  }

 private:
  ProbeReport& report_;
};

Result<void> compare_probe(const std::string& read, const std::string& written) {
  if (read != written) {
    Error error = Error::unprocessable("the object read back differs from the one written (" +
                                       std::to_string(read.size()) + " bytes read, " +
                                       std::to_string(written.size()) + " written)");
    error.code = "probe_mismatch";
    return fail(std::move(error));
  }
  return {};
}

// The steps every destination shares once reachable: write, read back, compare, delete (a
// written object is deleted even when reading or comparing failed).
template <class Store>
void write_read_delete(StepRecorder& steps, ProbeReport& report, Store& store,
                       const std::string& name, const std::string& content) {
  std::string read;
  const bool written = steps.run("write", [&] { return store.put(name, content); });
  const bool ok = written && steps.run("read", [&]() -> Result<void> {
    auto got = store.get_small(name, kProbeLimit);
    if (!got) {
      return fail(std::move(got.error()));
    }
    read = std::move(*got);
    return {};
  }) && steps.run("compare", [&] { return compare_probe(read, content); });
  const bool deleted = written && steps.run("delete", [&] { return store.remove(name); });
  report.ok = ok && deleted;
}

}  // namespace

S3Settings s3_settings(const S3DestinationTarget& target, const NetworkProbeOptions& options) {
  return S3Settings{.endpoint = target.endpoint,
                    .region = target.region,
                    .bucket = target.bucket,
                    .path_style = target.path_style,
                    .access_key_id = target.access_key_id,
                    .secret_access_key = target.secret_access_key,
                    .connect_timeout = options.connect_timeout,
                    .stall_timeout = options.stall_timeout};
}

ProbeReport NetworkDestinationProbe::probe_s3(const S3DestinationTarget& target,
                                              const std::string& object_name,
                                              const std::string& content) {
  const S3Client client(s3_settings(target, options_), clock_);
  ProbeReport report;
  StepRecorder steps(report);
  write_read_delete(steps, report, client, target.prefix + object_name, content);
  return report;
}

ProbeReport NetworkDestinationProbe::probe_sftp(const SftpDestinationTarget& target,
                                                const std::string& object_name,
                                                const std::string& content) {
  ProbeReport report;
  StepRecorder steps(report);
  std::optional<SftpClient> client;
  const bool connected = steps.run("connect", [&]() -> Result<void> {
    auto opened = SftpClient::connect(sftp_settings(target, options_));
    if (!opened) {
      return fail(std::move(opened.error()));
    }
    client.emplace(std::move(*opened));
    return {};
  });
  if (!connected) {
    return report;
  }
  report.host_key_fingerprint = client->host_key();
  write_read_delete(steps, report, *client, object_name, content);
  return report;
}

SftpSettings sftp_settings(const SftpDestinationTarget& target,
                           const NetworkProbeOptions& options) {
  return SftpSettings{.host = target.host,
                      .port = target.port,
                      .user = target.user,
                      .folder = target.path,
                      .password = target.password,
                      .private_key = target.private_key,
                      .private_key_passphrase = target.private_key_passphrase,
                      .host_key_fingerprint = target.host_key_fingerprint,
                      .connect_timeout = options.connect_timeout};
}

Result<void> NetworkBackupObjectRemover::remove_s3(const S3DestinationTarget& target,
                                                   const std::string& key) {
  const S3Client client(s3_settings(target, options_), clock_);
  auto removed = client.remove(key);
  if (!removed && removed.error().code == "s3_object_missing") {
    return {};  // already gone is what was asked
  }
  return removed;
}

Result<void> NetworkBackupObjectRemover::remove_sftp(const SftpDestinationTarget& target,
                                                     const std::string& key) {
  if (target.host_key_fingerprint.empty()) {
    // Never trust a key on first sight for a delete either.
    return fail(Error::unprocessable("the SFTP destination's host key is not pinned"));
  }
  auto client = SftpClient::connect(sftp_settings(target, options_));
  if (!client) {
    return fail(std::move(client.error()));
  }
  auto removed = client->remove(key);
  if (!removed && removed.error().code == "sftp_missing") {
    return {};  // already gone is what was asked
  }
  return removed;
}

}  // namespace berth::backup
