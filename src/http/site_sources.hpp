#pragma once
/// The two places the dashboard's files come from: compiled into berthd (the default), or a
/// directory read on every request (--web-dir, for a `vite build --watch` during development).

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "http/embedded_files.hpp"
#include "http/static_site.hpp"

namespace berth::http {

/// Serves a manifest of compiled-in files. The bytes stay in the binary's read-only data:
/// nothing is copied, and pages no one asks for are never read in.
class EmbeddedSite final : public SiteSource {
 public:
  explicit EmbeddedSite(std::span<const EmbeddedFile> files);
  StoredCodings codings(std::string_view path) const override;
  std::optional<SiteBytes> read(std::string_view path, ContentCoding coding) const override;
  bool in_memory() const override { return true; }
  bool empty() const { return files_.empty(); }

 private:
  std::unordered_map<std::string_view, const EmbeddedFile*> files_;
};

/// Serves the regular files under a directory, read on each request. A path resolves (symlinks
/// included) to a file inside the directory or to nothing. A .gz/.br sibling older than its
/// original is ignored: a watch build rewrites the original without recompressing.
class DirectorySite final : public SiteSource {
 public:
  /// Fails (invalid) when `dir` is not a readable directory.
  static Result<std::unique_ptr<DirectorySite>> open(const std::string& dir);
  StoredCodings codings(std::string_view path) const override;
  std::optional<SiteBytes> read(std::string_view path, ContentCoding coding) const override;
  bool in_memory() const override { return false; }

 private:
  explicit DirectorySite(std::filesystem::path root) : root_(std::move(root)) {}
  /// The canonical file behind a relative name, when it is a regular file inside root_.
  std::optional<std::filesystem::path> resolve(const std::string& relative) const;

  std::filesystem::path root_;  // canonical
};

}  // namespace berth::http
