// MEMORY USAGE | STATS | DOCTOR | MALLOC-STATS | PURGE | HELP.
//
// The figures come from our own accounting: an entry's AllocatedBytes (key, header and value
// containers) and the process counters INFO memory reports. USAGE measures the whole value
// rather than sampling it as Redis does (SAMPLES is validated and accepted), so the number is
// exact for our layout; it is not Redis's number, which depends on jemalloc's size classes.
// The data node runs on the C library's malloc, as redis-server built without jemalloc does,
// and MALLOC-STATS and PURGE answer what such a redis-server answers.
#include <malloc.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/base/ascii_case.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/replication/replication_control.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

// What MEMORY STATS and DOCTOR reason about, gathered once per call.
struct MemoryOverhead {
  int64_t peak = 0;
  int64_t total = 0;
  int64_t startup = 0;
  int64_t rss = 0;
  int64_t backlog = 0;         // bytes the replication backlog holds
  int64_t clients_normal = 0;  // output and query buffers of ordinary clients
  int64_t clients_replicas = 0;
  int64_t normal_count = 0;
  int64_t replica_count = 0;
  struct Db {
    int id = 0;
    int64_t main = 0;
    int64_t expires = 0;
  };
  std::vector<Db> dbs;  // only databases holding keys, as Redis lists them
  int64_t keys = 0;
  int64_t overhead_total = 0;
};

// Per-key bookkeeping outside the entry itself: a bucket slot in the key table, and an expiry
// table record (key pointer + deadline + slot) for keys with a TTL.
constexpr int64_t kKeySlotBytes = 8;
constexpr int64_t kExpireRecordBytes = 24;

MemoryOverhead GatherOverhead(Service& svc) {
  MemoryOverhead m;
  ProcessInfo p;
  if (ServerHooks* h = svc.hooks()) h->FillProcessInfo(&p);
  m.total = svc.used_memory();
  m.peak = std::max(p.peak_used_memory, m.total);
  m.startup = p.startup_used_memory;
  m.rss = p.rss_bytes;
  if (ReplicationControl* r = svc.replication()) m.backlog = r->Info().backlog_histlen;
  for (const auto& [id, s] : svc.sessions()) {
    const int64_t bytes = int64_t(s->out.size() + s->query_buffer_bytes);
    if (s->is_replica) {
      m.clients_replicas += bytes;
      ++m.replica_count;
    } else {
      m.clients_normal += bytes;
      ++m.normal_count;
    }
  }
  Keyspace& ks = svc.keyspace();
  m.overhead_total = m.startup + m.backlog + m.clients_normal + m.clients_replicas;
  for (int i = 0; i < ks.database_count(); ++i) {
    Database& db = ks.db(i);
    if (db.size() == 0) continue;
    MemoryOverhead::Db d{i, int64_t(db.size()) * kKeySlotBytes,
                         int64_t(db.expires_size()) * kExpireRecordBytes};
    m.overhead_total += d.main + d.expires;
    m.keys += int64_t(db.size());
    m.dbs.push_back(d);
  }
  return m;
}

double Ratio(int64_t a, int64_t b) {
  return b > 0 ? double(a) / double(b) : 0.0;
}

void UsageCommand(CommandContext& ctx) {
  for (size_t j = 3; j < ctx.argc; ++j) {
    int64_t samples = 0;
    if (!EqualsIgnoreCase(ctx.arg(j), "samples") || j + 1 >= ctx.argc) {
      return ctx.reply.Error("ERR syntax error");
    }
    if (!ParseInt64Strict(ctx.arg(j + 1), &samples)) {
      return ctx.reply.Error("ERR value is not an integer or out of range");
    }
    if (samples < 0) return ctx.reply.Error("ERR syntax error");
    ++j;
  }
  // Like Redis, a key past its TTL that is still stored is measured, not expired here.
  const Entry* e = ctx.db().Find(ctx.arg(2));
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Integer(int64_t(e->AllocatedBytes()) + kKeySlotBytes +
                    (e->has_expire() ? kExpireRecordBytes : 0));
}

