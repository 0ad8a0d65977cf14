#include "compiler/diag/diagnostics.h"

#include <gtest/gtest.h>

namespace edict {
namespace {

TEST(Diagnostics, RendersLocationSourceLineCaretAndHint) {
  SourceFile file("p.edict", "rule r\n  when destination in d5_and_macao\n");
  Diagnostic d;
  d.code = "E0202";
  d.message = "unknown name 'd5_and_macao'";
  d.span = Span{&file, 2, 22, 2, 34};
  d.hint = "did you mean `d5_and_macau`?";
  EXPECT_EQ(Render(d),
            "p.edict:2:23: error[E0202]: unknown name 'd5_and_macao'\n"
            " 2 |   when destination in d5_and_macao\n"
            "   |                       ^~~~~~~~~~~~\n"
            " = hint: did you mean `d5_and_macau`?\n");
}

TEST(Diagnostics, SortsByFileLineAndColumn) {
  SourceFile a("a.edict", "x\ny\n"), b("b.edict", "z\n");
  DiagnosticList list;
  list.Error("E1", Span{&b, 1, 0, 1, 1}, "b1");
  list.Error("E2", Span{&a, 2, 0, 2, 1}, "a2");
  list.Warning("W3", Span{&a, 1, 0, 1, 1}, "a1");
  list.Sort();
  EXPECT_EQ(list.items()[0].message, "a1");
  EXPECT_EQ(list.items()[1].message, "a2");
  EXPECT_EQ(list.items()[2].message, "b1");
  EXPECT_TRUE(list.HasErrors());
}

TEST(Diagnostics, CaretCountsCodePointsNotBytes) {
  SourceFile file("p.edict", "const x = \"caf\xc3\xa9\" + y\n");
  Diagnostic d;
  d.code = "E0301";
  d.message = "m";
  d.span = Span{&file, 1, 19, 1, 20};  // `y`, after one two-byte character
  std::string out = Render(d);
  EXPECT_NE(out.find("\n   |                    ^\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace edict
