#include "api/identity_views.hpp"

#include "core/json_schema.hpp"
#include "core/time_format.hpp"

namespace berth::api {

using nlohmann::json;

json optional_time(const std::optional<TimePoint>& time) {
  return time ? json(format_rfc3339(*time)) : json(nullptr);
}

json user_json(const UserRecord& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"display_name", user.display_name},
          {"is_instance_admin", user.is_instance_admin},
          {"is_active", user.is_active},
          {"totp_enabled", user.totp_enabled},
          {"personal_team_id", user.personal_team_id},
          {"created_at", format_rfc3339(user.created_at)}};
}

json team_json(const TeamRecord& team) {
  return {{"id", team.id},
          {"name", team.name},
          {"personal", team.personal},
          {"created_at", format_rfc3339(team.created_at)}};
}

json membership_json(const TeamMembershipRow& row) {
  return {{"team", team_json(row.team)}, {"role", role_name(row.role)}};
}

json memberships_json(const std::vector<TeamMembershipRow>& rows) {
  json out = json::array();
  for (const auto& row : rows) {
    out.push_back(membership_json(row));
  }
  return out;
}

json session_json(const SessionRecord& session, std::string_view current_id) {
  return {{"id", session.id},
          {"created_at", format_rfc3339(session.created_at)},
          {"last_seen_at", format_rfc3339(session.last_seen_at)},
          {"expires_at", format_rfc3339(session.expires_at)},
          {"user_agent", session.user_agent},
          {"source_address", session.source_address},
          {"current", session.id == current_id}};
}

json session_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"created_at", schema::string()},
            {"last_seen_at", schema::string()},
            {"expires_at", schema::string()},
            {"user_agent", schema::string()},
            {"source_address", schema::string()},
            {"current", schema::boolean()}}}};
}

json user_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"email", schema::string()},
            {"display_name", schema::string()},
            {"is_instance_admin", schema::boolean()},
            {"is_active", schema::boolean()},
            {"totp_enabled", schema::boolean()},
            {"personal_team_id", schema::string()},
            {"created_at", schema::string()}}}};
}

json team_schema() {
  return {{"type", "object"},
          {"properties",
           {{"id", schema::string()},
            {"name", schema::string()},
            {"personal", schema::boolean()},
            {"created_at", schema::string()}}}};
}

json membership_schema() {
  return {{"type", "object"}, {"properties", {{"team", team_schema()}, {"role", role_schema()}}}};
}

json role_schema() { return schema::one_of_strings({"viewer", "member", "admin", "owner"}); }

}  // namespace berth::api
