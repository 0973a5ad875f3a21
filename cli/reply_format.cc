#include "cli/reply_format.h"

#include <cctype>
#include <cstdio>

#include "common/base/ascii_case.h"
#include "common/base/repr.h"

namespace vigil::cli {
namespace {

using Type = resp::Value::Type;

std::string EmptyAggregateText(Type t) {
  switch (t) {
    case Type::kMap:
      return "(empty hash)\n";
    case Type::kSet:
      return "(empty set)\n";
    case Type::kPush:
      return "(empty push)\n";
    default:
      return "(empty array)\n";
  }
}

// Numbered elements: the index is right-aligned to the width of the largest one, followed by
// ')' for arrays and pushes, '~' for sets and '#' for maps (whose entries print "k => v").
// Nested elements are indented by that width plus two, so columns line up.
std::string FormatAggregate(const resp::Value& v, std::string_view prefix) {
  const bool is_map = v.type == Type::kMap;
  const size_t count = is_map ? v.elements.size() / 2 : v.elements.size();
  if (count == 0) return EmptyAggregateText(v.type);
  int width = 0;
  for (size_t n = count; n > 0; n /= 10) ++width;
  const char sep = v.type == Type::kSet ? '~' : is_map ? '#' : ')';
  std::string child_prefix(prefix);
  child_prefix.append(size_t(width) + 2, ' ');
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    // The first line is already indented by the caller, which printed our own index.
    if (i > 0) out.append(prefix);
    std::string index = std::to_string(i + 1);
    out.append(size_t(width) - index.size(), ' ').append(index);
    out.push_back(sep);
    out.push_back(' ');
    if (is_map) {
      std::string key = FormatStandard(v.elements[2 * i], child_prefix);
      key.pop_back();  // the value follows on the same line
      out.append(key).append(" => ");
      out.append(FormatStandard(v.elements[2 * i + 1], child_prefix));
    } else {
      out.append(FormatStandard(v.elements[i], child_prefix));
    }
  }
  return out;
}

}  // namespace

std::string FormatStandard(const resp::Value& v, std::string_view prefix) {
  switch (v.type) {
    case Type::kError:
    case Type::kBlobError:
      return "(error) " + v.str + "\n";
    case Type::kSimple:
      return v.str + "\n";
    case Type::kInteger:
      return "(integer) " + std::to_string(v.integer) + "\n";
    case Type::kDouble:
      return "(double) " + v.str + "\n";
    case Type::kBigNumber:
      return "(big number) " + v.str + "\n";
    case Type::kBulk:
      return Repr(v.str) + "\n";
    case Type::kVerbatim:
      return v.str + "\n";
    case Type::kNull:
      return "(nil)\n";
    case Type::kBool:
      return v.integer ? "(true)\n" : "(false)\n";
    case Type::kArray:
    case Type::kSet:
    case Type::kPush:
    case Type::kMap:
      return FormatAggregate(v, prefix);
  }
  return "";
}

std::string FormatRaw(const resp::Value& v) {
  switch (v.type) {
    case Type::kNull:
      return "";
    case Type::kError:
    case Type::kBlobError:
      return v.str + "\n";
    case Type::kSimple:
    case Type::kBulk:
    case Type::kVerbatim:
    case Type::kDouble:
    case Type::kBigNumber:
      return v.str;
    case Type::kBool:
      return v.integer ? "(true)" : "(false)";
    case Type::kInteger:
      return std::to_string(v.integer);
    case Type::kArray:
    case Type::kSet:
    case Type::kPush:
    case Type::kMap:
      break;
  }
  std::string out;
  const size_t step = v.type == Type::kMap ? 2 : 1;
  for (size_t i = 0; i + step <= v.elements.size(); i += step) {
    if (i > 0) out.push_back('\n');
    out.append(FormatRaw(v.elements[i]));
    if (step == 2) out.append(" ").append(FormatRaw(v.elements[i + 1]));
  }
  return out;
}

std::string FormatReply(const resp::Value& v, ReplyStyle style, bool raw_text_command) {
  if (raw_text_command) return FormatRaw(v);
  if (style == ReplyStyle::kStandard) return FormatStandard(v);
  return FormatRaw(v) + "\n";
}

bool IsRawTextCommand(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  const std::string& cmd = argv[0];
  const size_t argc = argv.size();
  auto sub = [&](const char* name) { return argc >= 2 && EqualsIgnoreCase(argv[1], name); };
  if (EqualsIgnoreCase(cmd, "info") || EqualsIgnoreCase(cmd, "lolwut")) return true;
  if (EqualsIgnoreCase(cmd, "debug"))
    return sub("htstats") || sub("htstats-key") || sub("client-eviction");
  if (EqualsIgnoreCase(cmd, "memory")) return sub("malloc-stats") || sub("doctor");
  if (EqualsIgnoreCase(cmd, "cluster")) return argc == 2 && (sub("nodes") || sub("info"));
  if (EqualsIgnoreCase(cmd, "client")) return sub("list") || sub("info");
  if (EqualsIgnoreCase(cmd, "latency"))
    return (argc == 3 && sub("graph")) || (argc == 2 && sub("doctor"));
  if (EqualsIgnoreCase(cmd, "proxy")) return sub("info");
  return false;
}

}  // namespace vigil::cli
