// The tar walk that checks a volume backup and its restore: entries counted across pieces of
// any size, pax headers and data blocks passed over, the end block seen.
#include "agent/host/volume_backup.hpp"

#include <gtest/gtest.h>

#include "agent/host/rdb_restore.hpp"

namespace berth::agent::host {
namespace {

std::string padded(std::string data) {
  data.append((512 - data.size() % 512) % 512, '\0');
  return data;
}

std::string sample_tar() {
  const std::string pax = "20 path=data/a.txt\n";
  return tar_header("data/", '5', 0, 0755, 0, 0) + tar_header("pax", 'x', pax.size(), 0644, 0, 0) +
         padded(pax) + tar_header("data/a.txt", '0', 700, 0644, 0, 0) +
         padded(std::string(700, 'a')) + tar_header("data/empty", '0', 0, 0644, 0, 0) +
         std::string(1024, '\0');
}

TEST(TarEntryCounter, CountsEntriesButNotPaxHeadersWhateverThePieces) {
  const std::string tar = sample_tar();
  for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{512}, tar.size()}) {
    TarEntryCounter counter;
    for (std::size_t at = 0; at < tar.size(); at += piece) {
      ASSERT_TRUE(counter.add(std::string_view(tar).substr(at, piece)));
    }
    EXPECT_EQ(counter.entries(), 3U) << piece;
    EXPECT_TRUE(counter.ended()) << piece;
  }
}

TEST(TarEntryCounter, ACutArchiveHasNotEndedAndGarbageIsRefused) {
  const std::string tar = sample_tar();
  TarEntryCounter cut;
  ASSERT_TRUE(cut.add(std::string_view(tar).substr(0, 1100)));
  EXPECT_FALSE(cut.ended());
  TarEntryCounter garbage;
  EXPECT_FALSE(garbage.add(std::string(512, 'z')));
}

TEST(ArchiveParent, IsWhereTheMountsLastComponentGoesBack) {
  EXPECT_EQ(archive_parent("/data"), "/");
  EXPECT_EQ(archive_parent("/srv/app/data"), "/srv/app");
}

}  // namespace
}  // namespace berth::agent::host
