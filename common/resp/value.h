#pragma once
// A decoded RESP2/RESP3 reply, and an incremental parser for replies. Used where we are the
// client: tests, the replica's link to its master, vigil-cli, and the sentinel's typed decoders.
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
};

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
