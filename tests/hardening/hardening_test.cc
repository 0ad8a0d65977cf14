// Regression tests for issue 13 ("no shell, no silent data loss, no false proofs"). The binary is run through
// fork/exec with an argument vector, so that hostile names reach it exactly as written.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifdef EDICT_HAVE_DIFF
#include "compiler/diff/diff.h"
#include "compiler/driver/pipeline.h"
#endif

namespace fs = std::filesystem;

namespace {

const std::string kSource = EDICT_SOURCE_DIR;
const std::string kPolicy = kSource + "/policies/us_ear_timeline.edict";
const std::string kShipments = kSource + "/examples/shipments.jsonl";

struct Result {
  int status = -1;  // exit status, or 128 + signal
  std::string out, err;
};

enum class Stdout { kCapture, kDevFull, kClosedPipe };

// Runs `edict ARGS...` in `cwd` (default: the source tree). stdin from `stdin_file` or /dev/null.
Result Edict(const std::vector<std::string>& args, Stdout where = Stdout::kCapture,
             const std::string& stdin_file = "/dev/null", const std::string& cwd = kSource) {
  std::string out_file =
      (fs::temp_directory_path() / ("edict-hard-out-" + std::to_string(getpid()))).string();
  std::string err_file =
      (fs::temp_directory_path() / ("edict-hard-err-" + std::to_string(getpid()))).string();
  int pipe_fds[2] = {-1, -1};
  if (where == Stdout::kClosedPipe) {
    EXPECT_EQ(pipe(pipe_fds), 0);
    close(pipe_fds[0]);  // nobody reads: a write fails with EPIPE (SIGPIPE is ignored below)
  }
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(120);
    int in = open(stdin_file.c_str(), O_RDONLY);
    int out = where == Stdout::kDevFull      ? open("/dev/full", O_WRONLY)
              : where == Stdout::kClosedPipe ? pipe_fds[1]
                                             : open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(121);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    signal(SIGPIPE, SIG_IGN);  // inherited through exec: the write fails instead of killing the process
    setenv("NO_COLOR", "1", 1);
    std::vector<char*> argv;
    std::string bin = EDICT_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(122);
  }
  if (where == Stdout::kClosedPipe) close(pipe_fds[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  Result r;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  r.out = where == Stdout::kCapture ? slurp(out_file) : "";
  r.err = slurp(err_file);
  fs::remove(out_file);
  fs::remove(err_file);
  return r;
}

std::string Slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A fresh temporary directory, removed at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(fs::temp_directory_path() / ("edict-hard-" + tag + "-" + std::to_string(getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---- 1. no shell: git's diff driver with hostile file names ----

TEST(NoShell, GitDriverTextualFallbackWithHostileNames) {
  TempDir dir("names");
  const std::vector<std::string> names = {
      "x';echo INJECTED;'.edict",
      "$(touch PWNED).edict",
      "`touch PWNED`.edict",
      "new\nline.edict",
      "-rf.edict",
      "--label=x.edict",
      "quote\"d \\ back.edict",
  };
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    // Not policies (a module), so the driver falls back to the textual diff with the names as labels and as
    // the files git passes.
    std::ofstream(dir / ("old-" + name)) << "module m\nconst a: int = 1\n";
    std::ofstream(dir / name) << "module m\nconst a: int = 2\n";
    Result r =
        Edict({"diff", "--git-driver", name, "old-" + name, "1111111", "100644", name, "2222222", "100644"},
              Stdout::kCapture, "/dev/null", dir.path().string());
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_TRUE(Contains(r.out, "textual diff instead")) << r.out;
    EXPECT_TRUE(Contains(r.out, "-const a: int = 1\n+const a: int = 2\n")) << r.out << r.err;
    EXPECT_FALSE(Contains(r.out, "\nINJECTED")) << r.out;
    EXPECT_FALSE(Contains(r.out, "diff could not be run")) << r.out;
    EXPECT_FALSE(fs::exists(dir / "PWNED"));
    // A name with a newline cannot forge diff lines: it is quoted as git quotes it.
    if (Contains(name, "\n")) {
      EXPECT_TRUE(Contains(r.out, "--- \"a/new\\nline.edict\"")) << r.out;
    }
  }
}

TEST(NoShell, NoSystemOrPopenInTheProduct) {
  // The product's code runs programs only through compiler/driver/process.cc (an argument vector).
  for (const char* dir : {"compiler", "runtime", "tools"}) {
    for (const auto& e : fs::recursive_directory_iterator(kSource + "/" + dir)) {
      if (e.path().extension() != ".cc" && e.path().extension() != ".h") continue;
      std::string text = Slurp(e.path());
      EXPECT_FALSE(Contains(text, "popen(")) << e.path();
      EXPECT_FALSE(Contains(text, "system(")) << e.path();
    }
  }
}

// ---- 2. no silent data loss ----

TEST(WriteFailures, EvalOutputFileOnAFullDisk) {
  Result r = Edict({"eval", kPolicy, "--input", kShipments, "--output", "/dev/full"});
  EXPECT_EQ(r.status, 74) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot write '/dev/full': No space left on device")) << r.err;
  EXPECT_FALSE(Contains(r.err, "shipments:")) << "no summary of decisions that were lost: " << r.err;
}

TEST(WriteFailures, EvalStandardOutputOnAFullDisk) {
  Result r = Edict({"eval", kPolicy, "--input", kShipments}, Stdout::kDevFull);
  EXPECT_EQ(r.status, 74) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot write standard output: No space left on device")) << r.err;
}

TEST(WriteFailures, EvalToAClosedPipeWithSigpipeIgnored) {
  for (const char* format : {"jsonl", "csv", "table"}) {
    Result r = Edict({"eval", kPolicy, "--input", kShipments, "--format", format}, Stdout::kClosedPipe);
    EXPECT_EQ(r.status, 74) << format << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "cannot write standard output: Broken pipe")) << r.err;
  }
}

TEST(WriteFailures, EveryCommandReportsAFullStandardOutput) {
  const std::vector<std::vector<std::string>> commands = {
      {"check", kPolicy},
      {"check", "--explain-codes"},
      {"test", kPolicy},
      {"doc", kPolicy},
      {"explain", kSource + "/policies/ai_diffusion_2025.edict", "--shipment",
       R"({"id":"q1","date":"2025-06-02","destination":"IN","consignee":"Indus Compute","item":"nvidia-h100-sxm","quantity":1699})"},
      {"version"},
      {"--help"},
  };
  for (const auto& args : commands) {
    Result r = Edict(args, Stdout::kDevFull);
    EXPECT_EQ(r.status, 74) << args[0] << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, "cannot write standard output: No space left on device")) << args[0] << r.err;
  }
}

