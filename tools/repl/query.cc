#include "tools/repl/query.h"

#include <vector>

#include "runtime/io/reader.h"

namespace edict::repl {

namespace {

struct Token {
  enum Kind { kWord, kString, kEquals, kEnd } kind = kEnd;
  std::string text;
  int col = 0, end_col = 0;
};

bool Tokenize(std::string_view s, std::vector<Token>* out, QueryError* error) {
  size_t i = 0;
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    Token t;
    t.col = static_cast<int>(i);
    if (i >= s.size()) {
      t.end_col = t.col;
      out->push_back(t);
      return true;
    }
    if (s[i] == '#') {
      // A comment to the end of the line, as in policies.
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (s[i] == '"') {
      // Escapes as in policy texts: \" and \\, \n and \t; a backslash before any other character keeps it.
      size_t j = i + 1;
      std::string text;
      while (j < s.size() && s[j] != '"' && s[j] != '\n') {
        if (s[j] == '\\' && j + 1 < s.size() && s[j + 1] != '\n') {
          char c = s[j + 1];
          text.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
          j += 2;
        } else {
          text.push_back(s[j++]);
        }
      }
      if (j >= s.size() || s[j] != '"') {
        *error = {"this text has no closing quote", "write a quote inside a text as \\\"",
                  static_cast<int>(i), static_cast<int>(j)};
        return false;
      }
      t.kind = Token::kString;
      t.text = std::move(text);
      i = j + 1;
    } else if (s[i] == '=') {
      t.kind = Token::kEquals;
      t.text = "=";
      ++i;
    } else {
      size_t j = i;
      while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '"' && s[j] != '=' && s[j] != '\r' &&
             s[j] != '\n' && s[j] != '#')
        ++j;
      t.kind = Token::kWord;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    }
    t.end_col = static_cast<int>(i);
    out->push_back(t);
  }
}

// How each schema field is written in the short form, for "missing ..." hints.
std::string OptionFor(const std::string& field) {
  if (field == "destination") return "to CC";
  if (field == "consignee") return "consignee \"NAME\"";
  if (field == "date") return "on YYYY-MM-DD, or set a date for every query with :as-of";
  return "with " + field + " = VALUE";
}

class Parser {
 public:
  Parser(const ir::Program& program, std::vector<Token> tokens, interp::Record* rec, QueryError* error)
      : program_(program), reader_(program), tokens_(std::move(tokens)), rec_(rec), error_(error) {}

  bool Run(const QueryDefaults& defaults);

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool Fail(const Token& t, std::string message, std::string hint = "") {
    *error_ = {std::move(message), std::move(hint), t.col, std::max(t.end_col, t.col + 1)};
    return false;
  }
  bool Expect(Token::Kind kind, const char* what, Token* out) {
    const Token& t = Next();
    if (t.kind != kind)
      return Fail(t, std::string("expected ") + what + (t.kind == Token::kEnd ? " here" : ""));
    *out = t;
    return true;
  }
  bool Set(const std::string& field, const Token& value, const Token& where);
  bool Option(const Token& word);

