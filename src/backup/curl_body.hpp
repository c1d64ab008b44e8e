#pragma once
/// libcurl's read and write callbacks over a BodySource / BodySink, for the S3 and SFTP
/// transfers alike. `Transfer` has `source` (const BodySource*), `sink` (const BodySink*) and
/// `callback_error` (std::optional<Error>): a body's failure is kept there and stops the
/// transfer, so the caller reports it instead of libcurl's "aborted by callback".

#include <curl/curl.h>

#include <cstddef>
#include <string_view>

namespace berth::backup {

template <class Transfer>
std::size_t curl_read_source(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  auto got = (*transfer->source)(buffer, size * count);
  if (!got) {
    transfer->callback_error = std::move(got.error());
    return CURL_READFUNC_ABORT;
  }
  return *got;
}

template <class Transfer>
std::size_t curl_write_sink(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  if (auto taken = (*transfer->sink)(std::string_view(data, size * count)); !taken) {
    transfer->callback_error = std::move(taken.error());
    return 0;
  }
  return size * count;
}

}  // namespace berth::backup
