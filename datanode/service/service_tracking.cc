// Client-side caching (CLIENT TRACKING), Redis 7.0's tracking.c on top of KeyTracking:
// - default mode: the keys a tracking client reads are remembered; when one changes the client
//   gets one invalidation and forgets it until it reads the key again;
// - BCAST mode: the client gets every changed key under its prefixes, batched per prefix;
// - delivery: a RESP3 client gets `>2 invalidate [keys]` pushes on its own connection; with
//   REDIRECT the messages go to another client, as pushes (RESP3) or as messages on
//   `__redis__:invalidate` when that client is subscribed (RESP2). A RESP2 client without
//   redirection gets nothing, as in Redis;
// - ordering: an invalidation caused by a client's own command reaches it after the reply
//   (after EXEC's for a transaction), while keys evicted or trimmed before the command ran are
//   reported before it.
#include "datanode/acl/acl_catalog.h"
#include "datanode/acl/acl_key_specs.h"
#include "datanode/commands/command_context.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

std::string KeyArray(std::string_view key) {
  return "*1\r\n$" + std::to_string(key.size()) + "\r\n" + std::string(key) + "\r\n";
}

// The "all keys" value after a flush: a null in the protocol of the client being told.
std::string AllKeys(int proto) {
  return proto >= 3 ? "_\r\n" : "$-1\r\n";
}

bool IsEvalFamily(const std::string& name) {
  return name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro" ||
         name == "fcall" || name == "fcall_ro";
}

}  // namespace

