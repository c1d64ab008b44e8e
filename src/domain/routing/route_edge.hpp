#pragma once
/// The `edge` field of an app's proxy.apply routes: its stored edge rules (issue 14,
/// protocol/edge_rules.hpp), checked again on the way out. Blocking (store).

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "store/store.hpp"

namespace berth {

/// The app's rules as edge::edge_rules_json writes them; nullopt when it has none or they
/// change nothing. Error::internal when the stored rules no longer parse (never sent).
Result<std::optional<nlohmann::json>> route_edge_args(Tx& tx, std::string_view app_id);

}  // namespace berth
