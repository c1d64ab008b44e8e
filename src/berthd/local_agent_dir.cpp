#include "berthd/local_agent_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/log.hpp"

namespace berth {

namespace fs = std::filesystem;

namespace {

Error dir_error(const std::string& what, const std::string& path, const std::string& why) {
  return Error::unavailable(fmt::format("local agent: cannot {} {}: {}", what, path, why));
}

// nftw has no user pointer: the owner for the walk in progress (start-up, one thread).
uid_t walk_uid = 0;
gid_t walk_gid = 0;

int chown_entry(const char* path, const struct stat*, int, FTW*) {
  return ::lchown(path, walk_uid, walk_gid) == 0 ? 0 : -1;
}

// Hands `dir` and everything under it to the user. Only called while `dir` is root's and 0700
// (or inside berthd's private data dir), so nobody else can swap an entry for a link during
// the walk; links themselves are never followed. The directory itself goes last (FTW_DEPTH).
Result<void> chown_tree(const std::string& dir, const AgentUser& user) {
  walk_uid = user.credentials.uid;
  walk_gid = user.credentials.gid;
  if (::nftw(dir.c_str(), chown_entry, 16, FTW_PHYS | FTW_DEPTH | FTW_MOUNT) != 0) {
    return fail(dir_error("hand over", dir, std::strerror(errno)));
  }
  return {};
}

// `dir` was checked to be a directory that only root or berthd's user could replace.
Result<void> make_private(const std::string& dir) {
  if (::chmod(dir.c_str(), 0700) != 0) {
    return fail(dir_error("make private", dir, std::strerror(errno)));
  }
  return {};
}

// The parent of every instance's directory: root's, 0755, never a link.
Result<void> prepare_home(const std::string& home) {
  if (::mkdir(home.c_str(), 0755) != 0 && errno != EEXIST) {
    return fail(dir_error("create", home, std::strerror(errno)));
  }
  struct stat info {};
  if (::lstat(home.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return fail(dir_error("use", home, "not a directory"));
  }
  if (::lchown(home.c_str(), 0, 0) != 0 || ::chmod(home.c_str(), 0755) != 0) {
    return fail(dir_error("give root", home, std::strerror(errno)));
  }
  return {};
}

// Moves an agent's state that an older berthd kept in the data dir to `target`, owned by the
// user. Across file systems it is copied (without the work dir: checkouts are fetched again).
Result<void> move_old_state(const std::string& old_dir, const std::string& target,
                            const AgentUser& user) {
  if (auto handed = chown_tree(old_dir, user); !handed) {
    return handed;
  }
  if (::rename(old_dir.c_str(), target.c_str()) == 0) {
    return make_private(target);
  }
  if (errno != EXDEV) {
    return fail(dir_error("move", old_dir + " to " + target, std::strerror(errno)));
  }
  const std::string staging = target + ".partial";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directory(staging, ec);
  if (!ec && ::chmod(staging.c_str(), 0700) != 0) {
    ec = std::error_code(errno, std::generic_category());
  }
  for (const auto& entry : fs::directory_iterator(old_dir, ec)) {
    if (entry.path().filename() != "work") {
      fs::copy(entry.path(), staging / entry.path().filename(),
               fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    }
    if (ec) {
      break;
    }
  }
  if (ec) {
    return fail(dir_error("copy", old_dir + " to " + staging, ec.message()));
  }
  if (auto handed = chown_tree(staging, user); !handed) {
    return handed;
  }
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    return fail(dir_error("move", staging + " to " + target, std::strerror(errno)));
  }
  fs::remove_all(old_dir, ec);
  return make_private(target);
}

Result<std::string> prepare_own_user_dir(const LocalAgentPlace& place) {
  const std::string dir = (fs::path(place.data_dir) / "local-agent").string();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return fail(dir_error("create", dir, ec.message()));
  }
  if (auto made = make_private(dir); !made) {
    return fail(std::move(made.error()));
  }
  return fs::absolute(dir).lexically_normal().string();
}

}  // namespace

Result<std::string> prepare_local_agent_dir(const LocalAgentPlace& place) {
  if (place.user == nullptr) {
    return prepare_own_user_dir(place);
  }
  const AgentUser& user = *place.user;
  if (place.instance_id.empty() || place.instance_id.find('/') != std::string::npos ||
      place.instance_id.starts_with('.')) {
    return fail(Error::internal("local agent: unusable instance id " + place.instance_id));
  }
  if (auto home = prepare_home(place.home); !home) {
    return fail(std::move(home.error()));
  }
  const std::string target = (fs::path(place.home) / place.instance_id).string();
  const std::string old_dir = (fs::path(place.data_dir) / "local-agent").string();
  struct stat info {};
  if (::lstat(target.c_str(), &info) != 0) {
    if (errno != ENOENT) {
      return fail(dir_error("use", target, std::strerror(errno)));
    }
    if (::lstat(old_dir.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
      log::info("local_agent.state_moved", {{"from", old_dir}, {"to", target}});
      if (auto moved = move_old_state(old_dir, target, user); !moved) {
        return fail(std::move(moved.error()));
      }
      return target;
    }
    if (::mkdir(target.c_str(), 0700) != 0 ||
        ::lchown(target.c_str(), user.credentials.uid, user.credentials.gid) != 0) {
      return fail(dir_error("create", target, std::strerror(errno)));
    }
    return target;
  }
  if (!S_ISDIR(info.st_mode)) {
    return fail(dir_error("use", target, "not a directory"));
  }
  if (info.st_uid == 0) {
    // Left half-made by a berthd that stopped mid-way: still root's, so safe to walk.
    if (auto made = make_private(target); !made) {
      return fail(std::move(made.error()));
    }
    if (auto handed = chown_tree(target, user); !handed) {
      return fail(std::move(handed.error()));
    }
  } else if (info.st_uid != user.credentials.uid) {
    // Another user's files: walking them as root could follow what that user plants.
    return fail(dir_error(
        "use", target,
        fmt::format("it belongs to uid {}, not to {}; chown -R {} it, or remove it to enrol "
                    "the local server anew",
                    info.st_uid, user.name, user.name)));
  }
  if (auto made = make_private(target); !made) {
    return fail(std::move(made.error()));
  }
  return target;
}

}  // namespace berth
