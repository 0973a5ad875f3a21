// DUMP and RESTORE: one key's value in Redis 7.0's payload format (see persistence/
// dump_payload.h), so values move between vigil-datanode and redis-server in either direction.
#include <climits>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/persistence/dump_payload.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

void DumpCommand(CommandContext& ctx) {
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Null();
  RdbWriteOptions options;
  options.compression = ctx.config().rdbcompression;
  options.list_max_listpack_size = ctx.config().list_max_listpack_size;
  ctx.reply.Bulk(EncodeDumpPayload(*e, options));
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  int64_t idle_s = -1;  // IDLETIME, applied under an LRU-style policy
  int64_t freq = -1;    // FREQ, applied under an LFU policy
};

// Parses the options after the payload; answers the error and returns false on a bad one.
// IDLETIME and FREQ exclude each other: the second one is a syntax error, as in Redis.
bool ParseRestoreOptions(CommandContext& ctx, RestoreOptions* o) {
  for (size_t i = 4; i < ctx.argc; ++i) {
    const bool has_value = i + 1 < ctx.argc;
    if (ctx.ArgIs(i, "REPLACE")) {
      o->replace = true;
    } else if (ctx.ArgIs(i, "ABSTTL")) {
      o->absttl = true;
    } else if (ctx.ArgIs(i, "IDLETIME") && has_value && o->freq == -1) {
      if (!ctx.GetInt(++i, &o->idle_s)) return false;
      if (o->idle_s < 0) {
        ctx.reply.Error("ERR Invalid IDLETIME value, must be >= 0");
        return false;
      }
    } else if (ctx.ArgIs(i, "FREQ") && has_value && o->idle_s == -1) {
      if (!ctx.GetInt(++i, &o->freq)) return false;
      if (o->freq < 0 || o->freq > 255) {
        ctx.reply.Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return false;
      }
    } else {
      ctx.ErrSyntax();
      return false;
    }
  }
  return true;
}

// Sets the access data RESTORE was given, for the policy that tracks it.
void ApplyAccessHints(CommandContext& ctx, Entry* e, const RestoreOptions& o) {
  Keyspace& ks = ctx.keyspace();
  ks.InitAccess(e, ctx.now_ms());
  if (ks.lfu()) {
    if (o.freq >= 0) e->set_lru((e->lru() & ~0xFFu) | uint32_t(o.freq));
  } else if (o.idle_s >= 0) {
    // The LRU clock wraps after 2^24 seconds; older idle times saturate.
    const int64_t idle_ms = std::min<int64_t>(o.idle_s, int64_t(1) << 24) * 1000;
    e->set_lru(Keyspace::LruClock(std::max<int64_t>(0, ctx.now_ms() - idle_ms)));
  }
}

void RestoreCommand(CommandContext& ctx) {
  RestoreOptions o;
  if (!ParseRestoreOptions(ctx, &o)) return;
  const std::string& key = ctx.arg(1);
  if (!o.replace && ctx.LookupWrite(key) != nullptr) {
    return ctx.reply.Error("BUSYKEY Target key name already exists.");
  }
  int64_t ttl;
  if (!ctx.GetInt(2, &ttl)) return;
  if (ttl < 0) return ctx.reply.Error("ERR Invalid TTL value, must be >= 0");
  const std::string& payload = ctx.arg(3);
  if (!DumpPayloadFooterValid(payload, !ctx.service.debug.skip_checksum_validation)) {
    return ctx.reply.Error("ERR DUMP payload version or checksum are wrong");
  }
  RdbLoadOptions load;
  load.limits = LimitsFromConfig(ctx.config());
  Entry* e = nullptr;
  if (Status decoded = DecodeDumpPayload(payload, key, load, &e); !decoded.ok()) {
    // The client only learns "Bad data format"; the reason goes to the log at verbose level,
    // as Redis logs a corrupt payload met by RESTORE.
    if (ServerHooks* hooks = ctx.service.hooks()) {
      hooks->LogAtLevel(
          1, "Internal error in RDB reading offset 0, in RESTORE -> " + decoded.message());
    }
    return ctx.reply.Error("ERR Bad data format");
  }
  bool deleted = false;
  if (o.replace && ctx.LookupWrite(key) != nullptr) deleted = ctx.db().Delete(key);
  int64_t when = ttl;
  if (ttl != 0 && !o.absttl) when = ttl > LLONG_MAX - ctx.now_ms() ? LLONG_MAX : ttl + ctx.now_ms();
  if (ttl != 0 && when <= ctx.now_ms() && !ctx.session.is_master_link) {
    // Already expired: the key is not created, and the replace's delete is what replicates.
    Entry::Free(e);
    if (deleted) {
      ctx.KeyModified(key);
      ctx.Notify(notify::kGeneric, "del", key);
      ctx.PropagateAs({"DEL", key});
    } else {
      ctx.NoPropagate();
    }
    return ctx.reply.Ok();
  }
  ctx.AddKey(e);
  if (ttl != 0) {
    ctx.db().SetExpire(e, when);
    if (!o.absttl) {
      // Replicas and the AOF get the absolute time, so a replay does not extend the TTL.
      std::vector<std::string> argv(ctx.argv.begin(), ctx.argv.begin() + long(ctx.argc));
      argv[2] = std::to_string(when);
      argv.emplace_back("ABSTTL");
      ctx.PropagateAs(std::move(argv));
    }
  }
  ApplyAccessHints(ctx, e, o);
  ctx.KeyModified(key);
  ctx.Notify(notify::kGeneric, "restore", key);
  ctx.reply.Ok();
}

}  // namespace

void RegisterDumpCommands(CommandTable& t) {
  RegisterMigrateCommand(t);
  t.Add({"dump", 2, kCmdReadonly, 1, 1, 1, DumpCommand, "generic", {}});
  t.Add({"restore", -4, kCmdWrite | kCmdDenyOom, 1, 1, 1, RestoreCommand, "generic", {}});
}

}  // namespace vigil::datanode
