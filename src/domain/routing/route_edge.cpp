#include "domain/routing/route_edge.hpp"

#include "protocol/edge_rules.hpp"

namespace berth {

Result<std::optional<nlohmann::json>> route_edge_args(Tx& tx, std::string_view app_id) {
  auto stored = tx.get_app_edge(app_id);
  if (!stored) {
    return fail(std::move(stored.error()));
  }
  if (!*stored) {
    return std::optional<nlohmann::json>();
  }
  auto rules = edge::parse_edge_rules((*stored)->rules);
  if (!rules) {
    return fail(Error::internal("stored edge rules of " + std::string(app_id) +
                                " do not parse: " + rules.error().message));
  }
  if (edge::is_empty(*rules)) {
    return std::optional<nlohmann::json>();
  }
  return std::optional(edge::edge_rules_json(*rules));
}

}  // namespace berth
