// LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HISTOGRAM / HELP (latencyCommand in Redis).
#include <iterator>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

// {"calls": n, "histogram_usec": {µs: cumulative count, ...}}
void WriteHistogram(CommandContext& ctx, const LatencyHistogram& h) {
  ctx.reply.Map(2);
  ctx.reply.Bulk("calls");
  ctx.reply.Integer(h.total());
  ctx.reply.Bulk("histogram_usec");
  const auto steps = h.CumulativeMicros();
  ctx.reply.Map(steps.size());
  for (const auto& [usec, count] : steps) {
    ctx.reply.Integer(usec);
    ctx.reply.Integer(count);
  }
}

const LatencyHistogram* HistogramOf(Service& svc, const CommandSpec& spec) {
  auto it = svc.stats().commandstats.find(spec.name);
  if (it == svc.stats().commandstats.end() || it->second.latency.empty()) return nullptr;
  return &it->second.latency;
}

// Redis's lookupCommandBySds: "name" or "container|sub", case-insensitive.
const CommandSpec* LookupFullName(const CommandTable& table, const std::string& name) {
  const size_t bar = name.find('|');
  if (bar == std::string::npos) return table.Find(name);
  if (name.find('|', bar + 1) != std::string::npos) return nullptr;
  const CommandSpec* parent = table.Find(name.substr(0, bar));
  if (parent == nullptr || !parent->has_subcommands()) return nullptr;
  auto it = parent->subcommands.find(config::Lower(name.substr(bar + 1)));
  return it == parent->subcommands.end() ? nullptr : &it->second;
}

void Histogram(CommandContext& ctx) {
  Service& svc = ctx.service;
  std::vector<std::pair<const CommandSpec*, const LatencyHistogram*>> found;
  auto collect = [&](const CommandSpec& spec, bool with_subcommands) {
    if (const LatencyHistogram* h = HistogramOf(svc, spec)) found.emplace_back(&spec, h);
    if (!with_subcommands) return;
    for (const auto& [name, sub] : spec.subcommands) {
      if (const LatencyHistogram* h = HistogramOf(svc, sub)) found.emplace_back(&sub, h);
    }
  };
  if (ctx.argc == 2) {
    for (const auto& [name, spec] : svc.commands().all()) collect(spec, true);
  } else {
    // Unknown names are skipped; a container brings its subcommands along.
    for (size_t i = 2; i < ctx.argc; ++i) {
      if (const CommandSpec* spec = LookupFullName(svc.commands(), ctx.arg(i))) {
        collect(*spec, true);
      }
    }
  }
  ctx.reply.Map(found.size());
  for (const auto& [spec, h] : found) {
    ctx.reply.Bulk(spec->name);
    WriteHistogram(ctx, *h);
  }
}

void LatencyCommand(CommandContext& ctx) {
  LatencyMonitor& mon = ctx.service.latency();
  const int64_t now_s = ctx.now_ms() / 1000;
  if (ctx.ArgIs(1, "history")) {
    const LatencyMonitor::Series* ts = mon.Find(ctx.arg(2));
    if (ts == nullptr) return ctx.reply.EmptyArray();
    const auto history = ts->History();
    ctx.reply.Array(history.size());
    for (const LatencySample& s : history) {
      ctx.reply.Array(2);
      ctx.reply.Integer(s.unix_s);
      ctx.reply.Integer(s.latency_ms);
    }
  } else if (ctx.ArgIs(1, "graph")) {
    if (mon.Find(ctx.arg(2)) == nullptr) {
      return ctx.reply.Error("ERR No samples available for event '" + ctx.arg(2) + "'");
    }
    ctx.reply.Verbatim(mon.Graph(ctx.arg(2), now_s));
  } else if (ctx.ArgIs(1, "latest")) {
    ctx.reply.Array(mon.events().size());
    for (const auto& [event, ts] : mon.events()) {
      ctx.reply.Array(4);
      ctx.reply.Bulk(event);
      ctx.reply.Integer(ts.latest().unix_s);
      ctx.reply.Integer(ts.latest().latency_ms);
      ctx.reply.Integer(ts.max_ms);
    }
  } else if (ctx.ArgIs(1, "doctor")) {
    LatencyMonitor::DoctorSettings settings;
    settings.threshold_ms = ctx.config().latency_monitor_threshold;
    settings.slowlog_slower_than = ctx.config().slowlog_log_slower_than;
    settings.hz = ctx.config().hz;
    ctx.reply.Verbatim(mon.Doctor(now_s, settings));
  } else if (ctx.ArgIs(1, "reset")) {
    if (ctx.argc == 2) return ctx.reply.Integer(mon.ResetAll());
    int64_t resets = 0;
    for (size_t i = 2; i < ctx.argc; ++i) resets += mon.Reset(ctx.arg(i));
    ctx.reply.Integer(resets);
  } else if (ctx.ArgIs(1, "histogram")) {
    Histogram(ctx);
  } else {  // help
    static const char* kHelp[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the "
        "specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help."};
    ctx.reply.Array(std::size(kHelp));
    for (const char* l : kHelp) ctx.reply.Simple(l);
  }
}

}  // namespace

void RegisterLatencyCommands(CommandTable& t) {
  constexpr uint32_t kAdm = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  t.Add({"latency", -2, 0, 0, 0, 0, LatencyCommand, "server", {}});
  t.AddSub("latency", {"doctor", 2, kAdm, 0, 0, 0, LatencyCommand, "server", {}});
  t.AddSub("latency", {"graph", 3, kAdm, 0, 0, 0, LatencyCommand, "server", {}});
  t.AddSub("latency", {"histogram", -2, kAdm, 0, 0, 0, LatencyCommand, "server", {}});
  t.AddSub("latency", {"history", 3, kAdm, 0, 0, 0, LatencyCommand, "server", {}});
  t.AddSub("latency", {"latest", 2, kAdm, 0, 0, 0, LatencyCommand, "server", {}});
  t.AddSub("latency", {"reset", -2, kAdm, 0, 0, 0, LatencyCommand, "server", {}});
  t.AddSub("latency", {"help", 2, kCmdLoading | kCmdStale, 0, 0, 0, LatencyCommand, "server", {}});
}

}  // namespace vigil::datanode
