#include "http/site_sources.hpp"

#include <fstream>
#include <iterator>

#include "core/crypto.hpp"

namespace berth::http {

namespace fs = std::filesystem;

namespace {

// ETags are the first 128 bits of the SHA-256 of the bytes sent, in hex: the build computes
// the same for the compiled-in files (cmake/embed_web.cmake).
constexpr std::size_t kEtagHexDigits = 32;
// A dashboard file is at most a few MB; a bigger one under --web-dir is a mistake, not a file
// to hold in memory per request.
constexpr std::uintmax_t kMaxDiskFileBytes = 64 * 1024 * 1024;

std::string_view suffix_of(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::gzip:
      return ".gz";
    case ContentCoding::br:
      return ".br";
    case ContentCoding::identity:
      break;
  }
  return "";
}

const EmbeddedBlob& blob_of(const EmbeddedFile& file, ContentCoding coding) {
  switch (coding) {
    case ContentCoding::gzip:
      return file.gzip;
    case ContentCoding::br:
      return file.br;
    case ContentCoding::identity:
      break;
  }
  return file.identity;
}

}  // namespace

EmbeddedSite::EmbeddedSite(std::span<const EmbeddedFile> files) {
  for (const EmbeddedFile& file : files) {
    files_.emplace(file.path, &file);
  }
}

StoredCodings EmbeddedSite::codings(std::string_view path) const {
  const auto it = files_.find(path);
  if (it == files_.end()) {
    return {};
  }
  const EmbeddedFile& file = *it->second;
  return {file.identity.data != nullptr, file.gzip.data != nullptr, file.br.data != nullptr};
}

std::optional<SiteBytes> EmbeddedSite::read(std::string_view path, ContentCoding coding) const {
  const auto it = files_.find(path);
  if (it == files_.end()) {
    return std::nullopt;
  }
  const EmbeddedBlob& blob = blob_of(*it->second, coding);
  if (blob.data == nullptr) {
    return std::nullopt;
  }
  return SiteBytes{.bytes = {blob.data, blob.size}, .etag = std::string(blob.etag)};
}

Result<std::unique_ptr<DirectorySite>> DirectorySite::open(const std::string& dir) {
  std::error_code ec;
  const fs::path root = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(root, ec)) {
    return fail(Error::invalid(dir + " is not a directory"));
  }
  return std::unique_ptr<DirectorySite>(new DirectorySite(root));
}

std::optional<fs::path> DirectorySite::resolve(const std::string& relative) const {
  std::error_code ec;
  // canonical() follows every symlink, so the prefix check below sees where the file really
  // is: a link that points out of the directory resolves outside it and is refused.
  fs::path file = fs::canonical(root_ / relative, ec);
  if (ec || !fs::is_regular_file(file, ec)) {
    return std::nullopt;
  }
  const std::string& inside = file.native();
  const std::string& root = root_.native();
  if (inside.size() <= root.size() || inside.compare(0, root.size(), root) != 0 ||
      (root != "/" && inside[root.size()] != '/')) {
    return std::nullopt;
  }
  return file;
}

StoredCodings DirectorySite::codings(std::string_view path) const {
  StoredCodings stored{};
  const std::string relative(path);
  const auto original = resolve(relative);
  if (!original) {
    return stored;
  }
  stored[static_cast<std::size_t>(ContentCoding::identity)] = true;
  std::error_code ec;
  const auto written = fs::last_write_time(*original, ec);
  for (const ContentCoding coding : {ContentCoding::gzip, ContentCoding::br}) {
    const auto sibling = resolve(relative + std::string(suffix_of(coding)));
    std::error_code sibling_ec;
    stored[static_cast<std::size_t>(coding)] =
        sibling && !ec && fs::last_write_time(*sibling, sibling_ec) >= written && !sibling_ec;
  }
  return stored;
}

std::optional<SiteBytes> DirectorySite::read(std::string_view path, ContentCoding coding) const {
  const auto file = resolve(std::string(path) + std::string(suffix_of(coding)));
  std::error_code ec;
  if (!file || fs::file_size(*file, ec) > kMaxDiskFileBytes || ec) {
    return std::nullopt;
  }
  std::ifstream in(*file, std::ios::binary);
  auto owner = std::make_shared<std::string>(std::istreambuf_iterator<char>(in),
                                             std::istreambuf_iterator<char>());
  if (in.bad()) {
    return std::nullopt;
  }
  std::string etag = crypto::sha256_hex(*owner).substr(0, kEtagHexDigits);
  const std::string_view bytes = *owner;
  return SiteBytes{.bytes = bytes, .etag = std::move(etag), .owner = std::move(owner)};
}

}  // namespace berth::http
