// The commands a Redis 7.0 sentinel answers besides SENTINEL (docs/sentinel-behaviour.md,
// "Commands"): PING, INFO, ROLE, HELLO, AUTH, ACL, CLIENT, COMMAND, (P)(UN)SUBSCRIBE, PUBLISH
// (hellos only) and SHUTDOWN.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <vector>

#include "common/base/ascii_case.h"
#include "common/base/client_name.h"
#include "common/base/decimal.h"
#include "common/base/host_port.h"
#include "common/resp/reply_writer.h"
#include "sentinel/shell/command_server.h"
#include "sentinel/shell/script_runner.h"
#include "vigil/version.h"

namespace vigil::sentinel {

namespace {

using Argv = std::vector<std::string>;

struct CommandSpec {
  const char* name;
  int arity;  // Redis convention: negative = at least
  std::vector<const char*> subcommands = {};
};

// The 7.0 sentinel command table (COMMAND COUNT = 15). Redis keeps the full subcommand tables of
// ACL, CLIENT and COMMAND in sentinel mode, so COMMAND LIST names them all (72 entries), even
// those a sentinel then refuses.
const CommandSpec kCommands[] = {
    {"ping", -1},
    {"sentinel",
     -2,
     {"ckquorum",
      "config",
      "debug",
      "failover",
      "flushconfig",
      "get-master-addr-by-name",
      "help",
      "info-cache",
      "is-master-down-by-addr",
      "master",
      "masters",
      "monitor",
      "myid",
      "pending-scripts",
      "remove",
      "replicas",
      "reset",
      "sentinels",
      "set",
      "simulate-failure",
      "slaves"}},
    {"subscribe", -2},
    {"unsubscribe", -1},
    {"psubscribe", -2},
    {"punsubscribe", -1},
    {"publish", 3},
    {"info", -1},
    {"role", 1},
    {"client",
     -2,
     {"caching", "getname", "getredir", "help", "id", "info", "kill", "list", "no-evict", "pause",
      "reply", "setname", "tracking", "trackinginfo", "unblock", "unpause"}},
    {"shutdown", -1},
    {"auth", -2},
    {"hello", -1},
    {"acl",
     -2,
     {"cat", "deluser", "dryrun", "genpass", "getuser", "help", "list", "load", "log", "save",
      "setuser", "users", "whoami"}},
    {"command", -1, {"count", "docs", "getkeys", "getkeysandflags", "help", "info", "list"}},
};

const CommandSpec* FindCommand(const std::string& lower) {
  for (const CommandSpec& c : kCommands) {
    if (lower == c.name) return &c;
  }
  return nullptr;
}

std::string UnknownCommand(const Argv& a) {
  std::string args;
  for (size_t i = 1; i < a.size() && args.size() < 128; ++i) {
    args += "'" + a[i].substr(0, 128 - args.size()) + "' ";
  }
  return "ERR unknown command '" + a[0].substr(0, 128) + "', with args beginning with: " + args;
}

bool CheckPassword(const SentinelSettings& s, const std::string& user, const std::string& pass) {
  for (const SentinelUser& u : s.users) {
    if (u.name != user) continue;
    if (!u.enabled) return false;
    if (user == "default" && !s.requirepass.empty()) return pass == s.requirepass;
    if (u.nopass) return true;
    return std::find(u.passwords.begin(), u.passwords.end(), pass) != u.passwords.end();
  }
  if (user != "default") return false;
  return s.requirepass.empty() || pass == s.requirepass;
}

bool DefaultUserHasPassword(const SentinelSettings& s) {
  if (!s.requirepass.empty()) return true;
  for (const SentinelUser& u : s.users) {
    if (u.name == "default") return !u.nopass;
  }
  return false;
}

void Subscribe(ClientConn* c, resp::ReplyWriter& w, const Argv& a, bool pattern) {
  for (size_t i = 1; i < a.size(); ++i) {
    (pattern ? c->patterns : c->channels).insert(a[i]);
    w.Push(3);
    w.Bulk(pattern ? "psubscribe" : "subscribe");
    w.Bulk(a[i]);
    w.Integer(int64_t(c->subscriptions()));
  }
}

void Unsubscribe(ClientConn* c, resp::ReplyWriter& w, const Argv& a, bool pattern) {
  std::set<std::string>& set = pattern ? c->patterns : c->channels;
  const char* kind = pattern ? "punsubscribe" : "unsubscribe";
  std::vector<std::string> names(a.begin() + 1, a.end());
  if (names.empty()) {
    names.assign(set.begin(), set.end());
    if (names.empty()) {
      w.Push(3);
      w.Bulk(kind);
      w.Null();
      w.Integer(int64_t(c->subscriptions()));
      return;
    }
  }
  for (const auto& n : names) {
    set.erase(n);
    w.Push(3);
    w.Bulk(kind);
    w.Bulk(n);
    w.Integer(int64_t(c->subscriptions()));
  }
}

std::string ClientLine(const ClientConn& c, int64_t now_ms) {
  std::string flags = c.subscriptions() > 0 ? "P" : "N";
  return "id=" + std::to_string(c.id) + " addr=" + c.addr + " laddr=" + c.laddr +
         " fd=" + std::to_string(c.fd) + " name=" + c.name +
         " age=" + std::to_string((now_ms - c.created_ms) / 1000) +
         " idle=" + std::to_string((now_ms - c.last_ms) / 1000) + " flags=" + flags +
         " db=0 sub=" + std::to_string(c.channels.size()) +
         " psub=" + std::to_string(c.patterns.size()) +
         " ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 "
         "omem=0 tot-mem=0 events=r cmd=" +
         c.last_cmd + " user=" + c.user + " redir=-1 resp=" + std::to_string(c.proto) +
         " lib-name=" + c.lib_name + " lib-ver=" + c.lib_ver + "\n";
}

// CLIENT SETINFO LIB-NAME|LIB-VER (Redis 7.2): redis-py 5 and node-redis send it on every
// connection, sentinels included. Same checks as the data node's.
void SetInfo(ClientConn* c, resp::ReplyWriter& w, const Argv& a) {
  std::string* field = nullptr;
  if (EqualsIgnoreCase(a[2], "lib-name")) {
    field = &c->lib_name;
  } else if (EqualsIgnoreCase(a[2], "lib-ver")) {
    field = &c->lib_ver;
  } else {
    return w.Error("ERR Unrecognized option '" + a[2] + "'");
  }
  if (!IsClientNameText(a[3])) {
    return w.Error("ERR " + a[2] + " cannot contain spaces, newlines or special characters.");
  }
  *field = a[3];
  w.Ok();
}

// SELECT: a sentinel has only database 0, but clients configured with a database (node-redis,
// ioredis) select it on every connection they open, sentinel links included.
void Select(resp::ReplyWriter& w, const Argv& a) {
  if (a.size() != 2) return w.Error("ERR wrong number of arguments for 'select' command");
  int64_t db = 0;
  if (!ParseInt64(a[1], &db)) return w.Error("ERR value is not an integer or out of range");
  if (db != 0) return w.Error("ERR DB index is out of range");
  w.Ok();
}

void ClientCommand(CommandServer& server, ClientConn* c, resp::ReplyWriter& w, const Argv& a) {
  std::string sub = ToLower(a[1]);
  int64_t now = server.host().UnixMillis();
  if (sub == "setname" && a.size() == 3) {
    if (!IsClientNameText(a[2])) {
      return w.Error("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    c->name = a[2];
    return w.Ok();
  }
  if (sub == "getname" && a.size() == 2) return c->name.empty() ? w.Null() : w.Bulk(c->name);
  if (sub == "setinfo" && a.size() == 4) return SetInfo(c, w, a);
  if (sub == "id" && a.size() == 2) return w.Integer(int64_t(c->id));
  if (sub == "info" && a.size() == 2) return w.Verbatim(ClientLine(*c, now));
  if (sub == "list") {
    std::string out;
    for (const auto& [id, other] : server.all_clients()) {
      if (!other->closing) out += ClientLine(*other, now);
    }
    return w.Verbatim(out);
  }
  if (sub == "kill" && a.size() == 3) {
    for (const auto& [id, other] : server.all_clients()) {
      if (other->addr == a[2] && !other->closing) {
        if (other.get() == c) {
          c->close_after_reply = true;
        } else {
          server.Kill(other.get());
        }
        return w.Ok();
      }
    }
    return w.Error("ERR No such client");
  }
  if (sub == "kill" && a.size() >= 4 && a.size() % 2 == 0) {
    std::vector<ClientConn*> victims;
    bool skipme = true;
    for (const auto& [id, other] : server.all_clients()) victims.push_back(other.get());
    for (size_t i = 2; i + 1 < a.size(); i += 2) {
      std::string f = ToLower(a[i]);
      const std::string& v = a[i + 1];
      if (f == "skipme") {
        skipme = EqualsIgnoreCase(v, "yes");
        continue;
      }
      auto keep = [&](ClientConn* x) {
        if (f == "id") return std::to_string(x->id) == v;
        if (f == "addr") return x->addr == v;
        if (f == "laddr") return x->laddr == v;
        if (f == "user") return x->user == v;
        if (f == "type") {
          std::string t = ToLower(v);
          return t == "pubsub" ? x->subscriptions() > 0 : t == "normal" && x->subscriptions() == 0;
        }
        return false;
      };
      if (f != "id" && f != "addr" && f != "laddr" && f != "user" && f != "type") {
        return w.Error("ERR syntax error");
      }
      std::erase_if(victims, [&](ClientConn* x) { return !keep(x); });
    }
    int64_t n = 0;
    for (ClientConn* x : victims) {
      if (x->closing || (skipme && x == c)) continue;
      // The caller itself hears the count before it is closed, as in Redis.
      if (x == c) {
        c->close_after_reply = true;
      } else {
        server.Kill(x);
      }
      ++n;
    }
    return w.Integer(n);
  }
  if (sub == "help") {
    w.Array(3);
    w.Simple("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    w.Simple(
        "SETNAME <name> | GETNAME | ID | INFO | LIST | KILL <ip:port> | KILL <filter> <value>");
    return w.Simple("HELP");
  }
  w.Error("ERR unknown subcommand or wrong number of arguments for '" + a[1] +
          "'. Try CLIENT HELP.");
}

void CommandInfo(resp::ReplyWriter& w, const CommandSpec& spec) {
  w.Array(10);
  w.Bulk(spec.name);
  w.Integer(spec.arity);
  w.Set(0);
  w.Integer(0);
  w.Integer(0);
  w.Integer(0);
  w.Set(0);
  w.Set(0);
  w.Array(0);
  w.Array(0);
}

void CommandCommand(resp::ReplyWriter& w, const Argv& a) {
  std::string sub = a.size() > 1 ? ToLower(a[1]) : "";
  size_t n = sizeof(kCommands) / sizeof(kCommands[0]);
  if (sub.empty()) {
    w.Array(n);
    for (const CommandSpec& s : kCommands) CommandInfo(w, s);
    return;
  }
  if (sub == "count") return w.Integer(int64_t(n));
  if (sub == "list") {
    size_t total = n;
    for (const CommandSpec& s : kCommands) total += s.subcommands.size();
    w.Array(total);
    for (const CommandSpec& s : kCommands) {
      w.Bulk(s.name);
      for (const char* sub_name : s.subcommands) w.Bulk(std::string(s.name) + "|" + sub_name);
    }
    return;
  }
  if (sub == "info") {
    w.Array(a.size() - 2);
    for (size_t i = 2; i < a.size(); ++i) {
      const CommandSpec* s = FindCommand(ToLower(a[i]));
      s ? CommandInfo(w, *s) : w.NullArray();
    }
    return;
  }
  if (sub == "docs") return w.Map(0);
  if (sub == "getkeys" || sub == "getkeysandflags") {
    return w.Error("ERR The command has no key arguments");
  }
  w.Error("ERR unknown subcommand '" + a[1] + "'. Try COMMAND HELP.");
}

void AclCommand(CommandServer& server, ClientConn* c, resp::ReplyWriter& w, const Argv& a) {
  std::string sub = ToLower(a[1]);
  SentinelSettings& s = server.host().mutable_settings();
  if (sub == "whoami" && a.size() == 2) return w.Bulk(c->user);
  if (sub == "users" && a.size() == 2) {
    std::set<std::string> names{"default"};
    for (const auto& u : s.users) names.insert(u.name);
    w.Array(names.size());
    for (const auto& n : names) w.Bulk(n);
    return;
  }
  if (sub == "setuser" && a.size() >= 3) {
    SentinelUser u;
    u.name = a[2];
    if (u.name == "default") {
      // Rules change the default user Redis starts with ("on nopass"), so `ACL SETUSER default
      // off` then `on` lets password-less clients in again.
      u.enabled = true;
      u.nopass = s.requirepass.empty();
    }
    for (const auto& x : s.users) {
      if (x.name == a[2]) u = x;
    }
    for (size_t i = 3; i < a.size(); ++i) {
      const std::string& r = a[i];
      if (r == "on" || r == "ON") {
        u.enabled = true;
      } else if (r == "off" || r == "OFF") {
        u.enabled = false;
      } else if (EqualsIgnoreCase(r, "nopass")) {
        u.nopass = true;
        u.passwords.clear();
      } else if (EqualsIgnoreCase(r, "resetpass")) {
        u.nopass = false;
        u.passwords.clear();
      } else if (EqualsIgnoreCase(r, "reset")) {
        u = SentinelUser{};
        u.name = a[2];
      } else if (!r.empty() && r[0] == '>') {
        u.passwords.push_back(r.substr(1));
        u.nopass = false;
      } else if (!r.empty() && r[0] == '<') {
        std::erase(u.passwords, r.substr(1));
      } else if (r[0] != '~' && r[0] != '&' && r[0] != '+' && r[0] != '-' && r[0] != '%' &&
                 !EqualsIgnoreCase(r, "allkeys") && !EqualsIgnoreCase(r, "allchannels") &&
                 !EqualsIgnoreCase(r, "allcommands") && !EqualsIgnoreCase(r, "nocommands") &&
                 !EqualsIgnoreCase(r, "resetkeys") && !EqualsIgnoreCase(r, "resetchannels")) {
        return w.Error("ERR Error in ACL SETUSER modifier '" + r + "': Syntax error");
      }
    }
    std::erase_if(s.users, [&](const SentinelUser& x) { return x.name == u.name; });
    s.users.push_back(std::move(u));
    return w.Ok();
  }
  if (sub == "deluser" && a.size() >= 3) {
    int64_t n = 0;
    for (size_t i = 2; i < a.size(); ++i) {
      if (a[i] == "default") return w.Error("ERR The 'default' user cannot be removed");
      n += std::erase_if(s.users, [&](const SentinelUser& x) { return x.name == a[i]; });
    }
    return w.Integer(n);
  }
  if (sub == "list" && a.size() == 2) {
    std::vector<std::string> lines;
    bool has_default = false;
    for (const auto& u : s.users) {
      has_default |= u.name == "default";
      std::string l = "user " + u.name + (u.enabled ? " on" : " off");
      if (u.nopass) l += " nopass";
      for (size_t i = 0; i < u.passwords.size(); ++i) l += " #<password>";
      lines.push_back(l + " ~* &* +@all");
    }
    if (!has_default) {
      lines.insert(lines.begin(), std::string("user default on ") +
                                      (s.requirepass.empty() ? "nopass" : "#<password>") +
                                      " ~* &* +@all");
    }
    w.Array(lines.size());
    for (const auto& l : lines) w.Bulk(l);
    return;
  }
  w.Error("ERR unknown subcommand or wrong number of arguments for '" + a[1] + "'. Try ACL HELP.");
}

void Hello(CommandServer& server, ClientConn* c, resp::ReplyWriter& w, const Argv& a) {
  int proto = c->proto;
  size_t i = 1;
  if (a.size() > 1) {
    int64_t v = 0;
    if (!ParseInt64(a[1], &v)) {
      return w.Error("ERR Protocol version is not an integer or out of range");
    }
    if (v < 2 || v > 3) return w.Error("NOPROTO unsupported protocol version");
    proto = int(v);
    i = 2;
  }
  std::string setname;
  for (; i < a.size(); ++i) {
    if (EqualsIgnoreCase(a[i], "AUTH") && i + 2 < a.size()) {
      if (!CheckPassword(server.host().settings(), a[i + 1], a[i + 2])) {
        return w.Error("WRONGPASS invalid username-password pair or user is disabled.");
      }
      c->authenticated = true;
      c->user = a[i + 1];
      i += 2;
    } else if (EqualsIgnoreCase(a[i], "SETNAME") && i + 1 < a.size()) {
      setname = a[++i];
    } else {
      return w.Error("ERR Syntax error in HELLO option '" + a[i] + "'");
    }
  }
  if (!c->authenticated) {
    return w.Error(
        "NOAUTH HELLO must be called with the client already authenticated, "
        "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
        "authenticate the client and select the RESP protocol version at the same "
        "time");
  }
  if (!setname.empty()) c->name = setname;
  c->proto = proto;
  w.set_proto(proto);
  w.Map(6);
  w.Bulk("server");
  w.Bulk("redis");
  w.Bulk("version");
  w.Bulk(kRedisCompatVersion);
  w.Bulk("proto");
  w.Integer(proto);
  w.Bulk("id");
  w.Integer(int64_t(c->id));
  w.Bulk("mode");
  w.Bulk("sentinel");
  w.Bulk("modules");
  w.Array(0);
}

void Auth(CommandServer& server, ClientConn* c, resp::ReplyWriter& w, const Argv& a) {
  if (a.size() > 3) return w.Error("ERR syntax error");
  const SentinelSettings& s = server.host().settings();
  std::string user = a.size() == 3 ? a[1] : "default";
  const std::string& pass = a.back();
  if (a.size() == 2 && !DefaultUserHasPassword(s)) {
    return w.Error(
        "ERR AUTH <password> called without any password configured for the default "
        "user. Are you sure your configuration is correct?");
  }
  if (!CheckPassword(s, user, pass)) {
    return w.Error("WRONGPASS invalid username-password pair or user is disabled.");
  }
  c->authenticated = true;
  c->user = user;
  w.Ok();
}

}  // namespace

void ExecuteClientCommand(CommandServer& server, ClientConn* c, ClientToken token) {
  const Argv& a = c->argv;
  resp::ReplyWriter w(&c->out, c->proto);
  std::string name = ToLower(a[0]);
  const CommandSpec* spec = FindCommand(name);
  c->last_cmd = name;
  if (!c->authenticated && name != "auth" && name != "hello") {
    return w.Error("NOAUTH Authentication required.");
  }
  // SELECT is not in a 7.0 sentinel's command table (COMMAND COUNT stays 15) but is answered.
  if (spec == nullptr && name == "select") return Select(w, a);
  if (spec == nullptr) return w.Error(UnknownCommand(a));
  int argc = int(a.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity)) {
    return w.Error("ERR wrong number of arguments for '" + name + "' command");
  }
  if (c->proto == 2 && c->subscriptions() > 0 && name != "ping" && name != "subscribe" &&
      name != "psubscribe" && name != "unsubscribe" && name != "punsubscribe") {
    return w.Error("ERR Can't execute '" + name +
                   "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
                   "in this context");
  }
  SentinelHost& host = server.host();
  if (name == "ping") {
    if (argc > 2) return w.Error("ERR wrong number of arguments for 'ping' command");
    if (c->proto == 2 && c->subscriptions() > 0) {
      w.Array(2);
      w.Bulk("pong");
      return w.Bulk(argc == 2 ? a[1] : "");
    }
    return argc == 2 ? w.Bulk(a[1]) : w.Simple("PONG");
  }
  if (name == "sentinel") {
    SentinelOutcome out = RunSentinelCommand(host, a, token);
    if (out.submitted) {
      c->waiting = token;
      c->waiting_shape = out.shape;
      return;
    }
    return WriteWire(w, *out.reply, out.shape);
  }
  if (name == "info") return w.Verbatim(RenderSentinelInfo(server, Argv(a.begin() + 1, a.end())));
  if (name == "role") {
    w.Array(2);
    w.Bulk("sentinel");
    w.Array(host.core().masters().size());
    for (const auto& [n, m] : host.core().masters()) w.Bulk(n);
    return;
  }
  if (name == "subscribe" || name == "psubscribe") return Subscribe(c, w, a, name[0] == 'p');
  if (name == "unsubscribe" || name == "punsubscribe") return Unsubscribe(c, w, a, name[0] == 'p');
  if (name == "publish") {
    if (a[1] != kHelloChannel) {
      return w.Error("ERR Only HELLO messages are accepted by Sentinel instances.");
    }
    host.Submit(HelloReceived{0, a[2]});
    return w.Integer(1);
  }
  if (name == "client") return ClientCommand(server, c, w, a);
  if (name == "command") return CommandCommand(w, a);
  if (name == "acl") return AclCommand(server, c, w, a);
  if (name == "hello") return Hello(server, c, w, a);
  if (name == "auth") return Auth(server, c, w, a);
  if (name == "shutdown") {
    host.Shutdown();
    c->close_after_reply = true;
    return;
  }
}

}  // namespace vigil::sentinel