TEST(WriteFailures, ReplScriptToAFullDisk) {
  TempDir dir("repl");
  std::ofstream(dir / "script") << ":help\n:policy\n";
  Result r = Edict({"repl", kPolicy}, Stdout::kDevFull, (dir / "script").string());
  EXPECT_EQ(r.status, 74) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot write standard output: No space left on device")) << r.err;
}

TEST(WriteFailures, DocOutputFileOnAFullDisk) {
  Result r = Edict({"doc", kPolicy, "--output", "/dev/full"});
  EXPECT_EQ(r.status, 74) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot write '/dev/full': No space left on device")) << r.err;
}

TEST(OutputOverInput, EvalRefusesToTruncateItsInput) {
  TempDir dir("same");
  fs::copy_file(kShipments, dir / "a.jsonl");
  fs::create_hard_link(dir / "a.jsonl", dir / "b.jsonl");
  std::string before = Slurp(dir / "a.jsonl");
  for (const char* output : {"a.jsonl", "b.jsonl"}) {
    Result r =
        Edict({"eval", kPolicy, "--input", (dir / "a.jsonl").string(), "--output", (dir / output).string()});
    EXPECT_EQ(r.status, 64) << r.err;
    EXPECT_TRUE(Contains(r.err, "is the input; not overwriting it")) << r.err;
    EXPECT_EQ(Slurp(dir / "a.jsonl"), before);
  }
  // Standard input that is the output file.
  Result r = Edict({"eval", kPolicy, "--input", "-", "--output", (dir / "a.jsonl").string()},
                   Stdout::kCapture, (dir / "a.jsonl").string());
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_EQ(Slurp(dir / "a.jsonl"), before);
  // The policy.
  fs::copy_file(kSource + "/tests/diff/fixtures/base.edict", dir / "p.edict");
  std::string policy = Slurp(dir / "p.edict");
  r = Edict(
      {"eval", (dir / "p.edict").string(), "--input", kShipments, "--output", (dir / "p.edict").string()});
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_EQ(Slurp(dir / "p.edict"), policy);
  r = Edict({"doc", (dir / "p.edict").string(), "--output", (dir / "p.edict").string()});
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_EQ(Slurp(dir / "p.edict"), policy);
}

