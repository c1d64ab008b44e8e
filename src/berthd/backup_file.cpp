#include "berthd/backup_file.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "core/crypto.hpp"

namespace berth::backup {

namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kSaltOffset = 24;
constexpr std::size_t kStreamHeaderOffset = kSaltOffset + crypto_pwhash_SALTBYTES;
constexpr std::size_t kMacOffset =
    kStreamHeaderOffset + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
static_assert(kMacOffset + crypto_generichash_BYTES == kHeaderSize);
static_assert(crypto_pwhash_SALTBYTES == 16);

// A crafted header must not make the reader spend gigabytes or minutes before it fails.
constexpr std::uint32_t kMaxOpslimit = 32;
constexpr std::uint64_t kMaxMemlimit = std::uint64_t{1} << 30;
// The manifest is a few hundred bytes; anything near this is not a Berth backup.
constexpr std::uint32_t kMaxManifest = 1 << 20;

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

void put_be(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

std::uint64_t get_be(std::string_view in, std::size_t offset, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    value = (value << 8) | static_cast<unsigned char>(in[offset + static_cast<std::size_t>(i)]);
  }
  return value;
}

// Wiped when it goes out of scope: the derived keys never outlive the call.
struct DerivedKeys {
  std::array<unsigned char, 64> bytes{};
  DerivedKeys() = default;
  DerivedKeys(const DerivedKeys&) = delete;
  DerivedKeys& operator=(const DerivedKeys&) = delete;
  ~DerivedKeys() { sodium_memzero(bytes.data(), bytes.size()); }
  const unsigned char* stream_key() const { return bytes.data(); }
  const unsigned char* mac_key() const { return bytes.data() + 32; }
};

bool derive(DerivedKeys& keys, std::string_view passphrase, const unsigned char* salt,
            KdfCost cost) {
  return crypto_pwhash(keys.bytes.data(), keys.bytes.size(), passphrase.data(), passphrase.size(),
                       salt, cost.opslimit, static_cast<std::size_t>(cost.memlimit),
                       crypto_pwhash_ALG_ARGON2ID13) == 0;
}

std::array<unsigned char, crypto_generichash_BYTES> header_mac(std::string_view header,
                                                               const DerivedKeys& keys) {
  std::array<unsigned char, crypto_generichash_BYTES> mac{};
  crypto_generichash(mac.data(), mac.size(), bytes_of(header), kMacOffset, keys.mac_key(), 32);
  return mac;
}

Error damaged(std::string_view why) {
  return Error::invalid(fmt::format("the backup file is damaged or was changed: {}", why));
}

}  // namespace

KdfCost default_kdf_cost() {
  return {.opslimit = crypto_pwhash_OPSLIMIT_MODERATE, .memlimit = crypto_pwhash_MEMLIMIT_MODERATE};
}

Result<std::string> encrypt(std::string_view plaintext, std::string_view passphrase, Random& random,
                            KdfCost cost) {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium cannot start");
  }
  std::string out;
  out.reserve(kHeaderSize + plaintext.size() +
              (plaintext.size() / kChunk + 1) * crypto_secretstream_xchacha20poly1305_ABYTES);
  out.append(kMagic);
  out.push_back(static_cast<char>(kFormatVersion));
  out.push_back(static_cast<char>(crypto_pwhash_ALG_ARGON2ID13));
  out.append(2, '\0');
  put_be(out, cost.opslimit, 4);
  put_be(out, cost.memlimit, 8);
  std::array<std::uint8_t, crypto_pwhash_SALTBYTES> salt{};
  random.fill(salt);
  out.append(reinterpret_cast<const char*>(salt.data()), salt.size());
  DerivedKeys keys;
  if (!derive(keys, passphrase, salt.data(), cost)) {
    return fail(Error::internal("crypto_pwhash failed (out of memory?)"));
  }
  crypto_secretstream_xchacha20poly1305_state state;
  std::array<unsigned char, crypto_secretstream_xchacha20poly1305_HEADERBYTES> stream_header{};
  crypto_secretstream_xchacha20poly1305_init_push(&state, stream_header.data(), keys.stream_key());
  out.append(reinterpret_cast<const char*>(stream_header.data()), stream_header.size());
  const auto mac = header_mac(out, keys);
  out.append(reinterpret_cast<const char*>(mac.data()), mac.size());

  std::string chunk;
  std::size_t offset = 0;
  bool first = true;
  do {
    const std::size_t length = std::min(kChunk, plaintext.size() - offset);
    const bool last = offset + length == plaintext.size();
    chunk.resize(length + crypto_secretstream_xchacha20poly1305_ABYTES);
    const std::string_view header(out.data(), kHeaderSize);
    crypto_secretstream_xchacha20poly1305_push(
        &state, reinterpret_cast<unsigned char*>(chunk.data()), nullptr,
        bytes_of(plaintext) + offset, length, first ? bytes_of(header) : nullptr,
        first ? header.size() : 0, last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    out.append(chunk);
    offset += length;
    first = false;
  } while (offset < plaintext.size());
  sodium_memzero(&state, sizeof state);
  return out;
}

