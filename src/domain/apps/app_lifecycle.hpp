#pragma once
/// What the app services tell the deployment side about changes that touch a running app
/// without a deployment: the app is gone (its containers and its route must go), or a
/// server's route table changed (a hostname moved). Implemented by the deployment service;
/// may be null in tests that need no servers.

#include <string_view>

#include "store/app_records.hpp"

namespace berth {

class AppLifecycle {
 public:
  virtual ~AppLifecycle() = default;
  /// After the app's row was deleted (the record as it was): stop and remove its containers,
  /// drop its proxy route. Best effort; runs in the background.
  virtual void app_removed(const AppRecord& app) = 0;
  /// After a change to the route table of `server_id` (an app's hostname changed, or the
  /// server's proxy settings): the proxy is given the new table.
  virtual void routes_changed(std::string_view server_id) = 0;
};

}  // namespace berth