TEST(ReadFailures, ADirectoryAsInputIsAnError) {
  Result r = Edict({"eval", kPolicy, "--input", kSource + "/examples"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot read '" + kSource + "/examples': Is a directory")) << r.err;
  EXPECT_FALSE(Contains(r.err, "0 shipments")) << r.err;
  // Standard input that is a directory: the read itself fails.
  r = Edict({"eval", kPolicy, "--input", "-"}, Stdout::kCapture, kSource + "/examples");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "cannot read standard input: Is a directory")) << r.err;
}

// ---- 3. no false proofs, numeric options validated ----

#ifdef EDICT_HAVE_DIFF
TEST(NoFalseProof, MaxClassesBelowOneIsRefused) {
  const std::string a = kSource + "/tests/diff/fixtures/base.edict";
  const std::string b = kSource + "/tests/diff/fixtures/reordered.edict";
  for (const char* n : {"0", "-1"}) {
    Result r = Edict({"diff", "--max-classes", n, a, b});
    EXPECT_EQ(r.status, 64) << r.out << r.err;
    EXPECT_FALSE(Contains(r.out, "proved")) << r.out;
  }
  // The library says nothing is proved without a search.
  edict::driver::CompileOptions options;
  auto pa = edict::driver::CompileFile(a, options), pb = edict::driver::CompileFile(b, options);
  ASSERT_TRUE(pa.ok() && pb.ok());
  edict::diff::BehaviourOptions bo;
  bo.max_classes = 0;
  edict::diff::BehaviourResult result = edict::diff::DiffBehaviour(*pa.program, *pb.program, bo);
  EXPECT_FALSE(result.proved);
  ASSERT_FALSE(result.not_covered.empty());
}

TEST(NumericOptions, TimeoutIsValidated) {
  const std::string a = kSource + "/tests/diff/fixtures/base.edict";
  const std::string b = kSource + "/tests/diff/fixtures/reordered.edict";
  for (const char* t : {"-1", "nan", "inf", "-inf", "1e9", "0.0001", "1e-300", "abc", ""}) {
    Result r = Edict({"diff", "--timeout", t, a, b});
    EXPECT_EQ(r.status, 64) << t << ": " << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, "--timeout")) << t << ": " << r.err;
  }
  for (const char* t : {"0", "30", "1000000"}) {
    Result r = Edict({"diff", "--timeout", t, a, b});
    EXPECT_EQ(r.status, 0) << t << ": " << r.out << r.err;
  }
  // 1 ms is accepted; on a busy machine a query may run out of it (status 2, "not covered"), never "proved"
  // without a search.
  Result r = Edict({"diff", "--timeout", "0.001", a, b});
  EXPECT_TRUE(r.status == 0 || r.status == 2) << r.out << r.err;
  EXPECT_FALSE(Contains(r.err, "--timeout")) << r.err;
  for (const char* n : {"-1", "abc"}) {
    Result r = Edict({"diff", "--describe-budget", n, a, b});
    EXPECT_EQ(r.status, 64) << n << ": " << r.out << r.err;
  }
}
#endif

// ---- 4. a damaged JIT object cache ----

