#include "domain/services/service_records_tx.hpp"

#include "core/crypto.hpp"
#include "core/ids.hpp"

namespace berth::services_tx {

using nlohmann::json;

Result<ServiceRecord> service(Tx& tx, std::string_view team_id, std::string_view id) {
  if (!is_valid_id("svc", id)) {
    return fail(Error::not_found("no such service"));
  }
  auto found = tx.get_service(team_id, id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(Error::not_found("no such service"));
  }
  return std::move(**found);
}

Result<ServiceView> view_of(Tx& tx, ServiceRecord service) {
  auto links = tx.list_service_links(service.id);
  if (!links) {
    return fail(std::move(links.error()));
  }
  ServiceView view{.service = std::move(service), .links = {}};
  for (auto& link : *links) {
    auto app = tx.get_app(view.service.team_id, link.app_id);
    if (!app) {
      return fail(std::move(app.error()));
    }
    view.links.push_back(ServiceLinkView{.link = std::move(link),
                                         .app_name = *app ? (**app).name : std::string(),
                                         .service_name = view.service.name,
                                         .service_engine = view.service.engine});
  }
  return view;
}

bool busy(const ServiceRecord& service) {
  return service.status == "deploying" || service.status == "stopping" ||
         service.status == "deleting";
}

std::string seal_credentials(const AreaContext& ctx, const ServiceCredentials& credentials) {
  const json plain = {{"user", credentials.user},
                      {"password", credentials.password},
                      {"database", credentials.database},
                      {"root_password", credentials.root_password}};
  return crypto::seal(ctx.services.master_key, ctx.random(), plain.dump());
}

Result<ServiceCredentials> open_credentials(const AreaContext& ctx, std::string_view sealed) {
  auto opened = crypto::open_sealed(ctx.services.master_key, sealed);
  if (!opened) {
    return fail(Error::internal("cannot open a service's sealed credentials"));
  }
  const json plain = json::parse(*opened, nullptr, false);
  if (!plain.is_object()) {
    return fail(Error::internal("a service's credentials are not JSON"));
  }
  return ServiceCredentials{.user = plain.value("user", ""),
                            .password = plain.value("password", ""),
                            .database = plain.value("database", ""),
                            .root_password = plain.value("root_password", "")};
}

}  // namespace berth::services_tx
