// CLIENT LIST / INFO / KILL / SETNAME / GETNAME / ID / REPLY / NO-EVICT / UNBLOCK / PAUSE /
// UNPAUSE / HELP.
#include <optional>
#include <set>
#include <sstream>

#include "common/base/client_name.h"
#include "datanode/acl/acl_user.h"
#include "datanode/commands/client_info.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

bool ParseKind(const std::string& word, SessionKind* out) {
  std::string w = config::Lower(word);
  if (w == "normal")
    *out = SessionKind::kNormal;
  else if (w == "slave" || w == "replica")
    *out = SessionKind::kReplica;
  else if (w == "pubsub")
    *out = SessionKind::kPubSub;
  else if (w == "master")
    *out = SessionKind::kMaster;
  else
    return false;
  return true;
}

}  // namespace

std::string ClientInfoLine(const Session& s, int64_t now_ms) {
  std::string flags;
  if (s.monitor) flags += 'O';
  if (s.is_replica) flags += 'S';
  if (s.is_master_link) flags += 'M';
  if (s.subscription_count() > 0) flags += 'P';
  if (s.in_multi) flags += 'x';
  if (s.block.active) flags += 'b';
  if (s.tracking.on) flags += 't';
  if (s.tracking.broken_redir) flags += 'R';
  if (s.tracking.bcast) flags += 'B';
  if (s.watch_dirty) flags += 'd';
  if (s.close_after_reply) flags += 'c';
  if (s.close_asap) flags += 'A';
  if (s.no_evict) flags += 'e';
  if (flags.empty()) flags = "N";
  std::ostringstream o;
  o << "id=" << s.id << " addr=" << s.addr << " laddr=" << s.laddr << " fd=" << s.fd
    << " name=" << s.name << " age=" << (now_ms - s.created_ms) / 1000
    << " idle=" << (now_ms - s.last_interaction_ms) / 1000 << " flags=" << flags << " db=" << s.db
    << " sub=" << s.channels.size() << " psub=" << s.patterns.size()
    << " ssub=" << s.shard_channels.size()
    << " multi=" << (s.in_multi ? int64_t(s.queued.size()) : -1) << " qbuf=" << s.query_buffer_bytes
    << " qbuf-free=" << s.query_buffer_free
    << " argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=" << s.out.size()
    << " tot-mem=" << s.out.size() + s.query_buffer_bytes + s.query_buffer_free << " events=r"
    << " cmd=" << s.last_command << " user=" << (s.user ? s.user->name() : "(superuser)")
    << " redir=" << (s.tracking.on ? int64_t(s.tracking.redirect) : -1) << " resp=" << s.proto
    << " lib-name=" << s.lib_name << " lib-ver=" << s.lib_ver << "\n";
  return o.str();
}

