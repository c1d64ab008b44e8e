// The backup file format of `berthd backup`: round trips, and every way a file can be wrong
// (passphrase, a changed byte anywhere, a cut or extended file, a forged bundle) is refused.

#include "berthd/backup_file.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "core/random.hpp"

namespace berth::backup {
namespace {

// The cheapest Argon2id libsodium allows: the format is under test here, not the cost.
constexpr KdfCost kCheap{.opslimit = crypto_pwhash_OPSLIMIT_MIN,
                         .memlimit = crypto_pwhash_MEMLIMIT_MIN};
constexpr const char* kPassphrase = "correct horse battery staple";

std::string pattern(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    text[i] = static_cast<char>((i * 131 + 7) % 251);
  }
  return text;
}

class BackupFileTest : public ::testing::Test {
 protected:
  std::string seal(std::string_view plaintext) {
    auto sealed = encrypt(plaintext, kPassphrase, random_, kCheap);
    EXPECT_TRUE(sealed.has_value());
    return sealed.value_or("");
  }
  SodiumRandom random_;
};

TEST_F(BackupFileTest, RoundTripsEmptySmallAndMultiChunkPayloads) {
  // 0, 1 byte, exactly one chunk, one chunk and a byte, several chunks.
  for (const std::size_t size : {0UL, 1UL, 65536UL, 65537UL, 300000UL}) {
    const std::string plaintext = pattern(size);
    const std::string sealed = seal(plaintext);
    ASSERT_GE(sealed.size(), kHeaderSize + size) << size;
    EXPECT_EQ(sealed.substr(0, 8), "BERTHBAK");
    // The plaintext does not appear in the file.
    if (size >= 64) {
      EXPECT_EQ(sealed.find(plaintext.substr(0, 64)), std::string::npos) << size;
    }
    auto opened = decrypt(sealed, kPassphrase);
    ASSERT_TRUE(opened.has_value()) << size << ": " << opened.error().message;
    EXPECT_EQ(*opened, plaintext) << size;
  }
}

TEST_F(BackupFileTest, EachFileHasItsOwnSaltSoTheSamePayloadEncryptsDifferently) {
  EXPECT_NE(seal("same"), seal("same"));
}

TEST_F(BackupFileTest, TheHeaderRecordsTheKdfCostAndTheDefaultIsModerate) {
  const std::string sealed = seal("x");
  EXPECT_EQ(static_cast<unsigned char>(sealed[8]), kFormatVersion);
  EXPECT_EQ(static_cast<unsigned char>(sealed[9]), crypto_pwhash_ALG_ARGON2ID13);
  EXPECT_EQ(static_cast<unsigned char>(sealed[15]), kCheap.opslimit);
  EXPECT_EQ(default_kdf_cost().opslimit, crypto_pwhash_OPSLIMIT_MODERATE);
  EXPECT_EQ(default_kdf_cost().memlimit, crypto_pwhash_MEMLIMIT_MODERATE);
}

TEST_F(BackupFileTest, AWrongPassphraseIsSaidToBeOne) {
  const std::string sealed = seal(pattern(1000));
  auto opened = decrypt(sealed, "Correct horse battery staple");
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().kind, ErrorKind::invalid);
  EXPECT_NE(opened.error().message.find("wrong passphrase"), std::string::npos)
      << opened.error().message;
}

TEST_F(BackupFileTest, EveryFlippedByteIsRefused) {
  const std::string sealed = seal(pattern(200000));
  // Every header byte, then a sample through the payload (each chunk's start, middle and tag).
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < kHeaderSize; ++i) {
    positions.push_back(i);
  }
  for (std::size_t i = kHeaderSize; i < sealed.size(); i += 4099) {
    positions.push_back(i);
  }
  positions.push_back(sealed.size() - 1);
  for (const std::size_t at : positions) {
    std::string changed = sealed;
    changed[at] = static_cast<char>(changed[at] ^ 0x01);
    auto opened = decrypt(changed, kPassphrase);
    ASSERT_FALSE(opened.has_value()) << "a flipped bit at byte " << at << " went unnoticed";
    EXPECT_EQ(opened.error().kind, ErrorKind::invalid) << at;
  }
  // A payload byte is reported as damage, not as a wrong passphrase.
  std::string changed = sealed;
  changed[kHeaderSize + 70000] ^= 0x40;
  auto opened = decrypt(changed, kPassphrase);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find("damaged or was changed"), std::string::npos)
      << opened.error().message;
}

TEST_F(BackupFileTest, ACutFileIsRefusedWhereverItIsCut) {
  const std::string sealed = seal(pattern(200000));
  const std::size_t chunk = 65536 + crypto_secretstream_xchacha20poly1305_ABYTES;
  // Inside the header, right after it, inside a chunk, exactly at chunk boundaries (the
  // dangerous case: every chunk left is whole and authentic), one byte short.
  for (const std::size_t length :
       {0UL, 5UL, 8UL, 50UL, kHeaderSize, kHeaderSize + 10, kHeaderSize + chunk,
        kHeaderSize + 2 * chunk, kHeaderSize + 3 * chunk - 1, sealed.size() - 1}) {
    auto opened = decrypt(sealed.substr(0, length), kPassphrase);
    ASSERT_FALSE(opened.has_value()) << "a file cut to " << length << " bytes was accepted";
  }
  auto cut = decrypt(sealed.substr(0, kHeaderSize + 2 * chunk), kPassphrase);
  EXPECT_NE(cut.error().message.find("cut short"), std::string::npos) << cut.error().message;
}

