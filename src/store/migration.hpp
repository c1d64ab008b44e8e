#pragma once
/// A numbered schema migration. Each backend has its own ordered list (its SQL dialect
/// differs) and applies the missing ones at start-up inside one transaction each.

#include <span>
#include <string_view>

namespace berth {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

}  // namespace berth
