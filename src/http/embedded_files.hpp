#pragma once
/// The manifest of files compiled into a binary (the dashboard), as the build's generated
/// source defines it (cmake/embed_web.cmake). Kept free of heavy includes: that source is
/// recompiled whenever the dashboard changes.

#include <cstddef>
#include <span>
#include <string_view>

namespace berth::http {

/// One stored coding of a compiled-in file; `data` null: not stored in this coding.
struct EmbeddedBlob {
  const char* data = nullptr;
  std::size_t size = 0;
  std::string_view etag = {};  // a hash of the bytes, computed at build time
};

/// A compiled-in file, as the build's generated manifest lists it (cmake/embed_web.cmake).
struct EmbeddedFile {
  std::string_view path;  // relative: "index.html", "assets/index-3f2a9c1b.js"
  EmbeddedBlob identity = {};
  EmbeddedBlob gzip = {};
  EmbeddedBlob br = {};
};

/// The files compiled into this binary (empty when the build found no dashboard). Defined by
/// the generated manifest of the one embedded-files library the binary links.
std::span<const EmbeddedFile> embedded_files();

}  // namespace berth::http
