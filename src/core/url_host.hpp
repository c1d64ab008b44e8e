#pragma once
/// The host part of a URL, for decisions made on berthd's public URL. Pure.

#include <string>
#include <string_view>

namespace berth {

/// The lower-cased host of "scheme://[user@]host[:port][/...]": without the brackets of an IPv6
/// literal, "" when there is no "://". Does not check that the host is a valid name.
std::string url_host(std::string_view url);

}  // namespace berth
