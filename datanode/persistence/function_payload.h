#pragma once
// The function libraries in Redis 7.0's serialized forms: in an RDB file each library is the
// FUNCTION2 opcode (245) followed by its code as an RDB string; FUNCTION DUMP's payload is the
// same records followed by the RDB version (two little-endian bytes) and the CRC64 of all
// before it, so payloads move both ways between vigil-datanode and redis-server. Pure.
#include <string>
#include <string_view>
#include <vector>

#include "datanode/persistence/rdb_writer.h"

namespace vigil::datanode {

// Writes one FUNCTION2 record per library code.
void WriteFunctionRecords(RdbEncoder& enc, const std::vector<std::string>& codes);

// FUNCTION DUMP's payload for these library codes. Only options.compression matters.
std::string EncodeFunctionsDump(const std::vector<std::string>& codes,
                                const RdbWriteOptions& options);

// Reads the library codes of a FUNCTION RESTORE payload. On failure returns false with *err
// set to Redis's reply text (without the "ERR " code).
bool DecodeFunctionsDump(std::string_view payload, bool verify_checksum,
                         std::vector<std::string>* codes, std::string* err);

// A pre-release (7.0 rc1/rc2) FUNCTION record's fields as the code Redis 7.0 makes of them.
std::string CodeFromOldFunctionRecord(const std::string& name, const std::string& engine,
                                      const std::string& body);

}  // namespace vigil::datanode
