// String commands: GET SET and its options, counters, ranges, multi-key forms.
#include <climits>
#include <cmath>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/expiry_args.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr const char* kTooBig = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

// Stores `value` under `key`, replacing any value; the TTL survives only with keep_ttl.
void StoreString(CommandContext& ctx, std::string_view key, std::string_view value, bool keep_ttl) {
  Entry* e = Entry::NewString(key, value);
  ctx.keyspace().InitAccess(e, ctx.now_ms());
  ctx.UpsertKey(e, keep_ttl);
}

// The string value of `key` into *out; answers WRONGTYPE and returns false on other types.
// *found tells whether the key exists.
bool ReadString(CommandContext& ctx, std::string_view key, std::string* out, bool* found) {
  Entry* e = ctx.LookupRead(key);
  *found = e != nullptr;
  if (!ctx.CheckType(e, ObjType::kString)) return false;
  if (e != nullptr) *out = e->StringCopy();
  return true;
}

void GetCommand(CommandContext& ctx) {
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (e == nullptr) return ctx.reply.Null();
  if (!ctx.CheckType(e, ObjType::kString)) return;
  char scratch[24];
  ctx.reply.Bulk(e->StringValue(scratch));
}

struct SetOptions {
  bool nx = false, xx = false, get = false, keepttl = false;
  ExpiryArg expiry;
};

bool ParseSetOptions(CommandContext& ctx, size_t from, SetOptions* o) {
  for (size_t i = from; i < ctx.argc; ++i) {
    const std::string& a = ctx.arg(i);
    bool has_next = i + 1 < ctx.argc;
    if (EqualsIgnoreCase(a, "NX") && !o->xx) {
      o->nx = true;
    } else if (EqualsIgnoreCase(a, "XX") && !o->nx) {
      o->xx = true;
    } else if (EqualsIgnoreCase(a, "GET")) {
      o->get = true;
    } else if (EqualsIgnoreCase(a, "KEEPTTL") && o->expiry.unit == ExpiryUnit::kNone) {
      o->keepttl = true;
    } else if (has_next && !o->keepttl && o->expiry.unit == ExpiryUnit::kNone &&
               ParseExpiryUnit(a, &o->expiry.unit)) {
      o->expiry.raw = ctx.arg(++i);
    } else {
      ctx.ErrSyntax();
      return false;
    }
  }
  return true;
}

void SetCommand(CommandContext& ctx) {
  SetOptions o;
  if (!ParseSetOptions(ctx, 3, &o)) return;
  int64_t when_ms = -1;
  if (o.expiry.unit != ExpiryUnit::kNone && !ResolveExpiry(ctx, o.expiry, "set", &when_ms)) {
    return;
  }
  const std::string& key = ctx.arg(1);
  Entry* old = ctx.LookupWrite(key);
  if (o.get) {
    // SET ... GET reads the key as GET does first (a miss is a keymiss event).
    if (old == nullptr) ctx.Notify(notify::kKeyMiss, "keymiss", key);
    if (!ctx.CheckType(old, ObjType::kString)) return;
  }
  std::string old_value;
  if (o.get && old != nullptr) old_value = old->StringCopy();
  bool exists = old != nullptr;
  // With GET the old value is answered first (Redis replies before storing, so a RESP3 client
  // watching its own events gets the reply before the pushes).
  if (o.get) exists ? ctx.reply.Bulk(old_value) : ctx.reply.Null();
  if ((o.nx && exists) || (o.xx && !exists)) {
    if (!o.get) ctx.reply.Null();
    return;
  }
  StoreString(ctx, key, ctx.arg(2), o.keepttl);
  ctx.Notify(notify::kString, "set", key);
  if (when_ms >= 0) {
    Entry* e = ctx.db().Find(key);
    ctx.db().SetExpire(e, when_ms);
    ctx.Notify(notify::kGeneric, "expire", key);
  }
  ctx.KeyModified(key);
  if (when_ms >= 0) {
    // Relative expiries replay as absolute ones, so replicas and the AOF agree on the deadline.
    ctx.PropagateAs({"SET", key, ctx.arg(2), "PXAT", std::to_string(when_ms)});
  }
  if (!o.get) ctx.reply.Ok();
}

void SetnxCommand(CommandContext& ctx) {
  if (ctx.LookupWrite(ctx.arg(1)) != nullptr) return ctx.reply.Integer(0);
  StoreString(ctx, ctx.arg(1), ctx.arg(2), false);
  ctx.Notify(notify::kString, "set", ctx.arg(1));
  ctx.KeyModified(ctx.arg(1));
  ctx.reply.Integer(1);
}

