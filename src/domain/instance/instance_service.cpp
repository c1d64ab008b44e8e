#include "domain/instance/instance_service.hpp"

#include "core/time_format.hpp"

namespace berth {

namespace {
constexpr std::string_view kInstanceIdKey = "instance_id";
constexpr std::string_view kCreatedAtKey = "instance_created_at";
}  // namespace

Result<InstanceInfo> InstanceService::initialize() {
  InstanceInfo info;
  const TimePoint now = clock_.now();
  const std::string candidate_id = ids_.next("ins");
  AuditEntry entry{.id = ids_.next("aud"),
                   .at = now,
                   .actor = "system",
                   .action = "instance.initialize",
                   .target = candidate_id,
                   .team_id = {},
                   .request_id = {},
                   .source_address = {},
                   .details = nlohmann::json::object()};
  // Read and write in one transaction so two starts racing on one database agree on the id.
  auto done = store_.write([&](Tx& tx) -> Result<void> {
    auto existing = tx.get_setting(kInstanceIdKey);
    if (!existing) {
      return fail(existing.error());
    }
    if (*existing) {
      info.instance_id = **existing;
      auto created = tx.get_setting(kCreatedAtKey);
      if (!created) {
        return fail(created.error());
      }
      info.created_at = created->value_or("");
      return {};
    }
    info.instance_id = candidate_id;
    info.created_at = format_rfc3339(now);
    info.first_start = true;
    if (auto put = tx.put_setting(kInstanceIdKey, info.instance_id, now); !put) {
      return put;
    }
    if (auto put = tx.put_setting(kCreatedAtKey, info.created_at, now); !put) {
      return put;
    }
    return tx.append_audit(entry);
  });
  if (!done) {
    return fail(done.error());
  }
  return info;
}

}  // namespace berth