void StatsCommand(CommandContext& ctx) {
  const MemoryOverhead m = GatherOverhead(ctx.service);
  const int64_t net = std::max<int64_t>(0, m.total - m.startup);
  const int64_t dataset = std::max<int64_t>(0, m.total - m.overhead_total);
  resp::ReplyWriter& w = ctx.reply;
  w.Map(27 + m.dbs.size());
  auto num = [&](const char* name, int64_t v) {
    w.Bulk(name);
    w.Integer(v);
  };
  auto dbl = [&](const char* name, double v) {
    w.Bulk(name);
    w.Double(v);
  };
  num("peak.allocated", m.peak);
  num("total.allocated", m.total);
  num("startup.allocated", m.startup);
  num("replication.backlog", m.backlog);
  num("clients.slaves", m.clients_replicas);
  num("clients.normal", m.clients_normal);
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (const MemoryOverhead::Db& d : m.dbs) {
    w.Bulk("db." + std::to_string(d.id));
    w.Map(3);
    num("overhead.hashtable.main", d.main);
    num("overhead.hashtable.expires", d.expires);
    num("overhead.hashtable.slot-to-keys", 0);
  }
  num("overhead.total", m.overhead_total);
  num("keys.count", m.keys);
  num("keys.bytes-per-key", m.keys > 0 ? net / m.keys : 0);
  num("dataset.bytes", dataset);
  dbl("dataset.percentage", net > 0 ? 100.0 * double(dataset) / double(net) : 0.0);
  dbl("peak.percentage", m.peak > 0 ? 100.0 * double(m.total) / double(m.peak) : 0.0);
  // One allocator layer: allocated and active are the same bytes, resident is the process RSS.
  num("allocator.allocated", m.total);
  num("allocator.active", m.total);
  num("allocator.resident", m.rss);
  dbl("allocator-fragmentation.ratio", m.total > 0 ? 1.0 : 0.0);
  num("allocator-fragmentation.bytes", 0);
  dbl("allocator-rss.ratio", Ratio(m.rss, m.total));
  num("allocator-rss.bytes", m.rss - m.total);
  dbl("rss-overhead.ratio", m.rss > 0 ? 1.0 : 0.0);
  num("rss-overhead.bytes", 0);
  dbl("fragmentation", Ratio(m.rss, m.total));
  num("fragmentation.bytes", m.rss - m.total);
}

// The conditions Redis's memory doctor checks, with the same thresholds, in our words.
std::string DoctorReport(Service& svc) {
  const MemoryOverhead m = GatherOverhead(svc);
  if (m.total < 5 * 1024 * 1024) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill "
           "it with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  std::vector<std::string> issues;
  if (Ratio(m.peak, m.total) > 1.5) {
    issues.push_back(
        "Peak memory: the peak is more than 150% of the memory used now. The RSS does not shrink "
        "back after a peak, so used_memory_rss can look high; mem_fragmentation_ratio is not "
        "meaningful in this state.");
  }
  const int64_t frag_bytes = m.rss - m.total;
  if (Ratio(m.rss, m.total) > 1.4 && frag_bytes > (10 << 20)) {
    issues.push_back(
        "High total RSS: the process resident set is more than 1.4 times the "
        "memory in use (" +
        std::to_string(frag_bytes) +
        " bytes more). This is fragmentation or memory "
        "released to the allocator but not to the system.");
  }
  if (m.normal_count > 0 && m.clients_normal / m.normal_count > 200 * 1024) {
    issues.push_back(
        "Big client buffers: clients use more than 200 KB each on average. Large "
        "replies or slow readers keep data in their output buffers; see "
        "client-output-buffer-limit.");
  }
  if (m.replica_count > 0 && m.clients_replicas > 10 * 1024 * 1024) {
    issues.push_back(
        "Big replica buffers: replica output buffers exceed 10 MB. The replicas read "
        "the stream slower than it is written, or the link is slow.");
  }
  if (issues.empty()) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  std::string s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  for (const std::string& i : issues) s += " * " + i + "\n\n";
  s += "I'm here to keep you safe, Sam. I want to help you.\n";
  return s;
}

void MemoryCommand(CommandContext& ctx) {
  std::string sub = ctx.arg(1);
  for (char& c : sub) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (sub == "help") {
    static const char* kHelp[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* l : kHelp) ctx.reply.Simple(l);
  } else if (sub == "usage") {
    UsageCommand(ctx);
  } else if (sub == "stats") {
    StatsCommand(ctx);
  } else if (sub == "doctor") {
    ctx.reply.Verbatim(DoctorReport(ctx.service));
  } else if (sub == "malloc-stats") {
    ctx.reply.Bulk("Stats not supported for the current allocator");
  } else {  // purge
    // glibc can return free heap pages to the system, which is what PURGE asks for.
    malloc_trim(0);
    ctx.reply.Simple("OK");
  }
}

}  // namespace

void RegisterMemoryCommands(CommandTable& t) {
  t.Add({"memory", -2, 0, 0, 0, 0, MemoryCommand, "server", {}});
  t.AddSub("memory", {"usage", -3, kCmdReadonly, 2, 2, 1, MemoryCommand, "server", {}});
  t.AddSub("memory", {"stats", 2, 0, 0, 0, 0, MemoryCommand, "server", {}});
  t.AddSub("memory", {"doctor", 2, 0, 0, 0, 0, MemoryCommand, "server", {}});
  t.AddSub("memory", {"malloc-stats", 2, 0, 0, 0, 0, MemoryCommand, "server", {}});
  t.AddSub("memory", {"purge", 2, 0, 0, 0, 0, MemoryCommand, "server", {}});
  t.AddSub("memory", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, MemoryCommand, "server", {}});
}

}  // namespace vigil::datanode
