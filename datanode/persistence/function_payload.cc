#include "datanode/persistence/function_payload.h"

#include "common/base/byte_order.h"
#include "datanode/persistence/crc64.h"
#include "datanode/persistence/dump_payload.h"
#include "datanode/persistence/rdb_format.h"
#include "datanode/persistence/rdb_reader.h"

namespace vigil::datanode {
namespace {

constexpr size_t kFooterBytes = 10;  // 2 version bytes + 8 CRC bytes

// Reads one record's code after its opcode; false on a short or malformed record.
bool ReadRecord(RdbReader& reader, uint8_t type, std::string* code) {
  if (type == rdb::kOpFunction2) return reader.ReadString(code, "a function library").ok();
  std::string name, engine, desc, body;
  uint64_t has_desc = 0;
  if (!reader.ReadString(&name, "a library name").ok()) return false;
  if (!reader.ReadString(&engine, "an engine name").ok()) return false;
  if (!reader.ReadLength(&has_desc, "a description flag").ok()) return false;
  if (has_desc != 0 && !reader.ReadString(&desc, "a library description").ok()) return false;
  if (!reader.ReadString(&body, "a library body").ok()) return false;
  *code = CodeFromOldFunctionRecord(name, engine, body);
  return true;
}

}  // namespace

std::string CodeFromOldFunctionRecord(const std::string& name, const std::string& engine,
                                      const std::string& body) {
  return "#!" + engine + " name=" + name + "\n" + body;
}

void WriteFunctionRecords(RdbEncoder& enc, const std::vector<std::string>& codes) {
  for (const std::string& code : codes) {
    enc.WriteByte(rdb::kOpFunction2);
    enc.WriteString(code);
  }
}

std::string EncodeFunctionsDump(const std::vector<std::string>& codes,
                                const RdbWriteOptions& options) {
  std::string out;
  StringSink sink(&out);
  RdbEncoder enc(&sink, options);
  WriteFunctionRecords(enc, codes);
  (void)enc.Flush();  // a StringSink cannot fail
  AppendLe(&out, uint64_t(rdb::kVersion), 2);
  AppendLe(&out, Crc64(0, out), 8);
  return out;
}

bool DecodeFunctionsDump(std::string_view payload, bool verify_checksum,
                         std::vector<std::string>* codes, std::string* err) {
  if (!DumpPayloadFooterValid(payload, verify_checksum)) {
    *err = "DUMP payload version or checksum are wrong";
    return false;
  }
  // Redis reads records while more than the footer is left; a record may run into the footer.
  StringSource source(payload);
  RdbReader reader(&source);
  const uint64_t end = payload.size() - kFooterBytes;
  while (reader.offset() < end) {
    uint8_t type = 0;
    if (!reader.ReadByte(&type, "the record type").ok()) {
      *err = "can not read data type";
      return false;
    }
    if (type != rdb::kOpFunction && type != rdb::kOpFunction2) {
      *err = "given type is not a function";
      return false;
    }
    std::string code;
    if (!ReadRecord(reader, type, &code)) {
      *err = type == rdb::kOpFunction2 ? "Failed loading library payload"
                                       : "failed loading the given functions payload";
      return false;
    }
    codes->push_back(std::move(code));
  }
  return true;
}

}  // namespace vigil::datanode