void SetexGeneric(CommandContext& ctx, ExpiryUnit unit, const char* name) {
  int64_t when_ms = -1;
  if (!ResolveExpiry(ctx, ExpiryArg{unit, ctx.arg(2)}, name, &when_ms)) return;
  const std::string& key = ctx.arg(1);
  ctx.LookupWrite(key);
  StoreString(ctx, key, ctx.arg(3), false);
  ctx.Notify(notify::kString, "set", key);
  ctx.db().SetExpire(ctx.db().Find(key), when_ms);
  ctx.Notify(notify::kGeneric, "expire", key);
  ctx.KeyModified(key);
  ctx.PropagateAs({"SET", key, ctx.arg(3), "PXAT", std::to_string(when_ms)});
  ctx.reply.Ok();
}

void SetexCommand(CommandContext& ctx) {
  SetexGeneric(ctx, ExpiryUnit::kEx, "setex");
}
void PsetexCommand(CommandContext& ctx) {
  SetexGeneric(ctx, ExpiryUnit::kPx, "psetex");
}

void GetsetCommand(CommandContext& ctx) {
  std::string old;
  bool found = false;
  if (!ReadString(ctx, ctx.arg(1), &old, &found)) return;
  found ? ctx.reply.Bulk(old) : ctx.reply.Null();
  StoreString(ctx, ctx.arg(1), ctx.arg(2), false);
  ctx.Notify(notify::kString, "set", ctx.arg(1));
  ctx.KeyModified(ctx.arg(1));
  ctx.PropagateAs({"SET", ctx.arg(1), ctx.arg(2)});  // as Redis 7.0 does
}

void GetdelCommand(CommandContext& ctx) {
  std::string old;
  bool found = false;
  if (!ReadString(ctx, ctx.arg(1), &old, &found)) return;
  if (!found) return ctx.reply.Null();
  ctx.reply.Bulk(old);
  // A user's delete, as DEL is.
  ctx.DeleteAsDel(ctx.arg(1), ctx.config().lazyfree_lazy_user_del);
}

void GetexCommand(CommandContext& ctx) {
  ExpiryArg expiry;
  bool persist = false;
  for (size_t i = 2; i < ctx.argc; ++i) {
    ExpiryUnit unit;
    if (EqualsIgnoreCase(ctx.arg(i), "PERSIST") && expiry.unit == ExpiryUnit::kNone && !persist) {
      persist = true;
    } else if (i + 1 < ctx.argc && expiry.unit == ExpiryUnit::kNone && !persist &&
               ParseExpiryUnit(ctx.arg(i), &unit)) {
      expiry = ExpiryArg{unit, ctx.arg(++i)};
    } else {
      return ctx.ErrSyntax();
    }
  }
  // Redis looks the key up before validating the expiry: a missing key answers nil.
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupRead(key);
  if (e == nullptr) return ctx.reply.Null();
  if (!ctx.CheckType(e, ObjType::kString)) return;
  int64_t when_ms = -1;
  if (expiry.unit != ExpiryUnit::kNone && !ResolveExpiry(ctx, expiry, "getex", &when_ms)) return;
  // Answered before the TTL changes, as Redis does (its pushes to a RESP3 client follow).
  ctx.reply.Bulk(e->StringCopy());
  if (when_ms >= 0) {
    if (when_ms <= ctx.now_ms()) {
      // An expiry in the past: freed and propagated as an expiry would be.
      ctx.DeleteAsDel(key, ctx.config().lazyfree_lazy_expire);
    } else {
      ctx.db().SetExpire(e, when_ms);
      ctx.PropagateAs({"PEXPIREAT", key, std::to_string(when_ms)});
      ctx.KeyModified(key);
      ctx.Notify(notify::kGeneric, "expire", key);
    }
  } else if (persist && ctx.db().RemoveExpire(e)) {
    ctx.PropagateAs({"PERSIST", key});
    ctx.KeyModified(key);
    ctx.Notify(notify::kGeneric, "persist", key);
  }
}

void MgetCommand(CommandContext& ctx) {
  ctx.reply.Array(ctx.argc - 1);
  for (size_t i = 1; i < ctx.argc; ++i) {
    Entry* e = ctx.LookupRead(ctx.arg(i));
    if (e == nullptr || e->type() != ObjType::kString) {
      ctx.reply.Null();
    } else {
      char scratch[24];
      ctx.reply.Bulk(e->StringValue(scratch));
    }
  }
}

