// The dashboard over real HTTP: berthd started with --web-dir on a dist the test writes, as a
// browser sees it (headers, codings, validators, the SPA fallback beside the API's 404).

#include <filesystem>
#include <fstream>

#include "integration/berthd_test_base.hpp"

namespace berth::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kIndex = "<!doctype html><title>Berth</title><div id=\"root\"></div>\n";
constexpr const char* kScript = "console.log('berth');\n";
// Stand-ins for compressed bytes: berthd sends the stored sibling as it is, never decoding it.
constexpr const char* kScriptGzip = "\x1f\x8b gzip bytes of app-abc123.js";
constexpr const char* kScriptBrotli = "brotli bytes of app-abc123.js";

class WebTest : public BerthdTest {
 protected:
  void SetUp() override {
    write("index.html", kIndex);
    write("favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    write("assets/app-abc123.js", kScript);
    write("assets/app-abc123.js.gz", kScriptGzip);
    write("assets/app-abc123.js.br", kScriptBrotli);
    start({.args = {"--web-dir", dist().string()}});
  }
  fs::path dist() const { return dir_.path() / "dist"; }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((dist() / relative).parent_path());
    std::ofstream(dist() / relative, std::ios::binary | std::ios::trunc) << text;
  }
  HttpResponse get(const std::string& target,
                   const std::map<std::string, std::string>& headers = {}) {
    return http_request(port(), "GET", target, {}, headers);
  }
};

void expect_security_headers(const HttpResponse& response) {
  EXPECT_EQ(response.header("content-security-policy"),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'");
  EXPECT_EQ(response.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(response.header("x-frame-options"), "DENY");
  EXPECT_EQ(response.header("referrer-policy"), "no-referrer");
}

TEST_F(WebTest, TheRootAndEveryClientRouteAnswerIndexHtmlRevalidated) {
  for (const char* target : {"/", "/servers/srv_1/metrics", "/apps/app_1?tab=logs"}) {
    const HttpResponse response = get(target);
    EXPECT_EQ(response.status, 200) << target;
    EXPECT_EQ(response.body, kIndex) << target;
    EXPECT_EQ(response.header("content-type"), "text/html; charset=utf-8") << target;
    EXPECT_EQ(response.header("cache-control"), "no-cache") << target;
    EXPECT_FALSE(response.header("etag").empty()) << target;
    expect_security_headers(response);
  }
  const HttpResponse favicon = get("/favicon.svg");
  EXPECT_EQ(favicon.header("content-type"), "image/svg+xml");
  EXPECT_EQ(favicon.header("cache-control"), "no-cache");
}

TEST_F(WebTest, HashedAssetsAreImmutableInTheBestStoredCoding) {
  const HttpResponse brotli =
      get("/assets/app-abc123.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(brotli.status, 200);
  EXPECT_EQ(brotli.body, kScriptBrotli);
  EXPECT_EQ(brotli.header("content-encoding"), "br");
  EXPECT_EQ(brotli.header("vary"), "Accept-Encoding");
  EXPECT_EQ(brotli.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(brotli.header("cache-control"), "public, max-age=31536000, immutable");
  expect_security_headers(brotli);

  const HttpResponse gzip = get("/assets/app-abc123.js", {{"Accept-Encoding", "br;q=0, gzip"}});
  EXPECT_EQ(gzip.body, kScriptGzip);
  EXPECT_EQ(gzip.header("content-encoding"), "gzip");

  const HttpResponse identity = get("/assets/app-abc123.js");
  EXPECT_EQ(identity.body, kScript);
  EXPECT_EQ(identity.header("content-encoding"), "");
}

TEST_F(WebTest, IfNoneMatchAnswersNotModifiedOnAKeptAliveConnection) {
  const std::string etag = get("/assets/app-abc123.js").header("etag");
  ASSERT_FALSE(etag.empty());
  RawConnection connection(port());
  connection.send("GET /assets/app-abc123.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag +
                  "\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/health HTTP/1.1\r\n"
                  "Host: x\r\n\r\n");
  const auto not_modified = connection.read_response();
  ASSERT_TRUE(not_modified);
  EXPECT_EQ(not_modified->status, 304);
  EXPECT_EQ(not_modified->body, "");
  EXPECT_EQ(not_modified->header("etag"), etag);
  EXPECT_EQ(not_modified->header("content-length"), "");
  const auto head = connection.read_response(10s, /*answer_to_head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), std::to_string(std::string(kIndex).size()));
  const auto health = connection.read_response();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->json()["status"], "ok");
}

TEST_F(WebTest, UnknownAssetsAndApiPathsAreNotIndexHtml) {
  const HttpResponse asset = get("/assets/app-000000.js");
  EXPECT_EQ(asset.status, 404);
  EXPECT_EQ(asset.header("content-type"), "text/plain; charset=utf-8");
  for (const char* target : {"/api/unknown", "/api/v1/no/such/route"}) {
    const HttpResponse api = get(target);
    EXPECT_EQ(api.status, 404) << target;
    EXPECT_EQ(api.header("content-type"), "application/json") << target;
    EXPECT_EQ(api.json()["error"]["code"], "not_found") << target;
  }
}

TEST_F(WebTest, OtherMethodsAreNotAllowed) {
  for (const char* method : {"POST", "DELETE", "OPTIONS"}) {
    const HttpResponse response = http_request(port(), method, "/servers/srv_1", "{}",
                                               {{"Content-Type", "application/json"}});
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(response.header("allow"), "GET") << method;
  }
}

TEST_F(WebTest, PathsThatCouldLeaveTheDirectoryAreRefused) {
  std::ofstream(dir_.path() / "secret.txt") << "secret";
  fs::create_symlink(dir_.path() / "secret.txt", dist() / "leak.txt");
  for (const char* target : {"/../secret.txt", "/assets/..%2f..%2fsecret.txt", "/%2e%2e/secret.txt",
                             "/a%00b", "/leak.txt"}) {
    RawConnection connection(port());
    connection.send(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto response = connection.read_response();
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->body.find("secret"), std::string::npos) << target;
    EXPECT_NE(response->status, 500) << target;
  }
}

TEST_F(WebTest, ARebuildOnDiskShowsOnTheNextRequest) {
  const HttpResponse before = get("/");
  write("index.html", "<!doctype html><title>rebuilt</title>\n");
  const HttpResponse after = get("/");
  EXPECT_EQ(after.body, "<!doctype html><title>rebuilt</title>\n");
  EXPECT_NE(after.header("etag"), before.header("etag"));
}

TEST(WebDirOption, AMissingDirectoryStopsBerthdWithTheReason) {
  TempDir dir;
  std::string output;
  const int status = run_berthd({"--listen", "127.0.0.1:0", "--data-dir", dir.file("data"),
                                 "--web-dir", dir.file("no-such-dist")},
                                output);
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("--web-dir"), std::string::npos) << output;
}

// Whatever this build compiled in (possibly nothing), / is the page or a plain 404: never JSON.
class CompiledInWebTest : public BerthdTest {};

TEST_F(CompiledInWebTest, TheRootIsThePageOrSaysItIsNotBuilt) {
  start();
  const HttpResponse response = http_request(port(), "GET", "/");
  if (response.status == 200) {
    EXPECT_EQ(response.header("content-type"), "text/html; charset=utf-8");
  } else {
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.header("content-type"), "text/plain; charset=utf-8");
    EXPECT_NE(response.body.find("not built"), std::string::npos);
  }
  expect_security_headers(response);
}

}  // namespace
}  // namespace berth::testing
