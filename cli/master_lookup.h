#pragma once
// --sentinel-master: turning a sentinel's answer to SENTINEL GET-MASTER-ADDR-BY-NAME into the
// address to connect to. Pure.
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/resp/value.h"

namespace vigil::cli {

struct MasterAddress {
  std::string host;
  int port = 0;
};

// The command that asks a sentinel where master `name` is.
std::vector<std::string> MasterAddressCommand(const std::string& name);

// Accepts the two-element array ["host", "port"]. A nil reply means the sentinel monitors no
// master of that name; errors and other shapes are reported with the sentinel's text.
Result<MasterAddress> MasterAddressFromReply(const resp::Value& reply, const std::string& name);

}  // namespace vigil::cli
