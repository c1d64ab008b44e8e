// The dashboard's file serving: encoding negotiation, path safety, caching, the SPA fallback
// against asset and API 404s, and the two sources (compiled in, a directory). The compiled-in
// files are tests/unit/web_fixture, embedded by the same build step as berthd's dashboard.

#include "http/static_site.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "api/routes.hpp"
#include "core/crypto.hpp"
#include "http/dispatch.hpp"
#include "http/site_sources.hpp"
#include "support/temp_dir.hpp"

namespace berth::http {
namespace {

namespace fs = std::filesystem;

constexpr StoredCodings kAll{true, true, true};
constexpr StoredCodings kIdentityOnly{true, false, false};

std::string read_fixture(const std::string& relative) {
  std::ifstream in(fs::path(BERTH_WEB_FIXTURE) / relative, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::optional<std::string> header_of(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

Request get(std::string path, Headers headers = {}) {
  Request request;
  request.method = Method::get;
  request.path = std::move(path);
  request.headers = std::move(headers);
  return request;
}

TEST(ChooseCoding, PrefersBrotliOverGzipWhenBothAreAcceptedAndStored) {
  EXPECT_EQ(choose_coding("gzip, deflate, br", kAll), ContentCoding::br);
  EXPECT_EQ(choose_coding("gzip, deflate, br", StoredCodings{true, true, false}),
            ContentCoding::gzip);
  EXPECT_EQ(choose_coding("br", StoredCodings{true, true, false}), ContentCoding::identity);
}

TEST(ChooseCoding, FollowsQValuesAndQZeroExcludes) {
  EXPECT_EQ(choose_coding("br;q=0.5, gzip;q=0.9", kAll), ContentCoding::gzip);
  EXPECT_EQ(choose_coding("br;q=0, gzip", kAll), ContentCoding::gzip);
  EXPECT_EQ(choose_coding("br; q=0.000, gzip;Q=0", kAll), ContentCoding::identity);
  EXPECT_EQ(choose_coding("BR;q=1.0", kAll), ContentCoding::br);
  EXPECT_EQ(choose_coding("x-gzip", kAll), ContentCoding::gzip);
}

TEST(ChooseCoding, StarCoversUnnamedCodingsAndMalformedQRefuses) {
  EXPECT_EQ(choose_coding("*", kAll), ContentCoding::br);
  EXPECT_EQ(choose_coding("br;q=0, *;q=0.5", kAll), ContentCoding::gzip);
  EXPECT_EQ(choose_coding("br;q=2, gzip;q=abc", kAll), ContentCoding::identity);
  EXPECT_EQ(choose_coding("br;q=1.5", kAll), ContentCoding::identity);
}

TEST(ChooseCoding, IdentityWithoutTheHeaderOrWhenNothingStoredIsAccepted) {
  EXPECT_EQ(choose_coding(std::nullopt, kAll), ContentCoding::identity);
  EXPECT_EQ(choose_coding("", kAll), ContentCoding::identity);
  EXPECT_EQ(choose_coding("identity;q=0, zstd", kIdentityOnly), ContentCoding::identity);
}

TEST(EtagMatches, ComparesEachListedTagWeakly) {
  EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("\"x\", W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches(" * ", "\"abc\""));
  EXPECT_FALSE(etag_matches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches("abc", "\"abc\""));
  EXPECT_FALSE(etag_matches("", "\"abc\""));
}

TEST(SafeSitePath, RefusesWhatCouldLeaveTheSite) {
  for (const std::string_view path : {"..", "../etc/passwd", "assets/../../x", "a/./b", ".", "a//b",
                                      "a/", "a\\..\\b", "a\x01", "a\x7f"}) {
    EXPECT_FALSE(safe_site_path(path)) << path;
  }
  EXPECT_FALSE(safe_site_path(std::string_view("a\0b", 3)));
  for (const std::string_view path :
       {"", "index.html", "assets/index-3f2a9c1b.js", "servers/srv_1/metrics", "..a", "a..b"}) {
    EXPECT_TRUE(safe_site_path(path)) << path;
  }
}

TEST(ContentTypeFor, KnowsTheDashboardsFileTypes) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/index-3f2a9c1b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/x.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("assets/f.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("a.d/noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for("x.unknown"), "application/octet-stream");
}

// The fixture, compiled in exactly as berthd compiles in web/dist.
class ServeSite : public ::testing::Test {
 protected:
  EmbeddedSite site_{embedded_files()};
};

TEST_F(ServeSite, EmbedsEveryFixtureFileWithItsSiblingsAndBuildTimeEtags) {
  EXPECT_EQ(embedded_files().size(), 3U);  // index.html, favicon.svg, assets/app-abc123.js
  EXPECT_EQ(site_.codings("assets/app-abc123.js"), kAll);
  EXPECT_EQ(site_.codings("index.html"), (StoredCodings{true, true, false}));
  EXPECT_EQ(site_.codings("assets/app-abc123.js.gz"), StoredCodings{});
  for (const auto& [coding, suffix] :
       {std::pair{ContentCoding::identity, ""}, std::pair{ContentCoding::gzip, ".gz"},
        std::pair{ContentCoding::br, ".br"}}) {
    const auto bytes = site_.read("assets/app-abc123.js", coding);
    ASSERT_TRUE(bytes);
    const std::string expected = read_fixture(std::string("assets/app-abc123.js") + suffix);
    EXPECT_EQ(bytes->bytes, expected) << suffix;
    EXPECT_EQ(bytes->etag, crypto::sha256_hex(expected).substr(0, 32)) << suffix;
    EXPECT_EQ(bytes->owner, nullptr);
  }
}

TEST_F(ServeSite, HashedAssetsAreImmutableAndSentInTheBestAcceptedCoding) {
  const Response response =
      serve_site(&site_, "assets/app-abc123.js", get("/", {{"accept-encoding", "gzip, br"}}));
  EXPECT_EQ(response.status, 200U);
  EXPECT_EQ(response.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header_of(response, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header_of(response, "Content-Encoding"), "br");
  EXPECT_EQ(header_of(response, "Vary"), "Accept-Encoding");
  EXPECT_EQ(response.body_bytes(), read_fixture("assets/app-abc123.js.br"));
  // Compiled-in bytes are sent from the binary, not copied.
  EXPECT_EQ(response.body, "");

  const Response plain = serve_site(&site_, "assets/app-abc123.js", get("/"));
  EXPECT_EQ(header_of(plain, "Content-Encoding"), std::nullopt);
  EXPECT_EQ(plain.body_bytes(), read_fixture("assets/app-abc123.js"));
  EXPECT_NE(header_of(plain, "ETag"), header_of(response, "ETag"));
}

TEST_F(ServeSite, ClientRoutesGetIndexHtmlThatIsAlwaysRevalidated) {
  for (const std::string_view path :
       {"", "index.html", "servers/abc/metrics", "apps/x/example.com"}) {
    const Response response = serve_site(&site_, path, get("/"));
    EXPECT_EQ(response.status, 200U) << path;
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(header_of(response, "Cache-Control"), "no-cache") << path;
    EXPECT_EQ(response.body_bytes(), read_fixture("index.html")) << path;
  }
  const Response favicon = serve_site(&site_, "favicon.svg", get("/"));
  EXPECT_EQ(favicon.content_type, "image/svg+xml");
  EXPECT_EQ(header_of(favicon, "Cache-Control"), "no-cache");
}

TEST_F(ServeSite, AnUnknownAssetIsA404AndNeverIndexHtml) {
  for (const std::string_view path : {"assets/app-000000.js", "assets/app-abc123.js.gz"}) {
    const Response response = serve_site(&site_, path, get("/"));
    EXPECT_EQ(response.status, 404U) << path;
    EXPECT_EQ(response.content_type, "text/plain; charset=utf-8") << path;
    EXPECT_EQ(response.body_bytes().find("<html"), std::string_view::npos) << path;
  }
}

TEST_F(ServeSite, AMatchingIfNoneMatchIsNotModified) {
  const Response first = serve_site(&site_, "assets/app-abc123.js", get("/"));
  const auto etag = header_of(first, "ETag");
  ASSERT_TRUE(etag);
  EXPECT_EQ(etag->size(), 34U);
  const Response again =
      serve_site(&site_, "assets/app-abc123.js", get("/", {{"if-none-match", "W/" + *etag}}));
  EXPECT_EQ(again.status, 304U);
  EXPECT_EQ(again.body_bytes(), "");
  EXPECT_EQ(header_of(again, "ETag"), etag);
  EXPECT_EQ(header_of(again, "Cache-Control"), "public, max-age=31536000, immutable");
  // The gzip coding has its own validator: the identity one does not match it.
  const Response gzip =
      serve_site(&site_, "assets/app-abc123.js",
                 get("/", {{"if-none-match", *etag}, {"accept-encoding", "gzip"}}));
  EXPECT_EQ(gzip.status, 200U);
}

TEST_F(ServeSite, EveryAnswerCarriesTheSecurityHeaders) {
  for (const std::string_view path : {"", "assets/app-abc123.js", "assets/missing.js", "a/../b"}) {
    const Response response = serve_site(&site_, path, get("/"));
    EXPECT_EQ(header_of(response, "Content-Security-Policy"), std::string(kDashboardCsp)) << path;
    EXPECT_EQ(header_of(response, "X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(header_of(response, "Referrer-Policy"), "no-referrer") << path;
  }
  EXPECT_NE(kDashboardCsp.find("script-src 'self';"), std::string_view::npos);
  EXPECT_NE(kDashboardCsp.find("frame-ancestors 'none'"), std::string_view::npos);
}

TEST_F(ServeSite, UnsafeHiddenAndApiPathsAreRefused) {
  EXPECT_EQ(serve_site(&site_, "../etc/passwd", get("/")).status, 400U);
  // A hidden name is no file: it falls back like any client route.
  const Response hidden = serve_site(&site_, ".env", get("/"));
  EXPECT_EQ(hidden.body_bytes(), read_fixture("index.html"));
  const Response api = serve_site(&site_, "api/v2/x", get("/"));
  EXPECT_EQ(api.status, 404U);
  EXPECT_EQ(api.content_type, "application/json");
}

TEST(ServeSiteUnbuilt, SaysTheDashboardIsNotBuilt) {
  const Response response = serve_site(nullptr, "", get("/"));
  EXPECT_EQ(response.status, 404U);
  EXPECT_EQ(response.content_type, "text/plain; charset=utf-8");
  EXPECT_NE(response.body.find("not built"), std::string::npos);
  const EmbeddedSite empty{std::span<const EmbeddedFile>{}};
  EXPECT_EQ(serve_site(&empty, "servers", get("/")).status, 404U);
}

// Through the real route table: the catch-all takes client routes, never the API's paths.
class SiteRoutes : public ::testing::Test {
 protected:
  SiteRoutes() {
    context_.web = &site_;
    api::register_routes(router_, context_);
  }
  Response call(Method method, std::string path) {
    Request request = get(std::move(path));
    request.method = method;
    request.request_id = "req-site";
    return dispatch(router_.match(method, request.path), request);
  }
  EmbeddedSite site_{embedded_files()};
  api::ApiContext context_{.version = "test"};
  Router router_;
};

TEST_F(SiteRoutes, ClientRoutesAssetsAndApiPathsEachGetTheirOwnAnswer) {
  const Response spa = call(Method::get, "/servers/abc/metrics");
  EXPECT_EQ(spa.status, 200U);
  EXPECT_EQ(spa.content_type, "text/html; charset=utf-8");
  const Response asset = call(Method::get, "/assets/nope-123.js");
  EXPECT_EQ(asset.status, 404U);
  EXPECT_EQ(asset.content_type, "text/plain; charset=utf-8");
  for (const char* path : {"/api/unknown", "/api", "/api/v1/nothing"}) {
    const Response api = call(Method::get, path);
    EXPECT_EQ(api.status, 404U) << path;
    EXPECT_EQ(api.content_type, "application/json") << path;
    EXPECT_NE(api.body.find("\"not_found\""), std::string::npos) << path;
  }
  EXPECT_EQ(call(Method::get, "/").status, 200U);
  EXPECT_EQ(call(Method::get, "/assets/a%2F..%2Fb").status, 400U);
}

TEST_F(SiteRoutes, OtherMethodsOnDashboardPathsAreNotAllowed) {
  for (const char* path : {"/", "/servers/abc", "/assets/app-abc123.js"}) {
    const Response response = call(Method::post, path);
    EXPECT_EQ(response.status, 405U) << path;
    EXPECT_EQ(header_of(response, "Allow"), "GET") << path;
  }
}

TEST_F(SiteRoutes, CompiledInFilesAreServedOnTheIoThreads) {
  EXPECT_EQ(router_.match(Method::get, "/").route->spec.execution, Execution::io_thread);
  EXPECT_EQ(router_.match(Method::get, "/x").route->spec.execution, Execution::io_thread);
}

class DirectorySiteTest : public ::testing::Test {
 protected:
  void write(const std::string& relative, std::string_view text) {
    const fs::path path = dir_.path() / "dist" / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  std::unique_ptr<DirectorySite> open() {
    auto opened = DirectorySite::open((dir_.path() / "dist").string());
    EXPECT_TRUE(opened);
    return opened ? std::move(*opened) : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(DirectorySiteTest, ReadsEachRequestAfreshSoARebuildShowsOnReload) {
  write("index.html", "one");
  const auto site = open();
  const Response first = serve_site(site.get(), "", get("/"));
  EXPECT_EQ(first.body_bytes(), "one");
  write("index.html", "two");
  const Response second = serve_site(site.get(), "servers", get("/"));
  EXPECT_EQ(second.body_bytes(), "two");
  EXPECT_NE(header_of(first, "ETag"), header_of(second, "ETag"));
  EXPECT_EQ(header_of(second, "ETag"), "\"" + crypto::sha256_hex("two").substr(0, 32) + "\"");
  EXPECT_FALSE(site->in_memory());
}

TEST_F(DirectorySiteTest, AStaleCompressedSiblingIsIgnored) {
  write("assets/a.js.gz", "old gzip");
  write("assets/a.js.br", "old br");
  // The original is rewritten after its siblings, as a watch build does.
  const auto later = fs::file_time_type::clock::now() + std::chrono::seconds(5);
  write("assets/a.js", "new");
  fs::last_write_time(dir_.path() / "dist" / "assets/a.js", later);
  const auto site = open();
  EXPECT_EQ(site->codings("assets/a.js"), kIdentityOnly);
  const Response response =
      serve_site(site.get(), "assets/a.js", get("/", {{"accept-encoding", "br, gzip"}}));
  EXPECT_EQ(response.body_bytes(), "new");
  fs::last_write_time(dir_.path() / "dist" / "assets/a.js.br", later);
  EXPECT_EQ(site->codings("assets/a.js"), (StoredCodings{true, false, true}));
}

TEST_F(DirectorySiteTest, ASymlinkOutOfTheDirectoryIsNoFile) {
  write("index.html", "index");
  std::ofstream(dir_.path() / "secret.txt") << "secret";
  fs::create_directory_symlink(dir_.path(), dir_.path() / "dist" / "up");
  fs::create_symlink(dir_.path() / "secret.txt", dir_.path() / "dist" / "leak.txt");
  fs::create_symlink(dir_.path() / "dist" / "index.html", dir_.path() / "dist" / "same.html");
  const auto site = open();
  EXPECT_EQ(site->codings("leak.txt"), StoredCodings{});
  EXPECT_EQ(site->codings("up/secret.txt"), StoredCodings{});
  EXPECT_EQ(serve_site(site.get(), "assets/../../secret.txt", get("/")).status, 400U);
  EXPECT_EQ(serve_site(site.get(), "up/secret.txt", get("/")).body_bytes(), "index");
  EXPECT_EQ(site->codings("same.html"), kIdentityOnly);  // a link that stays inside is fine
}

TEST_F(DirectorySiteTest, AMissingDirectoryIsRefusedAtStartUp) {
  EXPECT_FALSE(DirectorySite::open((dir_.path() / "nothing").string()));
  write("file", "x");
  EXPECT_FALSE(DirectorySite::open((dir_.path() / "dist" / "file").string()));
}

}  // namespace
}  // namespace berth::http
