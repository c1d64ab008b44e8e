#pragma once
/// libzstd, loaded with dlopen on first use. Only backup and restore jobs compress, and
/// linking it would map it into every agent for its whole life (issue 16 keeps an idle agent
/// under 10 MB). The declarations come from zstd's own header; nothing links the library.

#include <zstd.h>

#include "core/error.hpp"

namespace berth::backup {

struct ZstdApi {
  decltype(&::ZSTD_createCCtx) create_cctx = nullptr;
  decltype(&::ZSTD_freeCCtx) free_cctx = nullptr;
  decltype(&::ZSTD_CCtx_setParameter) cctx_set_parameter = nullptr;
  decltype(&::ZSTD_compressStream2) compress_stream2 = nullptr;
  decltype(&::ZSTD_createDCtx) create_dctx = nullptr;
  decltype(&::ZSTD_freeDCtx) free_dctx = nullptr;
  decltype(&::ZSTD_DCtx_setParameter) dctx_set_parameter = nullptr;
  decltype(&::ZSTD_decompressStream) decompress_stream = nullptr;
  decltype(&::ZSTD_isError) is_error = nullptr;
  decltype(&::ZSTD_getErrorName) error_name = nullptr;

  /// The functions, loaded once (thread-safe); Error::unavailable naming the package when
  /// libzstd1 is missing.
  static Result<const ZstdApi*> get();
};

}  // namespace berth::backup
