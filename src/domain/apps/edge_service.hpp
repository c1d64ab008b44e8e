#pragma once
/// An app's edge rules (issue 14; protocol/edge_rules.hpp, docs/edge.md): read and replaced as
/// one document. Viewers read; members replace — the rules protect and redirect an app, they
/// never decide what runs on a server, so the deploy policy does not guard them. A user gives
/// basic-auth passwords in plain text; they are hashed here (bcrypt) and only the hash is kept;
/// reads show user names only. Every change is audited (what changed, never a hash) and the
/// app's server gets its route table again through the lifecycle (ProxyRouter), so Caddy
/// changes without a reload. Blocking (store, bcrypt): call from a worker thread.
/// Thread-safe.

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/apps/app_lifecycle.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/service_context.hpp"
#include "protocol/edge_rules.hpp"

namespace berth {

struct EdgeView {
  edge::EdgeRules rules = {};
  TimePoint updated_at{};  // epoch when the app never had rules
};

class EdgeService {
 public:
  /// `lifecycle` re-applies the server's routes after a change; may be null (tests).
  EdgeService(AreaContext ctx, AppLifecycle* lifecycle) : ctx_(ctx), lifecycle_(lifecycle) {}

  /// Viewer. Error::not_found for an unknown app or another team's.
  Result<EdgeView> get(const Principal& who, std::string_view team_id, std::string_view app_id);

  /// Member. Replaces the app's rules with `document` (docs/edge.md): the stored shape, except
  /// that each basic-auth user gives `password` (hashed here) or `password_hash` (a bcrypt hash)
  /// or neither (keeps that user's stored hash). Error::validation naming the field for
  /// anything edge::parse_edge_rules refuses, a password over 72 bytes or with NUL, or a new
  /// user without a password.
  Result<EdgeView> put(const Principal& who, std::string_view team_id, std::string_view app_id,
                       const nlohmann::json& document, const ClientInfo& client);

 private:
  AreaContext ctx_;
  AppLifecycle* lifecycle_;
};

}  // namespace berth
