#include "common/resp/reply_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/resp/value.h"

namespace vigil::resp {

void ReplyWriter::Header(char type, int64_t n) {
  char buf[32];
  buf[0] = type;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  *end++ = '\r';
  *end++ = '\n';
  out_->append(buf, size_t(end - buf));
}

void ReplyWriter::Simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::Error(std::string_view msg) {
  out_->push_back('-');
  // Newlines would break the framing; Redis replaces them with spaces.
  for (char c : msg) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
  out_->append("\r\n", 2);
}

void ReplyWriter::Integer(int64_t v) {
  Header(':', v);
}

void ReplyWriter::Bulk(std::string_view s) {
  Header('$', int64_t(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::BulkInt(int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  Bulk(std::string_view(buf, size_t(end - buf)));
}

void ReplyWriter::Null() {
  if (proto_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyWriter::NullArray() {
  if (proto_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyWriter::Array(size_t n) {
  Header('*', int64_t(n));
}
void ReplyWriter::Map(size_t pairs) {
  if (proto_ >= 3) {
    Header('%', int64_t(pairs));
  } else {
    Header('*', int64_t(pairs * 2));
  }
}
void ReplyWriter::Set(size_t n) {
  Header(proto_ >= 3 ? '~' : '*', int64_t(n));
}
void ReplyWriter::Push(size_t n) {
  Header(proto_ >= 3 ? '>' : '*', int64_t(n));
}

void ReplyWriter::Double(double d) {
  std::string s = FormatDouble(d);
  if (proto_ >= 3) {
    out_->push_back(',');
    out_->append(s);
    out_->append("\r\n", 2);
  } else {
    Bulk(s);
  }
}

void ReplyWriter::Bool(bool b) {
  if (proto_ >= 3) {
    out_->append(b ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyWriter::Verbatim(std::string_view s, std::string_view format) {
  if (proto_ < 3) {
    Bulk(s);
    return;
  }
  Header('=', int64_t(s.size() + format.size() + 1));
  out_->append(format);
  out_->push_back(':');
  out_->append(s);
  out_->append("\r\n", 2);
}

void WriteValue(ReplyWriter& w, const Value& v) {
  using T = Value::Type;
  switch (v.type) {
    case T::kSimple:
      w.Simple(v.str);
      break;
    case T::kError:
    case T::kBlobError:
      w.Error(v.str);
      break;
    case T::kInteger:
      w.Integer(v.integer);
      break;
    case T::kBulk:
    case T::kBigNumber:
      w.Bulk(v.str);
      break;
    case T::kVerbatim:
      w.Verbatim(v.str);
      break;
    case T::kDouble:
      w.proto() >= 3 ? w.Raw("," + v.str + "\r\n") : w.Bulk(v.str);
      break;
    case T::kBool:
      w.Bool(v.integer != 0);
      break;
    case T::kNull:
      v.null_array ? w.NullArray() : w.Null();
      break;
    case T::kArray:
      w.Array(v.elements.size());
      break;
    case T::kSet:
      w.Set(v.elements.size());
      break;
    case T::kPush:
      w.Push(v.elements.size());
      break;
    case T::kMap:
      w.Map(v.elements.size() / 2);
      break;
  }
  for (const auto& e : v.elements) WriteValue(w, e);
}

std::string FormatDouble(double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, size_t(n));
}

std::string FormatLongDouble(long double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[5 * 1024];
  // Fixed notation with enough digits, then trim trailing zeros, as ld2string's
  // LD_STR_HUMAN mode does.
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", d);
  if (n <= 0 || size_t(n) >= sizeof(buf)) return "0";
  std::string s(buf, size_t(n));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

}  // namespace vigil::resp
