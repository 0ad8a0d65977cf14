// What a user at a terminal sees (a pseudo-terminal drives the binary): `eval` and `impact` reading standard
// input say so.
#include <gtest/gtest.h>

#include "tests/cli/pty.h"
#include "tests/cli/run.h"

namespace {

using edict::test::Contains;
using edict::test::Pty;

const char* kLine =
    R"({"id":"t1","date":"2025-06-02","destination":"IN","consignee":"Indus Compute","item":"nvidia-h100-sxm","quantity":1699})";

TEST(Terminal, EvalWithoutInputSaysItReadsStandardInput) {
  Pty term({"eval", "policies/ai_diffusion_2025.edict"});
  ASSERT_TRUE(term.started());
  ASSERT_TRUE(term.WaitFor("edict eval: reading shipments from standard input")) << term.screen();
  term.Type(std::string(kLine) + "\n");
  term.Type("\x04");  // Ctrl-D at the start of a line: the end of the input
  ASSERT_TRUE(term.WaitFor("\"id\":\"t1\"")) << term.screen();
  ASSERT_TRUE(term.WaitFor("1 shipments: 1 license_exception")) << term.screen();
  EXPECT_EQ(term.Finish(), 0) << term.screen();
}

TEST(Terminal, ImpactWithoutInputSaysItReadsStandardInput) {
  Pty term({"impact", "policies/ai_diffusion_2025.edict", "policies/licensing_regime_draft.edict"});
  ASSERT_TRUE(term.started());
  ASSERT_TRUE(term.WaitFor("edict impact: reading shipments from standard input")) << term.screen();
  term.Type(std::string(kLine) + "\n\x04");
  ASSERT_TRUE(term.WaitFor("1 shipments:")) << term.screen();
  EXPECT_EQ(term.Finish(), 0) << term.screen();
}

TEST(Terminal, NoNoteWhenStandardInputIsAFileOrGivenByName) {
  // Standard input from a file: no note (the golden tests run the same way, with a file named).
  edict::test::Outcome piped =
      edict::test::RunArgs({EDICT_BINARY, "eval", "policies/ai_diffusion_2025.edict"}, {}, {},
                           EDICT_SOURCE_DIR "/examples/shipments.jsonl");
  EXPECT_EQ(piped.status, 0) << piped.err;
  EXPECT_FALSE(Contains(piped.err, "reading shipments")) << piped.err;
  // A terminal, but the shipments come from a file.
  Pty term({"eval", "policies/ai_diffusion_2025.edict", "--input", "examples/shipments.jsonl"});
  EXPECT_EQ(term.Finish(), 0) << term.screen();
  EXPECT_FALSE(Contains(term.screen(), "reading shipments")) << term.screen();
  EXPECT_TRUE(Contains(term.screen(), " shipments: ")) << term.screen();
}

}  // namespace
