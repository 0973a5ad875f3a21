// The service's side of ACLs: the catalog behind the command table, the dispatch check, the
// ACL log, and what happens to sessions when users change (Redis 7.0's acl.c semantics).
#include "datanode/acl/acl_categories.h"
#include "datanode/commands/client_info.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

// Redis's setImplicitACLCategories, for commands Redis itself does not have.
uint64_t ImplicitCategories(uint32_t flags) {
  auto bit = [](const char* name) { return AclCategoryBit(name); };
  uint64_t c = 0;
  if (flags & kCmdWrite) c |= bit("write");
  if (flags & kCmdReadonly) c |= bit("read");
  if (flags & kCmdAdmin) c |= bit("admin") | bit("dangerous");
  if (flags & kCmdPubSub) c |= bit("pubsub");
  if (flags & kCmdFast) c |= bit("fast");
  if (flags & kCmdBlocking) c |= bit("blocking");
  if (!(c & bit("fast"))) c |= bit("slow");
  return c;
}

void AssignAclId(AclCatalog* catalog, CommandSpec* spec, const std::string& parent) {
  const AclCommand* known = catalog->Find(spec->name);
  if (known == nullptr && !parent.empty()) {
    // A subcommand of a command Redis keeps whole (DEBUG): rules name the command, and
    // `+debug|x` is a first-argument rule, as in Redis.
    const AclCommand* p = catalog->Find(parent);
    if (p != nullptr && p->subcommands.empty()) known = p;
  }
  if (known == nullptr) {
    catalog->AddExtraCommand(spec->name, parent, ImplicitCategories(spec->flags),
                             (spec->flags & kCmdNoAuth) != 0, spec->arity, spec->first_key,
                             spec->last_key, spec->key_step);
    known = catalog->Find(spec->name);
  }
  if (known != nullptr) spec->acl_id = known->id;
}

}  // namespace

AclCatalog Service::BuildAclCatalog(CommandTable* table) {
  AclCatalog catalog = RedisAclCatalog();
  for (auto& [name, spec] : table->mutable_all()) {
    AssignAclId(&catalog, &spec, "");
    for (auto& [sub_name, sub] : spec.subcommands) AssignAclId(&catalog, &sub, name);
  }
  return catalog;
}

void Service::ApplyAclConfig() {
  acl_.set_allchannels_default(config_->acl_pubsub_default == 1);
  if (config_->requirepass != acl_requirepass_) {
    acl_requirepass_ = config_->requirepass;
    acl_.SetDefaultPassword(acl_requirepass_);
  }
}

bool Service::AuthRequired(const Session& s) const {
  const AclUser* d = acl_.default_user();
  return (!d->nopass() || (d->flags() & AclUser::kDisabled)) && !s.authenticated;
}

const AclCommand* Service::AclCommandOf(const CommandSpec& spec) const {
  if (spec.acl_id >= acl_catalog_.commands().size()) return nullptr;
  return &acl_catalog_.at(spec.acl_id);
}

AclDenial Service::CheckAcl(const Session& s, const CommandSpec& spec,
                            std::span<const std::string> args, int* errpos) const {
  if (s.user == nullptr || s.user->unrestricted()) return AclDenial::kNone;
  const AclCommand* cmd = AclCommandOf(spec);
  if (cmd == nullptr) return AclDenial::kNone;
  return s.user->Check(*cmd, args, errpos);
}

void Service::LogAclDenial(Session& s, AclDenial reason, AclLogContext context, std::string object,
                           const std::string& username) {
  AclLogEntry e;
  e.reason = reason;
  e.context = context;
  e.object = std::move(object);
  e.username = username;
  e.updated_ms = now_ms_;
  e.client_info = ClientInfoLine(s, now_ms_);
  if (!e.client_info.empty() && e.client_info.back() == '\n') e.client_info.pop_back();
  acl_log_.Add(std::move(e), size_t(std::max<int64_t>(0, config_->acllog_max_len)));
}

bool Service::AdmitAcl(Session& s, const CommandSpec& spec, const std::vector<std::string>& argv,
                       size_t argc, resp::ReplyWriter& w) {
  // The common case costs one flag test: users with every command, key and channel.
  if (s.user == nullptr || s.user->unrestricted()) return true;
  int errpos = 0;
  std::span<const std::string> args(argv.data(), argc);
  const AclDenial d = CheckAcl(s, spec, args, &errpos);
  if (d == AclDenial::kNone) return true;
  const AclCommand* cmd = AclCommandOf(spec);
  const AclLogContext ctx = s.in_multi ? AclLogContext::kMulti : AclLogContext::kToplevel;
  if (d == AclDenial::kCommand) {
    LogAclDenial(s, d, ctx, cmd->fullname, s.user->name());
    Reject(s, w, "NOPERM this user has no permissions to run the '" + cmd->fullname + "' command");
  } else if (d == AclDenial::kKey) {
    LogAclDenial(s, d, ctx, argv[size_t(errpos)], s.user->name());
    Reject(s, w, "NOPERM this user has no permissions to access one of the keys used as arguments");
  } else {
    LogAclDenial(s, d, ctx, argv[size_t(errpos)], s.user->name());
    Reject(s, w,
           "NOPERM this user has no permissions to access one of the channels used as arguments");
  }
  return false;
}

