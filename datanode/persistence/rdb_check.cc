#include "datanode/persistence/rdb_check.h"

namespace vigil::datanode {
namespace {

class ReportObserver final : public RdbLoadObserver {
 public:
  explicit ReportObserver(std::string* out) : out_(out) {}
  void OnAux(uint64_t offset, const std::string& key, const std::string& value) override {
    Line(offset, "AUX FIELD " + key + " = '" + value + "'");
  }
  void OnSelectDb(uint64_t offset, int db) override {
    Line(offset, "Selecting DB ID " + std::to_string(db));
  }
  void OnKey(uint64_t, uint8_t, const std::string&) override {}
  void Line(uint64_t offset, const std::string& text) {
    *out_ += "[offset " + std::to_string(offset) + "] " + text + "\n";
  }

 private:
  std::string* out_;
};

}  // namespace

const char* RdbTypeName(int type) {
  static constexpr const char* kNames[] = {"string",
                                           "list-linked",
                                           "set-hashtable",
                                           "zset-v1",
                                           "hash-hashtable",
                                           "zset-v2",
                                           "module-pre-release",
                                           "module-value",
                                           "",
                                           "hash-zipmap",
                                           "list-ziplist",
                                           "set-intset",
                                           "zset-ziplist",
                                           "hash-ziplist",
                                           "quicklist",
                                           "stream",
                                           "hash-listpack",
                                           "zset-listpack",
                                           "quicklist-v2",
                                           "stream-v2"};
  if (type < 0 || type >= int(sizeof(kNames) / sizeof(kNames[0]))) return "unknown";
  return kNames[type];
}

RdbCheckReport CheckRdb(Source* source, const std::string& name, int64_t now_ms) {
  RdbCheckReport report;
  std::string& out = report.text;
  ReportObserver observer(&out);
  observer.Line(0, "Checking RDB file " + name);
  RdbLoadOptions options;
  options.now_ms = now_ms;
  options.drop_expired = false;
  options.skip_unsupported = true;
  options.dry_run = true;
  options.observer = &observer;
  Keyspace scratch(16, 0);  // redis-check-rdb checks SELECTDB against the default 16
  RdbLoadResult res;
  Status st = LoadRdb(source, options, &scratch, &res);
  if (st.ok()) {
    if (res.stored_crc == 0 && res.version >= 5) {
      observer.Line(res.bytes_read,
                    "RDB file was saved with checksum disabled: no check performed.");
    } else if (res.version >= 5) {
      observer.Line(res.bytes_read, "Checksum OK");
    }
    observer.Line(res.bytes_read, "\\o/ RDB looks OK! \\o/");
    report.ok = true;
  } else {
    out += "--- RDB ERROR DETECTED ---\n";
    observer.Line(res.bytes_read, st.message());
    out += "[additional info] While doing: " + res.doing + "\n";
    if (!res.current_key.empty())
      out += "[additional info] Reading key '" + res.current_key + "'\n";
    if (res.current_type >= 0) {
      out += "[additional info] Reading type " + std::to_string(res.current_type) + " (" +
             RdbTypeName(res.current_type) + ")\n";
    }
  }
  out +=
      "[info] " + std::to_string(res.keys_loaded + res.keys_expired + res.skipped) + " keys read\n";
  out += "[info] " + std::to_string(res.expires) + " expires\n";
  out += "[info] " + std::to_string(res.already_expired) + " already expired\n";
  if (res.skipped > 0) {
    out += "[info] " + std::to_string(res.skipped) +
           " values of types vigil-datanode does not "
           "store (modules) were validated and skipped\n";
  }
  return report;
}

}  // namespace vigil::datanode