void MsetGeneric(CommandContext& ctx, bool nx) {
  if (ctx.argc % 2 == 0) return ctx.ErrArity();
  if (nx) {
    for (size_t i = 1; i < ctx.argc; i += 2) {
      if (ctx.LookupWrite(ctx.arg(i)) != nullptr) return ctx.reply.Integer(0);
    }
  }
  for (size_t i = 1; i < ctx.argc; i += 2) {
    ctx.LookupWrite(ctx.arg(i));
    StoreString(ctx, ctx.arg(i), ctx.arg(i + 1), false);
    ctx.Notify(notify::kString, "set", ctx.arg(i));
    ctx.KeyModified(ctx.arg(i));
  }
  nx ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

void MsetCommand(CommandContext& ctx) {
  MsetGeneric(ctx, false);
}
void MsetnxCommand(CommandContext& ctx) {
  MsetGeneric(ctx, true);
}

void IncrGeneric(CommandContext& ctx, int64_t delta) {
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupWrite(key);
  if (!ctx.CheckType(e, ObjType::kString)) return;
  int64_t cur = 0;
  if (e != nullptr && !e->StringAsInt(&cur)) return ctx.ErrNotInteger();
  if ((delta < 0 && cur < 0 && delta < LLONG_MIN - cur) ||
      (delta > 0 && cur > 0 && delta > LLONG_MAX - cur)) {
    return ctx.reply.Error("ERR increment or decrement would overflow");
  }
  int64_t next = cur + delta;
  if (e != nullptr) {
    e->SetInt(next);
    ctx.keyspace().Touch(e, ctx.now_ms());
  } else {
    Entry* n = Entry::NewInt(key, next);
    ctx.keyspace().InitAccess(n, ctx.now_ms());
    ctx.AddKey(n);
  }
  ctx.KeyModified(key);
  ctx.Notify(notify::kString, "incrby", key);
  ctx.reply.Integer(next);
}

void IncrCommand(CommandContext& ctx) {
  IncrGeneric(ctx, 1);
}
void DecrCommand(CommandContext& ctx) {
  IncrGeneric(ctx, -1);
}
void IncrbyCommand(CommandContext& ctx) {
  int64_t d;
  if (ctx.GetInt(2, &d)) IncrGeneric(ctx, d);
}
void DecrbyCommand(CommandContext& ctx) {
  int64_t d;
  if (!ctx.GetInt(2, &d)) return;
  if (d == LLONG_MIN) return ctx.reply.Error("ERR decrement would overflow");
  IncrGeneric(ctx, -d);
}

void IncrbyfloatCommand(CommandContext& ctx) {
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupWrite(key);
  if (!ctx.CheckType(e, ObjType::kString)) return;
  long double cur = 0, incr = 0;
  if (e != nullptr && !ParseLongDoubleStrict(e->StringCopy(), &cur)) return ctx.ErrNotFloat();
  if (!ctx.GetLongDouble(2, &incr)) return;
  long double next = cur + incr;
  if (std::isnan(next) || std::isinf(next)) {
    return ctx.reply.Error("ERR increment would produce NaN or Infinity");
  }
  std::string s = resp::FormatLongDouble(next);
  StoreString(ctx, key, s, true);
  ctx.KeyModified(key);
  ctx.Notify(notify::kString, "incrbyfloat", key);
  // Float formatting may differ across platforms; replicas get the exact result.
  ctx.PropagateAs({"SET", key, s, "KEEPTTL"});
  ctx.reply.Bulk(s);
}

void AppendCommand(CommandContext& ctx) {
  const std::string& key = ctx.arg(1);
  Entry* e = ctx.LookupWrite(key);
  if (!ctx.CheckType(e, ObjType::kString)) return;
  if (e == nullptr) {
    StoreString(ctx, key, ctx.arg(2), false);
    ctx.KeyModified(key);
    ctx.Notify(notify::kString, "append", key);
    return ctx.reply.Integer(int64_t(ctx.arg(2).size()));
  }
  if (int64_t(e->StringLength() + ctx.arg(2).size()) > ctx.config().proto_max_bulk_len) {
    return ctx.reply.Error(kTooBig);
  }
  RawString raw = e->MutableRaw();
  raw.append(ctx.arg(2));
  ctx.KeyModified(key);
  ctx.Notify(notify::kString, "append", key);
  ctx.reply.Integer(int64_t(raw.size()));
}

void StrlenCommand(CommandContext& ctx) {
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (!ctx.CheckType(e, ObjType::kString)) return;
  ctx.reply.Integer(e ? int64_t(e->StringLength()) : 0);
}

void GetrangeCommand(CommandContext& ctx) {
  int64_t start, end;
  if (!ctx.GetInt(2, &start) || !ctx.GetInt(3, &end)) return;
  Entry* e = ctx.LookupRead(ctx.arg(1));
  if (!ctx.CheckType(e, ObjType::kString)) return;
  if (e == nullptr) return ctx.reply.Bulk("");
  char scratch[24];
  std::string_view s = e->StringValue(scratch);
  int64_t len = int64_t(s.size());
  if (start < 0 && end < 0 && start > end) return ctx.reply.Bulk("");
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) return ctx.reply.Bulk("");
  ctx.reply.Bulk(s.substr(size_t(start), size_t(end - start + 1)));
}

