// SORT and SORT_RO: sort a list, set or sorted set numerically or ALPHA, by the elements or by
// weights looked up through a BY pattern, and answer (or STORE as a list) the elements or the
// values GET patterns point to. The grammar and order live in sort_spec.{h,cc}.
#include <algorithm>

#include "datanode/acl/acl_user.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/commands/sort_spec.h"
#include "datanode/service/service.h"
#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

// BY and GET read keys the command's key arguments do not name, so Redis allows them only to a
// user with a selector that may run this command and read every key (`allkeys`, `~*`, `%R~*`).
bool HasFullKeyAccess(CommandContext& ctx) {
  const AclUser* user = ctx.session.user;
  if (user == nullptr || user->unrestricted()) return true;
  const CommandSpec* spec = ctx.service.commands().Find(ctx.arg(0));
  const AclCommand* cmd = spec != nullptr ? ctx.service.AclCommandOf(*spec) : nullptr;
  if (cmd == nullptr) return false;
  std::span<const std::string> args(ctx.argv.data(), ctx.argc);
  AclKeyCache cache;
  for (const AclSelector& s : user->selectors()) {
    int errpos = 0;
    if (s.HasUnrestrictedKeyAccess(kAclKeyRead) &&
        s.Check(*cmd, args, &cache, &errpos) == AclDenial::kNone) {
      return true;
    }
  }
  return false;
}

// The value a BY / GET pattern points to for `element`, if any.
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view element) {
  SortPatternTarget t = ResolveSortPattern(pattern, element);
  switch (t.kind) {
    case SortPatternTarget::Kind::kElement:
      return std::string(element);
    case SortPatternTarget::Kind::kNone:
      return std::nullopt;
    case SortPatternTarget::Kind::kKey: {
      Entry* e = ctx.LookupRead(t.key);
      if (e == nullptr || e->type() != ObjType::kString) return std::nullopt;
      char scratch[24];
      return std::string(e->StringValue(scratch));
    }
    case SortPatternTarget::Kind::kHashField: {
      Entry* e = ctx.LookupRead(t.key);
      std::string_view v;
      if (e == nullptr || e->type() != ObjType::kHash || !e->hash()->Get(t.field, &v)) {
        return std::nullopt;
      }
      return std::string(v);
    }
  }
  return std::nullopt;
}

// The elements of `e` in their native order (a list's, a sorted set's by score; a set's in
// iteration order).
std::vector<SortItem> CollectElements(const Entry* e) {
  std::vector<SortItem> items;
  if (e == nullptr) return items;
  auto add = [&](std::string_view v) { items.push_back(SortItem{std::string(v), 0, {}}); };
  switch (e->type()) {
    case ObjType::kList:
      items.reserve(e->list()->size());
      for (const std::string& v : *e->list()) add(v);
      break;
    case ObjType::kSet:
      items.reserve(e->set()->size());
      e->set()->ForEach(add);
      break;
    case ObjType::kZSet:
      items.reserve(e->zset()->size());
      for (const ZSetValue::Node* n = e->zset()->first(); n != nullptr; n = n->next()) {
        add(n->member());
      }
      break;
    default:
      break;
  }
  return items;
}

// Fills the weights; false when a numeric weight is not a double.
bool LoadWeights(CommandContext& ctx, const SortSpec& spec, std::vector<SortItem>& items) {
  bool ok = true;
  for (SortItem& item : items) {
    std::optional<std::string> by;
    if (spec.by) {
      by = LookupByPattern(ctx, *spec.by, item.value);
      if (!by) continue;  // a missing weight counts as 0 (numeric) or sorts first (ALPHA)
    }
    if (spec.alpha) {
      if (spec.by) item.alpha = std::move(by);
    } else if (!ParseSortWeight(by ? *by : item.value, &item.weight)) {
      ok = false;
    }
  }
  return ok;
}

