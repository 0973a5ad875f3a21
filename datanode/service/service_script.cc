// The data node's side of scripting: the checks Redis makes before a script runs
// (scriptPrepareForRun) and before each command it calls (scriptCall), and the effects
// replication of its writes.
#include <cstring>

#include "datanode/commands/redis_command_info.h"
#include "datanode/replication/replication_control.h"
#include "datanode/scripting/script_flags.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr const char* kMisconfScriptRdb =
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";
constexpr const char* kMisconfRdb =
    "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to "
    "disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB "
    "error.";
constexpr const char* kFencedScriptError =
    "-READONLY You can't write against a fenced master: fewer than a majority of its sentinels "
    "reached it within sentinel-fence-timeout, so a failover may be in progress.";

std::string ErrorCodeOf(const std::string& err) {
  if (err.empty() || err[0] != '-') return "ERR";
  size_t space = err.find(' ');
  return space == std::string::npos ? "ERR" : err.substr(1, space - 1);
}

}  // namespace

bool Service::PrepareScriptRun(Session& caller, uint32_t script_flags, bool ro,
                               resp::ReplyWriter& w, ScriptRun* run) {
  const bool obey = caller.is_master_link;
  const bool running_stale = replication_ != nullptr && !config_->replica_serve_stale_data &&
                             replication_->MasterLinkDown();
  // Redis's pre_command_oom_state: measured (after trying eviction) when the script starts.
  const bool oom = config_->maxmemory > 0 && !EnforceMaxmemory();
  const bool compat = (script_flags & kScriptEvalCompat) != 0;
  if (!compat) {
    if (running_stale && !(script_flags & kScriptAllowStale)) {
      w.Error(
          "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and "
          "'allow-stale' flag is not set on the script.");
      return false;
    }
    if (!(script_flags & kScriptNoWrites)) {
      if (keyspace_.replica_mode() && config_->replica_read_only && !obey) {
        w.Error("READONLY Can not run script with write flag on readonly replica");
        return false;
      }
      if (!obey && persistence_error && config_->stop_writes_on_bgsave_error &&
          !config_->save.empty()) {
        w.Error(kMisconfScriptRdb);
        return false;
      }
      if (!obey && !aof.last_write_ok && config_->appendonly) {
        w.Error(
            std::string("MISCONF Redis is configured to persist data to AOF, but it's currently "
                        "unable to persist to disk. Writable scripts are blocked. Use 'no-writes' "
                        "flag for read only scripts. AOF error: ") +
            std::strerror(aof.last_write_errno));
        return false;
      }
      if (ro) {
        w.Error("ERR Can not execute a script with write flag using *_ro command.");
        return false;
      }
      if (!keyspace_.replica_mode() && replication_ != nullptr &&
          !replication_->EnoughGoodReplicas()) {
        w.Error("NOREPLICAS Not enough good replicas to write.");
        return false;
      }
      if (!obey && config_->sentinel_fence_timeout > 0) {
        SyncFence();
        if (!fence_.MayWrite(mono_now_)) {
          w.Error(kFencedScriptError + 1);
          return false;
        }
      }
    }
    if (oom && !(script_flags & (kScriptAllowOom | kScriptNoWrites))) {
      w.Error(
          "OOM allow-oom flag is not set on the script, can not run it when used memory > "
          "'maxmemory'");
      return false;
    }
  } else if (running_stale) {
    w.Error("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    return false;
  }

  Session& c = script_session_;
  c.db = caller.db;
  c.proto = 2;
  c.user = caller.user;
  c.authenticated = true;
  c.is_master_link = caller.is_master_link;
  c.in_multi = false;
  c.out.clear();
  run->host = this;
  run->caller = &caller;
  run->client = &c;
  run->flags = 0;
  run->repl = kReplAll;
  run->resp = 2;
  run->oom_at_start = oom;
  run->busy_threshold_ms = config_->busy_reply_threshold;
  run->start_us = clock_us();
  if (ro || (!compat && (script_flags & kScriptNoWrites))) run->flags |= kRunReadOnly;
  if (!compat && (script_flags & kScriptAllowOom)) run->flags |= kRunAllowOom;
  if (compat || (script_flags & kScriptAllowCrossSlot)) run->flags |= kRunAllowCrossSlot;
  return true;
}

void Service::RunScript(ScriptRun& run, std::string_view sha, std::span<const std::string> keys,
                        std::span<const std::string> args, resp::ReplyWriter& w) {
  RunScriptBody(run, [&] { scripting_.Run(run, sha, keys, args, w); });
}

void Service::RunFunction(ScriptRun& run, const FunctionStore::Function& fn,
                          std::span<const std::string> keys, std::span<const std::string> args,
                          resp::ReplyWriter& w) {
  RunScriptBody(run, [&] { functions_.Run(run, fn, keys, args, w); });
}

void Service::RunScriptBody(ScriptRun& run, const std::function<void()>& body) {
  const bool own_transaction = !in_exec_;
  if (own_transaction) BeginExec();
  script_run_ = &run;
  body();
  script_run_ = nullptr;
  if (own_transaction) {
    EndExec(exec_buffer_.empty() ? run.caller->db : exec_buffer_.back().db);
  }
  script_session_.user = nullptr;
  script_session_.out.clear();
}

const char* Service::ScriptWriteDenied(const ScriptRun& run, const CommandSpec& spec) {
  // Redis's scriptVerifyWriteCommandAllow: may-replicate counts as a write for read-only runs.
  if ((run.flags & kRunReadOnly) && (spec.flags & (kCmdWrite | kCmdMayReplicate))) {
    return "Write commands are not allowed from read-only scripts.";
  }
  if (!(spec.flags & kCmdWrite) || (run.flags & kRunWriteDirty)) return nullptr;
  const bool obey = run.caller->is_master_link;
  if (keyspace_.replica_mode() && config_->replica_read_only && !obey) {
    return "-READONLY You can't write against a read only replica.";
  }
  if (persistence_error && config_->stop_writes_on_bgsave_error && !config_->save.empty()) {
    return kMisconfRdb;
  }
  if (!aof.last_write_ok && config_->appendonly) return "";  // formatted by the caller
  if (!keyspace_.replica_mode() && replication_ != nullptr && !replication_->EnoughGoodReplicas()) {
    return "-NOREPLICAS Not enough good replicas to write.";
  }
  if (!obey && config_->sentinel_fence_timeout > 0) {
    SyncFence();
    if (!fence_.MayWrite(mono_now_)) return kFencedScriptError;
  }
  return nullptr;
}

void Service::ScriptCall(ScriptRun& run, const std::vector<std::string>& argv, std::string* err) {
  Session& c = *run.client;
  c.user = run.caller->user;
  const CommandSpec* spec = table_->Find(argv[0]);
  if (spec != nullptr && spec->has_subcommands() && argv.size() >= 2) {
    auto it = spec->subcommands.find(config::Lower(argv[1]));
    spec = it == spec->subcommands.end() ? nullptr : &it->second;
  }
  const int64_t argc = int64_t(argv.size());
  auto refuse = [&](std::string text) {
    *err = std::move(text);
    ++stats_.total_error_replies;
    ++stats_.errorstats[ErrorCodeOf(*err)];
    if (spec != nullptr) {
      if (spec->stat == nullptr) spec->stat = &stats_.commandstats[spec->name];
      ++spec->stat->rejected_calls;
    }
  };
  if (spec == nullptr) {
    // A Redis command Vigil does not serve (CLUSTER ...) is refused as Redis refuses it when
    // Redis flags it noscript.
    std::string name = config::Lower(argv[0]);
    auto info = RedisCommandInfo().find(name);
    if (info != RedisCommandInfo().end() && argv.size() >= 2) {
      auto sub = RedisCommandInfo().find(name + "|" + config::Lower(argv[1]));
      if (sub != RedisCommandInfo().end()) info = sub;
    }
    if (info != RedisCommandInfo().end() && info->second.elements.size() > 2) {
      for (const resp::Value& f : info->second.elements[2].elements) {
        if (f.str == "noscript") return refuse("This Redis command is not allowed from script");
      }
    }
    return refuse("Unknown Redis command called from script");
  }
  if ((spec->arity > 0 && argc != spec->arity) || argc < -spec->arity) {
    return refuse("Wrong number of args calling Redis command from script");
  }
  if ((spec->flags & kCmdNoScript) && !debug.disable_deny_scripts) {
    return refuse("This Redis command is not allowed from script");
  }
  if (replication_ != nullptr && !config_->replica_serve_stale_data &&
      replication_->MasterLinkDown() && !(spec->flags & kCmdStale)) {
    return refuse("Can not execute the command on a stale replica");
  }
  if (c.user != nullptr && !c.user->unrestricted()) {
    int errpos = 0;
    const AclDenial d = CheckAcl(c, *spec, std::span<const std::string>(argv), &errpos);
    if (d != AclDenial::kNone) {
      const AclCommand* cmd = AclCommandOf(*spec);
      std::string object = d == AclDenial::kCommand ? cmd->fullname : argv[size_t(errpos)];
      LogAclDenial(*run.caller, d, AclLogContext::kLua, object, c.user->name());
      const char* why = d == AclDenial::kCommand ? "can't run this command or subcommand"
                        : d == AclDenial::kKey
                            ? "can't access at least one of the keys mentioned in the command "
                              "arguments"
                            : "can't publish to the channel mentioned in the command";
      return refuse(std::string("The user executing the script ") + why);
    }
  }
  if (const char* denied = ScriptWriteDenied(run, *spec)) {
    if (*denied == '\0') {
      return refuse(std::string("-MISCONF Errors writing to the AOF file: ") +
                    std::strerror(aof.last_write_errno));
    }
    return refuse(denied);
  }
  if (!(run.flags & kRunAllowOom) && config_->maxmemory > 0 && !run.caller->is_master_link &&
      !(run.flags & kRunWriteDirty) && run.oom_at_start && (spec->flags & kCmdDenyOom)) {
    return refuse("-OOM command not allowed when used memory > 'maxmemory'.");
  }
  if (spec->flags & kCmdWrite) run.flags |= kRunWriteDirty;
  // Blocking commands never block here: they answer as if their timeout had passed.
  Call(c, *spec, argv, argv.size(), /*in_exec=*/true);
}

int Service::ScriptAclCheck(ScriptRun& run, const std::vector<std::string>& argv) {
  const CommandSpec* spec = table_->Find(argv[0]);
  if (spec != nullptr && spec->has_subcommands() && argv.size() >= 2) {
    auto it = spec->subcommands.find(config::Lower(argv[1]));
    spec = it == spec->subcommands.end() ? nullptr : &it->second;
  }
  if (spec == nullptr) return -1;
  Session& c = *run.client;
  c.user = run.caller->user;
  if (c.user == nullptr || c.user->unrestricted()) return 1;
  int errpos = 0;
  return CheckAcl(c, *spec, std::span<const std::string>(argv), &errpos) == AclDenial::kNone;
}

Status Service::LoadSnapshotFunctions(const std::vector<std::string>& codes,
                                      FunctionStore::RestorePolicy policy) {
  std::string err;
  if (!functions_.Restore(codes, policy, &err)) {
    return Status::Error("Failed loading library, " + err);
  }
  return Status::Ok();
}

void Service::ScriptLog(int level, const std::string& line) {
  if (hooks_ != nullptr) hooks_->LogAtLevel(level, line);
}

}  // namespace vigil::datanode
