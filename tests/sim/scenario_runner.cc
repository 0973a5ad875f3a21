#include "tests/sim/scenario_runner.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace vigil::sim {

namespace {

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "500ms", "2s", "1500" (ms).
Millis ParseDuration(const std::string& text) {
  if (text.size() > 2 && text.substr(text.size() - 2) == "ms") {
    return Millis(std::stoll(text.substr(0, text.size() - 2)));
  }
  if (!text.empty() && text.back() == 's') {
    return Millis(static_cast<int64_t>(std::stod(text.substr(0, text.size() - 1)) * 1000));
  }
  return Millis(std::stoll(text));
}

std::map<std::string, std::string> KeyValues(const std::vector<std::string>& args, size_t from) {
  std::map<std::string, std::string> kv;
  for (size_t i = from; i < args.size(); ++i) {
    size_t eq = args[i].find('=');
    if (eq != std::string::npos) kv[args[i].substr(0, eq)] = args[i].substr(eq + 1);
  }
  return kv;
}

int IndexOf(const std::string& name, char kind) {
  if (name.size() < 2 || name[0] != kind) return -1;
  return std::stoi(name.substr(1)) - 1;
}

}  // namespace

ScenarioRunner::ScenarioRunner() = default;

World& ScenarioRunner::world() {
  if (!world_) {
    WorldOptions o;
    o.seed = seed_;
    o.keep_event_log = true;
    o.network.min_latency = Millis(latency_ms_);
    o.network.max_latency = Millis(latency_ms_);
    world_ = std::make_unique<World>(o);
  }
  return *world_;
}

std::string ScenarioRunner::Names(std::string text) const {
  return world_ ? world_->Readable(std::move(text)) : text;
}

std::string ScenarioRunner::Run(const std::string& directive) {
  std::vector<std::string> a = Split(directive, ' ');
  if (a.empty()) return "error: empty directive";
  const std::string& cmd = a[0];
  if (cmd == "world" || cmd == "add-nodes" || cmd == "add-sentinels" || cmd == "run") {
    return RunSetup(a);
  }
  if (cmd == "print-events" || cmd == "skip-events" || cmd == "print-state" || cmd == "check") {
    return RunReport(a);
  }
  return RunFault(directive, a);
}

std::string ScenarioRunner::RunSetup(const std::vector<std::string>& a) {
  const std::string& cmd = a[0];
  std::map<std::string, std::string> kv = KeyValues(a, 1);
  if (cmd == "world") {
    if (world_) return "error: world must come first";
    if (kv.count("seed")) seed_ = std::stoull(kv["seed"]);
    if (kv.count("latency")) latency_ms_ = std::stoll(kv["latency"]);
    return "";
  }
  World& w = world();
  if (cmd == "add-nodes") {
    std::map<std::string, int> priority;
    for (const std::string& p : Split(kv["priority"], ',')) {
      size_t colon = p.find(':');
      priority[p.substr(0, colon)] = std::stoi(p.substr(colon + 1));
    }
    auto prio = [&](const std::string& n) { return priority.count(n) ? priority[n] : 100; };
    int master = w.AddNode(-1, prio(kv["master"]));
    for (const std::string& r : Split(kv["replicas"], ',')) w.AddNode(master, prio(r));
    return "";
  }
  if (cmd == "add-sentinels") {
    int count = std::stoi(a.at(1));
    Millis down_after = kv.count("down-after") ? ParseDuration(kv["down-after"]) : Millis(1000);
    Millis timeout =
        kv.count("failover-timeout") ? ParseDuration(kv["failover-timeout"]) : Millis(5000);
    int syncs = kv.count("parallel-syncs") ? std::stoi(kv["parallel-syncs"]) : 1;
    w.AddSentinels(count, "mymaster", 0, std::stoi(kv["quorum"]), down_after, timeout, syncs);
    return "";
  }
  w.RunFor(ParseDuration(a.at(1)));
  return "";
}

