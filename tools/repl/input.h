// What a piece of typed input is, and whether it is complete. A declaration may span lines: braces must
// balance, and a rule, exception, quota or function (whose clauses sit on indented lines) ends with an empty
// line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edict::repl {

enum class InputKind { kEmpty, kCommand, kJsonQuery, kShipQuery, kDeclaration, kExpression };

InputKind Classify(std::string_view input);

// True when `buffer` (the lines typed so far, each ending in '\n') needs more lines before it can be handled.
bool NeedsMore(std::string_view buffer);

// True when `line` is a command (`:help`, `:quit`, ...). Typed on a continuation line, a command ends the
// unfinished input before it, so that a stray `///` or an open brace cannot trap the session.
bool StartsCommand(std::string_view line);

// The first word of the first line that is not a doc comment ("rule", "const", ...).
std::string FirstWord(std::string_view input);

// The name a declaration declares (`pilot_cap` of `const pilot_cap = ...`, `"its text"` of a test); "" for an
// import or a withdrawal.
std::string DeclaredName(std::string_view input);

std::string Trim(std::string_view s);

// A file name as typed after `:load`: surrounding quotes removed, and a leading `~` or `~/` meaning $HOME.
std::string TypedPath(std::string_view typed);

// What the history keeps of an input typed over several lines: one line, so that Up recalls all of it (a
// declaration, a query or an expression reads the same with its line breaks as spaces), unless a line holds a
// `#` or `///` (a comment or doc comment runs to the end of its line, so joining would swallow what follows)
// or a text goes on to the next line: such input is kept line by line.
std::vector<std::string> HistoryEntries(const std::vector<std::string>& lines);

}  // namespace edict::repl