bool Service::Authenticate(Session& s, const std::string& username, const std::string& password,
                           const std::string& command) {
  AclUser* u = acl_.Find(username);
  if (u != nullptr && u->Authenticate(password)) {
    s.authenticated = true;
    s.user = u;
    return true;
  }
  LogAclDenial(s, AclDenial::kAuth, s.in_multi ? AclLogContext::kMulti : AclLogContext::kToplevel,
               command, username);
  return false;
}

void Service::CloseSession(Session* s, Session* current) {
  if (s == current) {
    // It still gets the reply of the command that removed its user, then it is closed.
    s->close_after_reply = true;
  } else {
    s->close_asap = true;
    NoteWoken(s);  // the shell closes woken sessions marked close_asap
  }
}

void Service::DisconnectUser(const AclUser* user, Session* current) {
  for (const auto& [id, s] : sessions_) {
    if (s->user != user) continue;
    // Never leave a session pointing at a freed user, even for the moment before it closes.
    s->user = acl_.default_user();
    s->authenticated = false;
    CloseSession(s, current);
  }
}

void Service::KillPubsubClientsIfNeeded(const AclUser& before, const AclUser& after,
                                        Session* current) {
  std::vector<std::string> upcoming;
  for (const auto& sel : after.selectors()) {
    if (sel.flags() & AclSelector::kAllChannels) return;
    upcoming.insert(upcoming.end(), sel.channels().begin(), sel.channels().end());
  }
  // Nothing to do when the new channel list keeps every channel the old one had.
  bool superset = true;
  for (const auto& sel : before.selectors()) {
    if (sel.flags() & AclSelector::kAllChannels) {
      superset = false;
      break;
    }
    for (const auto& c : sel.channels()) {
      if (std::find(upcoming.begin(), upcoming.end(), c) == upcoming.end()) superset = false;
    }
  }
  if (superset) return;
  AclSelector allowed(&acl_catalog_, 0);
  for (const auto& c : upcoming) allowed.Apply("&" + c);
  for (const auto& [id, s] : sessions_) {
    if (s->user != &after || s->subscription_count() == 0) continue;
    bool kill = false;
    for (const auto& p : s->patterns) kill |= !allowed.ChannelAllowed(p, true);
    for (const auto& c : s->channels) kill |= !allowed.ChannelAllowed(c, false);
    for (const auto& c : s->shard_channels) kill |= !allowed.ChannelAllowed(c, false);
    if (kill) CloseSession(s, current);
  }
}

Status Service::LoadAclAtStartup() {
  if (!config_->aclfile.empty() && !config_->user_lines.empty()) {
    return Status::Error(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file "
        "path is invalid. This setup is very likely to lead to configuration errors and "
        "security holes, please define either an ACL file or declare users directly in your "
        "redis.conf, but not both.");
  }
  std::vector<AclConfigUser> lines;
  for (const auto& d : config_->user_lines) lines.push_back({d.Where(), d.args});
  std::string err = acl_.LoadConfigUsers(lines);
  if (!err.empty()) return Status::Error(err);
  if (!config_->aclfile.empty()) {
    err = AclLoad(nullptr);
    if (!err.empty()) {
      return Status::Error("Aborting Redis startup because of ACL errors: " +
                           err.substr(err.rfind("ERR ", 0) == 0 ? 4 : 0));
    }
  }
  return Status::Ok();
}

std::string Service::AclLoad(Session* current) {
  const std::string& path = config_->aclfile;
  Result<std::string> text = fs_->ReadFile(path);
  if (!text.ok()) return "ERR Error loading ACLs, opening file '" + path + "': " + text.error();
  std::vector<std::unique_ptr<AclUser>> removed;
  std::string err = acl_.LoadFile(text.value(), path, &removed);
  if (!err.empty()) return "ERR " + err;
  for (const auto& u : removed) DisconnectUser(u.get(), current);
  return "";
}

std::string Service::AclSave() {
  std::string text;
  for (const auto& line : acl_.UserLines()) text += line + "\n";
  Status st = fs_->ReplaceFile(config_->aclfile, text);
  if (st.ok()) return "";
  if (hooks_ != nullptr) hooks_->LogWarning("Saving the ACL file: " + st.message());
  return "ERR There was an error trying to save the ACLs. Please check the server logs for more "
         "information";
}

}  // namespace vigil::datanode
