#include "backup/backup_stream.hpp"

#include <sodium.h>

#include <array>

#include "backup/zstd_api.hpp"

namespace berth::backup {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr int kWindowLog = 20;
constexpr std::size_t kAbytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr std::size_t kStreamHeaderOffset = 12 + kSealedStreamKeySize;  // 92: the AD
constexpr std::uint8_t kFormatVersion = 1;
constexpr std::uint8_t kZstd = 1;

static_assert(kSealedStreamKeySize == crypto_box_SEALBYTES + kStreamKeySize);
static_assert(kServiceBackupHeaderSize ==
              kStreamHeaderOffset + crypto_secretstream_xchacha20poly1305_HEADERBYTES);

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}
unsigned char* bytes_of(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

Error corrupt(std::string message) {
  return with_code(Error::invalid("the backup cannot be read: " + std::move(message)),
                   "backup_corrupt");
}

struct CctxDeleter {
  const ZstdApi* api = nullptr;
  void operator()(ZSTD_CCtx* cctx) const { api->free_cctx(cctx); }
};
struct DctxDeleter {
  const ZstdApi* api = nullptr;
  void operator()(ZSTD_DCtx* dctx) const { api->free_dctx(dctx); }
};

}  // namespace

// ---- SHA-256 ----

struct Sha256Stream::State {
  crypto_hash_sha256_state sha{};
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {
  crypto_hash_sha256_init(&state_->sha);
}
Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(std::string_view bytes) {
  crypto_hash_sha256_update(&state_->sha, bytes_of(bytes), bytes.size());
}

std::string Sha256Stream::finish_hex() {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state_->sha, digest.data());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

// ---- encoder ----

struct BackupEncoder::State {
  const ZstdApi* zstd = nullptr;
  std::unique_ptr<ZSTD_CCtx, CctxDeleter> cctx;
  crypto_secretstream_xchacha20poly1305_state stream{};
  std::string header;  // the AD of the first chunk
  bool first_chunk = true;
  Sha256Stream sha;
};

BackupEncoder::BackupEncoder(std::unique_ptr<State> state, ByteSink out)
    : state_(std::move(state)), out_(std::move(out)) {}
BackupEncoder::~BackupEncoder() = default;

Result<std::unique_ptr<BackupEncoder>> BackupEncoder::create(std::string_view public_key,
                                                             ByteSink out, int zstd_level) {
  if (public_key.size() != crypto_box_PUBLICKEYBYTES) {
    return fail(Error::invalid("a backup public key is 32 bytes"));
  }
  auto zstd = ZstdApi::get();
  if (!zstd) {
    return fail(zstd.error());
  }
  auto state = std::make_unique<State>();
  state->zstd = *zstd;
  state->cctx = std::unique_ptr<ZSTD_CCtx, CctxDeleter>((*zstd)->create_cctx(), CctxDeleter{*zstd});
  if (!state->cctx) {
    return fail(Error::internal("ZSTD_createCCtx failed"));
  }
  (*zstd)->cctx_set_parameter(state->cctx.get(), ZSTD_c_compressionLevel, zstd_level);
  // A 1 MiB window instead of level 3's 2 MiB: streaming compression holds a window's worth of
  // input, and the agent backing up stays under 30 MB. Dumps lose little by it (pg_dump -Fc is
  // compressed already); any decoder reads it.
  (*zstd)->cctx_set_parameter(state->cctx.get(), ZSTD_c_windowLog, kWindowLog);

  std::array<unsigned char, crypto_secretstream_xchacha20poly1305_KEYBYTES> key{};
  crypto_secretstream_xchacha20poly1305_keygen(key.data());
  std::string sealed(kSealedStreamKeySize, '\0');
  crypto_box_seal(bytes_of(sealed), key.data(), key.size(), bytes_of(public_key));

  std::string header(kServiceBackupMagic);
  header.push_back(static_cast<char>(kFormatVersion));
  header.push_back(static_cast<char>(kZstd));
  header.append(2, '\0');
  header.append(sealed);
  std::array<unsigned char, crypto_secretstream_xchacha20poly1305_HEADERBYTES> stream_header{};
  crypto_secretstream_xchacha20poly1305_init_push(&state->stream, stream_header.data(), key.data());
  sodium_memzero(key.data(), key.size());
  state->header = header;

  std::unique_ptr<BackupEncoder> encoder(new BackupEncoder(std::move(state), std::move(out)));
  encoder->sealed_key_ = std::move(sealed);
  header.append(reinterpret_cast<const char*>(stream_header.data()), stream_header.size());
  if (auto sent = encoder->emit(header); !sent) {
    return fail(sent.error());
  }
  return encoder;
}

Result<void> BackupEncoder::emit(std::string_view bytes) {
  state_->sha.update(bytes);
  stored_bytes_ += bytes.size();
  return out_(bytes);
}

// Seals whole chunks of compressed bytes; `final` seals the rest (possibly empty) as FINAL.
Result<void> BackupEncoder::push_chunks(bool final) {
  std::size_t offset = 0;
  std::string sealed;
  while (compressed_.size() - offset > kChunk || final) {
    const std::size_t length = std::min(kChunk, compressed_.size() - offset);
    const bool last = final && offset + length == compressed_.size();
    sealed.resize(length + kAbytes);
    const bool first = state_->first_chunk;
    crypto_secretstream_xchacha20poly1305_push(
        &state_->stream, bytes_of(sealed), nullptr, bytes_of(compressed_) + offset, length,
        first ? bytes_of(state_->header) : nullptr, first ? state_->header.size() : 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    state_->first_chunk = false;
    offset += length;
    if (auto sent = emit(sealed); !sent) {
      return sent;
    }
    if (last) {
      break;
    }
  }
  compressed_.erase(0, offset);
  return {};
}

Result<void> BackupEncoder::write(std::string_view plaintext) {
  plain_bytes_ += plaintext.size();
  ZSTD_inBuffer in{plaintext.data(), plaintext.size(), 0};
  std::array<char, 64 * 1024> buffer{};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
    const std::size_t rc =
        state_->zstd->compress_stream2(state_->cctx.get(), &out, &in, ZSTD_e_continue);
    if (state_->zstd->is_error(rc) != 0U) {
      return fail(Error::internal(std::string("zstd: ") + state_->zstd->error_name(rc)));
    }
    compressed_.append(buffer.data(), out.pos);
    if (auto pushed = push_chunks(false); !pushed) {
      return pushed;
    }
  }
  return {};
}

Result<void> BackupEncoder::finish() {
  std::array<char, 64 * 1024> buffer{};
  for (;;) {
    ZSTD_inBuffer in{nullptr, 0, 0};
    ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
    const std::size_t left =
        state_->zstd->compress_stream2(state_->cctx.get(), &out, &in, ZSTD_e_end);
    if (state_->zstd->is_error(left) != 0U) {
      return fail(Error::internal(std::string("zstd: ") + state_->zstd->error_name(left)));
    }
    compressed_.append(buffer.data(), out.pos);
    if (left == 0) {
      break;
    }
  }
  if (auto pushed = push_chunks(true); !pushed) {
    return pushed;
  }
  sha256_hex_ = state_->sha.finish_hex();
  return {};
}

// ---- decoder ----

struct BackupDecoder::State {
  const ZstdApi* zstd = nullptr;
  std::unique_ptr<ZSTD_DCtx, DctxDeleter> dctx;
  std::string key;
  std::string header;
  crypto_secretstream_xchacha20poly1305_state stream{};
  bool first_chunk = true;
  std::size_t frame_left = 0;  // ZSTD_decompressStream's hint: 0 once a frame is complete
  Sha256Stream sha;
};

BackupDecoder::BackupDecoder(std::unique_ptr<State> state, ByteSink out)
    : state_(std::move(state)), out_(std::move(out)) {}
BackupDecoder::~BackupDecoder() {
  if (state_) {
    sodium_memzero(state_->key.data(), state_->key.size());
  }
}

Result<std::unique_ptr<BackupDecoder>> BackupDecoder::create(std::string_view stream_key,
                                                             ByteSink plaintext_out) {
  if (stream_key.size() != kStreamKeySize) {
    return fail(Error::invalid("a backup stream key is 32 bytes"));
  }
  auto zstd = ZstdApi::get();
  if (!zstd) {
    return fail(zstd.error());
  }
  auto state = std::make_unique<State>();
  state->zstd = *zstd;
  state->dctx = std::unique_ptr<ZSTD_DCtx, DctxDeleter>((*zstd)->create_dctx(), DctxDeleter{*zstd});
  if (!state->dctx) {
    return fail(Error::internal("ZSTD_createDCtx failed"));
  }
  // A window over 128 MiB would let a crafted object make the reader allocate that much.
  (*zstd)->dctx_set_parameter(state->dctx.get(), ZSTD_d_windowLogMax, 27);
  state->key = std::string(stream_key);
  return std::unique_ptr<BackupDecoder>(
      new BackupDecoder(std::move(state), std::move(plaintext_out)));
}

Result<void> BackupDecoder::take_header() {
  const std::string_view header(pending_.data(), kServiceBackupHeaderSize);
  if (!header.starts_with(kServiceBackupMagic)) {
    return fail(corrupt("it is not a Berth service backup"));
  }
  if (static_cast<std::uint8_t>(header[8]) != kFormatVersion ||
      static_cast<std::uint8_t>(header[9]) != kZstd) {
    return fail(corrupt("unknown format version"));
  }
  state_->header = std::string(header.substr(0, kStreamHeaderOffset));
  if (crypto_secretstream_xchacha20poly1305_init_pull(
          &state_->stream, bytes_of(header) + kStreamHeaderOffset, bytes_of(state_->key)) != 0) {
    return fail(corrupt("bad stream header"));
  }
  pending_.erase(0, kServiceBackupHeaderSize);
  header_done_ = true;
  return {};
}

Result<void> BackupDecoder::decompress(std::string_view compressed) {
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  std::array<char, 64 * 1024> buffer{};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
    const std::size_t rc = state_->zstd->decompress_stream(state_->dctx.get(), &out, &in);
    if (state_->zstd->is_error(rc) != 0U) {
      return fail(corrupt(std::string("zstd: ") + state_->zstd->error_name(rc)));
    }
    state_->frame_left = rc;
    plain_bytes_ += out.pos;
    if (out.pos > 0) {
      if (auto sent = out_(std::string_view(buffer.data(), out.pos)); !sent) {
        return sent;
      }
    }
  }
  return {};
}

