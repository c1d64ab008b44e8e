#include "backup/zstd_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "core/dl_symbol.hpp"

namespace berth::backup {
namespace {

Result<const ZstdApi*> load() {
  static ZstdApi api{};
  void* handle = ::dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);  // never closed
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return fail(
        Error::unavailable(std::string("libzstd.so.1 cannot be loaded (install libzstd1): ") +
                           (why != nullptr ? why : "unknown")));
  }
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

Result<const ZstdApi*> ZstdApi::get() {
  static std::once_flag once;
  static Result<const ZstdApi*> loaded = fail(Error::unavailable("libzstd not loaded"));
  std::call_once(once, [] { loaded = load(); });
  return loaded;
}

}  // namespace berth::backup