TEST_F(BackupFileTest, BytesAfterTheLastChunkAreRefused) {
  // After a short last chunk the extra byte becomes part of it and breaks its tag; after a
  // whole one it is seen as what it is.
  auto short_last = decrypt(seal("payload") + "x", kPassphrase);
  ASSERT_FALSE(short_last.has_value());
  EXPECT_NE(short_last.error().message.find("damaged or was changed"), std::string::npos);
  auto whole_last = decrypt(seal(pattern(65536)) + "x", kPassphrase);
  ASSERT_FALSE(whole_last.has_value());
  EXPECT_NE(whole_last.error().message.find("follow its last chunk"), std::string::npos)
      << whole_last.error().message;
}

TEST_F(BackupFileTest, ChunksCannotBeSwappedOrDropped) {
  const std::string sealed = seal(pattern(3 * 65536 + 10));
  const std::size_t chunk = 65536 + crypto_secretstream_xchacha20poly1305_ABYTES;
  const std::string header = sealed.substr(0, kHeaderSize);
  const std::string first = sealed.substr(kHeaderSize, chunk);
  const std::string second = sealed.substr(kHeaderSize + chunk, chunk);
  const std::string rest = sealed.substr(kHeaderSize + 2 * chunk);
  EXPECT_FALSE(decrypt(header + second + first + rest, kPassphrase).has_value());
  EXPECT_FALSE(decrypt(header + first + rest, kPassphrase).has_value());
}

TEST_F(BackupFileTest, OtherFilesAndFutureVersionsAreToldApart) {
  auto other = decrypt("SQLite format 3\0 and so on", kPassphrase);
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().message.find("not a Berth backup"), std::string::npos);
  std::string future = seal("x");
  future[8] = 2;
  auto newer = decrypt(future, kPassphrase);
  ASSERT_FALSE(newer.has_value());
  EXPECT_NE(newer.error().message.find("format version 2"), std::string::npos);
}

TEST_F(BackupFileTest, AHeaderAskingForAnAbsurdKdfCostIsRefusedBeforeAnyWork) {
  std::string sealed = seal("x");
  sealed[16] = 0x7f;  // memlimit's top byte: petabytes
  auto opened = decrypt(sealed, kPassphrase);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find("key derivation"), std::string::npos);
}

Bundle sample_bundle() {
  Bundle bundle;
  bundle.manifest = {{"format", "berth-backup"}, {"instance_id", "ins_1"}};
  bundle.files = {{.name = "berth.db", .content = pattern(5000)},
                  {.name = "session.key", .content = std::string(32, 's')},
                  {.name = "master.key", .content = std::string(32, 'm')},
                  {.name = "local-agent/agent.json", .content = "{}"}};
  return bundle;
}

TEST(BackupBundleTest, RoundTripsTheManifestAndFiles) {
  const std::string encoded = encode_bundle(sample_bundle());
  auto decoded = decode_bundle(encoded);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->manifest["instance_id"], "ins_1");
  ASSERT_EQ(decoded->files.size(), 4U);
  EXPECT_EQ(decoded->files[0].name, "berth.db");
  EXPECT_EQ(decoded->files[0].content, pattern(5000));
  EXPECT_EQ(decoded->files[2].content, std::string(32, 'm'));
  EXPECT_EQ(decoded->manifest["files"][1]["size"], 32);
}

TEST(BackupBundleTest, RefusesNamesOutsideTheListSoARestoreCannotWriteElsewhere) {
  for (const char* name : {"../etc/passwd", "/etc/passwd", "berth.db-wal", "local-agent/../x"}) {
    Bundle bundle = sample_bundle();
    bundle.files.push_back({.name = name, .content = "x"});
    auto decoded = decode_bundle(encode_bundle(bundle));
    ASSERT_FALSE(decoded.has_value()) << name;
    EXPECT_NE(decoded.error().message.find("never holds"), std::string::npos) << name;
  }
}

TEST(BackupBundleTest, RefusesAFileThatDoesNotMatchTheManifest) {
  std::string encoded = encode_bundle(sample_bundle());
  encoded.back() = 'X';  // inside the last file: its SHA-256 no longer matches
  EXPECT_FALSE(decode_bundle(encoded).has_value());
  EXPECT_FALSE(decode_bundle(encode_bundle(sample_bundle()) + "x").has_value());
  const std::string whole = encode_bundle(sample_bundle());
  EXPECT_FALSE(decode_bundle(whole.substr(0, whole.size() - 1)).has_value());
  EXPECT_FALSE(decode_bundle("").has_value());
  EXPECT_FALSE(decode_bundle(std::string("\x00\x00\x00\x02{}", 6)).has_value());  // no files
}

}  // namespace
}  // namespace berth::backup
