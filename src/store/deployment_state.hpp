#pragma once
/// A deployment's life, as one closed type for the domain and every store backend alike:
///
///   queued → running → succeeded | failed | canceled
///   queued → canceled | superseded (a newer request replaced it before it started)
///
/// A terminal state never changes again. The names below are the only spelling of a state, in
/// the API and in every database.

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace berth {

enum class DeploymentState { queued, running, succeeded, failed, canceled, superseded };

inline constexpr std::array<std::pair<DeploymentState, std::string_view>, 6> kDeploymentStates{{
    {DeploymentState::queued, "queued"},
    {DeploymentState::running, "running"},
    {DeploymentState::succeeded, "succeeded"},
    {DeploymentState::failed, "failed"},
    {DeploymentState::canceled, "canceled"},
    {DeploymentState::superseded, "superseded"},
}};

constexpr std::string_view state_name(DeploymentState state) {
  for (const auto& [known, name] : kDeploymentStates) {
    if (known == state) {
      return name;
    }
  }
  return "unknown";
}

constexpr std::optional<DeploymentState> parse_deployment_state(std::string_view name) {
  for (const auto& [state, known] : kDeploymentStates) {
    if (known == name) {
      return state;
    }
  }
  return std::nullopt;
}

constexpr bool is_terminal(DeploymentState state) {
  return state != DeploymentState::queued && state != DeploymentState::running;
}

/// True when a deployment may move from `from` to `to`.
constexpr bool can_move(DeploymentState from, DeploymentState to) {
  using enum DeploymentState;
  switch (from) {
    case queued:
      return to == running || to == canceled || to == superseded;
    case running:
      return to == succeeded || to == failed || to == canceled;
    default:
      return false;
  }
}

}  // namespace berth
