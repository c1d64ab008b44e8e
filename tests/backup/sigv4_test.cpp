// SigV4 against AWS's published examples: the "get-vanilla" family of the Signature Version 4
// test suite (credentials AKIDEXAMPLE, 2015-08-30, us-east-1, service "service") and the S3
// examples of "Authenticating Requests: Using the Authorization Header" (examplebucket,
// 2013-05-24). The expected values were written down from AWS's documentation.
#include "backup/sigv4.hpp"

#include <gtest/gtest.h>

namespace berth::backup {
namespace {

const SigV4Credentials kSuite{.access_key_id = "AKIDEXAMPLE",
                              .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                              .region = "us-east-1",
                              .service = "service"};
constexpr const char* kSuiteDate = "20150830T123600Z";

SigV4Request suite_request(std::string method, std::string path = "/") {
  return SigV4Request{.method = std::move(method),
                      .path = std::move(path),
                      .query = {},
                      .headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kSuiteDate}},
                      .payload_hash = std::string(kEmptyPayloadHash)};
}

TEST(SigV4, GetVanilla) {
  const SigV4Request request = suite_request("GET");
  EXPECT_EQ(canonical_request(request),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(string_to_sign(request, kSuite, kSuiteDate),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(authorization(request, kSuite, kSuiteDate),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, GetVanillaQueryOrderIsSorted) {
  SigV4Request request = suite_request("GET");
  request.query = {{"Param2", "value2"}, {"Param1", "value1"}};
  EXPECT_EQ(canonical_query(request.query), "Param1=value1&Param2=value2");
  EXPECT_EQ(signature(request, kSuite, kSuiteDate),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4, PostVanilla) {
  EXPECT_EQ(signature(suite_request("POST"), kSuite, kSuiteDate),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

const SigV4Credentials kS3{.access_key_id = "AKIAIOSFODNN7EXAMPLE",
                           .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                           .region = "us-east-1",
                           .service = "s3"};
constexpr const char* kS3Date = "20130524T000000Z";

TEST(SigV4, S3GetObjectWithRange) {
  const SigV4Request request{.method = "GET",
                             .path = uri_encode_path("/test.txt"),
                             .query = {},
                             .headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                                         {"Range", "bytes=0-9"},
                                         {"x-amz-content-sha256", std::string(kEmptyPayloadHash)},
                                         {"x-amz-date", kS3Date}},
                             .payload_hash = std::string(kEmptyPayloadHash)};
  EXPECT_EQ(signed_headers(request), "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(signature(request, kS3, kS3Date),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3PutObjectEncodesThePath) {
  const std::string body = "Welcome to Amazon S3.";
  const std::string hash = sha256_hex(body);
  EXPECT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  const SigV4Request request{.method = "PUT",
                             .path = uri_encode_path("/test$file.text"),
                             .query = {},
                             .headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                                         {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                                         {"x-amz-date", kS3Date},
                                         {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                                         {"x-amz-content-sha256", hash}},
                             .payload_hash = hash};
  EXPECT_EQ(request.path, "/test%24file.text");
  EXPECT_EQ(signature(request, kS3, kS3Date),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, S3ListObjectsSortsAndEncodesTheQuery) {
  const SigV4Request request{.method = "GET",
                             .path = "/",
                             .query = {{"prefix", "J"}, {"max-keys", "2"}},
                             .headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                                         {"x-amz-content-sha256", std::string(kEmptyPayloadHash)},
                                         {"x-amz-date", kS3Date}},
                             .payload_hash = std::string(kEmptyPayloadHash)};
  EXPECT_EQ(signature(request, kS3, kS3Date),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, S3GetBucketLifecycleHasAnEmptyQueryValue) {
  const SigV4Request request{.method = "GET",
                             .path = "/",
                             .query = {{"lifecycle", ""}},
                             .headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                                         {"x-amz-content-sha256", std::string(kEmptyPayloadHash)},
                                         {"x-amz-date", kS3Date}},
                             .payload_hash = std::string(kEmptyPayloadHash)};
  EXPECT_EQ(canonical_query(request.query), "lifecycle=");
  EXPECT_EQ(signature(request, kS3, kS3Date),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, HeaderValuesAreTrimmedAndFolded) {
  SigV4Request request = suite_request("GET");
  request.headers.emplace_back("My-Header1", "  value1   with  spaces ");
  const std::string canonical = canonical_request(request);
  EXPECT_NE(canonical.find("my-header1:value1 with spaces\n"), std::string::npos) << canonical;
}

TEST(SigV4, UriEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("a b+c/d~e_f.g-h", false), "a%20b%2Bc%2Fd~e_f.g-h");
  EXPECT_EQ(uri_encode_path("/prefix/obj é"), "/prefix/obj%20%C3%A9");
}

}  // namespace
}  // namespace berth::backup
