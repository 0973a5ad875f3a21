#pragma once
// Link and LinkHealth: one monitored instance's connections (a command connection, plus a pub/sub
// connection for data nodes) and the ping bookkeeping Redis keeps per link (instanceLink). Links
// to peer sentinels are shared by every master that knows that sentinel, so one PING serves all.
#include <optional>
#include <string>
#include <string_view>

#include "common/base/host_port.h"
#include "common/time/mono_time.h"
#include "sentinel/core/ids.h"

namespace vigil::sentinel {

using LinkId = uint64_t;

enum class ConnState { kNone, kConnecting, kUp };

struct ConnSlot {
  ConnId id = 0;
  ConnState state = ConnState::kNone;
  MonoTime since{0};  // when the connect was requested
};

// What Redis calls the link's timing fields, in one value type with pure rules.
struct LinkHealth {
  std::optional<MonoTime> act_ping_time;  // send time of the oldest unanswered PING
  std::optional<MonoTime> last_ping_time;
  MonoTime last_pong_time{0};   // any reply (reconnect logic, last-ping-reply)
  MonoTime last_avail_time{0};  // last valid reply: PONG, LOADING or MASTERDOWN

  // A fresh link counts as "pinged now", so an instance never reached still goes SDOWN.
  static LinkHealth Fresh(MonoTime now);

  void OnPingSent(MonoTime now);
  // Returns true when `text` is a valid ping reply (docs/sentinel-behaviour.md, "SDOWN").
  bool OnPingReply(std::string_view text, MonoTime now);
  // Vigil: a lost command connection counts as an unanswered PING from that moment (Redis gets
  // the same effect from the PING queued by its next reconnect, a tick later).
  void OnCommandConnectionLost(MonoTime now);

  // Redis's "elapsed": how long the instance has gone without a valid reply, counted from the
  // oldest unanswered PING. `fast_ping_period` > 0 (a link pinged that often, well inside
  // down-after): counted from the last valid reply instead, but never more than that period
  // ahead of Redis's clock. With 1 s PINGs Redis's clock starts up to 1 s after the last
  // reply; with Vigil's faster master PINGs the last reply is the better measure of silence.
  Millis Unresponsive(bool disconnected, MonoTime now, Millis fast_ping_period = Millis(0)) const;
  // The earliest time Unresponsive(...) exceeds `down_after` if no reply comes, or nullopt when
  // the clock is not running (connected, no PING pending).
  std::optional<MonoTime> DownAt(bool disconnected, Millis down_after,
                                 Millis fast_ping_period = Millis(0)) const;
};

// Valid PING reply prefixes: PONG, LOADING, MASTERDOWN.
bool IsValidPingReply(std::string_view text);

struct Link {
  LinkId id = 0;
  HostPort addr;
  bool to_sentinel = false;  // sentinel links have no pub/sub connection
  int refcount = 1;
  ConnSlot cmd;
  ConnSlot pubsub;
  int pending_commands = 0;
  std::string local_ip;  // of the command connection, for hellos
  std::string peer_ip;   // of the command connection: `addr` resolved
  LinkHealth health;
  // When each connection was last dialled. Redis keeps one time for both, which holds while
  // both are dialled together; Vigil's connections come and go apart (the pub/sub one is closed
  // for silence, a connect times out), and with one shared guard a connection that failed out
  // of phase with the other waited for the other's period: the chaos suite saw a healed
  // partition 0.7 s late (sentinel_minority).
  std::optional<MonoTime> last_cmd_dial;
  std::optional<MonoTime> last_pubsub_dial;
  // Vigil: when an established connection last dropped and was let to reconnect at once (see
  // OnLinkDown); at most once per PING period per connection, so a peer that accepts and then
  // closes is not dialled faster than twice a second. Per connection because the CLIENT KILL of
  // a reconfiguration block closes both at once.
  std::optional<MonoTime> last_cmd_fast_reconn;
  std::optional<MonoTime> last_pubsub_fast_reconn;
  MonoTime pc_last_activity{0};
  // The one instance using a data-node link, so link events reach it without walking every
  // master (that walk dominated CPU with 1,000 masters). Sentinel links are shared: no hint.
  struct OwnerHint {
    std::string master;
    std::string instance;  // "" for the master itself, else the replica's "ip:port"
  };
  std::optional<OwnerHint> owner;
  // An instance using this link went SDOWN since the last valid PING reply: that reply must wake
  // every master using the link, so their -sdown is not left to a skipped tick (tick_schedule.h).
  bool sdown_seen = false;

  bool CommandUp() const { return cmd.state == ConnState::kUp; }
  // Redis's "disconnected": either connection missing.
  bool Disconnected() const {
    return cmd.state != ConnState::kUp || (!to_sentinel && pubsub.state != ConnState::kUp);
  }
};

}  // namespace vigil::sentinel
