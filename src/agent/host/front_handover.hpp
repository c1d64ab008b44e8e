#pragma once
/// The marker files that hand hosts over from the front Caddy to the edge Caddy without a
/// reload (FrontPlan::handed_hosts, caddy_config's handover route): the front's first route
/// sends a request to the edge as soon as `<dir>/<host>.handed` exists. The directory is 0755
/// and its markers empty 0644 files: Caddy may run as another user than the agent (Debian's
/// caddy.service runs as `caddy`), and they say nothing but a host name.

#include <filesystem>
#include <set>
#include <string>

namespace berth::agent::host {

class FrontHandover {
 public:
  /// Creates `dir` when missing; without it (empty, or it cannot be created) nothing can be
  /// handed over and ready() is false: the front is loaded instead.
  explicit FrontHandover(std::filesystem::path dir);

  bool ready() const { return ready_; }
  const std::filesystem::path& dir() const { return dir_; }

  /// Removes the markers of every host not in `hosts` (all of them after a front load: the
  /// loaded config has those hosts' routes as they are now).
  void keep_only(const std::set<std::string>& hosts);
  /// Adds the markers of `hosts`; false when one could not be written (logged).
  bool add(const std::set<std::string>& hosts);

 private:
  std::filesystem::path dir_;
  bool ready_ = false;
};

}  // namespace berth::agent::host
