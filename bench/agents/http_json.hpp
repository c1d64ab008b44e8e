#pragma once
/// A keep-alive HTTP/1.1 client for berthd's JSON API, for the bench only: one request at a
/// time per client, reconnecting when berthd closed the connection. One io_context thread.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "net.hpp"

namespace swarm {

struct JsonReply {
  int status = 0;  // 0 when the request never got an answer (connect or I/O failure)
  nlohmann::json body = nullptr;
  std::string error = {};  // what went wrong at the transport, for the report
};

class HttpJsonClient {
 public:
  HttpJsonClient(asio::io_context& io, tcp::endpoint server) : io_(io), server_(server) {}

  /// Sends `body` (JSON) with `Authorization: Bearer <bearer>` when bearer is non-empty. Retries
  /// once on a fresh connection when a kept-alive one turns out to be closed.
  asio::awaitable<JsonReply> request(bhttp::verb method, std::string target,
                                     const nlohmann::json& body, std::string bearer);

 private:
  asio::awaitable<JsonReply> attempt(bhttp::verb method, const std::string& target,
                                     const std::string& body, const std::string& bearer);

  asio::io_context& io_;
  tcp::endpoint server_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

}  // namespace swarm
