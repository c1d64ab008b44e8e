#pragma once
/// The job state machine of ARCHITECTURE.md:
///   queued → dispatched → running → succeeded | failed | canceled | lost
/// plus the shortcuts real life takes (a queued job canceled or expired, a dispatched job that
/// ends before its ack arrives). Terminal states never change again: that is what makes a
/// re-sent job_done harmless.

#include <string_view>

namespace berth::job_state {

constexpr std::string_view queued = "queued";
constexpr std::string_view dispatched = "dispatched";
constexpr std::string_view running = "running";
constexpr std::string_view succeeded = "succeeded";
constexpr std::string_view failed = "failed";
constexpr std::string_view canceled = "canceled";
constexpr std::string_view lost = "lost";

bool is_known(std::string_view state);
bool is_terminal(std::string_view state);
/// True when a job may move from `from` to `to`.
bool can_move(std::string_view from, std::string_view to);

}  // namespace berth::job_state
