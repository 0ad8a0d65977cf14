#include "tools/serve/request.h"

#include <simdjson.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "runtime/date.h"

namespace edict::serve {

namespace {

const std::vector<std::string> kMembers = {"shipment", "shipments", "record", "explain", "as_of"};

bool Fail(RequestError* error, int status, std::string message, std::string field = "",
          std::string hint = "") {
  *error = RequestError{status, std::move(message), std::move(field), std::move(hint), -1};
  return false;
}

// Follows a SAX parse to name the member it was in when it failed: `shipments[2].quantity`.
class PathSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    stack_.push_back({false, 0, ""});
    return true;
  }
  bool key(string_t& k) override {
    stack_.back().key = k.size() > 64 ? k.substr(0, 64) + "..." : k;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return Value();
  }
  bool start_array(std::size_t) override {
    stack_.push_back({true, 0, ""});
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return Value();
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    failed_ = true;
    position_ = position;
    message_ = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 9: ..." -> "parse error at ..."
    if (message_.rfind("[json.exception.", 0) == 0) {
      size_t close = message_.find("] ");
      if (close != std::string::npos) message_ = message_.substr(close + 2);
    }
    return false;
  }

  bool failed() const { return failed_; }
  size_t position() const { return position_; }
  const std::string& message() const { return message_; }
  std::string Path() const {
    std::string out;
    for (const Frame& f : stack_) {
      if (f.array) {
        out += "[" + std::to_string(f.count) + "]";
      } else if (!f.key.empty()) {
        if (!out.empty()) out += ".";
        out += f.key;
      }
    }
    return out;
  }

 private:
  struct Frame {
    bool array;
    size_t count;  // values completed in an array
    std::string key;
  };
  bool Value() {
    if (!stack_.empty() && stack_.back().array) ++stack_.back().count;
    return true;
  }
  std::vector<Frame> stack_;
  bool failed_ = false;
  size_t position_ = 0;
  std::string message_;
};

}  // namespace

bool DescribeSyntaxError(std::string_view body, RequestError* error) {
  PathSax sax;
  try {
    nlohmann::json::sax_parse(body.begin(), body.end(), &sax, nlohmann::json::input_format_t::json, true);
  } catch (const std::exception& e) {
    Fail(error, 400, std::string("not valid JSON: ") + e.what());
    return true;
  }
  if (!sax.failed()) return false;
  *error = RequestError{400, "not valid JSON: " + sax.message(), sax.Path(), "",
                        static_cast<long>(sax.position())};
  // nlohmann counts the position from 1 (the byte it stopped at); the body's bytes count from 0.
  if (error->offset > 0) --error->offset;
  return true;
}

namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string DidYouMean(std::string_view given, const std::vector<std::string>& candidates) {
  if (given.empty() || given.size() > 128) return "";
  std::string best;
  size_t best_d = given.size() / 3 + 1;
  for (const std::string& c : candidates) {
    size_t gap = c.size() > given.size() ? c.size() - given.size() : given.size() - c.size();
    if (gap >= best_d) continue;
    size_t d = EditDistance(given, c);
    if (d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best.empty() ? "" : "did you mean `" + best + "`?";
}

struct RequestReader::Impl {
  simdjson::ondemand::parser parser;
  std::string buffer;  // the body, padded as simdjson requires; shipments are views into it
};

RequestReader::RequestReader() : impl_(std::make_unique<Impl>()) {}
RequestReader::~RequestReader() = default;

bool RequestReader::Read(std::string_view body, RequestKind kind, ShipmentsRequest* out,
                         RequestError* error) {
  using namespace simdjson;
  *out = ShipmentsRequest{};
  const char* shape = kind == RequestKind::kExplain
                          ? "{\"shipment\": {...}}"
                          : "{\"shipment\": {...}} or {\"shipments\": [{...}, ...]}";
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return Fail(error, 400, std::string("the body is empty; send ") + shape);
  impl_->buffer.assign(body.data(), body.size());
  impl_->buffer.append(SIMDJSON_PADDING, ' ');
  auto syntax = [&](error_code err) {
    if (!DescribeSyntaxError(body, error))
      Fail(error, 400, std::string("not valid JSON (") + error_message(err) + ")");
    return false;
  };
  auto wrong_type = [&](std::string field, std::string what) {
    // A document that is not JSON at all is reported as such, wherever simdjson first noticed.
    if (DescribeSyntaxError(body, error)) return false;
    return Fail(error, 400, "'" + field + "' " + what, field);
  };
  ondemand::document doc;
  if (auto err = impl_->parser.iterate(impl_->buffer.data(), body.size(), impl_->buffer.size()).get(doc))
    return syntax(err);
  ondemand::object obj;
  if (auto err = doc.get_object().get(obj)) {
    if (err != INCORRECT_TYPE || DescribeSyntaxError(body, error)) return syntax(err);
    return Fail(error, 400, std::string("the body must be a JSON object: ") + shape);
  }
  bool seen[5] = {};
  for (auto member : obj) {
    std::string_view key;
    if (auto err = member.unescaped_key().get(key)) return syntax(err);
    ondemand::value value;
    if (auto err = member.value().get(value)) return syntax(err);
    auto at = std::find(kMembers.begin(), kMembers.end(), key);
    if (at == kMembers.end()) {
      std::string hint = DidYouMean(key, kMembers);
      if (hint.empty())
        hint = std::string("a request is ") + shape + ", with optional \"as_of\"" +
               (kind == RequestKind::kDecide ? ", \"record\" and \"explain\"" : "");
      std::string shown(key.substr(0, 64));
      return Fail(error, 422, "unknown member '" + shown + "' of the request", shown, hint);
    }
    size_t which = static_cast<size_t>(at - kMembers.begin());
    if (seen[which]) return Fail(error, 422, "'" + std::string(key) + "' is given twice", std::string(key));
    seen[which] = true;
    if (key == "shipment") {
      ondemand::object o;
      if (auto err = value.get_object().get(o))
        return err == INCORRECT_TYPE ? wrong_type("shipment", "must be a JSON object (one shipment)")
                                     : syntax(err);
      std::string_view text;
      if (auto err = o.raw_json().get(text)) return syntax(err);
      out->shipments.push_back(text);
    } else if (key == "shipments") {
      if (kind == RequestKind::kExplain)
        return Fail(error, 422, "explain takes one shipment", "shipments", "send {\"shipment\": {...}}");
      ondemand::array a;
      if (auto err = value.get_array().get(a))
        return err == INCORRECT_TYPE ? wrong_type("shipments", "must be a JSON array of shipment objects")
                                     : syntax(err);
      for (auto element : a) {
        std::string field = "shipments[" + std::to_string(out->shipments.size()) + "]";
        ondemand::value v;
        if (auto err = element.get(v)) return syntax(err);
        ondemand::object o;
        if (auto err = v.get_object().get(o))
          return err == INCORRECT_TYPE ? wrong_type(field, "must be a JSON object (a shipment)")
                                       : syntax(err);
        std::string_view text;
        if (auto err = o.raw_json().get(text)) return syntax(err);
        out->shipments.push_back(text);
      }
      out->many = true;
    } else if (key == "record" || key == "explain") {
      bool b = false;
      if (auto err = value.get_bool().get(b))
        return err == INCORRECT_TYPE ? wrong_type(std::string(key), "must be true or false") : syntax(err);
      (key == "record" ? out->record : out->explain) = b;
    } else {  // as_of
      std::string_view s;
      if (auto err = value.get_string().get(s))
        return err == INCORRECT_TYPE ? wrong_type("as_of", "must be a date as a string, \"YYYY-MM-DD\"")
                                     : syntax(err);
      auto d = ParseDate(s);
      if (!d)
        return Fail(error, 422, "'as_of': '" + std::string(s.substr(0, 64)) + "' " + DateError(s), "as_of",
                    "a date such as \"2025-06-02\"");
      out->has_as_of = true;
      out->as_of = *d;
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == SUCCESS) {
    if (DescribeSyntaxError(body, error)) return false;
    return Fail(error, 400, "not valid JSON: text after the request object");
  }
  if (!seen[0] && !seen[1])
    return Fail(error, 422, "the request names no shipment", "", std::string("send ") + shape);
  if (seen[0] && seen[1])
    return Fail(error, 422, "give either 'shipment' or 'shipments', not both", "shipments");
  if (kind == RequestKind::kExplain && out->record)
    return Fail(error, 422, "explain is a what-if: it records nothing", "record", "leave out \"record\"");
  if (kind == RequestKind::kExplain && seen[3])
    return Fail(error, 422, "explain always shows the quota figures", "explain", "leave out \"explain\"");
  if (out->record && out->has_as_of)
    return Fail(error, 422, "'as_of' is a what-if and is not recorded", "as_of",
                "leave out \"as_of\" to record, or \"record\" to try the date");
  return true;
}

}  // namespace edict::serve