TEST(ObjectCache, ADamagedFileIsDiscardedAndRecompiled) {
  TempDir dir("cache");
  const std::string cache = (dir / "cache").string();
  std::vector<std::string> args = {"eval", kPolicy, "--input", kShipments, "--cache-dir", cache};
  Result cold = Edict(args);
  ASSERT_EQ(cold.status, 0) << cold.err;
  std::vector<fs::path> objects;
  for (const auto& e : fs::directory_iterator(cache)) objects.push_back(e.path());
  ASSERT_FALSE(objects.empty());
  // Damage each way in turn, in place: bytes flipped in the middle (the size kept), code bytes changed near
  // the end, the file cut short, the file emptied.
  const std::vector<std::string> damages = {"middle", "tail", "truncate", "empty"};
  for (const auto& damage : damages) {
    SCOPED_TRACE(damage);
    for (const auto& object : objects) {
      std::string bytes = Slurp(object);
      ASSERT_GT(bytes.size(), 256u);
      if (damage == "middle") {
        for (size_t i = bytes.size() / 4; i < bytes.size() * 3 / 4; ++i)
          bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
      } else if (damage == "tail") {
        for (size_t i = bytes.size() - 64; i < bytes.size() - 32; ++i)
          bytes[i] = static_cast<char>(~bytes[i]);
      } else if (damage == "truncate") {
        bytes.resize(bytes.size() / 2);
      } else {
        bytes.clear();
      }
      std::ofstream(object, std::ios::binary | std::ios::trunc) << bytes;
    }
    Result warm = Edict(args);
    EXPECT_EQ(warm.status, 0) << warm.err;
    EXPECT_EQ(warm.out, cold.out);
    EXPECT_FALSE(Contains(warm.err, "JIT unavailable")) << warm.err;
    // Recompiled and written again: the next run loads it.
    for (const auto& object : objects) EXPECT_TRUE(fs::exists(object)) << object;
    Result again = Edict(args);
    EXPECT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(again.out, cold.out);
  }
}

// ---- 5. odd bytes and odd values in the data ----

std::string ExampleLine(int n = 0) {
  std::ifstream in(kShipments);
  std::string line;
  for (int i = 0; i <= n; ++i) std::getline(in, line);
  return line;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(OddData, NulInAJsonIdKeepsEveryRow) {
  TempDir dir("nul");
  std::string first = Replace(ExampleLine(0), "\"s01\"", "\"s\\u0000 01\"");
  std::ofstream(dir / "in.jsonl") << first << "\n" << ExampleLine(1) << "\n" << ExampleLine(2) << "\n";
  Result table = Edict({"eval", kPolicy, "--input", (dir / "in.jsonl").string(), "--format", "table"});
  EXPECT_EQ(table.status, 0) << table.err;
  EXPECT_TRUE(Contains(table.out, "s\\x00 01")) << table.out;
  EXPECT_TRUE(Contains(table.out, "\ns02 ")) << table.out;
  EXPECT_TRUE(Contains(table.out, "\ns03 ")) << table.out;
  EXPECT_FALSE(Contains(table.out, std::string(1, '\0')));
  Result csv = Edict({"eval", kPolicy, "--input", (dir / "in.jsonl").string(), "--format", "csv"});
  EXPECT_EQ(csv.status, 0) << csv.err;
  std::string row = std::string("s") + '\0' + " 01,";
  ASSERT_TRUE(Contains(csv.out, row)) << csv.out;
  std::string rest = csv.out.substr(csv.out.find(row));
  rest = rest.substr(0, rest.find('\n'));
  // The same row as for the id without its NUL: every cell, up to the closing quote of the citations.
  Result plain = Edict({"eval", kPolicy, "--input", kShipments, "--format", "csv"});
  std::string expected = plain.out.substr(plain.out.find("\ns01,") + 4);
  expected = expected.substr(0, expected.find('\n'));
  EXPECT_EQ(rest, std::string("s") + '\0' + " 01" + expected) << "the row is whole";
  Result jsonl = Edict({"eval", kPolicy, "--input", (dir / "in.jsonl").string()});
  EXPECT_TRUE(Contains(jsonl.out, "\"id\": \"s\\u0000 01\"") || Contains(jsonl.out, "\"id\":\"s\\u0000 01\""))
      << jsonl.out;
}

TEST(OddData, NulInAPolicyKeepsEveryDiagnostic) {
  TempDir dir("nulpolicy");
  std::string policy = Slurp(kSource + "/tests/diff/fixtures/base.edict");
  policy = Replace(policy, "const small_limit", std::string("const x") + '\0' + "y = 1\nconst small_limit");
  std::ofstream(dir / "p.edict", std::ios::binary) << policy;
  Result r = Edict({"check", (dir / "p.edict").string()});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "\u2400")) << "the NUL is shown as a picture: " << r.err;
  // What follows the NUL is there: the rest of the line, the caret line and the hint.
  EXPECT_TRUE(Contains(r.err, "const x\u2400y = 1\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, " = hint: ")) << r.err;
  EXPECT_FALSE(Contains(r.err, std::string(1, '\0')));
}

TEST(OddData, DuplicatedCsvColumnsAreAnError) {
  TempDir dir("dupcsv");
  std::ofstream(dir / "in.csv") << "id,date,destination,consignee,item,quantity,quantity\n"
                                << "c1,2025-06-02,IN,Indus,nvidia-h100-sxm,1699,1\n";
  Result r =
      Edict({"eval", kSource + "/policies/ai_diffusion_2025.edict", "--input", (dir / "in.csv").string()});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "column 'quantity' is given twice")) << r.err;
}

