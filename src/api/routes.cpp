#include "api/routes.hpp"

#include "api/admin_routes.hpp"
#include "api/agent_routes.hpp"
#include "api/api_key_routes.hpp"
#include "api/app_routes.hpp"
#include "api/audit_routes.hpp"
#include "api/auth_routes.hpp"
#include "api/backup_destination_routes.hpp"
#include "api/backup_policy_routes.hpp"
#include "api/backup_routes.hpp"
#include "api/binary_download.hpp"
#include "api/deployment_routes.hpp"
#include "api/domain_routes.hpp"
#include "api/edge_routes.hpp"
#include "api/env_routes.hpp"
#include "api/hook_routes.hpp"
#include "api/invitation_routes.hpp"
#include "api/job_routes.hpp"
#include "api/password_reset_routes.hpp"
#include "api/project_routes.hpp"
#include "api/server_routes.hpp"
#include "api/service_routes.hpp"
#include "api/system_routes.hpp"
#include "api/team_event_routes.hpp"
#include "api/team_routes.hpp"
#include "api/totp_routes.hpp"
#include "api/web_routes.hpp"

namespace berth::api {

void register_routes(http::Router& router, const ApiContext& context) {
  add_system_routes(router, context);
  add_auth_routes(router, context);
  add_me_routes(router, context);
  add_password_reset_routes(router, context);
  add_team_routes(router, context);
  add_invitation_routes(router, context);
  add_totp_routes(router, context);
  add_api_key_routes(router, context);
  add_admin_routes(router, context);
  add_audit_routes(router, context);
  add_server_routes(router, context);
  add_team_event_routes(router, context);
  add_job_routes(router, context);
  add_agent_routes(router, context);
  add_cli_download_routes(router, context.cli_binary_path);
  add_project_routes(router, context);
  add_app_routes(router, context);
  add_domain_routes(router, context);
  add_service_routes(router, context);
  add_env_routes(router, context);
  add_edge_routes(router, context);
  add_deployment_routes(router, context);
  add_hook_routes(router, context);
  add_backup_destination_routes(router, context);
  add_backup_routes(router, context);
  add_backup_policy_routes(router, context);
  add_web_routes(router, context);
}

}  // namespace berth::api
