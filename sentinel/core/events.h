#pragma once
// Event: one line of the sentinel's event stream (docs/sentinel-behaviour.md, "Events"). `type` and
// `message` are Redis's verbatim, so the shell can log "<type> <message>" and publish `message` on
// the channel `type`.
#include <string>

namespace vigil::sentinel {

enum class EventLevel { kDebug, kVerbose, kNotice, kWarning };

struct Event {
  EventLevel level = EventLevel::kNotice;
  std::string type;     // "+sdown", "+switch-master", ...
  std::string message;  // "master mymaster 127.0.0.1 6379", ...
  // The master the event concerns (empty for +tilt and friends); its notification-script runs
  // for WARNING events.
  std::string master;

  friend bool operator==(const Event&, const Event&) = default;
};

// "<type> <message>", the form used in logs and in scenario expectations.
inline std::string ToString(const Event& e) {
  return e.message.empty() ? e.type : e.type + " " + e.message;
}

}  // namespace vigil::sentinel
