// The stored form of a service backup (backup_stream.hpp): what goes in comes out under the
// right key, nothing comes out under another, and every kind of damage is refused.
#include "backup/backup_stream.hpp"

#include <gtest/gtest.h>

#include <random>

namespace berth::backup {
namespace {

struct Sealed {
  std::string object;
  std::string sealed_key;
  std::string sha256;
};

BackupKeyPair keys_of(char seed) { return backup_key_pair_from_seed(std::string(32, seed)); }

// Varied but compressible bytes of `size`.
std::string sample(std::size_t size) {
  std::mt19937 random(7);
  std::string text;
  text.reserve(size);
  while (text.size() < size) {
    text += "row " + std::to_string(random() % 1000) + ", ";
  }
  text.resize(size);
  return text;
}

Sealed seal(std::string_view plain, const BackupKeyPair& keys, std::size_t piece = 1000) {
  Sealed out;
  auto encoder =
      BackupEncoder::create(keys.public_key, [&](std::string_view bytes) -> Result<void> {
        out.object.append(bytes);
        return {};
      });
  EXPECT_TRUE(encoder);
  for (std::size_t at = 0; at < plain.size(); at += piece) {
    EXPECT_TRUE((*encoder)->write(plain.substr(at, piece)));
  }
  EXPECT_TRUE((*encoder)->finish());
  EXPECT_EQ((*encoder)->plain_bytes(), plain.size());
  EXPECT_EQ((*encoder)->stored_bytes(), out.object.size());
  out.sealed_key = (*encoder)->sealed_key();
  out.sha256 = (*encoder)->sha256_hex();
  return out;
}

Result<std::string> open(const std::string& object, std::string_view stream_key,
                         std::size_t piece = 777, std::string* sha = nullptr) {
  std::string plain;
  auto decoder = BackupDecoder::create(stream_key, [&](std::string_view bytes) -> Result<void> {
    plain.append(bytes);
    return {};
  });
  if (!decoder) {
    return fail(decoder.error());
  }
  for (std::size_t at = 0; at < object.size(); at += piece) {
    if (auto ok = (*decoder)->write(std::string_view(object).substr(at, piece)); !ok) {
      return fail(ok.error());
    }
  }
  if (auto ok = (*decoder)->finish(); !ok) {
    return fail(ok.error());
  }
  if (sha != nullptr) {
    *sha = (*decoder)->sha256_hex();
  }
  return plain;
}

TEST(BackupStream, RoundTripsAtEverySizeAroundAChunk) {
  const auto keys = keys_of('a');
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{65536},
                                 std::size_t{300'000}, std::size_t{3'000'000}}) {
    const std::string plain = sample(size);
    const Sealed sealed = seal(plain, keys);
    EXPECT_TRUE(sealed.object.starts_with(kServiceBackupMagic));
    if (plain.size() >= 64) {  // a shorter run could turn up in random bytes by chance
      EXPECT_EQ(sealed.object.find(plain.substr(0, 64)), std::string::npos)
          << "the plaintext is not in the object";
    }
    auto key = open_stream_key(sealed.sealed_key, keys);
    ASSERT_TRUE(key);
    std::string sha;
    auto back = open(sealed.object, *key, 777, &sha);
    ASSERT_TRUE(back) << size << ": " << back.error().message;
    EXPECT_EQ(*back, plain);
    EXPECT_EQ(sha, sealed.sha256);
    EXPECT_EQ(sha.size(), 64U);
  }
}

TEST(BackupStream, ARepetitiveDumpShrinks) {
  const std::string plain(4'000'000, 'x');
  EXPECT_LT(seal(plain, keys_of('a'), 65536).object.size(), 100'000U);
}

TEST(BackupStream, AnotherTeamsKeyOpensNothing) {
  const Sealed sealed = seal(sample(10'000), keys_of('a'));
  auto key = open_stream_key(sealed.sealed_key, keys_of('b'));
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, "backup_key_mismatch");
  auto wrong = open(sealed.object, std::string(32, 'k'));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "backup_corrupt");
}

TEST(BackupStream, DamageOfEveryKindIsRefused) {
  const auto keys = keys_of('a');
  const Sealed sealed = seal(sample(400'000), keys);
  const std::string key = *open_stream_key(sealed.sealed_key, keys);
  std::vector<std::pair<std::string, std::string>> damaged;
  std::string flipped = sealed.object;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 1);
  damaged.emplace_back("a flipped bit", flipped);
  std::string header = sealed.object;
  header[20] = static_cast<char>(header[20] ^ 1);
  damaged.emplace_back("a changed sealed key in the header", header);
  damaged.emplace_back("a cut tail", sealed.object.substr(0, sealed.object.size() - 100));
  damaged.emplace_back("a cut at a chunk boundary",
                       sealed.object.substr(0, kServiceBackupHeaderSize + 65536 + 17));
  damaged.emplace_back("trailing bytes", sealed.object + "x");
  damaged.emplace_back("only a header", sealed.object.substr(0, kServiceBackupHeaderSize));
  damaged.emplace_back("not a backup", std::string(500, 'z'));
  for (const auto& [what, object] : damaged) {
    auto back = open(object, key);
    ASSERT_FALSE(back) << what;
    EXPECT_EQ(back.error().code, "backup_corrupt") << what;
  }
}

TEST(BackupStream, SeededKeyPairsAreStableAndDistinct) {
  EXPECT_EQ(keys_of('a').public_key, keys_of('a').public_key);
  EXPECT_NE(keys_of('a').public_key, keys_of('b').public_key);
  EXPECT_EQ(keys_of('a').public_key.size(), kBackupPublicKeySize);
  EXPECT_EQ(keys_of('a').secret_key.size(), kBackupSecretKeySize);
}

}  // namespace
}  // namespace berth::backup