namespace {

void ListClients(CommandContext& ctx) {
  bool by_type = false, by_id = false;
  SessionKind kind{};
  std::set<uint64_t> ids;
  if (ctx.argc == 4 && ctx.ArgIs(2, "TYPE")) {
    if (!ParseKind(ctx.arg(3), &kind))
      return ctx.reply.Error("ERR Unknown client type '" + ctx.arg(3) + "'");
    by_type = true;
  } else if (ctx.argc >= 4 && ctx.ArgIs(2, "ID")) {
    by_id = true;
    for (size_t i = 3; i < ctx.argc; ++i) {
      int64_t id;
      if (!ParseInt64Strict(ctx.arg(i), &id) || id <= 0)
        return ctx.reply.Error("ERR Invalid client ID");
      ids.insert(uint64_t(id));
    }
  } else if (ctx.argc != 2) {
    return ctx.ErrSyntax();
  }
  std::string out;
  for (const auto& [id, s] : ctx.service.sessions()) {
    if (by_type && s->kind() != kind) continue;
    if (by_id && !ids.count(id)) continue;
    // The caller's own line shows this command.
    out += ClientInfoLine(*s, ctx.now_ms());
  }
  ctx.reply.Verbatim(out);
}

void KillClients(CommandContext& ctx) {
  Service& svc = ctx.service;
  // Old form: CLIENT KILL addr:port.
  if (ctx.argc == 3) {
    for (const auto& [id, s] : svc.sessions()) {
      if (s->addr == ctx.arg(2)) {
        s->close_asap = true;
        svc.NoteWoken(s);
        if (s == &ctx.session) {
          s->close_after_reply = true;
          s->close_asap = false;
        }
        return ctx.reply.Ok();
      }
    }
    return ctx.reply.Error("ERR No such client");
  }
  if (ctx.argc % 2 != 0) return ctx.ErrSyntax();
  std::optional<uint64_t> id;
  std::optional<SessionKind> kind;
  std::string addr, laddr;
  const AclUser* user = nullptr;
  bool skipme = true;
  for (size_t i = 2; i + 1 < ctx.argc; i += 2) {
    const std::string& v = ctx.arg(i + 1);
    if (ctx.ArgIs(i, "ID")) {
      int64_t n;
      if (!ParseInt64Strict(v, &n) || n <= 0)
        return ctx.reply.Error("ERR client-id should be greater than 0");
      id = uint64_t(n);
    } else if (ctx.ArgIs(i, "TYPE")) {
      SessionKind k;
      if (!ParseKind(v, &k)) return ctx.reply.Error("ERR Unknown client type '" + v + "'");
      kind = k;
    } else if (ctx.ArgIs(i, "ADDR")) {
      addr = v;
    } else if (ctx.ArgIs(i, "LADDR")) {
      laddr = v;
    } else if (ctx.ArgIs(i, "USER")) {
      user = ctx.service.acl().Find(v);
      if (user == nullptr) return ctx.reply.Error("ERR No such user '" + v + "'");
    } else if (ctx.ArgIs(i, "SKIPME")) {
      if (EqualsIgnoreCase(v, "yes"))
        skipme = true;
      else if (EqualsIgnoreCase(v, "no"))
        skipme = false;
      else
        return ctx.ErrSyntax();
    } else {
      return ctx.ErrSyntax();
    }
  }
  int64_t killed = 0;
  for (const auto& [sid, s] : svc.sessions()) {
    if (id && sid != *id) continue;
    if (kind && s->kind() != *kind) continue;
    if (!addr.empty() && s->addr != addr) continue;
    if (!laddr.empty() && s->laddr != laddr) continue;
    if (user != nullptr && s->user != user) continue;
    if (s == &ctx.session) {
      if (skipme) continue;
      s->close_after_reply = true;
    } else {
      s->close_asap = true;
      svc.NoteWoken(s);  // the shell closes woken sessions marked close_asap
    }
    ++killed;
  }
  ctx.reply.Integer(killed);
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; clients such as redis-py 5 send it on
// connect). Values follow CLIENT SETNAME's charset rule; an empty one clears the field.
void SetInfo(CommandContext& ctx) {
  const std::string& attr = ctx.arg(2);
  std::string* field = nullptr;
  if (EqualsIgnoreCase(attr, "lib-name")) {
    field = &ctx.session.lib_name;
  } else if (EqualsIgnoreCase(attr, "lib-ver")) {
    field = &ctx.session.lib_ver;
  } else {
    return ctx.reply.Error("ERR Unrecognized option '" + attr + "'");
  }
  if (!IsClientNameText(ctx.arg(3))) {
    return ctx.reply.Error("ERR " + attr +
                           " cannot contain spaces, newlines or special characters.");
  }
  *field = ctx.arg(3);
  ctx.reply.Ok();
}

// CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as in Redis.
void PauseClients(CommandContext& ctx) {
  if (ctx.argc > 4) {
    return ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                           ctx.arg(1).substr(0, 128) + "'. Try CLIENT HELP.");
  }
  PauseType type = PauseType::kAll;
  if (ctx.argc == 4) {
    if (ctx.ArgIs(3, "WRITE")) {
      type = PauseType::kWrite;
    } else if (!ctx.ArgIs(3, "ALL")) {
      return ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  int64_t timeout = 0;
  if (!ParseInt64Strict(ctx.arg(2), &timeout)) {
    return ctx.reply.Error("ERR timeout is not an integer or out of range");
  }
  if (timeout < 0) return ctx.reply.Error("ERR timeout is negative");
  // 0 ends at once (Redis keeps 0 as the end time); a huge value saturates instead of wrapping.
  int64_t end = 0;
  if (timeout > 0) {
    end = timeout > INT64_MAX - ctx.now_ms() ? INT64_MAX : ctx.now_ms() + timeout;
  }
  ctx.service.PauseClients(PausePurpose::kClientCommand, end, type);
  ctx.reply.Ok();
}

void ClientCommand(CommandContext& ctx) {
  std::string sub = config::Lower(ctx.arg(1));
  Session& s = ctx.session;
  if (sub == "list") return ListClients(ctx);
  if (sub == "info") return ctx.reply.Verbatim(ClientInfoLine(s, ctx.now_ms()));
  if (sub == "kill") return KillClients(ctx);
  if (sub == "id") return ctx.reply.Integer(int64_t(s.id));
  if (sub == "getname") return s.name.empty() ? ctx.reply.Null() : ctx.reply.Bulk(s.name);
  if (sub == "setname") {
    if (!IsClientNameText(ctx.arg(2))) {
      return ctx.reply.Error(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    }
    s.name = ctx.arg(2);
    return ctx.reply.Ok();
  }
  if (sub == "reply") {
    // The service drops the replies; OFF and SKIP are themselves silent.
    if (ctx.ArgIs(2, "ON")) {
      // ON also cancels a pending SKIP, so its own OK is sent (Redis clears both flags).
      s.reply_off = false;
      s.reply_skip = 0;
      return ctx.reply.Ok();
    }
    if (ctx.ArgIs(2, "OFF")) {
      s.reply_off = true;
      return;
    }
    if (ctx.ArgIs(2, "SKIP")) {
      s.reply_skip = 2;
      return;
    }
    return ctx.ErrSyntax();
  }
  if (sub == "no-evict") {
    if (ctx.ArgIs(2, "ON") || ctx.ArgIs(2, "OFF")) {
      s.no_evict = ctx.ArgIs(2, "ON");
      return ctx.reply.Ok();
    }
    return ctx.ErrSyntax();
  }
  if (sub == "pause") return PauseClients(ctx);
  if (sub == "setinfo") return SetInfo(ctx);
  if (sub == "unpause") {
    ctx.service.UnpauseClients(PausePurpose::kClientCommand);
    return ctx.reply.Ok();
  }
  if (sub == "unblock") {
    int64_t id;
    if (!ctx.GetInt(2, &id)) return;
    bool error = ctx.argc == 4 && ctx.ArgIs(3, "ERROR");
    if (ctx.argc == 4 && !error && !ctx.ArgIs(3, "TIMEOUT")) {
      return ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
    auto it = ctx.service.sessions().find(uint64_t(id));
    // A request held by a pause is not blocked on anything CLIENT UNBLOCK could answer.
    if (it == ctx.service.sessions().end() || !it->second->block.active ||
        !ctx.service.waiters().blocked_sessions().count(it->second))
      return ctx.reply.Integer(0);
    Session* b = it->second;
    if (error) {
      ctx.service.UnblockWithError(b, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
      return ctx.reply.Integer(1);
    }
    bool null_bulk = b->block.null_bulk_on_timeout;
    ctx.service.waiters().Unblock(b);
    resp::ReplyWriter w(&b->out, b->proto);
    if (null_bulk) {
      w.Null();
    } else {
      w.NullArray();
    }
    ctx.service.NoteWoken(b);
    return ctx.reply.Integer(1);
  }
  // Redis 7.0's text, which lists subcommands served elsewhere too.
  static const char* kHelp[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "HELP",
      "    Prints this help."};
  ctx.reply.Array(std::size(kHelp));
  for (const char* l : kHelp) ctx.reply.Simple(l);
}

}  // namespace

void RegisterClientCommands(CommandTable& t) {
  constexpr uint32_t kAdm = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint32_t kConn = kCmdNoScript | kCmdLoading | kCmdStale;
  t.Add({"client", -2, 0, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"list", -2, kAdm, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"info", 2, kConn, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"kill", -3, kAdm, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"id", 2, kConn, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"getname", 2, kConn, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"setname", 3, kConn, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"reply", 3, kConn, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"no-evict", 3, kAdm, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"unblock", -3, kAdm, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"help", 2, kConn, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"pause", -3, kAdm, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"unpause", 2, kAdm, 0, 0, 0, ClientCommand, "connection", {}});
  t.AddSub("client", {"setinfo", 4, kConn, 0, 0, 0, ClientCommand, "connection", {}});
  RegisterClientTrackingCommands(t);
}

}  // namespace vigil::datanode
