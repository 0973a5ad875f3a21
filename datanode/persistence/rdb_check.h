#pragma once
// The `vigil-datanode --check-rdb <file>` report: what redis-check-rdb prints, line for line
// ("[offset N] AUX FIELD ...", "\o/ RDB looks OK! \o/", "--- RDB ERROR DETECTED ---" with
// "While doing" context, key counts). Pure: the caller supplies the bytes and prints the text.
#include <cstdint>
#include <string>

#include "datanode/persistence/rdb_loader.h"

namespace vigil::datanode {

struct RdbCheckReport {
  bool ok = false;
  std::string text;  // newline-terminated lines
};

// Parses the whole file (every value decoded and validated, nothing kept) and reports.
// `name` is the file name for the first line; `now_ms` decides "already expired".
RdbCheckReport CheckRdb(Source* source, const std::string& name, int64_t now_ms);

// Redis's name of an RDB value type ("quicklist-v2", "hash-listpack", ...).
const char* RdbTypeName(int type);

}  // namespace vigil::datanode
