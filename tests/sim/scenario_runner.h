#pragma once
// ScenarioRunner: executes the directives of tests/scenarios/sentinel/*.txt against a World and
// returns each directive's output. Directives:
//
//   world seed=<n> [latency=<ms>]                  (optional, first)
//   add-nodes master=n1 replicas=n2,n3 [priority=n3:0,...]
//   add-sentinels <count> quorum=<q> [down-after=<ms>] [failover-timeout=<ms>] [parallel-syncs=<n>]
//   run <duration>                                 e.g. 500ms, 2s
//   crash|restart|pause|resume <n1|s1>             restart s1 new-id: state file lost
//   partition <a,b|c,d,...>   block <a>-><b>   heal
//   break-link <node> <duration>                   replication link down (a lagging replica)
//   sentinel <sN> <subcommand> [args...]           prints the reply
//   print-events [only=<type>,<type>...]           events since the last print (then cleared)
//   skip-events                                    clears events silently
//   print-state                                    each sentinel's view and each node's role
//   check                                          safety violations so far and liveness now
#include <memory>
#include <string>
#include <vector>

#include "tests/sim/world.h"

namespace vigil::sim {

class ScenarioRunner {
 public:
  ScenarioRunner();
  // Returns the directive's output, or "error: ..." for a malformed directive.
  std::string Run(const std::string& directive);

 private:
  std::string RunSetup(const std::vector<std::string>& args);
  std::string RunFault(const std::string& directive, const std::vector<std::string>& args);
  std::string RunReport(const std::vector<std::string>& args);
  std::string PrintState();
  World& world();
  std::string Names(std::string text) const;

  std::unique_ptr<World> world_;
  uint64_t seed_ = 1;
  int64_t latency_ms_ = 1;
};

}  // namespace vigil::sim
