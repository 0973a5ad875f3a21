// Generic keyspace commands: DEL EXISTS EXPIRE* TTL* PERSIST TYPE KEYS SCAN RENAME COPY MOVE
// RANDOMKEY OBJECT TOUCH DBSIZE FLUSHDB FLUSHALL SWAPDB.
#include <charconv>
#include <climits>

#include "common/base/glob.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/debug_internal.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

// DEL and UNLINK: UNLINK always lets the free thread take large values, DEL when
// lazyfree-lazy-user-del says so.
void DelGeneric(CommandContext& ctx, bool lazy) {
  const FreeMode mode = lazy ? FreeMode::kLazy : FreeMode::kSync;
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc; ++i) {
    if (ctx.LookupWrite(ctx.arg(i)) != nullptr && ctx.db().Delete(ctx.arg(i), mode)) {
      ctx.KeyModified(ctx.arg(i));
      ctx.Notify(notify::kGeneric, "del", ctx.arg(i));
      ++n;
    }
  }
  ctx.reply.Integer(n);
}

void DelCommand(CommandContext& ctx) {
  DelGeneric(ctx, ctx.config().lazyfree_lazy_user_del);
}

void UnlinkCommand(CommandContext& ctx) {
  DelGeneric(ctx, true);
}

void ExistsCommand(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc; ++i) {
    if (ctx.keyspace().Lookup(ctx.session.db, ctx.arg(i), ctx.now_ms(), false, false)) {
      ++n;
    } else {
      ctx.Notify(notify::kKeyMiss, "keymiss", ctx.arg(i));
    }
  }
  ctx.reply.Integer(n);
}

void TouchCommand(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc; ++i) n += ctx.LookupRead(ctx.arg(i)) != nullptr;
  ctx.reply.Integer(n);
}

// EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT with Redis 7.0's NX XX GT LT flags.
void ExpireGeneric(CommandContext& ctx, bool seconds, bool relative) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < ctx.argc; ++i) {
    const std::string& a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "NX"))
      nx = true;
    else if (EqualsIgnoreCase(a, "XX"))
      xx = true;
    else if (EqualsIgnoreCase(a, "GT"))
      gt = true;
    else if (EqualsIgnoreCase(a, "LT"))
      lt = true;
    else
      return ctx.reply.Error("ERR Unsupported option " + a);
  }
  if (nx && (xx || gt || lt)) {
    return ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) return ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
  int64_t when = 0;
  if (!ctx.GetInt(2, &when)) return;
  std::string name = ctx.arg(0);
  for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  auto invalid = [&] { ctx.reply.Error("ERR invalid expire time in '" + name + "' command"); };
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) return invalid();
    when *= 1000;
  }
  if (relative) {
    if (when > LLONG_MAX - ctx.now_ms()) return invalid();
    when += ctx.now_ms();
  }
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupWrite(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  int64_t current = ctx.db().GetExpire(e);
  if ((nx && current >= 0) || (xx && current < 0)) return ctx.reply.Integer(0);
  // A key without a TTL counts as an infinite TTL for GT and LT.
  if (gt && (current < 0 || when <= current)) return ctx.reply.Integer(0);
  if (lt && current >= 0 && when >= current) return ctx.reply.Integer(0);
  if (when <= ctx.now_ms() && !ctx.session.is_master_link) {
    // A deadline already past deletes the key: Redis reports that as `del`, not `expire`, and
    // frees and propagates it as an expiry would.
    ctx.DeleteAsDel(key, ctx.config().lazyfree_lazy_expire);
    return ctx.reply.Integer(1);
  }
  ctx.db().SetExpire(e, when);
  ctx.reply.Integer(1);
  ctx.KeyModified(key);
  ctx.Notify(notify::kGeneric, "expire", key);
  ctx.PropagateAs({"PEXPIREAT", key, std::to_string(when)});
}

void ExpireCommand(CommandContext& ctx) {
  ExpireGeneric(ctx, true, true);
}
void PexpireCommand(CommandContext& ctx) {
  ExpireGeneric(ctx, false, true);
}
void ExpireatCommand(CommandContext& ctx) {
  ExpireGeneric(ctx, true, false);
}
void PexpireatCommand(CommandContext& ctx) {
  ExpireGeneric(ctx, false, false);
}

