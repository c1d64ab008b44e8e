#pragma once
/// The job state machine of ARCHITECTURE.md, for the domain and every store backend alike:
///   queued → dispatched → running → succeeded | failed | canceled | lost
/// plus the shortcuts real life takes (a queued job canceled or expired, a dispatched job that
/// ends before its ack arrives). Terminal states never change again: that is what makes a
/// re-sent job_done harmless. The names below are the only spelling of a state.

#include <array>
#include <string_view>
#include <utility>

namespace berth::job_state {

constexpr std::string_view queued = "queued";
constexpr std::string_view dispatched = "dispatched";
constexpr std::string_view running = "running";
constexpr std::string_view succeeded = "succeeded";
constexpr std::string_view failed = "failed";
constexpr std::string_view canceled = "canceled";
constexpr std::string_view lost = "lost";

/// Every state, in the order of the machine.
inline constexpr std::array<std::string_view, 7> kAll = {queued, dispatched, running, succeeded,
                                                         failed, canceled,   lost};

constexpr bool is_terminal(std::string_view state) {
  return state == succeeded || state == failed || state == canceled || state == lost;
}

constexpr bool is_known(std::string_view state) {
  return state == queued || state == dispatched || state == running || is_terminal(state);
}

/// True when a job may move from `from` to `to`.
constexpr bool can_move(std::string_view from, std::string_view to) {
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
  for (const auto& [a, b] : kMoves) {
    if (a == from && b == to) {
      return true;
    }
  }
  return false;
}

}  // namespace berth::job_state
