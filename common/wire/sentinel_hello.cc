#include "common/wire/sentinel_hello.h"

#include <array>

#include "common/base/decimal.h"

namespace vigil {

std::string EncodeSentinelHello(const SentinelHello& h) {
  std::string out;
  out.reserve(128);
  out += h.sentinel.host;
  out += ',';
  out += std::to_string(h.sentinel.port);
  out += ',';
  out += h.runid;
  out += ',';
  out += std::to_string(h.current_epoch);
  out += ',';
  out += h.master_name;
  out += ',';
  out += h.master.host;
  out += ',';
  out += std::to_string(h.master.port);
  out += ',';
  out += std::to_string(h.master_config_epoch);
  return out;
}

std::optional<SentinelHello> DecodeSentinelHello(std::string_view payload) {
  // Every peer's hello is decoded (thousands a second with 1,000 masters): no field vector.
  std::array<std::string_view, 8> fields;
  size_t count = 0;
  size_t start = 0;
  while (true) {
    if (count == fields.size()) return std::nullopt;  // a ninth field
    size_t comma = payload.find(',', start);
    if (comma == std::string_view::npos) {
      fields[count++] = payload.substr(start);
      break;
    }
    fields[count++] = payload.substr(start, comma - start);
    start = comma + 1;
  }
  if (count != fields.size()) return std::nullopt;
  SentinelHello h;
  h.sentinel.host = std::string(fields[0]);
  h.runid = std::string(fields[2]);
  h.master_name = std::string(fields[4]);
  h.master.host = std::string(fields[5]);
  if (h.sentinel.host.empty() || h.runid.empty() || h.master_name.empty() ||
      h.master.host.empty() || !ParsePort(fields[1], &h.sentinel.port) ||
      !ParseUint64(fields[3], &h.current_epoch) || !ParsePort(fields[6], &h.master.port) ||
      !ParseUint64(fields[7], &h.master_config_epoch)) {
    return std::nullopt;
  }
  return h;
}

}  // namespace vigil
