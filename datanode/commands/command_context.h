#pragma once
// CommandContext: what a command implementation sees: its arguments, the caller's session, the
// keyspace, a reply writer in the session's protocol, and the ways to report effects (a key
// changed, what to propagate to the AOF and replicas, block until a key is ready).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/ascii_case.h"
#include "common/resp/reply_writer.h"
#include "datanode/config/datanode_config.h"
#include "datanode/config/keyspace_event_flags.h"
#include "datanode/service/session.h"
#include "datanode/store/keyspace.h"

namespace vigil::datanode {

class Service;

class CommandContext {
 public:
  CommandContext(Service& service, Session& session, const std::vector<std::string>& argv,
                 size_t argc, resp::ReplyWriter& reply);

  Service& service;
  Session& session;
  resp::ReplyWriter& reply;
  const std::vector<std::string>& argv;
  const size_t argc;

  const std::string& arg(size_t i) const { return argv[i]; }
  int64_t now_ms() const;
  Keyspace& keyspace();
  Database& db();
  const DatanodeConfig& config() const;

  // Lookups remove expired keys first. LookupRead counts keyspace hits/misses.
  Entry* LookupRead(std::string_view key);
  Entry* LookupWrite(std::string_view key);
  // Answers WRONGTYPE and returns false when `e` exists with another type.
  bool CheckType(const Entry* e, ObjType t);

  // A key's value changed (or it was created or deleted): WATCHers see it, clients blocked on
  // it get a chance to run, and the change counts towards save points (dirty).
  void KeyModified(std::string_view key, int64_t dirty = 1) {
    KeyModifiedIn(session.db, key, dirty);
  }
  void KeyModifiedIn(int db, std::string_view key, int64_t dirty = 1);
  // A keyspace notification (Redis's notifyKeyspaceEvent): `type` is a notify:: class.
  void Notify(int type, std::string_view event, std::string_view key) {
    NotifyIn(session.db, type, event, key);
  }
  void NotifyIn(int db, int type, std::string_view event, std::string_view key);
  // Adds a key that is absent (Redis's dbAdd), with its `new` notification. UpsertKey adds or
  // replaces (setKey): only an addition is `new`.
  void AddKey(Entry* e) { AddKeyIn(session.db, e); }
  // A command's own removal of `key` that Redis reports as `del` (GETDEL, an expiry set in the
  // past): freed through the free thread when `lazy` and the value is large, WATCHers and the
  // `del` event told, and propagated as the kind of delete it was, UNLINK when lazy, else DEL.
  void DeleteAsDel(std::string_view key, bool lazy);
  void AddKeyIn(int db, Entry* e);
  void UpsertKey(Entry* e, bool keep_ttl);
  // Counts changes without a key (FLUSHALL).
  void Dirty(int64_t n = 1) { dirty_ += n; }
  int64_t dirty() const { return dirty_; }
  // The command saved the dataset itself (FLUSHALL with save points): its changes are on disk,
  // so they do not count towards the next save, but are still propagated.
  void SavedDuringCommand() { saved_ = true; }
  bool saved() const { return saved_; }

  // By default a command that changed data is propagated as received. A command whose replay
  // would differ (relative expiry, random choice, blocking form) calls PropagateAs, once per
  // command to propagate instead, in order; NoPropagate suppresses propagation entirely.
  void PropagateAs(std::vector<std::string> argv);
  void NoPropagate() { no_propagate_ = true; }
  const std::vector<std::vector<std::string>>& rewritten() const { return rewritten_; }
  bool propagate_suppressed() const { return no_propagate_; }

  // Blocks the session on `keys` until one is modified or `timeout_ms` (0 = forever) passes;
  // the command runs again when woken. Commands call it instead of replying.
  // Only a key of `type` wakes the client: a key set to another type leaves it blocked, as in
  // Redis.
  void BlockOnKeys(const std::vector<std::string>& keys, int64_t timeout_ms,
                   ObjType type = ObjType::kList);
  // True when the command is being re-run for a blocked client (so it must not block again
  // unless still nothing is ready), or inside MULTI, where blocking commands never block.
  bool may_block() const { return !session.in_multi && !in_exec_; }
  // True for keys a woken blocking command must not look at (see Session::serving_key).
  bool SkipWhileServing(std::string_view key) const {
    return !session.serving_key.empty() && key != session.serving_key;
  }
  void set_in_exec(bool v) { in_exec_ = v; }

  // Common replies.
  void ErrSyntax() { reply.Error("ERR syntax error"); }
  void ErrNotInteger() { reply.Error("ERR value is not an integer or out of range"); }
  void ErrNotFloat() { reply.Error("ERR value is not a valid float"); }
  void ErrWrongType() {
    reply.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
  }
  void ErrArity();  // "wrong number of arguments for '<cmd>' command"

  // Argument parsing that answers the standard error on failure.
  bool GetInt(size_t i, int64_t* out);
  bool GetIntInRange(size_t i, int64_t min, int64_t max, int64_t* out, const char* err = nullptr);
  bool GetDouble(size_t i, double* out);
  bool GetLongDouble(size_t i, long double* out);
  // Parses a timeout in seconds (may be fractional) for blocking commands into ms.
  bool GetTimeoutSeconds(size_t i, int64_t* out_ms);
  // Case-insensitive argument comparison.
  bool ArgIs(size_t i, std::string_view word) const;

 private:
  int64_t dirty_ = 0;
  bool saved_ = false;
  bool no_propagate_ = false;
  bool in_exec_ = false;
  std::vector<std::vector<std::string>> rewritten_;
};

// Strict numeric parsers with Redis's rules (no trailing junk, no spaces, no NaN).
bool ParseInt64Strict(std::string_view s, int64_t* out);
bool ParseDoubleStrict(std::string_view s, double* out);
bool ParseLongDoubleStrict(std::string_view s, long double* out);
using vigil::EqualsIgnoreCase;

}  // namespace vigil::datanode
