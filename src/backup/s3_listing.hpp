#pragma once
/// The keys of a bucket under a prefix (ListObjectsV2), page by page: what a keep-the-newest-N
/// pruning needs. Bounded: at most `limit` keys are read.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "backup/s3_client.hpp"

namespace berth::backup {

/// The keys under `prefix`, in S3's order (by key); errors as S3Client's.
Result<std::vector<std::string>> list_keys(const S3Client& client, std::string_view prefix,
                                           std::size_t limit = 10'000);

/// The texts of every <tag>…</tag> in `xml`, with XML's five entities decoded.
std::vector<std::string> xml_values(std::string_view xml, std::string_view tag);

}  // namespace berth::backup
