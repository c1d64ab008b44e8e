#pragma once
/// Who is asking, as every area's services see it: the request's client and, for the audit
/// log, the actor.

#include <string>

#include "core/principal.hpp"

namespace berth {

/// The request a call comes from (the API layer fills it from the HTTP request).
struct ClientInfo {
  std::string request_id;
  std::string source_address;
  std::string user_agent;
};

/// Who did something, for the audit log.
struct Actor {
  std::string user_id;  // "" for anonymous actions (sign-in attempts)
  std::string request_id;
  std::string source_address;
};

/// The audit actor of a request.
inline Actor actor_of(const Principal& who, const ClientInfo& client) {
  return Actor{.user_id = who.user_id,
               .request_id = client.request_id,
               .source_address = client.source_address};
}

}  // namespace berth