void TtlGeneric(CommandContext& ctx, bool ms, bool absolute) {
  Entry* e = ctx.keyspace().Lookup(ctx.session.db, ctx.arg(1), ctx.now_ms(), false, false);
  if (e == nullptr) {
    ctx.Notify(notify::kKeyMiss, "keymiss", ctx.arg(1));
    return ctx.reply.Integer(-2);
  }
  int64_t when = ctx.db().GetExpire(e);
  if (when < 0) return ctx.reply.Integer(-1);
  if (absolute) return ctx.reply.Integer(ms ? when : when / 1000);
  int64_t ttl = when - ctx.now_ms();
  if (ttl < 0) ttl = 0;
  ctx.reply.Integer(ms ? ttl : (ttl + 500) / 1000);
}

void TtlCommand(CommandContext& ctx) {
  TtlGeneric(ctx, false, false);
}
void PttlCommand(CommandContext& ctx) {
  TtlGeneric(ctx, true, false);
}
void ExpiretimeCommand(CommandContext& ctx) {
  TtlGeneric(ctx, false, true);
}
void PexpiretimeCommand(CommandContext& ctx) {
  TtlGeneric(ctx, true, true);
}

void PersistCommand(CommandContext& ctx) {
  Entry* e = ctx.LookupWrite(ctx.arg(1));
  if (e == nullptr || !ctx.db().RemoveExpire(e)) return ctx.reply.Integer(0);
  ctx.KeyModified(ctx.arg(1));
  ctx.Notify(notify::kGeneric, "persist", ctx.arg(1));
  ctx.reply.Integer(1);
}

void TypeCommand(CommandContext& ctx) {
  Entry* e = ctx.keyspace().Lookup(ctx.session.db, ctx.arg(1), ctx.now_ms(), false, false);
  if (e == nullptr) ctx.Notify(notify::kKeyMiss, "keymiss", ctx.arg(1));
  ctx.reply.Simple(e ? TypeName(e->type()) : "none");
}

void KeysCommand(CommandContext& ctx) {
  const std::string& pattern = ctx.arg(1);
  const bool all = pattern == "*";
  std::vector<std::string> keys;
  Database& db = ctx.db();
  int64_t now = ctx.now_ms();
  db.keys().ForEach([&](Entry* e) {
    if (e->has_expire() && db.GetExpire(e) <= now) return;
    if (all || GlobMatch(pattern, e->key())) keys.emplace_back(e->key());
  });
  ctx.reply.Array(keys.size());
  for (const auto& k : keys) ctx.reply.Bulk(k);
}

void ScanCommand(CommandContext& ctx) {
  uint64_t cursor = 0;
  {
    const std::string& c = ctx.arg(1);
    auto [p, ec] = std::from_chars(c.data(), c.data() + c.size(), cursor);
    if (c.empty() || ec != std::errc() || p != c.data() + c.size()) {
      return ctx.reply.Error("ERR invalid cursor");
    }
  }
  std::string pattern;
  bool has_pattern = false, has_type = false;
  std::string type;
  int64_t count = 10;
  for (size_t i = 2; i < ctx.argc; i += 2) {
    if (i + 1 >= ctx.argc) return ctx.ErrSyntax();
    if (ctx.ArgIs(i, "COUNT")) {
      if (!ctx.GetInt(i + 1, &count)) return;
      if (count < 1) return ctx.ErrSyntax();
    } else if (ctx.ArgIs(i, "MATCH")) {
      pattern = ctx.arg(i + 1);
      has_pattern = pattern != "*";
    } else if (ctx.ArgIs(i, "TYPE")) {
      type = ctx.arg(i + 1);
      has_type = true;
    } else {
      return ctx.ErrSyntax();
    }
  }
  Database& db = ctx.db();
  std::vector<std::string> keys;
  // Like Redis: visit buckets until `count` keys were collected or 10x count buckets seen.
  int64_t budget = count * 10;
  do {
    cursor = db.keys().Scan(cursor, [&](Entry* e) { keys.emplace_back(e->key()); });
  } while (cursor != 0 && --budget > 0 && int64_t(keys.size()) < count);
  std::vector<std::string> out;
  for (auto& k : keys) {
    if (has_pattern && !GlobMatch(pattern, k)) continue;
    Entry* e = ctx.keyspace().Lookup(ctx.session.db, k, ctx.now_ms(), false, false);
    if (e == nullptr) continue;
    if (has_type && !EqualsIgnoreCase(TypeName(e->type()), type)) continue;
    out.push_back(std::move(k));
  }
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(cursor));
  ctx.reply.Array(out.size());
  for (const auto& k : out) ctx.reply.Bulk(k);
}

