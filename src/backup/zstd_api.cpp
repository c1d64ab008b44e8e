#include "backup/zstd_api.hpp"

#include <string>

#include "core/dl_symbol.hpp"

namespace berth::backup {
namespace {

Result<const ZstdApi*> load() {
  static ZstdApi api{};
  auto opened = open_library("libzstd.so.1", "libzstd1");
  if (!opened) {
    return fail(std::move(opened.error()));
  }
  void* handle = *opened;
  const bool complete = resolve_symbol(handle, "ZSTD_createCCtx", api.create_cctx) &&
                        resolve_symbol(handle, "ZSTD_freeCCtx", api.free_cctx) &&
                        resolve_symbol(handle, "ZSTD_CCtx_setParameter", api.cctx_set_parameter) &&
                        resolve_symbol(handle, "ZSTD_compressStream2", api.compress_stream2) &&
                        resolve_symbol(handle, "ZSTD_createDCtx", api.create_dctx) &&
                        resolve_symbol(handle, "ZSTD_freeDCtx", api.free_dctx) &&
                        resolve_symbol(handle, "ZSTD_DCtx_setParameter", api.dctx_set_parameter) &&
                        resolve_symbol(handle, "ZSTD_decompressStream", api.decompress_stream) &&
                        resolve_symbol(handle, "ZSTD_isError", api.is_error) &&
                        resolve_symbol(handle, "ZSTD_getErrorName", api.error_name);
  if (!complete) {
    return fail(Error::unavailable("libzstd.so.1 lacks a function Berth needs"));
  }
  return &api;
}

}  // namespace

Result<const ZstdApi*> ZstdApi::get() { return load_once<ZstdApi>(&load); }

}  // namespace berth::backup