Result<void> BackupDecoder::open_chunk(std::string_view chunk, bool at_end) {
  if (final_seen_) {
    return fail(corrupt("bytes after the end of the stream"));
  }
  std::string plain(chunk.size() - kAbytes, '\0');
  unsigned char tag = 0;
  const bool first = state_->first_chunk;
  if (crypto_secretstream_xchacha20poly1305_pull(
          &state_->stream, bytes_of(plain), nullptr, &tag, bytes_of(chunk), chunk.size(),
          first ? bytes_of(state_->header) : nullptr, first ? state_->header.size() : 0) != 0) {
    return fail(corrupt("a chunk failed authentication (changed, or another key)"));
  }
  state_->first_chunk = false;
  final_seen_ = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  if (final_seen_ != at_end) {
    return fail(corrupt(at_end ? "the stream is cut short" : "bytes after the end of the stream"));
  }
  return decompress(plain);
}

Result<void> BackupDecoder::write(std::string_view stored) {
  state_->sha.update(stored);
  stored_bytes_ += stored.size();
  pending_.append(stored);
  if (!header_done_) {
    if (pending_.size() < kServiceBackupHeaderSize) {
      return {};
    }
    if (auto taken = take_header(); !taken) {
      return taken;
    }
  }
  // A full chunk is opened only once a byte beyond it has arrived: the last may be full too.
  std::size_t offset = 0;
  while (pending_.size() - offset > kChunk + kAbytes) {
    if (auto opened =
            open_chunk(std::string_view(pending_).substr(offset, kChunk + kAbytes), false);
        !opened) {
      return opened;
    }
    offset += kChunk + kAbytes;
  }
  pending_.erase(0, offset);
  return {};
}

Result<void> BackupDecoder::finish() {
  if (!header_done_ || pending_.size() < kAbytes) {
    return fail(corrupt("the stream is cut short"));
  }
  if (auto opened = open_chunk(pending_, true); !opened) {
    return opened;
  }
  pending_.clear();
  if (state_->frame_left != 0) {
    return fail(corrupt("the compressed data is cut short"));
  }
  sha256_hex_ = state_->sha.finish_hex();
  return {};
}

}  // namespace berth::backup
