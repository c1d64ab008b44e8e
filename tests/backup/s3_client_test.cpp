// S3Client against a real S3-compatible server on loopback (@20minutes/s3rver, which checks
// SigV4 signatures):
// put/get/delete path-style and virtual-host style, a streamed body larger than any buffer,
// multipart uploads (no object until complete), and the clear errors for a wrong secret, an unknown
// key, a missing bucket and an endpoint that does not answer.
#include "backup/s3_client.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "backup/s3_listing.hpp"
#include "backup/s3_multipart.hpp"
#include "backup/s3rver_fixture.hpp"
#include "backup/sigv4.hpp"

namespace berth::backup {
namespace {

using testing::S3rverFixture;

class S3ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = S3rverFixture::unavailable_reason(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    s3_.emplace(std::vector<std::string>{"berth-test"});
  }

  void TearDown() override {
    if (HasFailure() && s3_) {
      std::cerr << "---- s3rver ----\n" << s3_->output() << "----\n";
    }
  }

  S3Settings settings(bool path_style = true) const {
    return S3Settings{.endpoint = s3_->endpoint(),
                      .region = "us-east-1",
                      .bucket = "berth-test",
                      .path_style = path_style,
                      .access_key_id = S3rverFixture::kAccessKey,
                      .secret_access_key = S3rverFixture::kSecret};
  }

  SystemClock clock_;
  std::optional<S3rverFixture> s3_;
};

TEST_F(S3ClientTest, PutGetDeletePathStyle) {
  const S3Client client(settings(), clock_);
  EXPECT_EQ(client.target("backups/a b.txt").url,
            s3_->endpoint() + "/berth-test/backups/a%20b.txt");
  ASSERT_TRUE(client.put("backups/a b.txt", "hello, bucket")) << "put";
  auto got = client.get_small("backups/a b.txt", 1024);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, "hello, bucket");
  ASSERT_TRUE(client.remove("backups/a b.txt"));
  auto gone = client.get_small("backups/a b.txt", 1024);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, "s3_object_missing");
}

// Virtual-host style reaches the bucket named in the Host header. The signature of such a
// request is checked by AWS's own example (SigV4.S3GetObjectWithRange, a virtual-host request)
// rather than here: @20minutes/s3rver signs a virtual-host request over "/bucket/key" (SigV2's
// resource) where SigV4 signs the path as sent, so this server runs with signature checks off.
TEST_F(S3ClientTest, PutGetDeleteVirtualHostStyle) {
  S3rverFixture lenient({"berth-test"},
                        {"--service-endpoint", "localhost", "--allow-mismatched-signatures"});
  S3Settings vhost = settings(false);
  vhost.endpoint = "http://s3.localhost:" + std::to_string(lenient.port());
  const S3Client client(vhost, clock_);
  const S3Target where = client.target("probe.txt");
  EXPECT_EQ(where.host, "berth-test.s3.localhost:" + std::to_string(lenient.port()));
  EXPECT_EQ(where.path, "/probe.txt");
  auto put = client.put("probe.txt", "virtual host");
  ASSERT_TRUE(put) << put.error().message << "\n" << lenient.output();
  // The object landed in the bucket: a path-style client reads it.
  S3Settings path_style = settings();
  path_style.endpoint = lenient.endpoint();
  auto got = S3Client(path_style, clock_).get_small("probe.txt", 1024);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, "virtual host");
  EXPECT_TRUE(client.remove("probe.txt"));
  EXPECT_FALSE(S3Client(path_style, clock_).get_small("probe.txt", 1024));
}

// What berthd's scheduled backups to S3 prune by: the keys under a prefix, all pages of them.
TEST_F(S3ClientTest, ListsTheKeysUnderAPrefixPageByPage) {
  const S3Client client(settings(), clock_);
  for (const char* key :
       {"nightly/berth-a-2.backup", "nightly/berth-a-1.backup", "nightly/x.txt", "other/z"}) {
    ASSERT_TRUE(client.put(key, "x"));
  }
  auto keys = list_keys(client, "nightly/");
  ASSERT_TRUE(keys) << keys.error().message;
  EXPECT_EQ(*keys, (std::vector<std::string>{"nightly/berth-a-1.backup", "nightly/berth-a-2.backup",
                                             "nightly/x.txt"}));
  auto bounded = list_keys(client, "nightly/", 2);
  ASSERT_TRUE(bounded);
  EXPECT_EQ(bounded->size(), 2U);
  EXPECT_EQ(xml_values("<a><Key>1</Key><Key>&lt;2&amp;&gt;</Key></a>", "Key"),
            (std::vector<std::string>{"1", "<2&>"}));
}

