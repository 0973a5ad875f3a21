#include "datanode/persistence/aof_record.h"

#include <algorithm>

namespace vigil::datanode {

void AppendRespCommand(const std::vector<std::string>& argv, std::string* out) {
  size_t need = 16;
  for (const auto& a : argv) need += a.size() + 16;
  out->reserve(out->size() + need);
  *out += '*';
  *out += std::to_string(argv.size());
  *out += "\r\n";
  for (const auto& a : argv) {
    *out += '$';
    *out += std::to_string(a.size());
    *out += "\r\n";
    *out += a;
    *out += "\r\n";
  }
}

void AofEncoder::Append(int db, const std::vector<std::string>& argv, std::string* out) {
  if (db != db_) {
    AppendRespCommand({"SELECT", std::to_string(db)}, out);
    db_ = db;
  }
  AppendRespCommand(argv, out);
}

namespace {

constexpr size_t kMaxHeaderLine = 64;
constexpr int64_t kMaxArgc = int64_t(1) << 31;
constexpr int64_t kMaxBulk = int64_t(1) << 40;

// Reads `<prefix><digits>\r\n` at `pos`. Returns kNeedMore when the line is not complete.
AofParse ReadHeader(std::string_view data, size_t* pos, char prefix, int64_t* value,
                    std::string* error) {
  if (*pos >= data.size()) return AofParse::kNeedMore;
  if (data[*pos] != prefix) {
    *error = std::string("expected '") + prefix + "', got '" + data[*pos] + "'";
    return AofParse::kBad;
  }
  size_t nl = data.find('\n', *pos);
  if (nl == std::string_view::npos) {
    if (data.size() - *pos > kMaxHeaderLine) {
      *error = "header line too long";
      return AofParse::kBad;
    }
    return AofParse::kNeedMore;
  }
  std::string_view line = data.substr(*pos + 1, nl - *pos - 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  int64_t v = 0;
  bool ok = !line.empty() && line.size() <= 18;
  for (char ch : line) {
    if (ch < '0' || ch > '9') ok = false;
    if (ok) v = v * 10 + (ch - '0');
  }
  if (!ok) {
    *error = std::string("invalid '") + prefix + "' length";
    return AofParse::kBad;
  }
  *value = v;
  *pos = nl + 1;
  return AofParse::kRecord;
}

}  // namespace

AofParse ParseAofRecord(std::string_view data, size_t* used, std::vector<std::string_view>* args,
                        std::string* error) {
  args->clear();
  if (data.empty()) return AofParse::kNeedMore;
  if (data[0] == '#') {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) return AofParse::kNeedMore;
    *used = nl + 1;
    return AofParse::kRecord;
  }
  size_t pos = 0;
  int64_t argc = 0;
  AofParse st = ReadHeader(data, &pos, '*', &argc, error);
  if (st != AofParse::kRecord) return st;
  if (argc < 1 || argc > kMaxArgc) {
    *error = "invalid '*' length";
    return AofParse::kBad;
  }
  args->reserve(size_t(std::min<int64_t>(argc, 1024)));
  for (int64_t i = 0; i < argc; ++i) {
    int64_t len = 0;
    st = ReadHeader(data, &pos, '$', &len, error);
    if (st != AofParse::kRecord) return st;
    if (len > kMaxBulk) {
      *error = "invalid '$' length";
      return AofParse::kBad;
    }
    if (data.size() - pos < size_t(len) + 2) return AofParse::kNeedMore;
    args->push_back(data.substr(pos, size_t(len)));
    pos += size_t(len) + 2;
  }
  *used = pos;
  return AofParse::kRecord;
}

}  // namespace vigil::datanode
