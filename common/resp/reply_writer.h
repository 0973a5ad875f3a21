#pragma once
// Appends RESP replies to an output buffer in the protocol the connection negotiated. Commands
// describe replies by meaning (a map, a set, a double, a null) and the writer renders RESP2's
// flat forms or RESP3's typed forms, the way Redis's addReply* family does.
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::resp {

class ReplyWriter {
 public:
  explicit ReplyWriter(std::string* out, int proto = 2) : out_(out), proto_(proto) {}

  int proto() const { return proto_; }
  void set_proto(int proto) { proto_ = proto; }
  std::string* buffer() { return out_; }

  void Ok() { out_->append("+OK\r\n", 5); }
  void Simple(std::string_view s);
  // `msg` is the whole error text, starting with its code ("ERR ...", "WRONGTYPE ...").
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void BulkInt(int64_t v);  // an integer sent as a bulk string
  void Null();              // $-1 or _
  void NullArray();         // *-1 or _
  void Array(size_t n);
  void Map(size_t pairs);  // RESP2: array of 2n
  void Set(size_t n);      // RESP2: array
  void Push(size_t n);     // RESP2: array
  void Double(double d);   // RESP2: bulk "%.17g"; RESP3: ",..."
  void Bool(bool b);       // RESP2: :1/:0
  void Verbatim(std::string_view s, std::string_view format = "txt");  // RESP2: bulk
  void EmptyArray() { out_->append("*0\r\n", 4); }
  void Raw(std::string_view bytes) { out_->append(bytes); }

 private:
  void Header(char type, int64_t n);
  std::string* out_;
  int proto_;
};

struct Value;
// Writes a decoded value back in the writer's protocol, converting RESP3 types to their RESP2
// forms (map → flat array, set → array, double → bulk, bool → integer) as Redis does.
void WriteValue(ReplyWriter& w, const Value& v);

// Formats a double the way Redis 7.0's addReplyDouble does (%.17g, inf/-inf spelled out).
std::string FormatDouble(double d);
// Formats a long double the way INCRBYFLOAT/HINCRBYFLOAT do: %.17Lg, no exponent, no trailing
// zeros ("humanfriendly" ld2string).
std::string FormatLongDouble(long double d);

}  // namespace vigil::resp
