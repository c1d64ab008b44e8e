#pragma once
/// The route table. Every route is registered from one function (api/routes.cpp) with its
/// summary, required role and schemas, so authorization, validation and the OpenAPI document
/// all read the same table. Registration happens once at start-up; afterwards the router is
/// read-only and safe to share between threads.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
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

/// Which rate limit a route counts against: sign-in routes (login, tokens, setup, accepting
/// an invitation) get a much smaller budget per client address than everything else.
enum class RateClass { normal, sign_in };

/// A function that returns a JSON schema.
template <typename Build>
concept SchemaBuilder = std::is_invocable_r_v<nlohmann::json, const Build&>;

/// A response schema, built only when asked for: serving needs the request schemas (dispatch
/// validates bodies against them), while response schemas only describe the API in the OpenAPI
/// document. Building every one of them eagerly was about half of register_routes, which runs
/// at every berthd start and for every instance the authorization walk builds.
/// Set it from a function: `.response_schema = app_schema` or
/// `.response_schema = [] { return page_schema(app_schema()); }`.
class LazySchema {
 public:
  LazySchema() = default;
  LazySchema(std::nullptr_t) {}  // NOLINT(google-explicit-constructor): no schema
  template <SchemaBuilder Build>
  LazySchema(Build builder)  // NOLINT(google-explicit-constructor): reads well in tables
      : build_(std::move(builder)) {}

  /// False when the route declares no response schema.
  bool declared() const { return static_cast<bool>(build_); }
  /// The schema, built now (null when none is declared).
  nlohmann::json build() const { return build_ ? build_() : nlohmann::json(nullptr); }

 private:
  std::function<nlohmann::json()> build_;
};

struct RouteSpec {
  std::string summary;
  RequiredRole role;
  /// Team routes: the path parameter naming the team ("id" in /teams/{id}/members). Empty:
  /// the team comes from X-Team-ID, else the API key's team, else the user's personal team.
  std::string team_param = {};
  nlohmann::json request_schema = nullptr;  // null: the route takes no body
  LazySchema response_schema = nullptr;     // documented in the OpenAPI document
  /// The query parameters the handler reads (the only ones it may read).
  std::vector<QueryParam> query = {};
  /// The success body's media type: application/json, text/event-stream (a stream) or
  /// application/octet-stream (a download).
  std::string response_type = "application/json";
  unsigned success_status = 200;
  Execution execution = Execution::worker;
  RateClass rate_class = RateClass::normal;
  std::string description = {};
  /// A declared body may also be left out entirely (a deploy hook fired by a bare curl -X POST).
  bool body_optional = false;
  /// The handler reads request.body itself and request.json stays null: a signed body is
  /// verified over its raw bytes before anything parses it (git webhooks). request_schema
  /// still documents it.
  bool raw_body = false;
  /// False for routes that are not part of the API (the dashboard's files at / and
  /// /{path...}): the OpenAPI document leaves them out; authorization still walks them.
  bool in_openapi = true;
};

using Handler = std::function<Result<Response>(Request&)>;

struct Route;

/// Who may pass: implemented by the identity service and consulted by dispatch() for every
/// route. All calls block on the store; they run on the worker pool.
class AccessGate {
 public:
  virtual ~AccessGate() = default;
  /// Rate limits, before anything else: Error kind rate_limited (with retry_after_seconds).
  virtual Result<void> throttle(const Route& route, const Request& request) = 0;
  /// The caller behind the request's credential (cookie, access token or API key); 401 when
  /// there is none or it is not valid, 403 for a cookie mutation without its CSRF token.
  virtual Result<Principal> identify(const Request& request) = 0;
  /// The caller's role in a team, nullopt when not a member (answered 404, like a missing team).
  virtual Result<std::optional<Role>> team_role(const Principal& principal,
                                                std::string_view team_id) = 0;
};

/// What ReplayGuard::begin decided for one request.
struct ReplayDecision {
  std::optional<Response> replay = {};  // set: send this instead of running the handler
  bool claimed = false;                 // the handler runs, and finish() must follow
};

/// The Idempotency-Key of the routes honours_idempotency_key() names, consulted by dispatch()
/// once the caller is admitted and the body is valid (api/idempotency_gate over the store).
/// Calls block on the store; they run on the worker pool.
class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  /// The kept answer to replay, or a claim on the key for this request (nothing when the
  /// request has no key). 400 for a malformed key, 409 while the first request with the key
  /// still runs, 422 when the key was used for another request.
  virtual Result<ReplayDecision> begin(const Route& route, const Request& request) = 0;
  /// The answer of a request that begin() claimed; a 5xx frees the key instead of keeping it.
  virtual void finish(const Route& route, const Request& request, const Response& response) = 0;
};

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
  AccessGate* gate = nullptr;           // the router's gate, for dispatch()
  ReplayGuard* replay_guard = nullptr;  // the router's, for dispatch()

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
  /// whose name differs from another route's at the same place, on a malformed pattern (a
  /// wildcard segment anywhere but last), or
  /// on an I/O-thread route that is not public (its access check would block on the store).
  void add(Method method, std::string pattern, RouteSpec spec, Handler handler);

  void get(std::string pattern, RouteSpec spec, Handler handler);
  void post(std::string pattern, RouteSpec spec, Handler handler);
  void put(std::string pattern, RouteSpec spec, Handler handler);
  void patch(std::string pattern, RouteSpec spec, Handler handler);
  void del(std::string pattern, RouteSpec spec, Handler handler);

  /// Finds the route for a request path (without query). Literal segments win over
  /// parameters, and parameters over a trailing wildcard ("/{path...}", which takes one or more
  /// segments, decoded and joined with '/'; an encoded '/' in them is malformed). A wildcard
  /// never takes a path whose next segment a literal route names, so "/api/unknown" stays
  /// unknown even beside "/{path...}". Thread-safe once registration is over.
  Match match(Method method, std::string_view path) const;

  /// Every route in registration order.
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

  /// The gate every non-public route passes; without one, such routes answer 500 (deny).
  void set_access_gate(AccessGate* gate) { gate_ = gate; }
  AccessGate* access_gate() const { return gate_; }

  /// Where Idempotency-Key answers are kept; without one, the header is ignored.
  void set_replay_guard(ReplayGuard* guard) { replay_guard_ = guard; }

  /// The trie behind match(); declared here only so the matcher's helpers can name it.
  struct Node;

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  std::unique_ptr<Node> root_;
  AccessGate* gate_ = nullptr;
  ReplayGuard* replay_guard_ = nullptr;
};

/// True for the routes where Idempotency-Key has a meaning: POSTs that need a credential, since
/// an answer is kept per caller. Public POSTs (sign-in, tokens, webhooks, enrolment) ignore it.
bool honours_idempotency_key(const Route& route);

}  // namespace berth::http
