#pragma once
// ClientPause: Redis 7.0's client pause state. Several owners may pause clients at once (CLIENT
// PAUSE, SHUTDOWN waiting for replicas, FAILOVER), each with its own type and end time; the
// effective pause is the most restrictive type among those not yet over, ending at the latest
// end time among the owners of that type. Time is given by the caller.
#include <array>
#include <cstdint>

namespace vigil::datanode {

// Ordered by restriction: ALL holds every command, WRITE those that may write or replicate.
enum class PauseType { kOff = 0, kWrite = 1, kAll = 2 };

enum class PausePurpose { kClientCommand = 0, kShutdown = 1, kFailover = 2 };

class ClientPause {
 public:
  // Starts or extends `purpose`'s pause (a second call keeps the more restrictive type and the
  // later end). An end time already past ends it at the next Refresh. Returns true when the
  // effective pause became less restrictive, i.e. the held clients must be tried again.
  bool Pause(PausePurpose purpose, int64_t end_ms, PauseType type, int64_t now_ms);
  // Ends `purpose`'s pause; same return value.
  bool Unpause(PausePurpose purpose, int64_t now_ms);
  // Drops the pauses whose end time passed; same return value.
  bool Refresh(int64_t now_ms);

  PauseType type() const { return type_; }
  bool paused() const { return type_ != PauseType::kOff; }
  int64_t end_ms() const { return end_ms_; }
  // Whether a command with these properties waits: replicas never do; under WRITE, commands
  // that may write or reach the replication stream do (write, may-replicate, or an EXEC whose
  // queue holds such a command).
  bool Holds(bool may_write_or_replicate, bool from_replica) const;

 private:
  struct Event {
    bool active = false;
    PauseType type = PauseType::kOff;
    int64_t end_ms = 0;
  };
  bool Recompute(int64_t now_ms);

  std::array<Event, 3> events_{};
  PauseType type_ = PauseType::kOff;
  int64_t end_ms_ = 0;
};

}  // namespace vigil::datanode