TEST_F(S3ClientTest, StreamsABodyThroughCallbacksBothWays) {
  const S3Client client(settings(), clock_);
  constexpr std::uint64_t kSize = 12 * 1024 * 1024 + 17;
  std::uint64_t sent = 0;
  std::size_t largest_read = 0;
  const BodySource source = [&](char* buffer, std::size_t size) -> Result<std::size_t> {
    largest_read = std::max(largest_read, size);
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size, kSize - sent));
    for (std::size_t i = 0; i < n; ++i) {
      buffer[i] = static_cast<char>('a' + (sent + i) % 26);
    }
    sent += n;
    return n;
  };
  auto put = client.put_stream("big/object.bin", kSize, source);
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(sent, kSize);
  EXPECT_LT(largest_read, 1024U * 1024U);  // never the whole body at once

  std::uint64_t received = 0;
  bool in_order = true;
  std::size_t largest_chunk = 0;
  const BodySink sink = [&](std::string_view chunk) -> Result<void> {
    largest_chunk = std::max(largest_chunk, chunk.size());
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      in_order = in_order && chunk[i] == static_cast<char>('a' + (received + i) % 26);
    }
    received += chunk.size();
    return {};
  };
  auto got = client.get("big/object.bin", sink);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(received, kSize);
  EXPECT_TRUE(in_order);
  EXPECT_LT(largest_chunk, 1024U * 1024U);
  EXPECT_TRUE(client.remove("big/object.bin"));
}

TEST_F(S3ClientTest, AMultipartUploadAppearsOnlyWhenComplete) {
  const S3Client client(settings(), clock_);
  auto upload = S3MultipartUpload::begin(client, "multi/object.bin");
  ASSERT_TRUE(upload) << upload.error().message;
  const std::string first(kMinPartSize, 'a');
  const std::string second = "the last part may be small";
  ASSERT_TRUE(upload->upload_part(first));
  ASSERT_TRUE(upload->upload_part(second));
  EXPECT_FALSE(client.get_small("multi/object.bin", 16)) << "no object before complete()";
  auto done = upload->complete();
  ASSERT_TRUE(done) << done.error().message;
  auto got = client.get_small("multi/object.bin", 2 * kMinPartSize);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, first + second);

  auto dropped = S3MultipartUpload::begin(client, "multi/dropped.bin");
  ASSERT_TRUE(dropped);
  ASSERT_TRUE(dropped->upload_part(first));
  dropped->abort();
  auto missing = client.get_small("multi/dropped.bin", 16);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "s3_object_missing");
}

TEST_F(S3ClientTest, AWrongSecretOrKeyIsSaidPlainly) {
  S3Settings wrong_secret = settings();
  wrong_secret.secret_access_key = "not-the-secret";
  auto put = S3Client(wrong_secret, clock_).put("x.txt", "x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, "s3_credentials_rejected");
  EXPECT_EQ(put.error().message, "the access key or secret is wrong");
  EXPECT_EQ(put.error().details["s3_code"], "SignatureDoesNotMatch");
  EXPECT_EQ(put.error().details.dump().find("not-the-secret"), std::string::npos);

  S3Settings wrong_key = settings();
  wrong_key.access_key_id = "AKIDNOBODY";
  put = S3Client(wrong_key, clock_).put("x.txt", "x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, "s3_credentials_rejected");
  EXPECT_EQ(put.error().details["s3_code"], "InvalidAccessKeyId");
}

TEST_F(S3ClientTest, AMissingBucketIsSaidPlainly) {
  S3Settings missing = settings();
  missing.bucket = "no-such-bucket";
  auto put = S3Client(missing, clock_).put("x.txt", "x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, "s3_bucket_missing");
  EXPECT_EQ(put.error().message, "the bucket does not exist");
}

TEST_F(S3ClientTest, AnEndpointThatDoesNotAnswerIsUnreachable) {
  // A port that was free a moment ago: bound, its number read, closed.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t size = sizeof(address);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size), 0);
  ::close(fd);
  S3Settings closed = settings();
  closed.endpoint = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  auto put = S3Client(closed, clock_).put("x.txt", "x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(put.error().code, "s3_unreachable");
}

TEST(S3Errors, UnknownAnswersKeepTheirCodeAndStatus) {
  const Error error =
      s3_error(503, "<Error><Code>SlowDown</Code><Message>Reduce your rate</Message></Error>");
  EXPECT_EQ(error.code, "s3_error");
  EXPECT_EQ(error.details["status"], 503);
  EXPECT_EQ(error.details["s3_code"], "SlowDown");
  EXPECT_EQ(s3_error(403, "<Error><Code>AccessDenied</Code></Error>").code, "s3_access_denied");
}

TEST(S3Targets, AnIpEndpointIsAlwaysPathStyle) {
  const SystemClock clock;
  S3Settings settings{
      .endpoint = "http://127.0.0.1:9000", .bucket = "backups", .path_style = false};
  EXPECT_EQ(S3Client(settings, clock).target("a/b").url, "http://127.0.0.1:9000/backups/a/b");
  settings.endpoint = "https://[::1]:9000";
  EXPECT_EQ(S3Client(settings, clock).target("a").url, "https://[::1]:9000/backups/a");
  settings.endpoint = "https://s3.example.com";
  EXPECT_EQ(S3Client(settings, clock).target("a").url, "https://backups.s3.example.com/a");
}

TEST(S3Dates, AmzDateIsCompactUtc) {
  EXPECT_EQ(amz_date(std::chrono::system_clock::from_time_t(1440938160)), "20150830T123600Z");
}

}  // namespace
}  // namespace berth::backup