void RenameGeneric(CommandContext& ctx, bool nx) {
  const std::string& src = ctx.arg(1);
  const std::string& dst = ctx.arg(2);
  Entry* e = ctx.LookupWrite(src);
  if (e == nullptr) return ctx.reply.Error("ERR no such key");
  if (src == dst) return nx ? ctx.reply.Integer(0) : ctx.reply.Ok();
  if (nx && ctx.LookupWrite(dst) != nullptr) return ctx.reply.Integer(0);
  // Redis deletes an existing destination and adds the key afresh, so it is `new` either way.
  if (ctx.LookupWrite(dst) != nullptr) ctx.db().Delete(dst);
  int64_t when = -1;
  Entry* detached = ctx.db().Unlink(src, &when);
  Entry* moved = Entry::Clone(*detached, dst);
  Entry::Free(detached);
  ctx.AddKey(moved);
  if (when >= 0) ctx.db().SetExpire(moved, when);
  ctx.KeyModified(src);
  ctx.KeyModified(dst);
  ctx.Notify(notify::kGeneric, "rename_from", src);
  ctx.Notify(notify::kGeneric, "rename_to", dst);
  nx ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

void RenameCommand(CommandContext& ctx) {
  RenameGeneric(ctx, false);
}
void RenamenxCommand(CommandContext& ctx) {
  RenameGeneric(ctx, true);
}

bool ParseDbIndex(CommandContext& ctx, size_t i, int* out) {
  int64_t v;
  if (!ctx.GetInt(i, &v)) return false;
  if (v < 0 || v >= ctx.keyspace().database_count()) {
    ctx.reply.Error("ERR DB index is out of range");
    return false;
  }
  *out = int(v);
  return true;
}

void CopyCommand(CommandContext& ctx) {
  int dst_db = ctx.session.db;
  bool replace = false;
  for (size_t i = 3; i < ctx.argc; ++i) {
    if (ctx.ArgIs(i, "REPLACE")) {
      replace = true;
    } else if (ctx.ArgIs(i, "DB") && i + 1 < ctx.argc) {
      if (!ParseDbIndex(ctx, ++i, &dst_db)) return;
    } else {
      return ctx.ErrSyntax();
    }
  }
  const std::string& src = ctx.arg(1);
  const std::string& dst = ctx.arg(2);
  if (src == dst && dst_db == ctx.session.db) {
    return ctx.reply.Error("ERR source and destination objects are the same");
  }
  Entry* e = ctx.LookupWrite(src);
  if (e == nullptr) {
    ctx.Notify(notify::kKeyMiss, "keymiss", src);
    return ctx.reply.Integer(0);
  }
  Keyspace& ks = ctx.keyspace();
  Entry* existing = ks.Lookup(dst_db, dst, ctx.now_ms(), false, false);
  if (existing != nullptr && !replace) return ctx.reply.Integer(0);
  int64_t when = ctx.db().GetExpire(e);
  Entry* copy = Entry::Clone(*e, dst);
  if (existing != nullptr) ks.db(dst_db).Delete(dst);
  ctx.AddKeyIn(dst_db, copy);
  if (when >= 0) ks.db(dst_db).SetExpire(copy, when);
  ctx.KeyModifiedIn(dst_db, dst);
  ctx.NotifyIn(dst_db, notify::kGeneric, "copy_to", dst);
  ctx.reply.Integer(1);
}

void MoveCommand(CommandContext& ctx) {
  int dst_db;
  if (!ParseDbIndex(ctx, 2, &dst_db)) return;
  if (dst_db == ctx.session.db) {
    return ctx.reply.Error("ERR source and destination objects are the same");
  }
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupWrite(key);
  if (e == nullptr) return ctx.reply.Integer(0);
  Keyspace& ks = ctx.keyspace();
  if (ks.Lookup(dst_db, key, ctx.now_ms(), false, false) != nullptr) return ctx.reply.Integer(0);
  int64_t when = -1;
  Entry* detached = ctx.db().Unlink(key, &when);
  ctx.AddKeyIn(dst_db, detached);
  if (when >= 0) ks.db(dst_db).SetExpire(detached, when);
  ctx.KeyModified(key);
  ctx.KeyModifiedIn(dst_db, key);
  ctx.NotifyIn(ctx.session.db, notify::kGeneric, "move_from", key);
  ctx.NotifyIn(dst_db, notify::kGeneric, "move_to", key);
  ctx.reply.Integer(1);
}

// Redis's dbRandomKey: an expired key drawn is deleted (and its DEL propagated) and another is
// drawn. Where expired keys stay (a replica, a paused or loading server), 100 draws of expired
// keys end the search with the last one, as Redis's replica does, so it cannot loop forever.
void RandomkeyCommand(CommandContext& ctx) {
  Database& db = ctx.db();
  int tries = 100;
  while (db.size() > 0) {
    Prng& prng = ctx.keyspace().prng();
    Entry* e = db.keys().Random(prng.Next(), prng.Next());
    if (!e->has_expire() || db.GetExpire(e) > ctx.now_ms()) return ctx.reply.Bulk(e->key());
    const std::string key(e->key());
    ctx.LookupWrite(key);  // lazy expiry: deletes it unless it must stay
    if (db.Find(key) != nullptr && --tries == 0) return ctx.reply.Bulk(key);
  }
  ctx.reply.Null();
}

void ObjectCommand(CommandContext& ctx) {
  std::string sub = ctx.arg(1);
  for (auto& c : sub) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (sub == "help") {
    static const char* kHelp[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* l : kHelp) ctx.reply.Simple(l);
    return;
  }
  Entry* e = ctx.keyspace().Lookup(ctx.session.db, ctx.arg(2), ctx.now_ms(), false, false);
  if (e == nullptr) return ctx.reply.Null();
  Keyspace& ks = ctx.keyspace();
  if (sub == "encoding") return ctx.reply.Bulk(EncodingName(e->encoding()));
  if (sub == "refcount") return ctx.reply.Integer(ObjectRefcount(ctx, *e));
  if (sub == "idletime") {
    if (ks.lfu()) {
      return ctx.reply.Error(
          "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
          "switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }
    return ctx.reply.Integer(int64_t(ks.IdleMillis(e, ctx.now_ms()) / 1000));
  }
  if (!ks.lfu()) {
    return ctx.reply.Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time "
        "to adjust.");
  }
  ctx.reply.Integer(ks.LfuCounter(e, ctx.now_ms()));
}

void DbsizeCommand(CommandContext& ctx) {
  ctx.reply.Integer(int64_t(ctx.db().size()));
}

bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.argc > 2 || (ctx.argc == 2 && !ctx.ArgIs(1, "ASYNC") && !ctx.ArgIs(1, "SYNC"))) {
    ctx.ErrSyntax();
    return false;
  }
  return true;
}