void SortGeneric(CommandContext& ctx, bool readonly) {
  SortSpec spec;
  std::span<const std::string> args(ctx.argv.data(), ctx.argc);
  const std::string err = ParseSortSpec(args, readonly, HasFullKeyAccess(ctx), &spec);
  if (!err.empty()) return ctx.reply.Error(err);
  const Entry* src = ctx.LookupRead(ctx.arg(1));
  if (src != nullptr && src->type() != ObjType::kList && src->type() != ObjType::kSet &&
      src->type() != ObjType::kZSet) {
    return ctx.ErrWrongType();
  }
  const bool is_set = src != nullptr && src->type() == ObjType::kSet;
  if (src != nullptr && src->type() == ObjType::kZSet) src->zset()->ConvertToSkiplist();
  const ScriptRun* run = ctx.service.script_run();
  const bool from_script = run != nullptr && run->client == &ctx.session;
  if (spec.dont_sort && is_set && (spec.store || from_script)) {
    // A set's iteration order is not reproducible, and a stored result must be the same on
    // replicas and in the AOF (and a script's view deterministic, as Redis keeps it): sort it
    // instead.
    spec.dont_sort = false;
    spec.alpha = true;
    spec.by.reset();
  }
  std::vector<SortItem> items = CollectElements(src);
  // Lists and sorted sets keep their native order under BY nosort, reversed by DESC.
  if (spec.dont_sort && spec.desc && !is_set) std::reverse(items.begin(), items.end());
  if (!spec.dont_sort) {
    if (!LoadWeights(ctx, spec, items)) {
      return ctx.reply.Error("ERR One or more scores can't be converted into double");
    }
    SortItems(items, spec);
  }
  const SortWindow w = ComputeSortWindow(spec.limit_offset, spec.limit_count, items.size());
  const size_t out_len = spec.gets.empty() ? w.size() : spec.gets.size() * w.size();

  if (!spec.store) {
    ctx.reply.Array(out_len);
    for (int64_t j = w.start; j <= w.end; ++j) {
      const std::string& element = items[size_t(j)].value;
      if (spec.gets.empty()) ctx.reply.Bulk(element);
      for (const std::string& pattern : spec.gets) {
        std::optional<std::string> v = LookupByPattern(ctx, pattern, element);
        v ? ctx.reply.Bulk(*v) : ctx.reply.Null();
      }
    }
    return;
  }

  const std::string& dst = *spec.store;
  auto list = std::make_unique<ListValue>();
  for (int64_t j = w.start; j <= w.end; ++j) {
    const std::string& element = items[size_t(j)].value;
    if (spec.gets.empty()) list->PushBack(element);
    for (const std::string& pattern : spec.gets) {
      list->PushBack(LookupByPattern(ctx, pattern, element).value_or(""));
    }
  }
  const bool existed = ctx.LookupWrite(dst) != nullptr;
  if (out_len > 0) {
    Entry* e = Entry::NewList(dst, std::move(list));
    ctx.UpsertKey(e, /*keep_ttl=*/false);
    ctx.keyspace().InitAccess(e, ctx.now_ms());
    ctx.Notify(notify::kList, "sortstore", dst);
    ctx.KeyModified(dst, int64_t(out_len));
  } else if (existed && ctx.db().Delete(dst)) {
    ctx.KeyModified(dst);
    ctx.Notify(notify::kGeneric, "del", dst);
  }
  ctx.reply.Integer(int64_t(out_len));
}

void SortCommand(CommandContext& ctx) {
  SortGeneric(ctx, false);
}

void SortRoCommand(CommandContext& ctx) {
  SortGeneric(ctx, true);
}

}  // namespace

void RegisterSortCommands(CommandTable& t) {
  t.Add({"sort", -2, kCmdWrite | kCmdDenyOom, 1, 1, 1, SortCommand, "generic", {}});
  t.Add({"sort_ro", -2, kCmdReadonly, 1, 1, 1, SortRoCommand, "generic", {}});
}

}  // namespace vigil::datanode
