// SCRIPT DEBUG's EVAL (Redis's evalGenericCommandWithDebugging): the shell hands over the
// client's connection, the EVAL runs inside a LuaDebugger session on it, and the client is
// closed after the EVAL's reply, which is how a debugging client learns the session is over.
#include "datanode/service/service.h"

namespace vigil::datanode {

void Service::EvalWithDebugger(Session& s, std::string_view source, resp::ReplyWriter& w,
                               const std::function<void()>& eval) {
  const bool forked = s.lua_debug == Session::LuaDebug::kForked;
  DebugChannel* channel = nullptr;
  std::string error = "ERR the Lua debugger needs a client connection";
  const ServerHooks::LuaDebugStart start = hooks_ != nullptr
                                               ? hooks_->StartLuaDebug(s, forked, &channel, &error)
                                               : ServerHooks::LuaDebugStart::kFailed;
  if (start != ServerHooks::LuaDebugStart::kRun) {
    s.lua_debug = Session::LuaDebug::kOff;
    if (start == ServerHooks::LuaDebugStart::kFailed) w.Error(error);
    return;
  }
  LuaDebugger& debugger = scripting_.debugger();
  debugger.Start(channel, source);
  eval();
  debugger.End();
  s.lua_debug = Session::LuaDebug::kOff;
  s.close_after_reply = true;
  hooks_->EndLuaDebug(s, forked);
}

}  // namespace vigil::datanode
