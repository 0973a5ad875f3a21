// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
//         [AUTH2 username password] [KEYS key ...]
// Moves keys to another server as Redis 7.0 does: one pipelined request of AUTH, SELECT (when
// the cached link last selected another database) and a RESTORE per key with the DUMP payload
// and the remaining TTL; each acknowledged key is deleted here (unless COPY) and the command
// reaches replicas and the AOF as DEL of those keys. The socket work is the shell's
// (`MigrateLink`); the command blocks the server for at most its timeout, as Redis's does.
#include <optional>
#include <string>
#include <vector>

#include "common/resp/value.h"
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/persistence/dump_payload.h"
#include "datanode/service/migrate_link.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

struct MigrateArgs {
  std::string host;
  std::string port;
  int64_t db = 0;
  int64_t timeout_ms = 0;
  bool copy = false;
  bool replace = false;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::vector<std::string> keys;
};

// Parses the options; answers the error and returns false on a bad one.
bool ParseMigrate(CommandContext& ctx, MigrateArgs* a) {
  size_t first_key = 3;
  size_t num_keys = 1;
  for (size_t j = 6; j < ctx.argc; ++j) {
    const size_t more = ctx.argc - 1 - j;
    if (ctx.ArgIs(j, "copy")) {
      a->copy = true;
    } else if (ctx.ArgIs(j, "replace")) {
      a->replace = true;
    } else if (ctx.ArgIs(j, "auth")) {
      if (more < 1) return ctx.ErrSyntax(), false;
      a->password = ctx.arg(++j);
    } else if (ctx.ArgIs(j, "auth2")) {
      if (more < 2) return ctx.ErrSyntax(), false;
      a->username = ctx.arg(++j);
      a->password = ctx.arg(++j);
    } else if (ctx.ArgIs(j, "keys")) {
      if (!ctx.arg(3).empty()) {
        ctx.reply.Error(
            "ERR When using MIGRATE KEYS option, the key argument must be set to the empty "
            "string");
        return false;
      }
      first_key = j + 1;
      num_keys = ctx.argc - j - 1;
      break;  // the rest are keys
    } else {
      return ctx.ErrSyntax(), false;
    }
  }
  if (!ctx.GetInt(5, &a->timeout_ms) || !ctx.GetInt(4, &a->db)) return false;
  if (a->timeout_ms <= 0) a->timeout_ms = 1000;
  a->host = ctx.arg(1);
  a->port = ctx.arg(2);
  for (size_t j = 0; j < num_keys; ++j) a->keys.push_back(ctx.arg(first_key + j));
  return true;
}

void MigrateCommand(CommandContext& ctx) {
  MigrateArgs a;
  if (!ParseMigrate(ctx, &a)) return;
  // Keys that are gone (often just expired) are skipped; with none left there is nothing to do.
  std::vector<std::string> keys;
  for (const std::string& k : a.keys) {
    if (ctx.LookupRead(k) != nullptr) keys.push_back(k);
  }
  if (keys.empty()) return ctx.reply.Simple("NOKEY");
  ServerHooks* hooks = ctx.service.hooks();
  RdbWriteOptions options;
  options.compression = ctx.config().rdbcompression;
  options.list_max_listpack_size = ctx.config().list_max_listpack_size;

  // A cached link the target has closed fails on first use: Redis retries once on a fresh one,
  // unless the failure was a timeout or a key was already acknowledged.
  bool may_retry = true;
  for (;;) {
    MigrateLink* link =
        hooks != nullptr ? hooks->MigrateGetLink(a.host, a.port, a.timeout_ms) : nullptr;
    if (link == nullptr) return ctx.reply.Error("IOERR error or timeout connecting to the client");
    std::string request;
    if (a.password) {
      std::vector<std::string> auth{"AUTH"};
      if (a.username) auth.push_back(*a.username);
      auth.push_back(*a.password);
      request += resp::EncodeCommand(auth);
    }
    const bool select = link->last_db != a.db;
    if (select) request += resp::EncodeCommand({"SELECT", std::to_string(a.db)});
    std::vector<std::string> sent;  // keys still alive now, in request order
    for (const std::string& k : keys) {
      Entry* e = ctx.db().Find(k);
      if (e == nullptr) continue;
      int64_t ttl = 0;
      const int64_t expire_at = ctx.db().GetExpire(e);
      if (expire_at != -1) {
        ttl = expire_at - ctx.now_ms();
        if (ttl < 0) continue;  // expired while we looked at the others
        if (ttl < 1) ttl = 1;
      }
      std::vector<std::string> restore{"RESTORE", k, std::to_string(ttl),
                                       EncodeDumpPayload(*e, options)};
      if (a.replace) restore.push_back("REPLACE");
      request += resp::EncodeCommand(restore);
      sent.push_back(k);
    }

    bool timed_out = false;
    bool write_error = false;
    bool socket_error = false;
    bool error_from_target = false;
    std::vector<std::string> deleted;
    std::string auth_reply, select_reply;
    size_t j = 0;
    if (!link->Write(request, a.timeout_ms, &timed_out)) {
      write_error = socket_error = true;
    } else if ((a.password && !link->ReadLine(&auth_reply, a.timeout_ms, &timed_out)) ||
               (select && !link->ReadLine(&select_reply, a.timeout_ms, &timed_out))) {
      socket_error = true;
    } else {
      for (; j < sent.size(); ++j) {
        std::string reply;
        if (!link->ReadLine(&reply, a.timeout_ms, &timed_out)) {
          socket_error = true;
          break;
        }
        const bool auth_failed = a.password && auth_reply.starts_with("-");
        const bool select_failed = select && select_reply.starts_with("-");
        if (auth_failed || select_failed || reply.starts_with("-")) {
          if (!error_from_target) {
            link->last_db = -1;  // the target's database is unknown after an error
            const std::string& err = auth_failed     ? auth_reply
                                     : select_failed ? select_reply
                                                     : reply;
            ctx.reply.Error("ERR Target instance replied with error: " + err.substr(1));
            error_from_target = true;
          }
        } else if (!a.copy) {
          ctx.db().Delete(sent[j]);
          ctx.KeyModified(sent[j]);
          ctx.Notify(notify::kGeneric, "del", sent[j]);
          deleted.push_back(sent[j]);
        }
      }
    }
    const bool nothing_acknowledged = j == 0 && deleted.empty();
    if (socket_error) hooks->MigrateCloseLink(a.host, a.port);
    if (!deleted.empty()) {
      std::vector<std::string> del{"DEL"};
      del.insert(del.end(), deleted.begin(), deleted.end());
      ctx.PropagateAs(std::move(del));
    }
    if (socket_error && !error_from_target) {
      if (nothing_acknowledged && may_retry && !timed_out) {
        may_retry = false;
        continue;
      }
      return ctx.reply.Error(std::string("IOERR error or timeout ") +
                             (write_error ? "writing" : "reading") + " to target instance");
    }
    if (!error_from_target) {
      link->last_db = a.db;
      ctx.reply.Ok();
    }
    return;
  }
}

}  // namespace

void RegisterMigrateCommand(CommandTable& t) {
  t.Add({"migrate", -6, kCmdWrite, 3, 3, 1, MigrateCommand, "generic", {}});
}

}  // namespace vigil::datanode
