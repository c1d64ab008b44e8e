#pragma once
/// The SQLite schema migrations, embedded at build time from sqlite/migrations/NNNN_name.sql
/// (see src/store/CMakeLists.txt). Versions are 1, 2, 3 ... in order, without gaps.

#include <span>

#include "store/migration.hpp"

namespace berth {

/// Every migration this binary knows, oldest first; the last one is the newest schema.
std::span<const Migration> sqlite_migrations();

}  // namespace berth