Session* Service::SessionById(uint64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

std::string Service::EnableTracking(Session& s, const TrackingRequest& r) {
  Session::Tracking& t = s.tracking;
  if (!r.bcast && !r.prefixes.empty()) return "ERR PREFIX option requires BCAST mode to be enabled";
  if (t.on && t.bcast != r.bcast) {
    return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
           "and then re-enabling it with a different mode.";
  }
  if (r.bcast && (r.optin || r.optout)) return "ERR OPTIN and OPTOUT are not compatible with BCAST";
  if (r.optin && r.optout) return "ERR You can't specify both OPTIN mode and OPTOUT mode";
  if ((r.optin && t.optout) || (r.optout && t.optin)) {
    return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
           "and then re-enabling it with a different mode.";
  }
  if (r.bcast) {
    std::string collision = KeyTracking::PrefixCollision(t.prefixes, r.prefixes);
    if (!collision.empty()) return collision;
  }
  if (!t.on) ++tracking_clients_;
  t.on = true;
  t.broken_redir = t.bcast = t.optin = t.optout = t.noloop = false;
  t.redirect = r.redirect;
  if (r.bcast) {
    t.bcast = true;
    std::vector<std::string> prefixes = r.prefixes;
    if (prefixes.empty()) prefixes.emplace_back();  // the empty prefix: every key
    for (const std::string& p : prefixes) {
      tracking_.Subscribe(p, s.id);
      t.prefixes.insert(p);
    }
  }
  t.optin = r.optin;
  t.optout = r.optout;
  t.noloop = r.noloop;
  return "";
}

void Service::DisableTracking(Session& s) {
  Session::Tracking& t = s.tracking;
  if (t.bcast) {
    tracking_.Unsubscribe(t.prefixes, s.id);
    t.prefixes.clear();
  }
  if (t.on) {
    --tracking_clients_;
    t.on = t.broken_redir = t.bcast = t.optin = t.optout = t.caching = t.noloop = false;
  }
}

void Service::TrackingRememberKeys(Session& s, const CommandSpec& spec,
                                   const std::vector<std::string>& argv, size_t argc) {
  if (tracking_clients_ == 0 || !(spec.flags & kCmdReadonly)) return;
  // The _RO script commands track through the reads their scripts make, as any script.
  if (spec.name == "eval_ro" || spec.name == "evalsha_ro" || spec.name == "fcall_ro") return;
  // A script's read tracks for its caller the keys the caller's EVAL/FCALL declared.
  const bool in_script = script_run_ != nullptr && &s == script_run_->client;
  Session* caller = in_script ? script_run_->caller : &s;
  const Session::Tracking& t = caller->tracking;
  if (!t.on || t.bcast) return;
  if ((t.optin && !t.caching) || (t.optout && t.caching)) return;
  const std::vector<std::string>* args = &argv;
  const CommandSpec* keyed = &spec;
  if (in_script) {
    if (script_run_->caller_argv == nullptr) return;
    args = script_run_->caller_argv;
    argc = script_run_->caller_argc;
    keyed = table_->FindRequest(*args);
    if (keyed == nullptr) return;
  }
  // Shard channels count as keys for cluster routing, not for caching.
  if (keyed->flags & kCmdPubSub) return;
  if (IsEvalFamily(keyed->name)) {
    int64_t numkeys = 0;
    if (argc < 3 || !ParseInt64Strict((*args)[2], &numkeys)) return;
    for (int64_t k = 0; k < numkeys && size_t(3 + k) < argc; ++k) {
      tracking_.Remember((*args)[size_t(3 + k)], caller->id);
    }
    return;
  }
  const AclCommand* acl = AclCommandOf(*keyed);
  if (acl == nullptr) return;
  std::vector<KeyRef> refs;
  FindKeys(acl->keys, std::span<const std::string>(args->data(), argc), &refs);
  for (const KeyRef& k : refs) tracking_.Remember((*args)[size_t(k.pos)], caller->id);
}

void Service::TrackingInvalidateKey(const Session* modifier, std::string_view key, bool bcast) {
  if (tracking_.total_keys() == 0 && !tracking_.has_prefixes()) return;
  if (bcast && tracking_.has_prefixes()) {
    tracking_.NoteChangedKey(key, modifier != nullptr ? modifier->id : 0);
  }
  for (uint64_t id : tracking_.Take(key)) {
    Session* target = SessionById(id);
    // A client that left, turned tracking off or moved to BCAST since it read the key.
    if (target == nullptr || !target->tracking.on || target->tracking.bcast) continue;
    if (target->tracking.noloop && target == current_) continue;
    if (target == current_ && call_depth_ > 0) {
      tracking_pending_.emplace_back(std::string(key));
    } else {
      SendTrackingMessage(target, KeyArray(key));
    }
  }
}

void Service::TrackingInvalidateAll() {
  if (tracking_clients_ > 0) {
    for (const auto& [id, s] : sessions_) {
      if (!s->tracking.on) continue;
      if (s == current_) {
        tracking_pending_.emplace_back(std::nullopt);
      } else {
        SendTrackingMessage(s, AllKeys(s->proto));
      }
    }
  }
  tracking_.ClearTable();
}

void Service::SendTrackingMessage(Session* c, const std::string& value) {
  bool redirected = false;
  if (c->tracking.redirect != 0) {
    Session* to = SessionById(c->tracking.redirect);
    if (to == nullptr) {
      // The client is told its invalidations have nowhere to go (RESP3 only).
      c->tracking.broken_redir = true;
      if (c->proto > 2) {
        const size_t from = c->out.size();
        resp::ReplyWriter w(&c->out, c->proto);
        w.Push(2);
        w.Bulk("tracking-redir-broken");
        w.Integer(int64_t(c->tracking.redirect));
        c->NotePush(from);
        NoteWoken(c);
      }
      return;
    }
    c = to;
    redirected = true;
  }
  const size_t from = c->out.size();
  resp::ReplyWriter w(&c->out, c->proto);
  if (c->proto > 2) {
    w.Push(2);
    w.Bulk("invalidate");
  } else if (redirected && c->subscription_count() > 0) {
    w.Array(3);
    w.Bulk("message");
    w.Bulk("__redis__:invalidate");
  } else {
    return;  // RESP2 has no way to push to a client that is not subscribed
  }
  c->out += value;
  c->NotePush(from);
  NoteWoken(c);
}

void Service::FlushTrackingPending() {
  if (tracking_pending_.empty()) return;
  std::vector<std::optional<std::string>> pending = std::exchange(tracking_pending_, {});
  if (current_ == nullptr) return;
  for (const auto& key : pending) {
    SendTrackingMessage(current_, key ? KeyArray(*key) : AllKeys(current_->proto));
  }
}

void Service::BroadcastInvalidations() {
  if (!tracking_.has_prefixes()) return;
  for (const KeyTracking::Broadcast& b : tracking_.TakeBroadcasts()) {
    std::string all = "*" + std::to_string(b.keys.size()) + "\r\n";
    for (const auto& [key, modifier] : b.keys) {
      all += "$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
    }
    for (uint64_t id : b.clients) {
      Session* c = SessionById(id);
      if (c == nullptr) continue;
      if (!c->tracking.noloop) {
        SendTrackingMessage(c, all);
        continue;
      }
      // NOLOOP: the keys this client changed last are left out; nothing left, no message.
      std::string body;
      size_t n = 0;
      for (const auto& [key, modifier] : b.keys) {
        if (modifier == c->id) continue;
        body += "$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
        ++n;
      }
      if (n > 0) SendTrackingMessage(c, "*" + std::to_string(n) + "\r\n" + body);
    }
  }
}

void Service::TrackingLimitUsedSlots() {
  if (tracking_clients_ == 0) return;
  const size_t max_keys = size_t(config_->tracking_table_max_keys);
  const std::vector<std::string> keys = tracking_.KeysOverLimit(max_keys);
  if (keys.empty()) return;
  for (const std::string& key : keys) TrackingInvalidateKey(nullptr, key, /*bcast=*/false);
  tracking_.EndTrim(tracking_.total_keys() <= max_keys);
}

}  // namespace vigil::datanode
