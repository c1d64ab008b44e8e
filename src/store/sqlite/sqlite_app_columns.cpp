#include "store/sqlite/sqlite_app_columns.hpp"

namespace berth {

void Filters::add(bool when, std::string_view condition, const std::vector<std::string>& bound) {
  if (!when) {
    return;
  }
  where += where.empty() ? " WHERE " : " AND ";
  where += condition;
  values.insert(values.end(), bound.begin(), bound.end());
}

}  // namespace berth