// ASYNC, SYNC, or without a mode what lazyfree-lazy-user-flush says (Redis's
// getFlushCommandFlags).
bool FlushIsAsync(const CommandContext& ctx) {
  if (ctx.argc == 2) return ctx.ArgIs(1, "ASYNC");
  return ctx.config().lazyfree_lazy_user_flush;
}

void FlushdbCommand(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  ctx.Dirty(int64_t(ctx.db().size()) + 1);
  ctx.service.TouchWatchedKeysInDb(ctx.session.db, -1);
  ctx.service.TrackingInvalidateAll();
  ctx.keyspace().FlushDb(ctx.session.db, FlushIsAsync(ctx));
  // XREADGROUP waiters lost their streams.
  ctx.service.waiters().SignalAllIn(ctx.session.db);
  ctx.reply.Ok();
}

void FlushallCommand(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  ctx.Dirty(int64_t(ctx.keyspace().TotalKeys()) + 1);
  ctx.service.TouchWatchedKeysInDb(-1, -1);
  ctx.service.TrackingInvalidateAll();
  ctx.keyspace().FlushAll(FlushIsAsync(ctx));
  for (int d = 0; d < ctx.keyspace().database_count(); ++d) {
    ctx.service.waiters().SignalAllIn(d);
  }
  if (ctx.service.hooks() != nullptr && ctx.service.hooks()->FlushAllResetRdb()) {
    ctx.SavedDuringCommand();
  }
  ctx.reply.Ok();
}

