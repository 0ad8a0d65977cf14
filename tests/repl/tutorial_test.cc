// The REPL chapter of docs/tutorial.md ("## Trying shipments in the REPL"), checked against the real binary
// so that it cannot drift from what `edict repl` prints.
//
// Every fenced block of the chapter must be a REPL session block: one that starts with
// `$ ./build/bin/edict repl ARGS` starts a session, one that starts with a prompt (`NAME> ...`) continues the
// session of the block before it. In a session block, a line that starts with a prompt (`NAME> ` or the
// continuation prompt `....> `) is typed input; every other line is expected output. The inputs of a session
// are fed to `edict repl --echo ARGS` on stdin (not a terminal, NO_COLOR set, from the repository root), and
// its stdout and stderr together must match the block lines in order, the echoed input lines included.
//
// What a terminal shows and a script does not is handled explicitly:
// - the start-up banner (kBanner) is printed only on a terminal: the first block may show it once after the
//   load lines, and it must be exactly kBanner;
// - a prompt with nothing typed, as the last line of a block, is the prompt the next block types at: it must
//   be the prompt of the next block's first line, and is not expected in the output.
// A line `...` stands for any run of lines (none included), as the tutorial's introduction says.
// Trailing spaces are ignored on both sides (an editor may strip them from `.....> ` lines).
//
// The chapter loads /tmp/edict-tutorial/ai_diffusion_lpp500.edict, made in "## Changing a threshold". The
// test runs that chapter's mkdir, cp and sed commands itself, with /tmp/edict-tutorial replaced by a folder
// of its own (in the commands, the typed inputs and, back again, in the output).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tools/repl/repl.h"

namespace fs = std::filesystem;

