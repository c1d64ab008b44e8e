#include "http/router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <stdexcept>

namespace berth::http {

// A trie over path segments: literal children by name, at most one parameter child, and at
// most one trailing wildcard ({name...}) that takes the rest of the path.
struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::string param_name;
  std::unique_ptr<Node> param;
  std::string rest_name;
  std::unique_ptr<Node> rest;
  std::map<Method, const Route*> methods;
};

namespace {

// Paths deeper than this match no route (ours have at most a handful of segments); a fixed
// array keeps matching free of allocation.
constexpr std::size_t kMaxSegments = 16;

struct Segments {
  std::array<std::string_view, kMaxSegments> items{};
  std::size_t size = 0;
  std::string_view operator[](std::size_t i) const { return items[i]; }
};

// Splits "/a/b/c" into {"a","b","c"}; false for a path that does not start with '/', has an
// empty segment ("//", a trailing '/'), or is deeper than kMaxSegments: no route has those.
bool split_path(std::string_view path, Segments& out) {
  out.size = 0;
  if (path.empty() || path.front() != '/') {
    return false;
  }
  if (path.size() == 1) {
    return true;
  }
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end == start || out.size == kMaxSegments) {
      return false;
    }
    out.items[out.size++] = path.substr(start, end - start);
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return true;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "{path...}": a parameter that takes every remaining segment.
bool is_rest(std::string_view segment) {
  return is_param(segment) && segment.ends_with("...}") && segment.size() > 5;
}

std::string_view param_name_of(std::string_view segment) {
  segment = segment.substr(1, segment.size() - 2);
  return segment.ends_with("...") ? segment.substr(0, segment.size() - 3) : segment;
}

// A node that has methods counts as a match for 405's Allow; returns it when it has `method`.
const Router::Node* arrive(const Router::Node* node, Method method,
                           const Router::Node*& any_match) {
  if (node->methods.empty()) {
    return nullptr;
  }
  if (any_match == nullptr) {
    any_match = node;
  }
  return node->methods.contains(method) ? node : nullptr;
}

// Depth-first over the trie, literals before parameters before a wildcard. Returns the node
// that has `method`; the first node that matches the path at all is kept in `any_match` (for
// 405's Allow). A wildcard never takes a segment a literal child names: "/api/unknown" belongs
// to the /api subtree (its JSON 404), not to the dashboard's catch-all at the root.
const Router::Node* walk(const Router::Node* node, Method method, const Segments& segments,
                         std::size_t index, Segments& captured, const Router::Node*& any_match) {
  if (index == segments.size) {
    return arrive(node, method, any_match);
  }
  const auto literal = node->literals.find(segments[index]);
  if (literal != node->literals.end()) {
    if (const auto* found =
            walk(literal->second.get(), method, segments, index + 1, captured, any_match)) {
      return found;
    }
  }
  if (node->param) {
    captured.items[captured.size++] = segments[index];
    if (const auto* found =
            walk(node->param.get(), method, segments, index + 1, captured, any_match)) {
      return found;
    }
    --captured.size;
  }
  if (node->rest && literal == node->literals.end()) {
    return arrive(node->rest.get(), method, any_match);
  }
  return nullptr;
}

// A node's parameter (or wildcard) child, made on first use. Every route must name the
// parameter at one place alike, or a match could not say which name it binds.
Router::Node* param_child(std::unique_ptr<Router::Node>& child, std::string& child_name,
                          std::string_view name, const std::string& pattern) {
  if (!child) {
    child = std::make_unique<Router::Node>();
    child_name = std::string(name);
  } else if (child_name != name) {
    throw std::logic_error(
        fmt::format("route {} names parameter {{{}}} where another route has {{{}}}", pattern, name,
                    child_name));
  }
  return child.get();
}

// The segments from `first` on, each decoded, joined with '/'. An encoded slash (%2F) would
// change the path's shape after decoding, so it is refused like a malformed escape.
std::optional<std::string> decode_rest(const Segments& segments, std::size_t first) {
  std::string out;
  for (std::size_t i = first; i < segments.size; ++i) {
    auto decoded = percent_decode(segments[i]);
    if (!decoded || decoded->find('/') != std::string::npos) {
      return std::nullopt;
    }
    if (i != first) {
      out.push_back('/');
    }
    out += *decoded;
  }
  return out;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::add(Method method, std::string pattern, RouteSpec spec, Handler handler) {
  Segments segments;
  if (!split_path(pattern, segments)) {
    throw std::logic_error(fmt::format("malformed route pattern {}", pattern));
  }
  if (method == Method::other) {
    throw std::logic_error(fmt::format("route {} needs a concrete method", pattern));
  }
  if (spec.execution == Execution::io_thread && spec.role.value != Role::anyone) {
    // Checking a credential reads the store, which must never block an I/O thread.
    throw std::logic_error(fmt::format("route {} {} runs on the I/O thread, so it must be public",
                                       method_name(method), pattern));
  }
  if (!handler) {
    throw std::logic_error(fmt::format("route {} {} has no handler", method_name(method), pattern));
  }
  auto route = std::make_unique<Route>(Route{.method = method,
                                             .pattern = pattern,
                                             .spec = std::move(spec),
                                             .handler = std::move(handler)});

  Node* node = root_.get();
  for (std::size_t i = 0; i < segments.size; ++i) {
    const std::string_view segment = segments[i];
    if (is_rest(segment)) {
      if (i + 1 != segments.size) {
        throw std::logic_error(
            fmt::format("route {}: a {{name...}} segment must come last", route->pattern));
      }
      node = param_child(node->rest, node->rest_name, param_name_of(segment), route->pattern);
      continue;
    }
    if (is_param(segment)) {
      const std::string name(param_name_of(segment));
      if (name.empty() || name.find('.') != std::string::npos) {
        throw std::logic_error(fmt::format("malformed route pattern {}", route->pattern));
      }
      node = param_child(node->param, node->param_name, name, route->pattern);
      continue;
    }
    if (segment.find_first_of("{}") != std::string_view::npos) {
      throw std::logic_error(fmt::format("malformed route pattern {}", route->pattern));
    }
    auto& child = node->literals[std::string(segment)];
    if (!child) {
      child = std::make_unique<Node>();
    }
    node = child.get();
  }
  if (!node->methods.emplace(method, route.get()).second) {
    throw std::logic_error(
        fmt::format("duplicate route {} {}", method_name(method), route->pattern));
  }
  routes_.push_back(std::move(route));
}

void Router::get(std::string pattern, RouteSpec spec, Handler handler) {
  add(Method::get, std::move(pattern), std::move(spec), std::move(handler));
}
void Router::post(std::string pattern, RouteSpec spec, Handler handler) {
  add(Method::post, std::move(pattern), std::move(spec), std::move(handler));
}
void Router::put(std::string pattern, RouteSpec spec, Handler handler) {
  add(Method::put, std::move(pattern), std::move(spec), std::move(handler));
}
void Router::patch(std::string pattern, RouteSpec spec, Handler handler) {
  add(Method::patch, std::move(pattern), std::move(spec), std::move(handler));
}
void Router::del(std::string pattern, RouteSpec spec, Handler handler) {
  add(Method::delete_, std::move(pattern), std::move(spec), std::move(handler));
}

Match Router::match(Method method, std::string_view path) const {
  Match result;
  result.gate = gate_;
  result.replay_guard = replay_guard_;
  Segments segments;
  if (!split_path(path, segments)) {
    return result;
  }
  Segments captured;
  const Node* any_match = nullptr;
  const Node* node = walk(root_.get(), method, segments, 0, captured, any_match);
  if (node == nullptr) {
    result.methods_at_path = any_match != nullptr ? &any_match->methods : nullptr;
    return result;
  }
  result.methods_at_path = &node->methods;
  result.route = node->methods.at(method);
  // Parameter names come from the matched route's own pattern, in order.
  Segments pattern_segments;
  split_path(result.route->pattern, pattern_segments);
  std::size_t next = 0;
  for (std::size_t i = 0; i < pattern_segments.size; ++i) {
    const std::string_view segment = pattern_segments[i];
    if (!is_param(segment)) {
      continue;
    }
    auto decoded = is_rest(segment) ? decode_rest(segments, i) : percent_decode(captured[next++]);
    if (!decoded) {
      result.malformed = true;
      return result;
    }
    result.params.emplace(std::string(param_name_of(segment)), std::move(*decoded));
  }
  return result;
}

bool honours_idempotency_key(const Route& route) {
  return route.method == Method::post && route.spec.role.value != Role::anyone;
}

std::vector<Method> Match::allowed() const {
  std::vector<Method> out;
  if (methods_at_path != nullptr) {
    for (const auto& [method, unused] : *methods_at_path) {
      out.push_back(method);
    }
  }
  return out;
}

}  // namespace berth::http
