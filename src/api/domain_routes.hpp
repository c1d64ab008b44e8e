#pragma once
/// Domains: an app's hostnames with their TLS, redirects, custom certificates and DNS check
/// (docs/domains.md).

#include <nlohmann/json.hpp>

#include "api/api_context.hpp"
#include "http/router.hpp"

namespace berth {
struct DomainView;
}

namespace berth::api {

void add_domain_routes(http::Router& router, const ApiContext& context);

/// The domain object: never the certificate's key.
nlohmann::json domain_json(const DomainView& view);
nlohmann::json domain_schema();

}  // namespace berth::api
