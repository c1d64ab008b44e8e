#include "backup/s3_listing.hpp"

#include <array>
#include <utility>

namespace berth::backup {

namespace {

std::string decode_entities(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, char>, 5> kEntities = {
      {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool decoded = false;
    if (text[i] == '&') {
      for (const auto& [entity, character] : kEntities) {
        if (text.substr(i).starts_with(entity)) {
          out.push_back(character);
          i += entity.size();
          decoded = true;
          break;
        }
      }
    }
    if (!decoded) {
      out.push_back(text[i++]);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> xml_values(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  std::vector<std::string> values;
  for (std::size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at)) {
    const std::size_t from = at + open.size();
    const std::size_t end = xml.find(close, from);
    if (end == std::string_view::npos) {
      break;
    }
    values.push_back(decode_entities(xml.substr(from, end - from)));
    at = end + close.size();
  }
  return values;
}

Result<std::vector<std::string>> list_keys(const S3Client& client, std::string_view prefix,
                                           std::size_t limit) {
  std::vector<std::string> keys;
  std::string token;
  do {
    S3Request request{
        .method = "GET", .key = {}, .query = {{"list-type", "2"}, {"prefix", std::string(prefix)}}};
    if (!token.empty()) {
      request.query.emplace_back("continuation-token", token);
    }
    auto answer = client.send(request);
    if (!answer) {
      return fail(std::move(answer.error()));
    }
    for (auto& key : xml_values(answer->body, "Key")) {
      if (keys.size() == limit) {
        return keys;
      }
      keys.push_back(std::move(key));
    }
    const auto truncated = xml_values(answer->body, "IsTruncated");
    const auto next = xml_values(answer->body, "NextContinuationToken");
    token = !truncated.empty() && truncated.front() == "true" && !next.empty() ? next.front() : "";
  } while (!token.empty());
  return keys;
}

}  // namespace berth::backup
