// Client pause in the dispatcher: which requests wait, holding them, and running them again
// when the pause ends (Redis's blockPostponeClient / unblockPostponedClients).
#include "datanode/scripting/script_flags.h"
#include "datanode/service/service.h"

namespace vigil::datanode {
namespace {

constexpr uint32_t kMayWriteOrReplicate = kCmdWrite | kCmdMayReplicate;

}  // namespace

bool Service::MayWriteOrReplicate(const CommandSpec& spec, const std::vector<std::string>& argv,
                                  const Session& s) const {
  if (spec.name != "exec") return (ScriptAwareFlags(spec, argv) & kMayWriteOrReplicate) != 0;
  // EXEC counts as what its queue holds, as Redis's mstate flags.
  for (const auto& q : s.queued) {
    const CommandSpec* c = table_->FindRequest(q);
    if (c != nullptr && (ScriptAwareFlags(*c, q) & kMayWriteOrReplicate)) return true;
  }
  return false;
}

uint32_t Service::ScriptAwareFlags(const CommandSpec& spec,
                                   const std::vector<std::string>& argv) const {
  // A script that declares its flags is a write only if it did not say no-writes, and never
  // "may replicate" (Redis's scriptFlagsToCmdFlags); one without a shebang, or an EVALSHA of an
  // unknown script, keeps the command's own flags.
  const bool by_sha = spec.name == "evalsha" || spec.name == "evalsha_ro";
  const bool fcall = spec.name == "fcall" || spec.name == "fcall_ro";
  if (!(by_sha || fcall || spec.name == "eval" || spec.name == "eval_ro") || argv.size() < 2) {
    return spec.flags;
  }
  uint32_t script_flags = kScriptEvalCompat;
  if (fcall) {
    const FunctionStore::Function* fn = functions_.Find(argv[1]);
    if (fn == nullptr) return spec.flags;
    script_flags = fn->flags;
  } else if (by_sha) {
    const ScriptEngine::Script* script = scripting_.Find(argv[1]);
    if (script == nullptr) return spec.flags;
    script_flags = script->flags;
  } else {
    size_t shebang_len = 0;
    std::string err;
    if (!ParseShebang(argv[1], &script_flags, &shebang_len, &err)) return spec.flags;
  }
  if (script_flags & kScriptEvalCompat) return spec.flags;
  uint32_t flags = spec.flags & ~(kCmdWrite | kCmdMayReplicate | kCmdStale | kCmdDenyOom);
  if (!(script_flags & kScriptNoWrites)) flags |= kCmdWrite;
  if (!(script_flags & (kScriptNoWrites | kScriptAllowOom))) flags |= kCmdDenyOom;
  if (script_flags & kScriptAllowStale) flags |= kCmdStale;
  return flags;
}

bool Service::Postpone(Session& s, const CommandSpec& spec, const std::vector<std::string>& argv,
                       size_t argc) {
  if (pause_.Refresh(now_ms_)) AfterPauseChange(true);
  // The AOF loader is not a client (never attached): Redis replays the AOF without the pause.
  auto attached = sessions_.find(s.id);
  if (attached == sessions_.end() || attached->second != &s) return false;
  if (!pause_.Holds(MayWriteOrReplicate(spec, argv, s), s.is_replica)) return false;
  s.block = BlockState{};
  s.block.active = true;
  s.block.argv.assign(argv.begin(), argv.begin() + long(argc));
  postponed_.push_back(&s);
  return true;
}

void Service::PauseClients(PausePurpose purpose, int64_t end_ms, PauseType type) {
  AfterPauseChange(pause_.Pause(purpose, end_ms, type, now_ms_));
}

void Service::UnpauseClients(PausePurpose purpose) {
  AfterPauseChange(pause_.Unpause(purpose, now_ms_));
}

void Service::CheckClientPause() {
  if (pause_.paused()) AfterPauseChange(pause_.Refresh(now_ms_));
  if (resume_postponed_ && !resuming_) ResumePostponed();
}

void Service::AfterPauseChange(bool loosened) {
  keyspace_.set_expiry_paused(pause_.paused());
  if (loosened && !postponed_.empty()) resume_postponed_ = true;
}

void Service::ResumePostponed() {
  resume_postponed_ = false;
  resuming_ = true;
  // Each request goes through the whole dispatch again and may be held again.
  for (Session* s : std::exchange(postponed_, {})) {
    std::vector<std::string> argv = std::move(s->block.argv);
    s->block = BlockState{};
    Execute(*s, argv, argv.size());
    NoteWoken(s);
  }
  resuming_ = false;
}

}  // namespace vigil::datanode
