// CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: the commands of client-side caching
// (the tracking itself is the service's, service_tracking.cc). Parsing, option checks and
// error texts follow Redis 7.0's clientCommand.
#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

// CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]
void Tracking(CommandContext& ctx) {
  Service::TrackingRequest r;
  for (size_t j = 3; j < ctx.argc; ++j) {
    const bool more = j + 1 < ctx.argc;
    if (ctx.ArgIs(j, "redirect") && more) {
      ++j;
      if (r.redirect != 0) {
        return ctx.reply.Error("ERR A client can only redirect to a single other client");
      }
      int64_t id = 0;
      if (!ctx.GetInt(j, &id)) return;
      // The target must exist now; it may leave later, which the client is then told.
      if (id <= 0 || ctx.service.sessions().count(uint64_t(id)) == 0) {
        return ctx.reply.Error("ERR The client ID you want redirect to does not exist");
      }
      r.redirect = uint64_t(id);
    } else if (ctx.ArgIs(j, "bcast")) {
      r.bcast = true;
    } else if (ctx.ArgIs(j, "optin")) {
      r.optin = true;
    } else if (ctx.ArgIs(j, "optout")) {
      r.optout = true;
    } else if (ctx.ArgIs(j, "noloop")) {
      r.noloop = true;
    } else if (ctx.ArgIs(j, "prefix") && more) {
      r.prefixes.push_back(ctx.arg(++j));
    } else {
      return ctx.ErrSyntax();
    }
  }
  if (ctx.ArgIs(2, "on")) {
    const std::string error = ctx.service.EnableTracking(ctx.session, r);
    if (!error.empty()) return ctx.reply.Error(error);
  } else if (ctx.ArgIs(2, "off")) {
    ctx.service.DisableTracking(ctx.session);
  } else {
    return ctx.ErrSyntax();
  }
  ctx.reply.Ok();
}

// CLIENT CACHING YES|NO: whether the next command's keys are tracked, in OPTIN (yes) or
// OPTOUT (no) mode.
void Caching(CommandContext& ctx) {
  Session::Tracking& t = ctx.session.tracking;
  if (!t.on) {
    return ctx.reply.Error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN "
        "or OPTOUT mode enabled");
  }
  if (ctx.ArgIs(2, "yes")) {
    if (!t.optin) {
      return ctx.reply.Error(
          "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (ctx.ArgIs(2, "no")) {
    if (!t.optout) {
      return ctx.reply.Error(
          "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else {
    return ctx.ErrSyntax();
  }
  t.caching = true;
  ctx.reply.Ok();
}

void GetRedir(CommandContext& ctx) {
  const Session::Tracking& t = ctx.session.tracking;
  ctx.reply.Integer(t.on ? int64_t(t.redirect) : -1);
}

void TrackingInfo(CommandContext& ctx) {
  const Session::Tracking& t = ctx.session.tracking;
  std::vector<const char*> flags{t.on ? "on" : "off"};
  if (t.bcast) flags.push_back("bcast");
  if (t.optin) {
    flags.push_back("optin");
    if (t.caching) flags.push_back("caching-yes");
  }
  if (t.optout) {
    flags.push_back("optout");
    if (t.caching) flags.push_back("caching-no");
  }
  if (t.noloop) flags.push_back("noloop");
  if (t.broken_redir) flags.push_back("broken_redirect");
  resp::ReplyWriter& w = ctx.reply;
  w.Map(3);
  w.Bulk("flags");
  w.Set(flags.size());
  for (const char* f : flags) w.Bulk(f);
  w.Bulk("redirect");
  // -1: tracking off; 0: on, not redirected.
  w.Integer(t.on ? int64_t(t.redirect) : -1);
  w.Bulk("prefixes");
  w.Array(t.prefixes.size());
  for (const std::string& p : t.prefixes) w.Bulk(p);
}

}  // namespace

void RegisterClientTrackingCommands(CommandTable& t) {
  constexpr uint32_t kConn = kCmdNoScript | kCmdLoading | kCmdStale;
  t.AddSub("client", {"tracking", -3, kConn, 0, 0, 0, Tracking, "connection", {}});
  t.AddSub("client", {"caching", 3, kConn, 0, 0, 0, Caching, "connection", {}});
  t.AddSub("client", {"getredir", 2, kConn, 0, 0, 0, GetRedir, "connection", {}});
  t.AddSub("client", {"trackinginfo", 2, kConn, 0, 0, 0, TrackingInfo, "connection", {}});
}

}  // namespace vigil::datanode