Result<std::string> decrypt(std::string_view file, std::string_view passphrase) {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium cannot start");
  }
  if (file.size() < kMagic.size() || file.substr(0, kMagic.size()) != kMagic) {
    return fail(Error::invalid("not a Berth backup file (it does not start with BERTHBAK)"));
  }
  if (file.size() < kHeaderSize) {
    return fail(damaged("it ends inside its header (cut short?)"));
  }
  const auto version = static_cast<std::uint8_t>(file[8]);
  if (version != kFormatVersion) {
    return fail(Error::invalid(fmt::format(
        "the backup file has format version {}; this berthd reads version {} (use the Berth "
        "version that made it, or a newer one)",
        version, kFormatVersion)));
  }
  const KdfCost cost{.opslimit = static_cast<std::uint32_t>(get_be(file, 12, 4)),
                     .memlimit = get_be(file, 16, 8)};
  if (static_cast<unsigned char>(file[9]) != crypto_pwhash_ALG_ARGON2ID13 || file[10] != 0 ||
      file[11] != 0 || cost.opslimit < crypto_pwhash_OPSLIMIT_MIN || cost.opslimit > kMaxOpslimit ||
      cost.memlimit < crypto_pwhash_MEMLIMIT_MIN || cost.memlimit > kMaxMemlimit) {
    return fail(damaged("its header names an unknown or out-of-range key derivation"));
  }
  DerivedKeys keys;
  if (!derive(keys, passphrase, bytes_of(file) + kSaltOffset, cost)) {
    return fail(Error::internal("crypto_pwhash failed (out of memory?)"));
  }
  const auto mac = header_mac(file, keys);
  if (sodium_memcmp(mac.data(), file.data() + kMacOffset, mac.size()) != 0) {
    return fail(Error::invalid(
        "wrong passphrase (or the backup file's header was changed): the file cannot be "
        "decrypted with it"));
  }
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, bytes_of(file) + kStreamHeaderOffset,
                                                      keys.stream_key()) != 0) {
    return fail(damaged("its stream header is invalid"));
  }
  std::string out;
  out.reserve(file.size());
  std::string chunk;
  std::size_t offset = kHeaderSize;
  std::size_t index = 0;
  bool finished = false;
  while (!finished) {
    if (offset == file.size()) {
      sodium_memzero(&state, sizeof state);
      return fail(damaged("it ends before its last chunk (cut short?)"));
    }
    const std::size_t length =
        std::min(kChunk + crypto_secretstream_xchacha20poly1305_ABYTES, file.size() - offset);
    if (length < crypto_secretstream_xchacha20poly1305_ABYTES) {
      sodium_memzero(&state, sizeof state);
      return fail(damaged("it ends inside a chunk (cut short?)"));
    }
    chunk.resize(length - crypto_secretstream_xchacha20poly1305_ABYTES);
    unsigned char tag = 0;
    const std::string_view header = file.substr(0, kHeaderSize);
    if (crypto_secretstream_xchacha20poly1305_pull(
            &state, reinterpret_cast<unsigned char*>(chunk.data()), nullptr, &tag,
            bytes_of(file) + offset, length, index == 0 ? bytes_of(header) : nullptr,
            index == 0 ? header.size() : 0) != 0) {
      sodium_memzero(&state, sizeof state);
      return fail(
          damaged(fmt::format("chunk {} (at byte {}) fails authentication", index, offset)));
    }
    out.append(chunk);
    offset += length;
    ++index;
    finished = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  }
  sodium_memzero(&state, sizeof state);
  sodium_memzero(chunk.data(), chunk.size());
  if (offset != file.size()) {
    sodium_memzero(out.data(), out.size());
    return fail(damaged(fmt::format("{} bytes follow its last chunk", file.size() - offset)));
  }
  return out;
}

