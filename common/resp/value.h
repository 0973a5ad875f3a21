#pragma once
// Value: the project's one RESP2/RESP3 value, and an incremental parser for replies. Used where we
// are the client (tests, the replica's link to its master, vigil-cli, the sentinel's links) and
// for replies the sentinel core hands its shell. (libvigil-client's public `Reply` is separate: an
// installed SDK cannot expose the project's internal headers.)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::resp {

struct Value {
  enum class Type : char {
    kSimple = '+',
    kError = '-',
    kInteger = ':',
    kBulk = '$',
    kArray = '*',
    kNull = '_',
    kDouble = ',',
    kBool = '#',
    kBigNumber = '(',
    kVerbatim = '=',
    kMap = '%',
    kSet = '~',
    kPush = '>',
    kBlobError = '!',
  };
  Type type = Type::kNull;
  std::string str;  // simple, error, bulk, double/bignum text, verbatim payload (without "txt:")
  int64_t integer = 0;          // integer; bool as 0/1
  std::vector<Value> elements;  // array, set, push; map as k1,v1,k2,v2...
  bool null_array = false;      // RESP2 *-1 (as opposed to $-1)
  bool resp3_null = false;      // RESP3 _

  bool is_error() const { return type == Type::kError || type == Type::kBlobError; }
  bool is_null() const { return type == Type::kNull; }
  bool is_null_array() const { return type == Type::kNull && null_array; }
  // Simple or bulk string.
  bool IsStringLike() const { return type == Type::kSimple || type == Type::kBulk; }

  static Value Simple(std::string s) { return Make(Type::kSimple, std::move(s)); }
  static Value Error(std::string s) { return Make(Type::kError, std::move(s)); }
  static Value Bulk(std::string s) { return Make(Type::kBulk, std::move(s)); }
  static Value Integer(int64_t v) {
    Value out = Make(Type::kInteger, {});
    out.integer = v;
    return out;
  }
  static Value NullBulk() { return Make(Type::kNull, {}); }
  static Value NullArray() {
    Value out = Make(Type::kNull, {});
    out.null_array = true;
    return out;
  }
  static Value Array(std::vector<Value> elements) {
    Value out = Make(Type::kArray, {});
    out.elements = std::move(elements);
    return out;
  }

  friend bool operator==(const Value&, const Value&) = default;

 private:
  static Value Make(Type t, std::string s) {
    Value out;
    out.type = t;
    out.str = std::move(s);
    return out;
  }
};

// A compact, unambiguous rendering for tests and traces: +OK, -ERR x, :1, "bulk", (nil),
// (nil-array), [a, b].
std::string DebugString(const Value& value);

// Incremental reply parser. Feed() returns the number of bytes consumed; when a whole value was
// read, *out holds it. Returns nullopt-equivalent (0 consumed, no value) when more bytes are
// needed.
class ReplyParser {
 public:
  enum class Status { kNeedMore, kValue, kError };
  Status Parse(std::string_view data, size_t* consumed, Value* out);
  const std::string& error() const { return error_; }

 private:
  Status ParseOne(std::string_view data, size_t* pos, Value* out, int depth);
  std::string error_;
};

// Renders a value back to RESP bytes (RESP3 forms where the value is RESP3-typed).
std::string Encode(const Value& v);

// Builds the multibulk encoding of a command, as clients send it.
std::string EncodeCommand(const std::vector<std::string>& argv);

}  // namespace vigil::resp