void SwapdbCommand(CommandContext& ctx) {
  int64_t a, b;
  const char* kInvalid[] = {"ERR invalid first DB index", "ERR invalid second DB index"};
  if (!ParseInt64Strict(ctx.arg(1), &a)) return ctx.reply.Error(kInvalid[0]);
  if (!ParseInt64Strict(ctx.arg(2), &b)) return ctx.reply.Error(kInvalid[1]);
  int n = ctx.keyspace().database_count();
  if (a < 0 || a >= n || b < 0 || b >= n) return ctx.reply.Error("ERR DB index is out of range");
  if (a != b) {
    ctx.service.TouchWatchedKeysInDb(int(a), int(b));
    ctx.service.TouchWatchedKeysInDb(int(b), int(a));
    ctx.service.TrackingInvalidateAll();
    ctx.keyspace().Swap(int(a), int(b));
    // Clients blocked on a key the swap brought in are served after the command, as Redis;
    // XREADGROUP waiters whose stream the swap took away are told so.
    for (int64_t d : {a, b}) {
      ctx.service.waiters().SignalAllIn(int(d));
    }
    ctx.Dirty();
  }
  ctx.reply.Ok();
}

}  // namespace

void RegisterKeyCommands(CommandTable& t) {
  constexpr uint32_t kW = kCmdWrite;
  constexpr uint32_t kRF = kCmdReadonly | kCmdFast;
  t.Add({"del", -2, kW, 1, -1, 1, DelCommand, "generic", {}});
  t.Add({"unlink", -2, kW | kCmdFast, 1, -1, 1, UnlinkCommand, "generic", {}});
  t.Add({"exists", -2, kRF, 1, -1, 1, ExistsCommand, "generic", {}});
  t.Add({"touch", -2, kRF, 1, -1, 1, TouchCommand, "generic", {}});
  t.Add({"expire", -3, kW | kCmdFast, 1, 1, 1, ExpireCommand, "generic", {}});
  t.Add({"pexpire", -3, kW | kCmdFast, 1, 1, 1, PexpireCommand, "generic", {}});
  t.Add({"expireat", -3, kW | kCmdFast, 1, 1, 1, ExpireatCommand, "generic", {}});
  t.Add({"pexpireat", -3, kW | kCmdFast, 1, 1, 1, PexpireatCommand, "generic", {}});
  t.Add({"ttl", 2, kRF, 1, 1, 1, TtlCommand, "generic", {}});
  t.Add({"pttl", 2, kRF, 1, 1, 1, PttlCommand, "generic", {}});
  t.Add({"expiretime", 2, kRF, 1, 1, 1, ExpiretimeCommand, "generic", {}});
  t.Add({"pexpiretime", 2, kRF, 1, 1, 1, PexpiretimeCommand, "generic", {}});
  t.Add({"persist", 2, kW | kCmdFast, 1, 1, 1, PersistCommand, "generic", {}});
  t.Add({"type", 2, kRF, 1, 1, 1, TypeCommand, "generic", {}});
  t.Add({"keys", 2, kCmdReadonly, 0, 0, 0, KeysCommand, "generic", {}});
  t.Add({"scan", -2, kCmdReadonly, 0, 0, 0, ScanCommand, "generic", {}});
  t.Add({"rename", 3, kW, 1, 2, 1, RenameCommand, "generic", {}});
  t.Add({"renamenx", 3, kW | kCmdFast, 1, 2, 1, RenamenxCommand, "generic", {}});
  t.Add({"copy", -3, kW | kCmdDenyOom, 1, 2, 1, CopyCommand, "generic", {}});
  t.Add({"move", 3, kW | kCmdFast, 1, 1, 1, MoveCommand, "generic", {}});
  t.Add({"randomkey", 1, kCmdReadonly, 0, 0, 0, RandomkeyCommand, "generic", {}});
  t.Add({"object", -2, kCmdReadonly, 0, 0, 0, ObjectCommand, "generic", {}});
  for (const char* sub : {"encoding", "freq", "idletime", "refcount"}) {
    t.AddSub("object", {sub, 3, kCmdReadonly, 2, 2, 1, ObjectCommand, "generic", {}});
  }
  t.AddSub("object", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, ObjectCommand, "generic", {}});
  t.Add({"dbsize", 1, kRF, 0, 0, 0, DbsizeCommand, "server", {}});
  t.Add({"flushdb", -1, kW, 0, 0, 0, FlushdbCommand, "server", {}});
  t.Add({"flushall", -1, kW, 0, 0, 0, FlushallCommand, "server", {}});
  t.Add({"swapdb", 3, kW | kCmdFast, 0, 0, 0, SwapdbCommand, "server", {}});
}

}  // namespace vigil::datanode
