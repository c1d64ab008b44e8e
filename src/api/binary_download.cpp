#include "api/binary_download.hpp"

#include <filesystem>
#include <fstream>

#include "core/crypto.hpp"
#include "core/json_schema.hpp"

namespace berth::api {

Result<Binary> BinaryDownload::get() {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  const auto size = path_.empty() ? 0 : std::filesystem::file_size(path_, ec);
  std::error_code time_ec;
  const auto mtime = path_.empty() ? std::filesystem::file_time_type{}
                                   : std::filesystem::last_write_time(path_, time_ec);
  if (loaded_ && !ec && !time_ec && size == loaded_size_ && mtime == loaded_mtime_) {
    return *loaded_;
  }
  // Read at its size in one go: no doubling buffer, so loading peaks at one copy.
  std::string bytes;
  std::ifstream file(path_, std::ios::binary);
  if (!ec && size > 0 && file) {
    bytes.resize(static_cast<std::size_t>(size));
    file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(file.gcount()));
  }
  if (bytes.empty()) {
    loaded_.reset();
    return fail(missing_);
  }
  Binary binary{.bytes = nullptr, .sha256 = crypto::sha256_hex(bytes)};
  binary.bytes = std::make_shared<const std::string>(std::move(bytes));
  loaded_ = binary;
  loaded_size_ = size;
  loaded_mtime_ = mtime;
  return binary;
}

void add_download_routes(http::Router& router, const std::string& path, const std::string& name,
                         const std::string& summary, std::shared_ptr<BinaryDownload> download) {
  router.get(path,
             {.summary = summary,
              .role = Role::anyone,
              .response_type = "application/octet-stream",
              .description = "Built with this berthd (linux, this machine's architecture), with "
                             "its SHA-256 in X-Checksum-SHA256 (also at " +
                             path + ".sha256). 503 when berthd has none."},
             [download, name](http::Request&) -> Result<http::Response> {
               auto binary = download->get();
               if (!binary) {
                 return fail(std::move(binary.error()));
               }
               http::Response response;
               response.content_type = "application/octet-stream";
               response.headers.emplace_back("Content-Disposition", "attachment; filename=" + name);
               response.headers.emplace_back("X-Checksum-SHA256", binary->sha256);
               response.shared_body = std::move(binary->bytes);
               return response;
             });

  router.get(path + ".sha256",
             {.summary = "The SHA-256 of the " + name + " binary",
              .role = Role::anyone,
              .response_schema = [] { return schema::string(); },
              .description = "One line in sha256sum's format: \"<hex>  " + name +
                             "\". 503 when berthd has none."},
             [download, name](http::Request&) -> Result<http::Response> {
               auto binary = download->get();
               if (!binary) {
                 return fail(std::move(binary.error()));
               }
               http::Response response;
               response.content_type = "text/plain; charset=utf-8";
               response.body = binary->sha256 + "  " + name + "\n";
               return response;
             });
}

void add_cli_download_routes(http::Router& router, const std::string& cli_binary_path) {
  Error missing = Error::unavailable("this berthd has no berth CLI to serve (see --cli-binary)");
  missing.code = "no_cli_binary";
  add_download_routes(router, "/api/v1/cli/download", "berth", "The berth CLI binary",
                      std::make_shared<BinaryDownload>(cli_binary_path, std::move(missing)));
}

}  // namespace berth::api