TEST(OddData, AByteOrderMarkIsAccepted) {
  TempDir dir("bom");
  const std::string bom = "\xEF\xBB\xBF";
  std::ofstream(dir / "in.jsonl") << bom << ExampleLine(0) << "\n";
  Result r = Edict({"eval", kPolicy, "--input", (dir / "in.jsonl").string()});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "1 shipments:")) << r.err;
  std::ofstream(dir / "in.csv") << bom << "id,date,destination,consignee,item,quantity\n"
                                << "c1,2025-06-02,IN,Indus,nvidia-h100-sxm,1699\n";
  r = Edict({"eval", kSource + "/policies/ai_diffusion_2025.edict", "--input", (dir / "in.csv").string()});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  std::ofstream(dir / "p.edict") << bom << Slurp(kSource + "/tests/diff/fixtures/base.edict");
  r = Edict({"check", (dir / "p.edict").string()});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

TEST(OddData, TextAfterAJsonObjectIsSaidSo) {
  TempDir dir("after");
  std::string line = ExampleLine(0);
  std::ofstream(dir / "in.jsonl") << line << " x\n" << line << "}\n" << line << " {}\n" << line << "\n";
  Result r = Edict({"eval", kPolicy, "--input", (dir / "in.jsonl").string()});
  EXPECT_EQ(r.status, 2);
  size_t said = 0, at = 0;
  while ((at = r.out.find("unexpected text after the object", at)) != std::string::npos) ++said, ++at;
  EXPECT_EQ(said, 3u) << r.out;
  EXPECT_FALSE(Contains(r.out, "ended early")) << r.out;
  EXPECT_TRUE(Contains(r.err, "4 shipments: 1 ")) << r.err;
}

TEST(OddData, DatesOutsideTheRangeSaySo) {
  TempDir dir("dates");
  std::ofstream(dir / "in.jsonl") << Replace(ExampleLine(0), "2024-01-22", "2200-01-01") << "\n"
                                  << Replace(ExampleLine(0), "2024-01-22", "1899-12-31") << "\n"
                                  << Replace(ExampleLine(0), "2024-01-22", "2024-02-30") << "\n";
  Result r = Edict({"eval", kPolicy, "--input", (dir / "in.jsonl").string()});
  EXPECT_EQ(r.status, 2);
  size_t said = 0, at = 0;
  while ((at = r.out.find("1900-01-01 to 2199-12-31", at)) != std::string::npos) ++said, ++at;
  EXPECT_EQ(said, 2u) << r.out;
  EXPECT_TRUE(Contains(r.out, "'2024-02-30' is not a date (YYYY-MM-DD)")) << r.out;
  r = Edict({"eval", kPolicy, "--input", kShipments, "--as-of", "2300-01-01"});
  EXPECT_EQ(r.status, 64);
  EXPECT_TRUE(Contains(r.err, "1900-01-01 to 2199-12-31")) << r.err;
}

TEST(OddData, AHugeIdentifierIsQuick) {
  TempDir dir("long");
  const std::string name(2 * 1024 * 1024, 'q');
  std::ofstream(dir / "p.edict") << Slurp(kSource + "/tests/diff/fixtures/base.edict")
                                 << "\nconst big = " << name << "\n";
  auto start = std::chrono::steady_clock::now();
  Result r = Edict({"check", (dir / "p.edict").string()});
  double check_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(Contains(r.err, "unknown name")) << r.err.substr(0, 300);
  std::ofstream(dir / "script") << name << "\n";
  start = std::chrono::steady_clock::now();
  r = Edict({"repl", kSource + "/tests/diff/fixtures/base.edict"}, Stdout::kCapture,
            (dir / "script").string());
  double repl_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, 1) << r.err;
  // Today's code spent 18 s (check) and 76 s (REPL) in the edit distance; generous bounds for sanitizers.
  EXPECT_LT(check_s, 10) << "check took " << check_s << " s";
  EXPECT_LT(repl_s, 10) << "the REPL took " << repl_s << " s";
}

}  // namespace
