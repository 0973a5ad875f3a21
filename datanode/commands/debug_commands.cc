// DEBUG <subcommand>: Redis 7.0's test and diagnosis hooks, refused unless enable-debug-command
// allows them (kCmdProtected). Each subcommand matches Redis's argument count and answers with
// Redis's reply and error texts; the ones that need the process (RELOAD, LOADAOF, CHANGE-REPL-ID,
// REPLICATE, CONFIG-REWRITE-FORCE-ALL, LOG) go through ServerHooks. Numeric knobs are parsed
// with atoi/strtod as Redis parses them, so junk reads as 0 instead of failing.
#include <sys/mman.h>
#include <time.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/config/option_registry.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/debug_internal.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

int Atoi(const std::string& s) {
  return std::atoi(s.c_str());
}

void Log(CommandContext& ctx, const std::string& line) {
  if (ServerHooks* h = ctx.service.hooks()) h->LogWarning(line);
}

void Populate(CommandContext& ctx) {
  int64_t count = 0, size = 0;
  if (!ctx.GetInt(2, &count)) return;
  if (count < 0) return ctx.reply.Error("ERR value is out of range, must be positive");
  std::string prefix = ctx.argc >= 4 ? ctx.arg(3) : "key";
  if (ctx.argc == 5) {
    if (!ctx.GetInt(4, &size)) return;
    if (size < 0) return ctx.reply.Error("ERR value is out of range, must be positive");
  }
  std::string key, value;
  for (int64_t j = 0; j < count; ++j) {
    key = prefix + ":" + std::to_string(j);
    if (ctx.LookupWrite(key) != nullptr) continue;
    value = "value:" + std::to_string(j);
    // With a size, the value is the same text cut or zero-padded to that size, as in Redis.
    if (size > 0) value.resize(size_t(size), '\0');
    Entry* e = Entry::NewString(key, value);
    ctx.keyspace().InitAccess(e, ctx.now_ms());
    ctx.AddKey(e);
  }
  ctx.Dirty(count);
  ctx.NoPropagate();
  ctx.reply.Ok();
}

