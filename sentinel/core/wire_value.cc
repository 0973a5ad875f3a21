#include "sentinel/core/wire_value.h"

namespace vigil::sentinel {

std::string DebugString(const WireValue& value) {
  switch (value.type) {
    case WireValue::Type::kStatus:
      return "+" + value.str;
    case WireValue::Type::kError:
      return "-" + value.str;
    case WireValue::Type::kInteger:
      return ":" + std::to_string(value.integer);
    case WireValue::Type::kBulk:
      return "\"" + value.str + "\"";
    case WireValue::Type::kNullBulk:
      return "(nil)";
    case WireValue::Type::kNullArray:
      return "(nil-array)";
    case WireValue::Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < value.elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += DebugString(value.elements[i]);
      }
      return out + "]";
    }
  }
  return "?";
}

}  // namespace vigil::sentinel
