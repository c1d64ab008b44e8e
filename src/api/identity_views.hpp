#pragma once
/// The JSON shapes of identity objects, and their schemas for the OpenAPI document.
/// Secrets (hashes, tokens, TOTP secrets) never appear in them.

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "store/identity_records.hpp"

namespace berth::api {

nlohmann::json user_json(const UserRecord& user);
nlohmann::json team_json(const TeamRecord& team);
nlohmann::json membership_json(const TeamMembershipRow& row);
nlohmann::json memberships_json(const std::vector<TeamMembershipRow>& rows);
nlohmann::json session_json(const SessionRecord& session, std::string_view current_id);
nlohmann::json optional_time(const std::optional<TimePoint>& time);

nlohmann::json session_schema();
nlohmann::json user_schema();
nlohmann::json team_schema();
nlohmann::json membership_schema();
/// A team role: viewer, member, admin or owner.
nlohmann::json role_schema();

}  // namespace berth::api