void Reload(CommandContext& ctx) {
  bool save = true, flush = true, merge = false;
  for (size_t j = 2; j < ctx.argc; ++j) {
    if (ctx.ArgIs(j, "merge")) {
      merge = true;
    } else if (ctx.ArgIs(j, "noflush")) {
      flush = false;
    } else if (ctx.ArgIs(j, "nosave")) {
      save = false;
    } else {
      return ctx.reply.Error(
          "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
  }
  ServerHooks* h = ctx.service.hooks();
  std::string err = h ? h->DebugReload(save, flush, merge) : "ERR DEBUG RELOAD is not available";
  if (!err.empty()) return ctx.reply.Error(err);
  ctx.reply.Ok();
}

void LoadAof(CommandContext& ctx) {
  ServerHooks* h = ctx.service.hooks();
  std::string err = h ? h->DebugLoadAof() : "ERR DEBUG LOADAOF is not available";
  if (!err.empty()) return ctx.reply.Error(err);
  ctx.reply.Ok();
}

void QuicklistPackedThreshold(CommandContext& ctx) {
  // Redis's memtoull: digits and an optional b/k/kb/m/mb/g/gb unit, nothing negative.
  int64_t sz = 0;
  const std::string& a = ctx.arg(2);
  bool ok = !a.empty() && a[0] != '-' && config::ParseMemory(a, &sz);
  // Redis caps it just under 4 GB; 0 restores the 1 GB default.
  if (!ok || sz > (1LL << 32) - (1LL << 20)) {
    return ctx.reply.Error(
        "ERR argument must be a memory value bigger than 1 and smaller than 4gb");
  }
  ctx.service.debug.quicklist_packed_threshold = sz == 0 ? (1LL << 30) : sz;
  ctx.reply.Ok();
}

void ReplyBuffer(CommandContext& ctx) {
  DebugSettings& d = ctx.service.debug;
  if (ctx.ArgIs(2, "peak-reset-time")) {
    if (ctx.ArgIs(3, "never")) {
      d.reply_buffer_peak_reset_time_ms = -1;
    } else if (ctx.ArgIs(3, "reset")) {
      d.reply_buffer_peak_reset_time_ms = 5000;
    } else {
      int64_t v;
      if (!ctx.GetInt(3, &v)) return;
      d.reply_buffer_peak_reset_time_ms = v;
    }
  } else if (ctx.ArgIs(2, "resizing")) {
    d.reply_buffer_resizing = Atoi(ctx.arg(3)) != 0;
  } else {
    return DebugSyntaxError(ctx);
  }
  ctx.reply.Ok();
}

void ClientEviction(CommandContext& ctx) {
  auto it = ctx.config().passive.find("maxmemory-clients");
  if (it == ctx.config().passive.end() || it->second == "0") {
    return ctx.reply.Error("ERR maxmemory-clients is disabled.");
  }
  // No client memory buckets are kept: every bucket is reported empty.
  std::string s;
  for (int j = 0; j < 19; ++j) {
    char buf[128];
    const size_t lo = j == 0 ? 0 : size_t(1) << (j - 1 + 15);
    const size_t hi = (size_t(1) << (j + 15)) - 1;
    if (j == 18) {
      std::snprintf(buf, sizeof(buf), "bucket %10zu+            : ", lo);
    } else if (j == 0) {
      std::snprintf(buf, sizeof(buf), "bucket          0 - %10zu: ", hi);
    } else {
      std::snprintf(buf, sizeof(buf), "bucket %10zu - %10zu: ", lo, hi);
    }
    s += buf;
    s += "tot-mem:          0, clients: 0\n";
  }
  ctx.reply.Verbatim(s, "txt");
}

// The crash subcommands end the process the way Redis does; the server's crash handler
// (server/crash_report.cc) writes the bug report.
[[noreturn]] void Crash(CommandContext& ctx, const std::string& sub) {
  if (sub == "segfault") {
    // A write to a read-only page: a real SIGSEGV (SEGV_ACCERR), as Redis produces it.
    void* page = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANON, -1, 0);
    *static_cast<volatile char*>(page) = 'x';
  } else if (sub == "panic") {
    Log(ctx, "------------------------------------------------");
    Log(ctx, "!!! Software Failure. Press left mouse button to continue");
    Log(ctx, "Guru Meditation: DEBUG PANIC called at Unix time " +
                 std::to_string(ctx.now_ms() / 1000) + " #debug_commands.cc");
  } else if (sub == "assert") {
    Log(ctx, "=== ASSERTION FAILED ===");
    Log(ctx, "==> debug_commands.cc '1 == 2' is not true");
  } else {
    Log(ctx, "Out Of Memory allocating " + std::to_string(SIZE_MAX / 2) + " bytes!");
  }
  std::abort();
}

bool Dispatch(CommandContext& ctx, const std::string& sub) {
  const size_t argc = ctx.argc;
  DebugSettings& knobs = ctx.service.debug;
  if (sub == "help" && argc == 2) {
    DebugHelp(ctx);
  } else if (sub == "segfault" || sub == "panic" || sub == "assert" || sub == "oom") {
    Crash(ctx, sub);
  } else if (sub == "restart" || sub == "crash-and-recover") {
    // Vigil does not re-execute itself: Redis's answer when the restart cannot happen.
    ctx.reply.Error("ERR failed to restart the server. Check server logs.");
  } else if (sub == "log" && argc == 3) {
    Log(ctx, "DEBUG LOG: " + ctx.arg(2));
    ctx.reply.Ok();
  } else if (sub == "leak" && argc == 3) {
    ctx.reply.Ok();  // nothing to leak: the point in Redis is to exercise its leak checker
  } else if (sub == "reload") {
    Reload(ctx);
  } else if (sub == "loadaof") {
    LoadAof(ctx);
  } else if (sub == "drop-cluster-packet-filter" && argc == 3) {
    int64_t v;
    if (!ctx.GetInt(2, &v)) return true;
    knobs.cluster_drop_packet_filter = v;
    ctx.reply.Ok();
  } else if (sub == "object" && argc == 3) {
    DebugObject(ctx);
  } else if (sub == "sdslen" && argc == 3) {
    DebugSdsLen(ctx);
  } else if (sub == "listpack" && argc == 3) {
    DebugListpack(ctx);
  } else if (sub == "quicklist" && (argc == 3 || argc == 4)) {
    DebugQuicklist(ctx);
  } else if (sub == "populate" && argc >= 3 && argc <= 5) {
    Populate(ctx);
  } else if (sub == "digest" && argc == 2) {
    DebugDigest(ctx);
  } else if (sub == "digest-value" && argc >= 2) {
    DebugDigestValue(ctx);
  } else if (sub == "protocol" && argc == 3) {
    DebugProtocol(ctx);
  } else if (sub == "sleep" && argc == 3) {
    // Blocks the whole server on purpose: tests use it to simulate a stuck process.
    const int64_t usec = int64_t(std::strtod(ctx.arg(2).c_str(), nullptr) * 1000000);
    timespec ts{time_t(usec / 1000000), long((usec % 1000000) * 1000)};
    nanosleep(&ts, nullptr);
    // The shell's clock does not move inside a command: advance it by what we slept, so keys
    // that expired meanwhile count as expired for the rest of the batch (a blocked client
    // served after this EXEC must not get them, as in Redis, which refreshes its clock there).
    // A script's time stands still while it runs (Redis caches it for the whole script).
    if (ctx.service.script_run() == nullptr) {
      ctx.service.set_now(ctx.service.now_ms() + usec / 1000);
    }
    ctx.reply.Ok();
  } else if (sub == "set-active-expire" && argc == 3) {
    ctx.service.active_expire_enabled = Atoi(ctx.arg(2)) != 0;
    ctx.reply.Ok();
  } else if (sub == "quicklist-packed-threshold" && argc == 3) {
    QuicklistPackedThreshold(ctx);
  } else if (sub == "set-skip-checksum-validation" && argc == 3) {
    knobs.skip_checksum_validation = Atoi(ctx.arg(2)) != 0;
    ctx.reply.Ok();
  } else if (sub == "aof-flush-sleep" && argc == 3) {
    knobs.aof_flush_sleep_us = Atoi(ctx.arg(2));
    ctx.reply.Ok();
  } else if (sub == "replicate" && argc >= 3) {
    if (ServerHooks* h = ctx.service.hooks()) {
      h->ReplicateToReplicas(
          std::vector<std::string>(ctx.argv.begin() + 2, ctx.argv.begin() + long(argc)));
    }
    ctx.reply.Ok();
  } else if (sub == "error" && argc == 3) {
    std::string msg = ctx.arg(2);
    for (char& c : msg) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    ctx.reply.Raw("-" + msg + "\r\n");
  } else if (sub == "structsize" && argc == 2) {
    ctx.reply.Bulk(
        "bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ");
  } else if (sub == "htstats" && argc == 3) {
    DebugHtStats(ctx);
  } else if (sub == "htstats-key" && argc == 3) {
    DebugHtStatsKey(ctx);
  } else if (sub == "change-repl-id" && argc == 2) {
    if (ServerHooks* h = ctx.service.hooks()) h->ChangeReplicationId();
    ctx.reply.Ok();
  } else if (sub == "stringmatch-test" && argc == 2) {
    ctx.reply.Simple("Apparently Redis did not crash: test passed");
  } else if (sub == "set-disable-deny-scripts" && argc == 3) {
    knobs.disable_deny_scripts = Atoi(ctx.arg(2)) != 0;
    ctx.reply.Ok();
  } else if (sub == "config-rewrite-force-all" && argc == 2) {
    ServerHooks* h = ctx.service.hooks();
    Status st = h ? h->RewriteConfigForceAll() : Status::Error("not available");
    if (st.ok()) {
      ctx.reply.Ok();
    } else {
      ctx.reply.Error("ERR CONFIG-REWRITE-FORCE-ALL failed: " + st.message());
    }
  } else if (sub == "client-eviction" && argc == 2) {
    ClientEviction(ctx);
  } else if (sub == "pause-cron" && argc == 3) {
    knobs.pause_cron = Atoi(ctx.arg(2)) != 0;
    ctx.reply.Ok();
  } else if (sub == "replybuffer" && argc == 4) {
    ReplyBuffer(ctx);
  } else if (sub == "clusterlink" && argc == 5 && ctx.ArgIs(2, "kill")) {
    ctx.reply.Error("ERR Debug option only available for cluster mode enabled setup!");
  } else {
    // MALLCTL and MALLCTL-STR land here too: Vigil does not use jemalloc (INFO mem_allocator
    // is libc), and a Redis built without jemalloc has no such subcommands either.
    return false;
  }
  return true;
}

void DebugCommand(CommandContext& ctx) {
  if (!Dispatch(ctx, config::Lower(ctx.arg(1)))) DebugSyntaxError(ctx);
}

}  // namespace

void DebugSyntaxError(CommandContext& ctx) {
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  ctx.arg(1).substr(0, 128) + "'. Try DEBUG HELP.");
}

void RegisterDebugCommands(CommandTable& t) {
  t.Add({"debug",
         -2,
         kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdProtected,
         0,
         0,
         0,
         DebugCommand,
         "server",
         {}});
}

}  // namespace vigil::datanode