  const ir::Program& program_;
  io::RecordParser reader_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  interp::Record* rec_;
  QueryError* error_;
  std::vector<bool> given_;
};

// A number's digit groups: `1,500` and `26_900_000` are read as 1500 and 26900000, but `1,5` is a mistake
// (for 1.5 or 15?), and the number reader would silently take it as 15. Groups after the first have three
// digits.
bool GroupedWell(const std::string& number) {
  std::string whole = number.substr(0, number.find_first_of(".eE"));
  if (whole.find_first_of(",_") == std::string::npos) return true;
  size_t digits = 0;
  bool first = true;
  for (char c : whole) {
    if (c == ',' || c == '_') {
      if (digits == 0 || digits > 3 || (!first && digits != 3)) return false;
      first = false;
      digits = 0;
    } else {
      ++digits;
    }
  }
  return digits == 3;
}

// False for a whole number (digit groups allowed) beyond the 64-bit range; true for anything else, which the
// record reader then judges.
bool InInt64(const std::string& number) {
  std::string digits;
  for (char c : number) {
    if (c == ',' || c == '_') continue;
    if (!isdigit(static_cast<unsigned char>(c))) return true;
    digits.push_back(c);
  }
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return true;
  digits = digits.substr(first);
  const std::string max = "9223372036854775807";
  return digits.size() < max.size() || (digits.size() == max.size() && digits <= max);
}

bool Parser::Set(const std::string& field, const Token& value, const Token& where) {
  int index = program_.FieldIndex(field);
  if (index < 0) return Fail(where, "the schema has no field '" + field + "'");
  if (given_[index]) return Fail(where, "field '" + field + "' is given twice");
  if (value.kind == Token::kWord && !value.text.empty() &&
      isdigit(static_cast<unsigned char>(value.text[0])) && !GroupedWell(value.text))
    return Fail(value,
                "'" + value.text + "' is not a number: digit groups after a ',' or '_' have three digits",
                "write 1,500 or 1500; a fraction uses '.'");
  if (value.kind == Token::kWord && program_.fields[index].count && !InInt64(value.text))
    return Fail(value, "field '" + field + "' is out of range: at most 9223372036854775807 (64 bits)");
  given_[index] = true;
  std::string message;
  if (!reader_.FromText(index, value.text, rec_, &message)) return Fail(value, message);
  return true;
}

bool Parser::Option(const Token& word) {
  Token value;
  const std::string& w = word.text;
  auto text_option = [&](const char* field) {
    return Expect(Token::kString, "a quoted text", &value) && Set(field, value, word);
  };
  auto word_option = [&](const char* field, const char* what) {
    return Expect(Token::kWord, what, &value) && Set(field, value, word);
  };
  if (w == "to") return word_option("destination", "a country code");
  if (w == "consignee") return text_option("consignee");
  if (w == "on") return word_option("date", "a date (YYYY-MM-DD)");
  if (w == "hq") return word_option("consignee_hq", "a country code");
  if (w == "veu") return word_option("veu", "a VEU kind");
  if (w == "exporter") return text_option("exporter");
  if (w == "from") return word_option("exporter_country", "a country code");
  if (w == "id") return text_option("id");
  if (w == "end") {
    Token what = Next();
    if (what.kind == Token::kWord && what.text == "use") return word_option("end_use", "an end use");
    if (what.kind == Token::kWord && what.text == "user") return text_option("end_user");
    return Fail(what, "expected `use` or `user` after `end`");
  }
  if (w == "open") {
    Token what = Next();
    if (what.kind != Token::kWord || what.text != "weights")
      return Fail(what, "expected `weights` after `open`");
    Token yes = what;
    yes.text = "true";
    return Set("open_weights", yes, word);
  }
  if (w == "training") {
    Token ops = Next();
    if (ops.kind != Token::kWord || ops.text != "ops") return Fail(ops, "expected `ops` after `training`");
    if (!Expect(Token::kWord, "a number of operations", &value) || !Set("training_ops", value, word))
      return false;
    if (Peek().kind == Token::kWord && Peek().text == "ops") Next();  // the unit, optional
    return true;
  }
  if (w == "with") {
    Token name, eq;
    if (!Expect(Token::kWord, "a field name", &name) || !Expect(Token::kEquals, "`=`", &eq)) return false;
    value = Next();
    if (value.kind != Token::kWord && value.kind != Token::kString) return Fail(value, "expected a value");
    return Set(name.text, value, name);
  }
  std::string options;
  for (const auto& o : ShipOptionWords()) options += (options.empty() ? "" : ", ") + o;
  return Fail(word, "unknown shipment option '" + w + "'", "options: " + options);
}

bool Parser::Run(const QueryDefaults& defaults) {
  rec_->values.assign(program_.fields.size(), Value{});
  rec_->strings.clear();
  given_.assign(program_.fields.size(), false);
  Token ship = Next();
  if (ship.kind != Token::kWord || ship.text != "ship") return Fail(ship, "a query starts with `ship`");
  Token quantity, item;
  if (!Expect(Token::kWord, "a quantity", &quantity) || !Set("quantity", quantity, quantity)) return false;
  item = Next();
  if (item.kind != Token::kWord && item.kind != Token::kString)
    return Fail(item, "expected an item (a catalog id)");
  if (!Set("item", item, item)) return false;
  while (Peek().kind != Token::kEnd) {
    Token word = Next();
    if (word.kind != Token::kWord) return Fail(word, "expected a shipment option");
    if (!Option(word)) return false;
  }
  int id = program_.id_field, date = program_.date_field;
  if (id >= 0 && !given_[id]) rec_->values[id] = Value::Text(rec_->Keep(defaults.id));
  if (date >= 0 && !given_[date] && defaults.has_date) rec_->values[date] = Value::Date(defaults.date);
  for (size_t i = 0; i < program_.fields.size(); ++i) {
    const ir::Field& f = program_.fields[i];
    if (f.kind == ir::Field::kInput && !f.value && rec_->values[i].absent())
      return Fail(Peek(), "this shipment has no " + f.name, "add " + OptionFor(f.name));
  }
  return true;
}

}  // namespace

const std::vector<std::string>& ShipOptionWords() {
  static const std::vector<std::string> words = {
      "to",           "consignee",    "on",       "hq",   "end use", "end user", "veu",
      "training ops", "open weights", "exporter", "from", "id",      "with"};
  return words;
}

bool ParseShipQuery(const ir::Program& program, std::string_view text, const QueryDefaults& defaults,
                    interp::Record* rec, QueryError* error) {
  std::vector<Token> tokens;
  if (!Tokenize(text, &tokens, error)) return false;
  Parser parser(program, std::move(tokens), rec, error);
  return parser.Run(defaults);
}

}  // namespace edict::repl
