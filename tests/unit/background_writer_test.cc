// io::BackgroundWriter: what it writes is exactly what was appended, after what the file already held (a CSV
// header of any length), whether the file takes O_DIRECT (whole blocks, the last one padded and truncated) or
// not (/dev/shm, standard output), and a write that fails is reported with its errno.
#include "runtime/io/background_writer.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace edict {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Appends pieces of random sizes (some far larger than a buffer), cut from a pool of random letters, and
// returns what they hold.
std::string AppendRandom(io::BackgroundWriter& writer, std::mt19937& rng, size_t total) {
  static const std::string pool = [] {
    std::mt19937 letters(5);
    std::string s(12 << 20, '\0');
    for (char& c : s) c = static_cast<char>('a' + letters() % 26);
    return s;
  }();
  std::string all;
  while (all.size() < total) {
    size_t n = rng() % 4 == 0 ? rng() % (6 << 20) : rng() % 5000;
    std::string_view piece = std::string_view(pool).substr(rng() % (pool.size() - n), n);
    EXPECT_TRUE(writer.Append(piece));
    all += piece;
  }
  return all;
}

TEST(BackgroundWriter, WritesExactlyWhatWasAppendedAfterWhatTheFileHeld) {
  std::mt19937 rng(3);
  std::vector<std::string> dirs = {::testing::TempDir()};
  if (std::filesystem::is_directory("/dev/shm")) dirs.push_back("/dev/shm/");
  for (const std::string& dir : dirs)
    for (size_t header : {0u, 1u, 95u, 4096u, 5000u})
      for (bool direct : {true, false})
        for (size_t total : {0u, 3u, 4095u, 4096u, 4097u, 5u << 20}) {
          if (total > 4097 && header != 95 && header != 4096) continue;  // two buffers and more, twice
          std::string path = dir + "edict-background-writer-test";
          FILE* f = std::fopen(path.c_str(), "wb");
          ASSERT_NE(f, nullptr);
          std::string head(header, 'H');
          std::fputs(head.c_str(), f);  // left in stdio's buffer: the writer flushes it
          std::string expected = head;
          {
            io::BackgroundWriter writer(f, direct);
            expected += AppendRandom(writer, rng, total);
            EXPECT_TRUE(writer.Finish()) << std::strerror(writer.error());
          }
          std::fputs("tail", f);  // stdio writes on at the end
          expected += "tail";
          ASSERT_EQ(std::fclose(f), 0);
          std::string got = ReadAll(path);
          EXPECT_EQ(got.size(), expected.size()) << dir << " header " << header << " direct " << direct;
          EXPECT_TRUE(got == expected)
              << dir << " header " << header << " direct " << direct << " total " << total;
          std::filesystem::remove(path);
        }
}

TEST(BackgroundWriter, AFailedWriteIsReportedWithItsErrno) {
  FILE* f = std::fopen("/dev/full", "wb");
  if (!f) GTEST_SKIP() << "no /dev/full";
  std::mt19937 rng(4);
  io::BackgroundWriter writer(f, true);
  std::string piece(1 << 20, 'x');
  bool refused = false;
  for (int i = 0; i < 20 && !refused; ++i) refused = !writer.Append(piece);
  EXPECT_FALSE(writer.Finish());
  EXPECT_EQ(writer.error(), ENOSPC);
  std::fclose(f);
}

}  // namespace
}  // namespace edict