namespace {

const fs::path kSource = EDICT_SOURCE_DIR;
const std::string kDocPath = "docs/tutorial.md";
const std::string kChapter = "## Trying shipments in the REPL";
const std::string kThresholdChapter = "## Changing a threshold";
const std::string kTutorialDir = "/tmp/edict-tutorial";
const std::string kReplCommand = "$ ./build/bin/edict repl";

struct Line {
  int doc_line;  // 1-based, in docs/tutorial.md
  std::string text;
};
using Block = std::vector<Line>;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string RightTrimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The fenced blocks between the heading `chapter` and the next `## ` heading.
std::vector<Block> ChapterBlocks(const std::vector<std::string>& doc, const std::string& chapter) {
  std::vector<Block> blocks;
  bool inside = false, fenced = false;
  for (size_t i = 0; i < doc.size(); ++i) {
    const std::string& line = doc[i];
    if (!fenced && line.rfind("## ", 0) == 0) {
      if (inside) break;
      inside = line == chapter;
      continue;
    }
    if (!inside) continue;
    if (line.rfind("```", 0) == 0) {
      fenced = !fenced;
      if (fenced) blocks.emplace_back();
      continue;
    }
    if (fenced) blocks.back().push_back({static_cast<int>(i + 1), line});
  }
  return blocks;
}

// The prompt a line starts with: `NAME> ` (NAME made of letters, digits, `_`, `~`) or `....> `; a prompt
// alone on its line (`NAME>`, trailing space stripped) counts too. nullopt when the line is output.
std::optional<std::string> PromptOf(const std::string& line) {
  size_t i = 0;
  while (i < line.size() &&
         (isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_' || line[i] == '~' || line[i] == '.'))
    ++i;
  if (i == 0 || i >= line.size() || line[i] != '>') return std::nullopt;
  std::string name = line.substr(0, i);
  bool dots = name.find_first_not_of('.') == std::string::npos;
  if (!dots && name.find('.') != std::string::npos) return std::nullopt;
  if (i + 1 < line.size() && line[i + 1] != ' ') return std::nullopt;
  return line.substr(0, i + 1) + " ";
}

bool IsContinuationPrompt(const std::string& prompt) {
  return prompt.find_first_not_of('.') == prompt.size() - 2;
}

struct Session {
  int doc_line = 0;  // of the `$ ... edict repl` line
  std::string args;
  std::vector<std::string> inputs;
  std::vector<Line> expected;  // output lines, echoed inputs included; `...` lines are elisions
};

// Splits the chapter's blocks into sessions. Fails the test (and returns what it has) on a block it does not
// know how to check.
std::vector<Session> Sessions(const std::vector<Block>& blocks) {
  std::vector<Session> sessions;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const Block& block = blocks[b];
    if (block.empty()) continue;
    size_t first = 0;
    if (block[0].text.rfind(kReplCommand, 0) == 0) {
      Session s;
      s.doc_line = block[0].doc_line;
      s.args = block[0].text.substr(kReplCommand.size());
      sessions.push_back(s);
      first = 1;
    } else if (!PromptOf(block[0].text) || IsContinuationPrompt(*PromptOf(block[0].text))) {
      ADD_FAILURE() << kDocPath << ":" << block[0].doc_line << ": this block of the REPL chapter is neither `"
                    << kReplCommand
                    << " ...` nor a session continued at a prompt; the test does not know how to check it";
      continue;
    } else if (sessions.empty()) {
      ADD_FAILURE() << kDocPath << ":" << block[0].doc_line
                    << ": a block continues a REPL session, but none was started (`" << kReplCommand
                    << " ...`)";
      continue;
    }
    Session& s = sessions.back();
    for (size_t i = first; i < block.size(); ++i) {
      const Line& line = block[i];
      std::string text = RightTrimmed(line.text);
      std::optional<std::string> prompt = PromptOf(text);
      if (prompt && text.size() <= prompt->size() - 1 && i + 1 == block.size()) {
        // The prompt waiting for the next block's input.
        const Block* next = b + 1 < blocks.size() ? &blocks[b + 1] : nullptr;
        EXPECT_TRUE(next && !next->empty() && next->front().text.rfind(*prompt, 0) == 0)
            << kDocPath << ":" << line.doc_line << ": the block ends at the prompt `" << text
            << "`, but the next block does not start there";
        continue;
      }
      if (text == edict::repl::kBanner) {
        EXPECT_TRUE(first == 1 && s.inputs.empty())
            << kDocPath << ":" << line.doc_line << ": the start-up banner can only follow `" << kReplCommand
            << "`, before anything is typed";
        continue;  // printed only on a terminal
      }
      if (prompt) s.inputs.push_back(text.size() >= prompt->size() ? text.substr(prompt->size()) : "");
      s.expected.push_back({line.doc_line, text});
    }
  }
  return sessions;
}

std::string RunShell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "popen failed\n";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

std::string Quoted(const std::string& s) {
  return "'" + ReplaceAll(s, "'", "'\\''") + "'";
}

// Matches `actual` against `expected`, where a `...` line stands for any run of lines. Returns an empty
// string on a match, otherwise a message that shows where the first piece of the doc without a match is.
std::string Mismatch(const std::vector<Line>& expected, const std::vector<std::string>& actual) {
  // Pieces between elisions; the first is anchored at the start, the last (unless the doc ends with `...`) at
  // the end, the others match at their first place after the piece before (the leftmost match never loses).
  std::vector<std::vector<Line>> pieces(1);
  for (const Line& l : expected) {
    if (l.text == "...")
      pieces.emplace_back();
    else
      pieces.back().push_back(l);
  }
  auto matches_at = [&](const std::vector<Line>& piece, size_t at) {
    size_t n = 0;
    while (n < piece.size() && at + n < actual.size() && RightTrimmed(actual[at + n]) == piece[n].text) ++n;
    return n;
  };
  auto report = [&](const std::vector<Line>& piece, size_t from, size_t to) {
    // Where the longest part of the piece matches, and the first line that differs there.
    size_t best_at = from, best = 0;
    for (size_t at = from; at <= to && at <= actual.size(); ++at)
      if (size_t n = matches_at(piece, at); n > best) best = n, best_at = at;
    std::ostringstream msg;
    const Line& want = piece[std::min(best, piece.size() - 1)];
    msg << kDocPath << ":" << want.doc_line
        << ": the REPL's output differs from the doc\n  doc:    " << want.text << "\n  output: "
        << (best_at + best < actual.size() ? RightTrimmed(actual[best_at + best]) : "(end of output)")
        << "\n";
    msg << "output around there:\n";
    size_t lo = best_at + best >= 3 ? best_at + best - 3 : 0;
    for (size_t i = lo; i < std::min(actual.size(), best_at + best + 4); ++i)
      msg << (i == best_at + best ? "> " : "  ") << actual[i] << "\n";
    return msg.str();
  };
  size_t at = 0;
  for (size_t p = 0; p < pieces.size(); ++p) {
    const std::vector<Line>& piece = pieces[p];
    if (piece.empty()) continue;
    bool first = p == 0, last = p + 1 == pieces.size();
    if (last) {
      size_t start = actual.size() >= piece.size() ? actual.size() - piece.size() : 0;
      if (start < at || matches_at(piece, start) != piece.size())
        return report(piece, first ? 0 : at, first ? 0 : actual.size());
      at = actual.size();
      continue;
    }
    if (first) {
      if (matches_at(piece, 0) != piece.size()) return report(piece, 0, 0);
      at = piece.size();
      continue;
    }
    size_t found = at;
    while (found < actual.size() && matches_at(piece, found) != piece.size()) ++found;
    if (found >= actual.size()) return report(piece, at, actual.size());
    at = found + piece.size();
  }
  if (!pieces.back().empty() && at != actual.size()) return "the output goes on after the doc's block ends\n";
  return "";
}

TEST(Tutorial, MatcherHandlesElisions) {
  auto lines = [](std::vector<std::string> texts) {
    std::vector<Line> out;
    for (auto& t : texts) out.push_back({0, t});
    return out;
  };
  EXPECT_EQ(Mismatch(lines({"a", "...", "d"}), {"a", "b", "c", "d"}), "");
  EXPECT_EQ(Mismatch(lines({"a", "...", "b"}), {"a", "b"}), "");
  EXPECT_EQ(Mismatch(lines({"a", "...", "c", "...", "c"}), {"a", "c", "x", "c"}), "");
  EXPECT_EQ(Mismatch(lines({"a", "..."}), {"a", "b"}), "");
  EXPECT_NE(Mismatch(lines({"a", "b"}), {"a", "b", "c"}), "");
  EXPECT_NE(Mismatch(lines({"a", "...", "d"}), {"a", "b", "c"}), "");
  EXPECT_NE(Mismatch(lines({"b", "...", "d"}), {"a", "b", "d"}), "");
  EXPECT_NE(Mismatch(lines({"a", "c"}), {"a", "b", "c"}), "");
}

TEST(Tutorial, PromptsAreRecognised) {
  EXPECT_EQ(PromptOf("ai_diffusion_2025> ship 1"), "ai_diffusion_2025> ");
  EXPECT_EQ(PromptOf("ai_diffusion_2025~2> :ledger"), "ai_diffusion_2025~2> ");
  EXPECT_EQ(PromptOf("ai_diffusion_2025>"), "ai_diffusion_2025> ");
  EXPECT_EQ(PromptOf(".........> "), ".........> ");
  EXPECT_EQ(PromptOf("  quota aid_lpp (x): 0 + 1"), std::nullopt);
  EXPECT_EQ(PromptOf("26898568 tpp"), std::nullopt);
  EXPECT_EQ(PromptOf("a.b> c"), std::nullopt);
  EXPECT_EQ(PromptOf("x>y"), std::nullopt);
}

TEST(Tutorial, ReplChapterMatchesTheBinary) {
  std::vector<std::string> doc = SplitLines(ReadAll(kSource / kDocPath));
  ASSERT_FALSE(doc.empty()) << "cannot read " << kDocPath;
  fs::path dir = fs::path(testing::TempDir()) / ("edict_tutorial_" + std::to_string(getpid()));
  fs::remove_all(dir);

  // The lpp500 copy, made by the commands of "Changing a threshold".
  std::vector<Block> threshold = ChapterBlocks(doc, kThresholdChapter);
  ASSERT_FALSE(threshold.empty()) << kThresholdChapter << " has no command block";
  int made = 0;
  for (const Line& line : threshold[0]) {
    for (const char* cmd : {"$ mkdir ", "$ cp ", "$ sed "}) {
      if (line.text.rfind(cmd, 0) != 0) continue;
      std::string command = ReplaceAll(line.text.substr(2), kTutorialDir, dir.string());
      int status = std::system(("cd " + Quoted(kSource.string()) + " && " + command).c_str());
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << kDocPath << ":" << line.doc_line << ": `" << command << "` failed";
      ++made;
    }
  }
  ASSERT_EQ(made, 3) << kThresholdChapter << ": expected its mkdir, cp and sed commands";
  fs::path copy = dir / "ai_diffusion_lpp500.edict";
  ASSERT_TRUE(fs::exists(copy));
  ASSERT_TRUE(ReadAll(copy) != ReadAll(kSource / "policies" / "ai_diffusion_2025.edict"))
      << "the tutorial's sed command no longer changes the policy";

  std::vector<Block> blocks = ChapterBlocks(doc, kChapter);
  ASSERT_GE(blocks.size(), 5u) << kChapter << " not found, or it lost its examples";
  std::vector<Session> sessions = Sessions(blocks);
  ASSERT_FALSE(sessions.empty());
  for (const Session& s : sessions) {
    SCOPED_TRACE(kDocPath + ":" + std::to_string(s.doc_line));
    std::string script;
    for (const std::string& in : s.inputs) script += ReplaceAll(in, kTutorialDir, dir.string()) + "\n";
    fs::path script_path = dir / ("session_" + std::to_string(s.doc_line) + ".in");
    std::ofstream(script_path, std::ios::binary) << script;
    std::string command = "cd " + Quoted(kSource.string()) + " && env -u COLUMNS NO_COLOR=1 " +
                          Quoted(EDICT_BINARY) + " repl --echo " +
                          ReplaceAll(s.args, kTutorialDir, dir.string()) + " < " +
                          Quoted(script_path.string()) + " 2>&1";
    std::string output = ReplaceAll(RunShell(command), dir.string(), kTutorialDir);
    std::string mismatch = Mismatch(s.expected, SplitLines(output));
    if (!mismatch.empty()) ADD_FAILURE() << mismatch << "the whole output was:\n" << output;
  }
  fs::remove_all(dir);
}

}  // namespace
