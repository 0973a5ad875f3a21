#include "datanode/persistence/dump_payload.h"

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
  out.push_back(static_cast<char>(rdb::kVersion & 0xFF));
  out.push_back(static_cast<char>((rdb::kVersion >> 8) & 0xFF));
  const uint64_t crc = Crc64(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return out;
}

bool DumpPayloadFooterValid(std::string_view payload, bool verify_checksum) {
  if (payload.size() < kFooterBytes) return false;
  const auto* footer =
      reinterpret_cast<const unsigned char*>(payload.data() + payload.size() - kFooterBytes);
  const unsigned version = unsigned(footer[0]) | (unsigned(footer[1]) << 8);
  if (version > unsigned(rdb::kVersion)) return false;
  if (!verify_checksum) return true;
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) stored |= uint64_t(footer[2 + i]) << (8 * i);
  return Crc64(0, payload.substr(0, payload.size() - 8)) == stored;
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
