#include "domain/fleet/job_state.hpp"

#include <array>
#include <utility>

namespace berth::job_state {

namespace {
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kMoves = {{
    {queued, dispatched},
    {queued, canceled},
    {queued, failed},  // its server did not come back before the queue deadline
    {dispatched, running},
    {dispatched, succeeded},
    {dispatched, failed},
    {dispatched, canceled},
    {dispatched, lost},
    {running, succeeded},
    {running, failed},
    {running, canceled},
    {running, lost},
}};
}  // namespace

bool is_known(std::string_view state) {
  return state == queued || state == dispatched || state == running || is_terminal(state);
}

bool is_terminal(std::string_view state) {
  return state == succeeded || state == failed || state == canceled || state == lost;
}

bool can_move(std::string_view from, std::string_view to) {
  for (const auto& [a, b] : kMoves) {
    if (a == from && b == to) {
      return true;
    }
  }
  return false;
}

}  // namespace berth::job_state
