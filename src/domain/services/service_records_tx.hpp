#pragma once
/// What the managed-services files share inside a transaction: finding a service of the team,
/// its view with the linked apps, whether an operation runs on it, and the credentials sealed
/// and opened with the master key. Internal to src/domain/services.

#include <string>
#include <string_view>

#include "domain/kernel/service_context.hpp"
#include "domain/services/managed_services.hpp"
#include "domain/services/service_spec.hpp"
#include "store/store.hpp"

namespace berth::services_tx {

/// The team's service; not_found for an unknown or malformed id (or another team's).
Result<ServiceRecord> service(Tx& tx, std::string_view team_id, std::string_view id);

/// The service with its links, each naming its app.
Result<ServiceView> view_of(Tx& tx, ServiceRecord service);

/// An operation is queued or running: deploying, stopping or deleting.
bool busy(const ServiceRecord& service);

std::string seal_credentials(const AreaContext& ctx, const ServiceCredentials& credentials);
/// Error::internal when the sealed value does not open (a wrong master key).
Result<ServiceCredentials> open_credentials(const AreaContext& ctx, std::string_view sealed);

}  // namespace berth::services_tx
