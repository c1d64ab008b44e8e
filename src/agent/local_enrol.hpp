#pragma once
/// `berth-agent run --enrol-from FILE`: the agent on berthd's own machine (the Debian package's
/// unit) enrols with the install token berthd offers in FILE instead of one pasted by hand
/// (berthd's --local-enrolment-file, src/berthd/local_enrolment.hpp). The file may not exist
/// yet (berthd starts later, or is not set up yet): the agent waits for it.

#include <nlohmann/json.hpp>
#include <string>

namespace berth::agent {

/// Returns at once when `state_dir` holds agent.json. Else looks at `offer_file` every 2 s until
/// it holds a token, enrols with it (again on failure: berthd offers a new token when one
/// expires) and returns true; false when SIGTERM or SIGINT came first.
bool enrol_from_offer(const std::string& offer_file, const std::string& state_dir,
                      const nlohmann::json& facts);

}  // namespace berth::agent
