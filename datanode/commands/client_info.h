#pragma once
// A client's CLIENT LIST / CLIENT INFO line, also recorded by ACL LOG entries.
#include <cstdint>
#include <string>

#include "datanode/service/session.h"

namespace vigil::datanode {

// Redis 7.0's field order, with the trailing newline.
std::string ClientInfoLine(const Session& s, int64_t now_ms);

}  // namespace vigil::datanode
