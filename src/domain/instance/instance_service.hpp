#pragma once
/// The instance itself: its identity and creation time, recorded on first start.

#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "store/store.hpp"

namespace berth {

struct InstanceInfo {
  std::string instance_id;  // "ins_…"
  std::string created_at;   // RFC 3339
  bool first_start = false;
};

class InstanceService {
 public:
  InstanceService(Store& store, const Clock& clock, IdGenerator& ids)
      : store_(store), clock_(clock), ids_(ids) {}

  /// On the first start records the instance id and creation time, audited as `system`;
  /// on later starts returns what was recorded. Blocking (store).
  Result<InstanceInfo> initialize();

 private:
  Store& store_;
  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace berth