bool allowed_file_name(std::string_view name) {
  return name == "berth.db" || name == "session.key" || name == "master.key" ||
         name == "local-agent/agent.json";
}

std::string encode_bundle(const Bundle& bundle) {
  nlohmann::json manifest = bundle.manifest;
  manifest["files"] = nlohmann::json::array();
  std::size_t total = 0;
  for (const auto& file : bundle.files) {
    manifest["files"].push_back({{"name", file.name},
                                 {"size", file.content.size()},
                                 {"sha256", crypto::sha256_hex(file.content)}});
    total += file.content.size();
  }
  const std::string text = manifest.dump();
  std::string out;
  out.reserve(4 + text.size() + total);
  put_be(out, text.size(), 4);
  out.append(text);
  for (const auto& file : bundle.files) {
    out.append(file.content);
  }
  return out;
}

Result<Bundle> decode_bundle(std::string_view plaintext) {
  const auto bad = [](std::string_view why) {
    return fail(Error::invalid(fmt::format("the backup's contents are malformed: {}", why)));
  };
  if (plaintext.size() < 4) {
    return bad("no manifest");
  }
  const auto manifest_size = get_be(plaintext, 0, 4);
  if (manifest_size > kMaxManifest || manifest_size > plaintext.size() - 4) {
    return bad("the manifest's length is out of range");
  }
  Bundle bundle;
  bundle.manifest = nlohmann::json::parse(plaintext.substr(4, manifest_size), nullptr,
                                          /*allow_exceptions=*/false);
  const auto& files = bundle.manifest.is_object() ? bundle.manifest.value("files", nlohmann::json())
                                                  : nlohmann::json();
  if (!files.is_array()) {
    return bad("the manifest is not a JSON object with a files list");
  }
  std::size_t offset = 4 + manifest_size;
  for (const auto& entry : files) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
        !entry.contains("size") || !entry["size"].is_number_unsigned() ||
        !entry.contains("sha256") || !entry["sha256"].is_string()) {
      return bad("a file entry lacks its name, size or sha256");
    }
    const auto name = entry["name"].get<std::string>();
    if (!allowed_file_name(name)) {
      return bad(fmt::format("it names a file a backup never holds: {}", name));
    }
    if (std::ranges::any_of(bundle.files, [&](const BundleFile& f) { return f.name == name; })) {
      return bad(fmt::format("{} appears twice", name));
    }
    const auto size = entry["size"].get<std::uint64_t>();
    if (size > plaintext.size() - offset) {
      return bad(fmt::format("{} is cut short", name));
    }
    BundleFile file{.name = name, .content = std::string(plaintext.substr(offset, size))};
    if (crypto::sha256_hex(file.content) != entry["sha256"].get<std::string>()) {
      return bad(fmt::format("{} does not match its SHA-256", name));
    }
    offset += size;
    bundle.files.push_back(std::move(file));
  }
  if (offset != plaintext.size()) {
    return bad("bytes follow the last file");
  }
  return bundle;
}

}  // namespace berth::backup
