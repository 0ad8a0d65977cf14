// The shell completions and the man page are generated from the CLI11 definitions (`edict completions
// bash|zsh`, `edict man`): each lists every command and option --help shows, bash and zsh accept the scripts,
// bash's completes what a user types, groff renders the page without a warning, and the build installs them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/cli/run.h"

namespace fs = std::filesystem;
using edict::test::Contains;
using edict::test::Edict;
using edict::test::Outcome;
using edict::test::RunArgs;
using edict::test::TempDir;

namespace {

// The commands `edict --help` lists.
std::vector<std::string> HelpCommands() {
  Outcome help = Edict({"--help"});
  std::vector<std::string> commands;
  std::istringstream in(help.out.substr(help.out.find("Subcommands:")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && line.size() > 2 && line.rfind("  ", 0) == 0)
    commands.push_back(line.substr(2, line.find(' ', 2) - 2));
  return commands;
}

// The option names `edict COMMAND --help` lists ("-i", "--input", ...).
std::set<std::string> HelpOptions(const std::string& command) {
  Outcome help = Edict({command, "--help"});
  std::set<std::string> names;
  std::istringstream in(help.out.substr(help.out.find("Options:")));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("  -", 0) != 0) continue;
    std::string first = line.substr(2, line.find(' ', 2) - 2);
    std::stringstream parts(first);
    for (std::string name; std::getline(parts, name, ',');) names.insert(name);
  }
  return names;
}

// What the generated bash function offers for the words typed (the last one being completed).
std::set<std::string> BashComplete(const fs::path& script, const std::string& typed) {
  const std::string program =
      "source \"$1\"; read -ra COMP_WORDS <<< \"$2\"; [[ $2 == *' ' ]] && COMP_WORDS+=(''); "
      "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _edict; printf '%s\\n' \"${COMPREPLY[@]}\"";
  Outcome r = RunArgs({"bash", "-c", program, "bash", script.string(), typed});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "") << typed;
  std::set<std::string> words;
  std::istringstream in(r.out);
  for (std::string w; std::getline(in, w);)
    if (!w.empty()) words.insert(w);
  return words;
}

TEST(Completions, BashAcceptsTheScriptAndItCompletesEveryCommandAndOption) {
  TempDir dir("bash");
  Outcome gen = Edict({"completions", "bash"});
  ASSERT_EQ(gen.status, 0) << gen.err;
  std::ofstream(dir / "edict.bash") << gen.out;
  Outcome syntax = RunArgs({"bash", "-n", (dir / "edict.bash").string()});
  EXPECT_EQ(syntax.status, 0) << syntax.err;
  std::vector<std::string> commands = HelpCommands();
  ASSERT_GE(commands.size(), 10u);
  std::set<std::string> all(commands.begin(), commands.end());
  EXPECT_EQ(BashComplete(dir / "edict.bash", "edict "), all);
  EXPECT_EQ(BashComplete(dir / "edict.bash", "edict ev"), (std::set<std::string>{"eval"}));
  for (const auto& command : commands) {
    SCOPED_TRACE(command);
    std::set<std::string> options = HelpOptions(command);
    ASSERT_FALSE(options.empty());
    std::set<std::string> offered = BashComplete(dir / "edict.bash", "edict " + command + " -");
    EXPECT_EQ(offered, options);
  }
  // Values: a fixed set, folders, files; after a global option the command is still found.
  EXPECT_EQ(BashComplete(dir / "edict.bash", "edict eval policies/ai_diffusion_2025.edict --format "),
            (std::set<std::string>{"jsonl", "csv", "table"}));
  EXPECT_EQ(BashComplete(dir / "edict.bash", "edict --color never test --c"),
            (std::set<std::string>{"--coverage"}));
  EXPECT_EQ(BashComplete(dir / "edict.bash", "edict --stdlib std"), (std::set<std::string>{"stdlib"}));
  EXPECT_EQ(BashComplete(dir / "edict.bash", "edict test policies/ai_diff"),
            (std::set<std::string>{"policies/ai_diffusion_2025.edict"}));
}

TEST(Completions, ZshAcceptsTheScriptAndItListsEveryCommandAndOption) {
  Outcome gen = Edict({"completions", "zsh"});
  ASSERT_EQ(gen.status, 0) << gen.err;
  TempDir dir("zsh");
  std::ofstream(dir / "_edict") << gen.out;
  Outcome syntax = RunArgs({"zsh", "-n", (dir / "_edict").string()});
  EXPECT_EQ(syntax.status, 0) << syntax.err;
  EXPECT_EQ(gen.out.rfind("#compdef edict\n", 0), 0u);
  for (const auto& command : HelpCommands()) {
    EXPECT_TRUE(Contains(gen.out, "        '" + command + ":")) << command << " not in the command list";
    EXPECT_TRUE(Contains(gen.out, "        " + command + ")\n")) << command << " has no argument branch";
    for (const auto& option : HelpOptions(command))
      EXPECT_TRUE(Contains(gen.out, option + "[")) << command << " " << option;
  }
}

TEST(ManPage, GroffRendersItWithoutWarningsAndItListsEveryCommandAndOption) {
  Outcome man = Edict({"man"});
  ASSERT_EQ(man.status, 0) << man.err;
  TempDir dir("man");
  std::ofstream(dir / "edict.1") << man.out;
  Outcome groff = RunArgs({"groff", "-man", "-Tutf8", "-ww", "-z", (dir / "edict.1").string()});
  EXPECT_EQ(groff.status, 0);
  EXPECT_EQ(groff.err, "") << "groff warnings";
  for (const auto& command : HelpCommands()) {
    EXPECT_TRUE(Contains(man.out, ".SS \"" + command + "\"\n")) << command;
    for (std::string option : HelpOptions(command)) {
      std::string roff;
      for (char c : option) roff += c == '-' ? std::string("\\-") : std::string(1, c);
      EXPECT_TRUE(Contains(man.out, "\\fB" + roff + "\\fR")) << command << " " << option;
    }
  }
  EXPECT_TRUE(Contains(man.out, "(default: jsonl)")) << "eval --format's default";
}

TEST(Build, GeneratesWhatTheBinaryPrints) {
  // The build ran the same commands into its cli-docs folder, which `cmake --install` installs.
  const fs::path docs = EDICT_CLI_DOCS_DIR;
  EXPECT_EQ(edict::test::Slurp(docs / "edict.bash"), Edict({"completions", "bash"}).out);
  EXPECT_EQ(edict::test::Slurp(docs / "_edict"), Edict({"completions", "zsh"}).out);
  EXPECT_EQ(edict::test::Slurp(docs / "edict.1"), Edict({"man"}).out);
  Outcome gunzip = RunArgs({"gzip", "-dc", (docs / "edict.1.gz").string()});
  EXPECT_EQ(gunzip.out, Edict({"man"}).out);
}

}  // namespace
