#pragma once
#include <cstdint>
#include <string_view>

namespace vigil::datanode {

// Numbered as Redis's OBJ_* constants; persistence maps them to RDB type ids.
enum class ObjType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kStream = 6
};

// The encodings OBJECT ENCODING reports. Vigil's in-memory layouts differ from Redis's, but the
// reported encoding follows Redis 7.0's conversion rules, because tools and tests read it.
enum class Encoding : uint8_t {
  kRaw,
  kInt,
  kEmbstr,
  kQuicklist,
  kListpack,
  kIntset,
  kHashtable,
  kSkiplist,
  kStream,
};

std::string_view TypeName(ObjType t);       // "string", "list", ...
std::string_view EncodingName(Encoding e);  // "embstr", "listpack", ...

}  // namespace vigil::datanode