std::string ScenarioRunner::RunFault(const std::string& directive,
                                     const std::vector<std::string>& a) {
  const std::string& cmd = a[0];
  World& w = world();
  if (cmd == "crash" || cmd == "restart" || cmd == "pause" || cmd == "resume") {
    const std::string& who = a.at(1);
    if (int s = IndexOf(who, 's'); s >= 0) {
      if (cmd == "crash") w.CrashSentinel(s);
      if (cmd == "restart") w.RestartSentinel(s, a.size() > 2 && a[2] == "new-id");
      if (cmd == "pause" || cmd == "resume") w.PauseSentinel(s, cmd == "pause");
    } else if (int n = IndexOf(who, 'n'); n >= 0) {
      if (cmd == "crash") w.CrashNode(n);
      if (cmd == "restart") w.RestartNode(n);
      if (cmd == "pause" || cmd == "resume") w.PauseNode(n, cmd == "pause");
    } else {
      return "error: unknown process " + who;
    }
    return "";
  }
  auto host_of = [&](const std::string& name) -> std::string {
    if (int s = IndexOf(name, 's'); s >= 0) return w.sentinels().at(s)->addr.host;
    return w.nodes().at(IndexOf(name, 'n'))->addr.host;
  };
  if (cmd == "partition") {
    std::vector<std::vector<std::string>> groups;
    for (const std::string& g : Split(directive.substr(10), '|')) {
      groups.emplace_back();
      for (const std::string& name : Split(g, ',')) {
        std::string trimmed = name;
        trimmed.erase(0, trimmed.find_first_not_of(' '));
        trimmed.erase(trimmed.find_last_not_of(' ') + 1);
        groups.back().push_back(host_of(trimmed));
      }
    }
    w.Partition(groups);
    return "";
  }
  if (cmd == "block") {
    size_t arrow = a.at(1).find("->");
    w.Block(host_of(a[1].substr(0, arrow)), host_of(a[1].substr(arrow + 2)));
    return "";
  }
  if (cmd == "heal") {
    w.Heal();
    return "";
  }
  if (cmd == "break-link") {
    w.nodes().at(IndexOf(a.at(1), 'n'))->BreakReplicationFor(ParseDuration(a.at(2)));
    return "";
  }
  if (cmd == "sentinel") {
    std::vector<std::string> argv(a.begin() + 2, a.end());
    return Names(w.sentinels().at(IndexOf(a.at(1), 's'))->Admin(argv));
  }
  return "error: unknown directive " + cmd;
}

std::string ScenarioRunner::RunReport(const std::vector<std::string>& a) {
  const std::string& cmd = a[0];
  std::map<std::string, std::string> kv = KeyValues(a, 1);
  World& w = world();
  if (cmd == "print-events" || cmd == "skip-events") {
    std::vector<std::string> only = Split(kv["only"], ',');
    std::string out;
    for (const std::string& line : w.TakeEvents()) {
      if (cmd == "skip-events") continue;
      std::string type = Split(line, ' ').at(1);
      if (!only.empty() && std::find(only.begin(), only.end(), type) == only.end()) continue;
      if (!out.empty()) out += "\n";
      out += Names(line);
    }
    return out;
  }
  if (cmd == "print-state") return PrintState();
  w.checkers().CheckConverged(w, "mymaster");
  std::string out;
  for (const std::string& v : w.checkers().violations()) out += (out.empty() ? "" : "\n") + v;
  return out.empty() ? "ok" : out;
}

std::string ScenarioRunner::PrintState() {
  World& w = world();
  {
    std::string out;
    for (auto& s : w.sentinels()) {
      if (!out.empty()) out += "\n";
      if (!s->up()) {
        out += s->name + ": down";
        continue;
      }
      const auto* m = s->core()->FindMaster("mymaster");
      SimDataNode* node = w.NodeAt(m->CurrentAddress());
      out += s->name + ": master=" + (node ? node->name : "?") +
             " epoch=" + std::to_string(s->core()->current_epoch()) +
             " config-epoch=" + std::to_string(m->config_epoch) +
             " sentinels=" + std::to_string(m->sentinels.size()) +
             " replicas=" + std::to_string(m->replicas.size()) + (s->core()->tilt() ? " tilt" : "");
    }
    for (auto& n : w.nodes()) {
      out += "\n" + n->name + ": ";
      if (!n->up()) {
        out += "down";
      } else if (n->is_master()) {
        out += "master";
      } else {
        SimDataNode* m = w.NodeAt(*n->master());
        out += "replica of " + (m ? m->name : vigil::FormatHostPort(*n->master())) +
               (n->link_up() ? " link=up" : " link=down");
      }
    }
    return out;
  }
}

}  // namespace vigil::sim
