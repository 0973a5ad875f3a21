#include "cli/master_lookup.h"

#include <charconv>

namespace vigil::cli {

std::vector<std::string> MasterAddressCommand(const std::string& name) {
  return {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", name};
}

Result<MasterAddress> MasterAddressFromReply(const resp::Value& reply, const std::string& name) {
  using Type = resp::Value::Type;
  if (reply.is_error()) return Status::Error(reply.str);
  if (reply.is_null()) return Status::Error("no master named '" + name + "' is known");
  if (reply.type != Type::kArray || reply.elements.size() != 2 ||
      reply.elements[0].type != Type::kBulk || reply.elements[1].type != Type::kBulk) {
    return Status::Error("unexpected reply to SENTINEL GET-MASTER-ADDR-BY-NAME");
  }
  MasterAddress addr;
  addr.host = reply.elements[0].str;
  const std::string& p = reply.elements[1].str;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), addr.port);
  if (ec != std::errc() || end != p.data() + p.size() || addr.port <= 0 || addr.port > 65535) {
    return Status::Error("bad port '" + p + "' in SENTINEL GET-MASTER-ADDR-BY-NAME reply");
  }
  return addr;
}

}  // namespace vigil::cli