void SetrangeCommand(CommandContext& ctx) {
  int64_t offset;
  if (!ctx.GetInt(2, &offset)) return;
  if (offset < 0) return ctx.reply.Error("ERR offset is out of range");
  const std::string& key = ctx.arg(1);
  const std::string& value = ctx.arg(3);
  Entry* e = ctx.LookupWrite(key);
  if (!ctx.CheckType(e, ObjType::kString)) return;
  size_t cur_len = e ? e->StringLength() : 0;
  if (value.empty()) return ctx.reply.Integer(int64_t(cur_len));
  // Compared without adding, so a huge offset cannot overflow past the check.
  if (offset > ctx.config().proto_max_bulk_len - int64_t(value.size())) {
    return ctx.reply.Error(kTooBig);
  }
  if (e == nullptr) {
    std::string s(size_t(offset), '\0');
    s += value;
    StoreString(ctx, key, s, false);
    e = ctx.db().Find(key);
    e->MutableRaw();  // Redis creates SETRANGE results as raw strings
  } else {
    RawString raw = e->MutableRaw();
    if (raw.size() < size_t(offset) + value.size()) raw.resize(size_t(offset) + value.size());
    raw.replace(size_t(offset), value.size(), value);
  }
  ctx.KeyModified(key);
  ctx.Notify(notify::kString, "setrange", key);
  ctx.reply.Integer(int64_t(e->StringLength()));
}

}  // namespace

void RegisterLcsCommand(CommandTable& t);  // lcs_command.cc

void RegisterStringCommands(CommandTable& t) {
  RegisterLcsCommand(t);
  constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kR = kCmdReadonly | kCmdFast;
  t.Add({"get", 2, kR, 1, 1, 1, GetCommand, "string", {}});
  t.Add({"set", -3, kW, 1, 1, 1, SetCommand, "string", {}});
  t.Add({"setnx", 3, kW | kCmdFast, 1, 1, 1, SetnxCommand, "string", {}});
  t.Add({"setex", 4, kW, 1, 1, 1, SetexCommand, "string", {}});
  t.Add({"psetex", 4, kW, 1, 1, 1, PsetexCommand, "string", {}});
  t.Add({"getset", 3, kW | kCmdFast, 1, 1, 1, GetsetCommand, "string", {}});
  t.Add({"getdel", 2, kCmdWrite | kCmdFast, 1, 1, 1, GetdelCommand, "string", {}});
  t.Add({"getex", -2, kCmdWrite | kCmdFast, 1, 1, 1, GetexCommand, "string", {}});
  t.Add({"mget", -2, kR, 1, -1, 1, MgetCommand, "string", {}});
  t.Add({"mset", -3, kW, 1, -1, 2, MsetCommand, "string", {}});
  t.Add({"msetnx", -3, kW, 1, -1, 2, MsetnxCommand, "string", {}});
  t.Add({"incr", 2, kW | kCmdFast, 1, 1, 1, IncrCommand, "string", {}});
  t.Add({"decr", 2, kW | kCmdFast, 1, 1, 1, DecrCommand, "string", {}});
  t.Add({"incrby", 3, kW | kCmdFast, 1, 1, 1, IncrbyCommand, "string", {}});
  t.Add({"decrby", 3, kW | kCmdFast, 1, 1, 1, DecrbyCommand, "string", {}});
  t.Add({"incrbyfloat", 3, kW | kCmdFast, 1, 1, 1, IncrbyfloatCommand, "string", {}});
  t.Add({"append", 3, kW, 1, 1, 1, AppendCommand, "string", {}});
  t.Add({"strlen", 2, kR, 1, 1, 1, StrlenCommand, "string", {}});
  t.Add({"getrange", 4, kCmdReadonly, 1, 1, 1, GetrangeCommand, "string", {}});
  t.Add({"substr", 4, kCmdReadonly, 1, 1, 1, GetrangeCommand, "string", {}});
  t.Add({"setrange", 4, kW, 1, 1, 1, SetrangeCommand, "string", {}});
}

}  // namespace vigil::datanode
