#include "agent/host/backup_download.hpp"

#include <algorithm>

#include "agent/host/job_args.hpp"
#include "backup/backup_stream.hpp"
#include "core/crypto.hpp"

namespace berth::agent::host {

nlohmann::json stored_result(const std::string& key, const backup::BackupEncoder& encoder,
                             const ObjectUpload& upload, long long duration_ms) {
  const std::string& sealed = encoder.sealed_key();
  return {{"key", key},
          {"size_bytes", encoder.stored_bytes()},
          {"plain_bytes", encoder.plain_bytes()},
          {"sha256", encoder.sha256_hex()},
          {"sealed_key", crypto::base64_encode(std::span(
                             reinterpret_cast<const std::uint8_t*>(sealed.data()), sealed.size()))},
          {"parts", upload.parts()},
          {"duration_ms", duration_ms}};
}

Result<std::string> base64_arg(const nlohmann::json& args, const char* field, std::size_t size) {
  auto text = string_field(args, field, 128);
  if (!text) {
    return fail(text.error());
  }
  auto bytes = crypto::base64_decode(*text);
  if (!bytes || bytes->size() != size) {
    return fail(invalid_arg(field, "must be " + std::to_string(size) + " bytes in base64"));
  }
  return std::string(bytes->begin(), bytes->end());
}

Result<void> verify_object(const ObjectPlace& place, const std::string& sha256,
                           std::uint64_t size) {
  backup::Sha256Stream sha;
  std::uint64_t seen = 0;
  auto got = download_object(place, [&](std::string_view chunk) -> Result<void> {
    sha.update(chunk);
    seen += chunk.size();
    return {};
  });
  if (!got) {
    return got;
  }
  const std::string actual = sha.finish_hex();
  if (actual != sha256 || seen != size) {
    return fail(with_code(Error::unprocessable("the stored backup is not the one recorded "
                                               "(SHA-256 or size differ): refused before "
                                               "restoring anything"),
                          "backup_checksum_mismatch"));
  }
  return {};
}

DecryptedDownload::DecryptedDownload(const ObjectPlace& place, const std::string& stream_key) {
  input_ = [this](char* buffer, std::size_t room) -> Result<std::size_t> {
    if (pending_at_ == pending_.size()) {
      auto next = plain_.pop();
      if (!next) {
        // The end of the plaintext, or a failed download: the consumer must not see a clean
        // end of a partial backup (it could commit it), so fail before ending its input.
        if (error_) {
          return fail(*error_);
        }
        return std::size_t{0};
      }
      pending_ = std::move(*next);
      pending_at_ = 0;
    }
    const std::size_t n = std::min(room, pending_.size() - pending_at_);
    std::copy_n(pending_.data() + pending_at_, n, buffer);
    pending_at_ += n;
    return n;
  };
  thread_ = std::thread([this, place, stream_key] {
    auto decoder =
        backup::BackupDecoder::create(stream_key, [&](std::string_view bytes) -> Result<void> {
          if (!plain_.push(std::string(bytes))) {
            return fail(Error::unavailable("the restore stopped reading"));
          }
          return {};
        });
    if (!decoder) {
      error_ = decoder.error();
    } else if (auto got = download_object(
                   place, [&](std::string_view chunk) { return (*decoder)->write(chunk); });
               !got) {
      error_ = got.error();
    } else if (auto ended = (*decoder)->finish(); !ended) {
      error_ = ended.error();
    } else {
      restored_ = (*decoder)->plain_bytes();
    }
    plain_.finish();
  });
}

DecryptedDownload::~DecryptedDownload() { (void)finish(); }

Result<std::uint64_t> DecryptedDownload::finish() {
  plain_.abandon();
  if (thread_.joinable()) {
    thread_.join();
  }
  if (error_) {
    return fail(*error_);
  }
  return restored_;
}

}  // namespace berth::agent::host
