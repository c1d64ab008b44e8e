#pragma once
/// The route table. Every route is registered from one function (api/routes.cpp) with its
/// summary, required role and schemas, so authorization, validation and the OpenAPI document
/// all read the same table. Registration happens once at start-up; afterwards the router is
/// read-only and safe to share between threads.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/role.hpp"
#include "http/message.hpp"

namespace berth::http {

/// A role that must be named: it has no default, so a route cannot forget to declare one.
struct RequiredRole {
  RequiredRole(Role role)
      : value(role) {}  // NOLINT(google-explicit-constructor): reads well in tables
  Role value;
};

/// Where a handler runs: on the I/O thread (only for handlers that never block, like health)
/// or on the worker pool (the default: anything that touches the store or the disk).
enum class Execution { worker, io_thread };

struct RouteSpec {
  std::string summary;
  RequiredRole role;
  nlohmann::json request_schema = nullptr;   // null: the route takes no body
  nlohmann::json response_schema = nullptr;  // documented in the OpenAPI document
  unsigned success_status = 200;
  Execution execution = Execution::worker;
  std::string description = {};
};

using Handler = std::function<Result<Response>(Request&)>;

struct Route {
  Method method;
  std::string pattern;  // "/api/v1/servers/{id}/cordon"
  RouteSpec spec;
  Handler handler;
};

/// What matching a method and path found.
struct Match {
  const Route* route = nullptr;               // null: no route for this method
  std::map<std::string, std::string> params;  // decoded path parameters
  bool malformed = false;                     // a segment had a bad %-escape
  const std::map<Method, const Route*>* methods_at_path = nullptr;  // null: unknown path

  /// The methods the path has (for 405's Allow); empty when the path is unknown.
  std::vector<Method> allowed() const;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  /// Adds a route. Throws std::logic_error on a duplicate method+path, on a path parameter
  /// whose name differs from another route's at the same place, or on a malformed pattern.
  void add(Method method, std::string pattern, RouteSpec spec, Handler handler);

  void get(std::string pattern, RouteSpec spec, Handler handler);
  void post(std::string pattern, RouteSpec spec, Handler handler);
  void put(std::string pattern, RouteSpec spec, Handler handler);
  void patch(std::string pattern, RouteSpec spec, Handler handler);
  void del(std::string pattern, RouteSpec spec, Handler handler);

  /// Finds the route for a request path (without query). Literal segments win over
  /// parameters. Thread-safe once registration is over.
  Match match(Method method, std::string_view path) const;

  /// Every route in registration order.
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

  /// The trie behind match(); declared here only so the matcher's helpers can name it.
  struct Node;

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  std::unique_ptr<Node> root_;
};

}  // namespace berth::http
