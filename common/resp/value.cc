#include "common/resp/value.h"

#include <charconv>
#include <cstring>

namespace vigil::resp {
namespace {

constexpr int kMaxDepth = 64;

bool ReadLine(std::string_view data, size_t* pos, std::string_view* line) {
  const char* start = data.data() + *pos;
  const void* cr = std::memchr(start, '\r', data.size() - *pos);
  if (cr == nullptr) return false;
  size_t len = size_t(static_cast<const char*>(cr) - start);
  if (*pos + len + 1 >= data.size()) return false;
  *line = std::string_view(start, len);
  *pos += len + 2;
  return true;
}

bool ToInt(std::string_view s, int64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

ReplyParser::Status ReplyParser::ParseOne(std::string_view data, size_t* pos, Value* out,
                                          int depth) {
  if (depth > kMaxDepth) {
    error_ = "reply nested too deeply";
    return Status::kError;
  }
  if (*pos >= data.size()) return Status::kNeedMore;
  char type = data[*pos];
  ++*pos;
  std::string_view line;
  if (!ReadLine(data, pos, &line)) return Status::kNeedMore;
  *out = Value{};
  switch (type) {
    case '+':
    case '-':
    case ',':
    case '(':
      out->type = static_cast<Value::Type>(type);
      out->str.assign(line);
      return Status::kValue;
    case '_':
      out->type = Value::Type::kNull;
      out->resp3_null = true;
      return Status::kValue;
    case '#':
      out->type = Value::Type::kBool;
      out->integer = line == "t" ? 1 : 0;
      return Status::kValue;
    case ':':
      out->type = Value::Type::kInteger;
      if (!ToInt(line, &out->integer)) break;
      return Status::kValue;
    case '$':
    case '=':
    case '!': {
      int64_t len = 0;
      if (!ToInt(line, &len)) break;
      if (len < 0) {
        out->type = Value::Type::kNull;
        return Status::kValue;
      }
      if (data.size() - *pos < size_t(len) + 2) return Status::kNeedMore;
      out->type = static_cast<Value::Type>(type);
      std::string_view payload(data.data() + *pos, size_t(len));
      if (type == '=' && payload.size() >= 4) payload.remove_prefix(4);  // "txt:"
      out->str.assign(payload);
      *pos += size_t(len) + 2;
      return Status::kValue;
    }
    case '*':
    case '%':
    case '~':
    case '>': {
      int64_t n = 0;
      if (!ToInt(line, &n)) break;
      if (n < 0) {
        out->type = Value::Type::kNull;
        out->null_array = true;
        return Status::kValue;
      }
      out->type = static_cast<Value::Type>(type);
      size_t count = size_t(n) * (type == '%' ? 2 : 1);
      out->elements.reserve(std::min<size_t>(count, 4096));
      for (size_t i = 0; i < count; ++i) {
        Value child;
        Status st = ParseOne(data, pos, &child, depth + 1);
        if (st != Status::kValue) return st;
        out->elements.push_back(std::move(child));
      }
      return Status::kValue;
    }
    default:
      break;
  }
  error_ = std::string("Protocol error: unexpected reply line starting with '") + type + "'";
  return Status::kError;
}

ReplyParser::Status ReplyParser::Parse(std::string_view data, size_t* consumed, Value* out) {
  size_t pos = 0;
  Status st = ParseOne(data, &pos, out, 0);
  *consumed = st == Status::kValue ? pos : 0;
  return st;
}

std::string Encode(const Value& v) {
  std::string out;
  auto header = [&out](char t, size_t n) {
    out.push_back(t);
    out.append(std::to_string(n));
    out.append("\r\n");
  };
  switch (v.type) {
    case Value::Type::kSimple:
    case Value::Type::kError:
    case Value::Type::kDouble:
    case Value::Type::kBigNumber:
      out.push_back(static_cast<char>(v.type));
      out.append(v.str);
      out.append("\r\n");
      break;
    case Value::Type::kInteger:
      out = ":" + std::to_string(v.integer) + "\r\n";
      break;
    case Value::Type::kNull:
      out = v.resp3_null ? "_\r\n" : v.null_array ? "*-1\r\n" : "$-1\r\n";
      break;
    case Value::Type::kBool:
      out = v.integer ? "#t\r\n" : "#f\r\n";
      break;
    case Value::Type::kBulk:
    case Value::Type::kBlobError:
      header(static_cast<char>(v.type), v.str.size());
      out.append(v.str);
      out.append("\r\n");
      break;
    case Value::Type::kVerbatim:
      header('=', v.str.size() + 4);
      out.append("txt:");
      out.append(v.str);
      out.append("\r\n");
      break;
    case Value::Type::kArray:
    case Value::Type::kSet:
    case Value::Type::kPush:
    case Value::Type::kMap:
      header(static_cast<char>(v.type),
             v.type == Value::Type::kMap ? v.elements.size() / 2 : v.elements.size());
      for (const auto& e : v.elements) out.append(Encode(e));
      break;
  }
  return out;
}

std::string EncodeCommand(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) {
    out.append("$").append(std::to_string(a.size())).append("\r\n");
    out.append(a).append("\r\n");
  }
  return out;
}

std::string DebugString(const Value& value) {
  switch (value.type) {
    case Value::Type::kSimple:
      return "+" + value.str;
    case Value::Type::kError:
    case Value::Type::kBlobError:
      return "-" + value.str;
    case Value::Type::kInteger:
      return ":" + std::to_string(value.integer);
    case Value::Type::kBool:
      return value.integer != 0 ? "#t" : "#f";
    case Value::Type::kBulk:
    case Value::Type::kVerbatim:
      return "\"" + value.str + "\"";
    case Value::Type::kDouble:
    case Value::Type::kBigNumber:
      return value.str;
    case Value::Type::kNull:
      return value.null_array ? "(nil-array)" : "(nil)";
    case Value::Type::kArray:
    case Value::Type::kSet:
    case Value::Type::kPush:
    case Value::Type::kMap: {
      std::string out = value.type == Value::Type::kMap ? "{" : "[";
      for (size_t i = 0; i < value.elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += DebugString(value.elements[i]);
      }
      return out + (value.type == Value::Type::kMap ? "}" : "]");
    }
  }
  return "?";
}

}  // namespace vigil::resp
