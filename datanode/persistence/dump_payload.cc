#include "datanode/persistence/dump_payload.h"

#include "common/base/byte_order.h"
#include "datanode/persistence/crc64.h"
#include "datanode/persistence/rdb_format.h"
#include "datanode/persistence/rdb_object_loader.h"
#include "datanode/persistence/rdb_reader.h"

namespace vigil::datanode {
namespace {

constexpr size_t kFooterBytes = 10;  // 2 version bytes + 8 CRC bytes

}  // namespace

std::string EncodeDumpPayload(const Entry& e, const RdbWriteOptions& options) {
  std::string out;
  StringSink sink(&out);
  RdbEncoder enc(&sink, options);
  enc.WriteByte(RdbEncoder::ValueType(e));
  enc.WriteValue(e);
  (void)enc.Flush();  // a StringSink cannot fail
  AppendLe(&out, uint64_t(rdb::kVersion), 2);
  AppendLe(&out, Crc64(0, out), 8);
  return out;
}

bool DumpPayloadFooterValid(std::string_view payload, bool verify_checksum) {
  if (payload.size() < kFooterBytes) return false;
  const auto* footer =
      reinterpret_cast<const unsigned char*>(payload.data() + payload.size() - kFooterBytes);
  const unsigned version = unsigned(LoadLe(footer, 2));
  if (version > unsigned(rdb::kVersion)) return false;
  if (!verify_checksum) return true;
  return Crc64(0, payload.substr(0, payload.size() - 8)) == LoadLe(footer + 2, 8);
}

Status DecodeDumpPayload(std::string_view payload, std::string_view key,
                         const RdbLoadOptions& options, Entry** out) {
  *out = nullptr;
  // Redis decodes from the whole payload: a value that runs into the footer reads the version
  // and CRC bytes as data (and may well be accepted), so this does too.
  StringSource source(payload);
  RdbReader reader(&source);
  uint8_t type;
  Status st = reader.ReadByte(&type, "the value type");
  if (!st.ok()) return st;
  if (!IsRdbObjectType(type)) return Status::Error("Unknown value type");
  bool skipped = false;
  RdbLoadOptions strict = options;
  strict.skip_unsupported = false;
  st = LoadRdbObject(reader, type, key, strict, out, &skipped);
  if (!st.ok()) return st;
  if (*out == nullptr) return Status::Error("Empty value");
  return Status::Ok();
}

}  // namespace vigil::datanode
