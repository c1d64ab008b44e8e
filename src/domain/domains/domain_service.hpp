#pragma once
/// A team's domains: the hostnames (optionally under a path prefix) its apps answer at, with
/// their TLS mode, redirects, custom certificates and DNS check. Viewers read; members add,
/// change, remove and check domains of their team's apps; uploading a custom certificate is
/// for team admins. One hostname belongs to one team and one server across the instance
/// (409 hostname_taken, never saying who holds it). Every change is audited and re-applies
/// the server's route table (AppLifecycle::routes_changed). DNS checks run on create (in the
/// background), on demand and daily (check_due, hourly from the fleet monitor). Blocking
/// (store, DNS): call from a worker thread. Thread-safe.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/principal.hpp"
#include "domain/apps/app_lifecycle.hpp"
#include "domain/domains/dns_check.hpp"
#include "domain/kernel/actor.hpp"
#include "domain/kernel/paging.hpp"
#include "domain/kernel/service_context.hpp"
#include "domain/notify/mail_outbox.hpp"

namespace berth {

struct CertificateUpload {
  std::string chain = {};  // PEM, the leaf first
  std::string key = {};    // PEM
};

struct DomainInput {
  std::string hostname = {};
  std::string tls = {};  // "" = follow the server's proxy setting
  std::string redirect_to = {};
  std::string path_prefix = {};
  bool https_redirect = true;
  bool hsts = false;
  std::optional<CertificateUpload> certificate = {};
};

struct DomainPatch {
  std::optional<std::string> tls = {};          // "" = follow the server again
  std::optional<std::string> redirect_to = {};  // "" = serve the app
  std::optional<std::string> path_prefix = {};  // "" = the whole host
  std::optional<bool> https_redirect = {};
  std::optional<bool> hsts = {};
  std::optional<CertificateUpload> certificate = {};
};

struct DomainFilter {
  std::string app_id = {};
  std::string dns = {};  // pending_dns | ok | elsewhere
  std::string q = {};
};

/// A domain with what its view needs: the server's proxy settings (effective TLS, urls) and
/// whether its app is serving.
struct DomainView {
  DomainRecord domain = {};
  ProxySettingsRecord proxy = {};
  /// serving (routed to the app) | redirecting (answers 308) | inactive (the app is not
  /// deployed or stopped: not routed)
  std::string status = "inactive";
};

/// How the certificate watch reaches a server and the fleet's event stream (wired by the
/// composition; see certificate_watch.cpp).
struct CertificateHooks {
  /// proxy.certificates on the server: its `certificates` array, or an error.
  std::function<Result<nlohmann::json>(std::string_view server_id,
                                       const std::vector<std::string>& hosts)>
      read = {};
  /// A server event (kind, details) on the server's event stream.
  std::function<void(std::string_view server_id, std::string kind, nlohmann::json details)> event =
      {};
};

class DomainService {
 public:
  DomainService(AreaContext ctx, AppLifecycle* lifecycle, domains::Resolver& resolver)
      : ctx_(ctx), lifecycle_(lifecycle), resolver_(resolver) {}

  /// Viewer. Ordered by hostname. Error::validation for a malformed filter or paging.
  Result<Page<DomainView>> list(const Principal& who, std::string_view team_id,
                                const DomainFilter& filter, const PageRequest& page);
  /// Viewer. not_found for an unknown app (or another team's).
  Result<Page<DomainView>> list_app(const Principal& who, std::string_view team_id,
                                    std::string_view app_id, const PageRequest& page);
  Result<DomainView> get(const Principal& who, std::string_view team_id, std::string_view id);
  /// Member (admin with a certificate). Error::validation naming the field; conflict
  /// hostname_taken; forbidden admin_required for a certificate.
  Result<DomainView> create(const Principal& who, std::string_view team_id, std::string_view app_id,
                            const DomainInput& input, const ClientInfo& client);
  /// Member (admin with a certificate). The hostname of a domain does not change (remove it
  /// and add another); the primary domain follows the app's `hostname`.
  Result<DomainView> update(const Principal& who, std::string_view team_id, std::string_view id,
                            const DomainPatch& patch, const ClientInfo& client);
  /// Member. conflict `domain_primary` for the app's primary domain (change the app's
  /// hostname instead), `domain_redirect_target` while other domains redirect to it.
  Result<void> remove(const Principal& who, std::string_view team_id, std::string_view id,
                      const ClientInfo& client);
  /// Member. Resolves the name now and stores the verdict.
  Result<DomainView> check(const Principal& who, std::string_view team_id, std::string_view id);
  /// Queues the DNS check of every domain not checked for a day (at most `batch`).
  void check_due(std::int64_t batch = 200);

  void set_certificate_hooks(CertificateHooks hooks) { certificates_ = std::move(hooks); }
  /// Reads back what the server serves for each of its domains with TLS on and stores it on
  /// the domain (`certificate_status`); a certificate due to expire within 14 days, or a
  /// failed issuance, becomes a server event when it first appears. Blocking (a job).
  Result<void> check_certificates(std::string_view server_id);
  /// Queues check_certificates for every connected server whose domains were not read for
  /// 6 hours (hourly from the fleet monitor).
  void check_certificates_due();

 private:
  Result<void> run_check(std::string_view domain_id);
  void routes_changed(std::string_view app_id);

  AreaContext ctx_;
  AppLifecycle* lifecycle_;
  domains::Resolver& resolver_;
  CertificateHooks certificates_ = {};
  MailOutbox background_{10'000};  // a queue on one thread of its own, for DNS checks
};

}  // namespace berth
