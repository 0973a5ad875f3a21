#include "datanode/persistence/aof_rewrite.h"

#include <string>
#include <vector>

#include "common/resp/reply_writer.h"
#include "datanode/persistence/aof_record.h"
#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/stream_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

constexpr size_t kItemsPerCommand = 64;  // AOF_REWRITE_ITEMS_PER_CMD

// Collects variadic commands (`cmd key item...`) and flushes them in batches.
class Batcher {
 public:
  Batcher(std::string* out, const char* cmd, std::string_view key) : out_(out) {
    argv_ = {cmd, std::string(key)};
  }
  ~Batcher() { Flush(); }
  void Add(std::string_view item) {
    argv_.emplace_back(item);
    if (++items_ == kItemsPerCommand) Flush();
  }
  // Score and member, or field and value: one item, never split across commands.
  void AddPair(std::string_view a, std::string_view b) {
    argv_.emplace_back(a);
    Add(b);
  }
  void Flush() {
    if (items_ == 0) return;
    AppendRespCommand(argv_, out_);
    argv_.resize(2);
    items_ = 0;
  }

 private:
  std::string* out_;
  std::vector<std::string> argv_;
  size_t items_ = 0;
};

// rewriteStreamObject: XADD per entry (or XADD MAXLEN 0 + XSETID for an empty stream), XSETID
// with the counters, then per group XGROUP CREATE ... ENTRIESREAD, XCLAIM per pending entry
// (FORCE JUSTID, with its time and count) and XGROUP CREATECONSUMER for idle consumers.
void RenderStream(std::string_view key_view, const StreamValue& s, std::string* out) {
  const std::string key(key_view);
  if (s.length() > 0) {
    s.ForEachInRange(StreamId{}, StreamId::Max(), false, [&](const StreamRecord& r) {
      std::vector<std::string> argv = {"XADD", key, r.id.ToString()};
      argv.insert(argv.end(), r.fields_values.begin(), r.fields_values.end());
      AppendRespCommand(argv, out);
      return true;
    });
  } else {
    // An empty stream needs one entry to exist; MAXLEN 0 removes it again (XSETID below
    // restores the ids and counters).
    AppendRespCommand({"XADD", key, "MAXLEN", "0", "0-1", "x", "y"}, out);
  }
  AppendRespCommand(
      {"XSETID", key, s.last_id().ToString(), "ENTRIESADDED", std::to_string(s.entries_added()),
       "MAXDELETEDID", s.max_deleted_id().ToString()},
      out);
  for (const auto& [name, g] : s.groups()) {
    AppendRespCommand({"XGROUP", "CREATE", key, name, g.last_id.ToString(), "ENTRIESREAD",
                       std::to_string(g.entries_read)},
                      out);
    for (const auto& [id, p] : g.pel) {
      AppendRespCommand({"XCLAIM", key, name, p.consumer, "0", id.ToString(), "TIME",
                         std::to_string(p.delivery_time), "RETRYCOUNT",
                         std::to_string(p.delivery_count), "JUSTID", "FORCE"},
                        out);
    }
    for (const auto& [cname, c] : g.consumers) {
      if (!c.pel.empty()) continue;
      AppendRespCommand({"XGROUP", "CREATECONSUMER", key, name, cname}, out);
    }
  }
}

void RenderEntry(const Entry& e, std::string* out) {
  const std::string_view key = e.key();
  switch (e.type()) {
    case ObjType::kString: {
      char scratch[32];
      AppendRespCommand({"SET", std::string(key), std::string(e.StringValue(scratch))}, out);
      break;
    }
    case ObjType::kList: {
      Batcher b(out, "RPUSH", key);
      for (const auto& item : *e.list()) b.Add(item);
      break;
    }
    case ObjType::kSet: {
      Batcher b(out, "SADD", key);
      e.set()->ForEach([&b](std::string_view m) { b.Add(m); });
      break;
    }
    case ObjType::kZSet: {
      Batcher b(out, "ZADD", key);
      for (const ZSetValue::Node* n = e.zset()->first(); n != nullptr; n = n->next()) {
        b.AddPair(resp::FormatDouble(n->score()), n->member());
      }
      break;
    }
    case ObjType::kHash: {
      Batcher b(out, "HMSET", key);
      e.hash()->ForEach([&b](std::string_view f, std::string_view v) { b.AddPair(f, v); });
      break;
    }
    case ObjType::kStream:
      RenderStream(key, *e.stream(), out);
      break;
  }
}

}  // namespace

bool RewriteKeyspaceAsCommands(Keyspace& keyspace, int64_t now_ms, const AofSink& sink) {
  std::string out;
  bool ok = true;
  for (int i = 0; i < keyspace.database_count() && ok; ++i) {
    Database& db = keyspace.db(i);
    if (db.size() == 0) continue;
    AppendRespCommand({"SELECT", std::to_string(i)}, &out);
    db.keys().ForEach([&](Entry* e) {
      if (!ok) return;
      int64_t when = db.GetExpire(e);
      if (when != -1 && when < now_ms) return;
      RenderEntry(*e, &out);
      if (when != -1)
        AppendRespCommand({"PEXPIREAT", std::string(e->key()), std::to_string(when)}, &out);
      if (out.size() >= (1u << 16)) {
        ok = sink(out);
        out.clear();
      }
    });
  }
  if (ok && !out.empty()) ok = sink(out);
  return ok;
}

std::string FunctionLoadCommands(const std::vector<std::string>& codes) {
  std::string out;
  for (const std::string& code : codes) {
    out += "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$" + std::to_string(code.size()) + "\r\n";
    out += code;
    out += "\r\n";
  }
  return out;
}

}  // namespace vigil::datanode
