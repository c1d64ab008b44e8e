#pragma once
/// The dashboard's files over HTTP: which file a path names (hashed assets, other files, and
/// index.html for every client-side route), which stored coding to send (Accept-Encoding),
/// caching (ETag and If-None-Match, immutable hashed assets) and the security headers every
/// dashboard response carries. No sockets and no disk here: the files come from a SiteSource
/// (compiled into berthd, or a directory during web development; http/site_sources.hpp).

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace berth::http {

/// The codings a file may be stored in: the file itself and its precompressed siblings.
enum class ContentCoding { identity, gzip, br };
inline constexpr std::size_t kContentCodings = 3;
/// Which codings a file is stored in, indexed by ContentCoding (all false: no such file).
using StoredCodings = std::array<bool, kContentCodings>;

/// One stored coding of a file: its bytes and their strong validator.
struct SiteBytes {
  std::string_view bytes;
  std::string etag;  // a hash of `bytes`, without quotes
  /// Set when the bytes were read for this request: it owns them. Null when they live as
  /// long as the process (compiled in).
  std::shared_ptr<const std::string> owner = {};
};

/// Where the files come from. Every member is thread-safe (called from I/O and worker threads).
/// Paths are relative ("index.html", "assets/app-1a2b.js") and already passed safe_site_path.
class SiteSource {
 public:
  virtual ~SiteSource() = default;
  virtual StoredCodings codings(std::string_view path) const = 0;
  /// The bytes of one stored coding; nullopt when it is gone (rebuilt on disk meanwhile).
  virtual std::optional<SiteBytes> read(std::string_view path, ContentCoding coding) const = 0;
  /// True when reading never touches the disk, so the routes may run on the I/O threads.
  virtual bool in_memory() const = 0;
};

/// The policy on every dashboard response (docs/security.md says why each part is there).
inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

/// The answer for GET (and HEAD) of a dashboard path. `relative` is the decoded request path
/// without its leading '/' ("" for "/"). `site` null: nothing is built in (404 saying so).
/// Hashed assets (assets/...) are immutable and never fall back; any other path that is not
/// a file is a client-side route and gets index.html. Paths under api/ get the API's JSON 404.
Response serve_site(const SiteSource* site, std::string_view relative, const Request& request);

/// The coding to send: the stored one the client accepts with the highest q-value, br before
/// gzip before identity on a tie; identity when the header is absent or accepts nothing stored.
ContentCoding choose_coding(std::optional<std::string_view> accept_encoding, StoredCodings stored);

/// True when If-None-Match lists `quoted_etag` (weak comparison) or is "*".
bool etag_matches(std::string_view if_none_match, std::string_view quoted_etag);

/// False for a path that could leave the site: a "." or ".." segment, an empty segment, a
/// backslash or a control character (NUL included).
bool safe_site_path(std::string_view relative);

/// The Content-Type for a file name, by its extension (application/octet-stream if unknown).
std::string_view content_type_for(std::string_view path);

}  // namespace berth::http
