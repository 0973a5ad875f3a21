#pragma once
// Session: one client connection's state as the command layer sees it (database, protocol,
// auth, MULTI queue, WATCH list, subscriptions, blocking, output). The network shell owns the
// socket and drains `out`; nothing here touches a file descriptor.
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace vigil::datanode {

class AclUser;

enum class SessionKind { kNormal, kReplica, kMaster, kPubSub };

struct BlockState {
  bool active = false;
  int db = 0;
  std::vector<std::string> keys;
  int64_t deadline_ms = 0;        // 0 = no timeout
  std::vector<std::string> argv;  // the command to run again when a key becomes ready
  bool null_bulk_on_timeout = false;
  int wanted_type = -1;  // ObjType a ready key must hold to wake this client  // BLMOVE/BRPOPLPUSH
                         // answer $-1, the pops *-1
};

struct Session {
  uint64_t id = 0;
  int fd = -1;
  std::string addr;      // "ip:port" of the peer
  std::string laddr;     // local "ip:port"
  std::string name;      // CLIENT SETNAME
  std::string lib_name;  // CLIENT SETINFO LIB-NAME (Redis 7.2)
  std::string lib_ver;   // CLIENT SETINFO LIB-VER
  // The ACL user (the service sets `default` on attach); null for the master link and the AOF
  // loader, which run anything, as Redis's user-less clients.
  AclUser* user = nullptr;
  int db = 0;
  int proto = 2;
  bool authenticated = true;
  bool is_master_link = false;      // the connection from our master (replica side)
  bool is_replica = false;          // a replica attached to us
  bool link_timeout_armed = false;  // TCP_USER_TIMEOUT set on this replica's socket
  // A sentinel's connection (fencing on): replies we sent earlier were still unacknowledged by
  // the peer's TCP when its latest input was read, i.e. it does not hear us (server shell).
  bool replies_unacked = false;
  int64_t repl_woff = 0;  // replication offset after this client's last write (WAIT)
  bool close_after_reply = false;
  bool reply_off = false;  // CLIENT REPLY OFF
  int reply_skip = 0;      // CLIENT REPLY SKIP: replies still to drop (this one and the next)
  // Pub/sub pushes (messages, (un)subscribe confirmations) are delivered even while replies are
  // silenced, as Redis does: the byte ranges of `out` they took during the current command.
  bool executing = false;  // set by the service around the session's own command
  std::vector<std::pair<size_t, size_t>> pushes;
  void NotePush(size_t from) {
    if (executing) pushes.emplace_back(from, out.size());
  }
  bool close_asap = false;
  bool no_evict = false;  // CLIENT NO-EVICT ON (shown as flag e; no client eviction here)
  // The error reply just written was already counted where it arose (a script relaying a
  // command's error): the command counts as failed, but errorstats are not bumped again.
  bool error_uncounted = false;
  // SCRIPT DEBUG: this client's next EVAL runs under the Lua debugger, in a forked child (YES)
  // or in the server itself (SYNC).
  enum class LuaDebug : uint8_t { kOff, kForked, kSync };
  LuaDebug lua_debug = LuaDebug::kOff;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  std::string last_command = "NULL";

  // MULTI/EXEC
  bool in_multi = false;
  bool multi_error = false;  // a queued command was rejected: EXEC answers EXECABORT
  bool watch_dirty = false;  // a watched key changed: EXEC answers a null array
  std::vector<std::vector<std::string>> queued;
  struct WatchedKey {
    int db;
    std::string key;
    bool expired;  // logically gone (present but past its TTL) when WATCHed, as Redis tracks it
  };
  std::vector<WatchedKey> watched;

  // Pub/sub
  std::set<std::string> channels;
  std::set<std::string> patterns;
  std::set<std::string> shard_channels;  // SSUBSCRIBE (Redis 7.0's sharded pub/sub)
  // Every subscription: what puts the client in the subscribed context.
  size_t subscription_count() const {
    return channels.size() + patterns.size() + shard_channels.size();
  }
  // Channels and patterns only: the count SUBSCRIBE and its kin report (SSUBSCRIBE reports the
  // shard channels alone), as Redis's clientSubscriptionsCount.
  size_t global_subscription_count() const { return channels.size() + patterns.size(); }

  // MONITOR: the client receives every command the server runs (CLIENT LIST flag O).
  bool monitor = false;
  // CLIENT TRACKING (client-side caching): Redis's CLIENT_TRACKING_* flags of this client.
  struct Tracking {
    bool on = false;
    bool bcast = false;
    bool optin = false;
    bool optout = false;
    bool noloop = false;
    bool caching = false;            // CLIENT CACHING yes|no, for the next command or transaction
    bool broken_redir = false;       // the client invalidations were redirected to is gone
    uint64_t redirect = 0;           // the client id invalidations go to; 0 for this client
    std::set<std::string> prefixes;  // BCAST: the prefixes registered for this client
  };
  Tracking tracking;

  BlockState block;
  // While a woken client's command re-runs: the key that became ready. Blocking commands serve
  // from it alone, as Redis serves a waiter from the ready key (other keys may hold other types).
  std::string serving_key;

  // Replies waiting to be written, and accounting for CLIENT LIST / limits.
  std::string out;
  size_t query_buffer_bytes = 0;
  // Room allocated past those bytes (CLIENT LIST's qbuf-free).
  size_t query_buffer_free = 0;
  int64_t obuf_soft_since_ms = 0;
  uint64_t commands_processed = 0;

  SessionKind kind() const {
    if (is_master_link) return SessionKind::kMaster;
    if (is_replica) return SessionKind::kReplica;
    if (subscription_count() > 0) return SessionKind::kPubSub;
    return SessionKind::kNormal;
  }
};

}  // namespace vigil::datanode
