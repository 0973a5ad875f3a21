#pragma once
// CoreState: the mutable state of one sentinel core plus the output buffers of the batch being
// built. SentinelCore owns exactly one; the decision modules (failover.cc, odown.cc, ...) are
// free functions over it, so each can be read and tested on its own. Not thread-safe: one
// caller at a time, like the core itself.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/random/prng.h"
#include "sentinel/core/actions.h"
#include "sentinel/core/admin_request.h"
#include "sentinel/core/core_options.h"
#include "sentinel/core/events.h"
#include "sentinel/core/link_table.h"
#include "sentinel/core/master_record.h"
#include "sentinel/core/tilt.h"

namespace vigil::sentinel {

enum class RequestKind {
  kPing,
  kInfo,
  kHello,
  kSubscribe,
  kAsk,
  kReconfigure,
  kScriptKill,
  kFailoverTo,
  kRewriteConfig
};

// A command sent and not yet answered, and whom its answer concerns.
struct PendingRequest {
  RequestKind kind = RequestKind::kPing;
  ConnId conn = 0;
  LinkId link = 0;
  std::string master;
  InstanceKind instance_kind = InstanceKind::kMaster;
  std::string instance;
  MonoTime sent{0};
  HostPort subject;  // kAsk: the master address the question was about
};

class CoreState {
 public:
  CoreState(const CoreOptions& opts, uint64_t seed) : options(opts), prng(seed) {}

  CoreOptions options;
  std::string myid;
  uint64_t current_epoch = 0;
  GlobalSettings globals;
  std::map<std::string, MasterRecord> masters;
  LinkTable links;
  std::map<RequestId, PendingRequest> requests;
  TiltDetector tilt;
  Prng prng;
  SimulateFailureRequest simfailure;
  MonoTime now{0};  // the time passed to the entry point being run
  // Masters that entered update-config since the last CompletePendingSwitches, so that call
  // does not walk every master after each input (it runs after every Step).
  std::vector<std::string> switch_pending;
  // Bumped whenever a master is created or destroyed (the tick caches the walk order).
  uint64_t masters_version = 0;

  // The batch under construction.
  bool persist_needed = false;  // a restart must see the change (StateDurability decides when)
  bool persist_soon = false;    // discovery: durable within about a second
  std::vector<Event> events;
  std::vector<Action> actions;

  const TimerOptions& timers() const { return options.timers; }
  // The host replies and the rewritten config show for an instance. Redis resolves a hostname
  // when it learns it and shows the name only with announce-hostnames; Vigil learns the address
  // from a connection to the name (this link's, else any earlier one's: resolved_hosts), so
  // only a name never connected to yet is shown as the name.
  std::string AnnouncedHost(const HostPort& addr, LinkId link) const;
  // Host name → the numeric address the last connection to it reached (AnnouncedHost).
  std::map<std::string, std::string> resolved_hosts;
  void MarkDirty() { persist_needed = true; }
  // Discovery (replicas from INFO, peers from hellos): durable soon, but no snapshot per batch.
  void MarkDiscovered() { persist_soon = true; }

  // Publishes an event; WARNING events of a master run its notification-script.
  void Emit(EventLevel level, std::string type, const MasterRecord* master, std::string message);
  // Publishes "<type> <instance description>[ <suffix>]" (Redis's "%@" format).
  void EmitFor(EventLevel level, std::string type, const MasterRecord& master,
               const InstanceRecord& ri, const std::string& suffix = "");

  // Sends on ri's command connection. Returns false (sending nothing) when it is not up.
  bool Send(MasterRecord& master, InstanceRecord& ri, Command command, RequestKind kind);
  // Sends on the pub/sub connection (SUBSCRIBE only).
  void SendOnPubSub(MasterRecord& master, InstanceRecord& ri, Command command);

  // Asks the shell to open `channel` of `link`.
  void Connect(Link& link, Channel channel, const MasterRecord& master);
  // Closes `channel` of `link` now (and forgets its pending requests).
  void CloseChannel(Link& link, Channel channel);
  // Drops the instance's reference to its link, closing it when unused.
  void ReleaseLink(LinkId link);
  // Forgets every pending request on `conn`, clearing the instances' pending flags.
  void ForgetRequestsOn(ConnId conn);
  // Clears the pending flag a request set on its instance.
  void ClearPendingFlag(const PendingRequest& request);
  static void ClearPendingFlag(RequestKind kind, InstanceRecord& ri);

  // Makes the next tick handle a master it would otherwise skip (tick_schedule.h): after any
  // input about it, or a change made through another master (shared sentinel links).
  void Wake(MasterRecord& master) { master.next_tick_work = MonoTime{INT64_MIN}; }
  void WakeAll();
  // Every master using `link`: its owner, or all of them for a shared sentinel link.
  void WakeUsersOf(const Link& link);

  MasterRecord* FindMaster(const std::string& name);
  InstanceRecord* FindInstance(MasterRecord& master, InstanceKind kind, const std::string& name);
  Link& LinkOf(const InstanceRecord& ri);

  // Uniform in [0, bound) from the seeded generator.
  int64_t Random(int64_t bound) { return static_cast<int64_t>(prng.Uniform(uint64_t(bound))); }

 private:
  RequestId next_request_ = 1;
  ConnId next_conn_ = 1;
};

// Redis's "%@" instance description: "master <name> <ip> <port>" or
// "<slave|sentinel> <name> <ip> <port> @ <master> <master-ip> <master-port>".
std::string DescribeInstance(const MasterRecord& master, const InstanceRecord& ri);

}  // namespace vigil::sentinel
