#pragma once
// WireValue: a RESP2 value as the sentinel core sees it. The core cannot depend on the shell's
// RESP library, so replies to clients and replies from instances cross the core boundary in this
// small, self-contained shape; the shell converts to and from its own RESP types.
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::sentinel {

struct WireValue {
  enum class Type { kStatus, kError, kInteger, kBulk, kNullBulk, kArray, kNullArray };

  Type type = Type::kNullBulk;
  std::string str;  // status, error and bulk text
  int64_t integer = 0;
  std::vector<WireValue> elements;

  static WireValue Status(std::string s) { return {Type::kStatus, std::move(s), 0, {}}; }
  static WireValue Error(std::string s) { return {Type::kError, std::move(s), 0, {}}; }
  static WireValue Integer(int64_t v) { return {Type::kInteger, {}, v, {}}; }
  static WireValue Bulk(std::string s) { return {Type::kBulk, std::move(s), 0, {}}; }
  static WireValue NullBulk() { return {Type::kNullBulk, {}, 0, {}}; }
  static WireValue NullArray() { return {Type::kNullArray, {}, 0, {}}; }
  static WireValue Array(std::vector<WireValue> e) { return {Type::kArray, {}, 0, std::move(e)}; }

  bool IsStringLike() const { return type == Type::kStatus || type == Type::kBulk; }
  friend bool operator==(const WireValue&, const WireValue&) = default;
};

// A compact, unambiguous rendering for tests and traces: +OK, -ERR x, :1, "bulk", (nil), [a, b].
std::string DebugString(const WireValue& value);

}  // namespace vigil::sentinel
