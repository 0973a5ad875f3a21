#include "datanode/scripting/lua_debugger.h"

#include <strings.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "common/base/decimal.h"
#include "datanode/scripting/lua_debug_text.h"
#include "datanode/scripting/script_run.h"

namespace vigil::datanode {
namespace {

constexpr size_t kMaxBreakpoints = 64;
constexpr size_t kDefaultMaxLen = 256;
// A client that sends more than this without completing a command fails the script.
constexpr size_t kMaxInput = 1 << 20;
// Without busy-reply-threshold, a loop is stopped after this long.
constexpr int64_t kDefaultLoopStopMs = 5000;

bool Is(const std::string& word, const char* brief, const char* full) {
  return strcasecmp(word.c_str(), brief) == 0 || strcasecmp(word.c_str(), full) == 0;
}

constexpr const char* kHelp[] = {
    "Redis Lua debugger help:",
    "[h]elp               Show this help.",
    "[s]tep               Run current line and stop again.",
    "[n]ext               Alias for step.",
    "[c]ontinue           Run till next breakpoint.",
    "[l]ist               List source code around current line.",
    "[l]ist [line]        List source code around [line].",
    "                     line = 0 means: current position.",
    "[l]ist [line] [ctx]  In this form [ctx] specifies how many lines",
    "                     to show before/after [line].",
    "[w]hole              List all source code. Alias for 'list 1 1000000'.",
    "[p]rint              Show all the local variables.",
    "[p]rint <var>        Show the value of the specified variable.",
    "                     Can also show global vars KEYS and ARGV.",
    "[b]reak              Show all breakpoints.",
    "[b]reak <line>       Add a breakpoint to the specified line.",
    "[b]reak -<line>      Remove breakpoint from the specified line.",
    "[b]reak 0            Remove all breakpoints.",
    "[t]race              Show a backtrace.",
    "[e]val <code>        Execute some Lua code (in a different callframe).",
    "[r]edis <cmd>        Execute a Redis command.",
    "[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.",
    "                     Specifying zero as <len> means unlimited.",
    "[a]bort              Stop the execution of the script. In sync",
    "                     mode dataset changes will be retained.",
    "",
    "Debugger functions you can call from Lua scripts:",
    "redis.debug()        Produce logs in the debugger console.",
    "redis.breakpoint()   Stop execution like if there was a breakpoint in the",
    "                     next line of code.",
};

}  // namespace

void LuaDebugger::Start(DebugChannel* channel, std::string_view source) {
  channel_ = channel;
  active_ = true;
  step_ = true;
  lua_break_ = false;
  breakpoints_.clear();
  input_.clear();
  logs_.clear();
  maxlen_ = kDefaultMaxLen;
  maxlen_hint_sent_ = false;
  current_line_ = 0;
  // The source is listed by lines; trailing line breaks are not lines of their own.
  while (!source.empty() && (source.back() == '\n' || source.back() == '\r')) {
    source.remove_suffix(1);
  }
  src_.clear();
  size_t start = 0;
  while (true) {
    const size_t nl = source.find('\n', start);
    src_.emplace_back(source.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

void LuaDebugger::End() {
  Log("<endsession>");
  SendLogs();
  active_ = false;
  step_ = false;
  channel_ = nullptr;
  src_.clear();
}

void LuaDebugger::Log(std::string entry) {
  logs_.push_back(std::move(entry));
}

void LuaDebugger::LogWithMaxLen(std::string entry) {
  const bool trimmed = maxlen_ != 0 && entry.size() > maxlen_;
  if (trimmed) {
    entry.resize(maxlen_);
    entry += " ...";
  }
  Log(std::move(entry));
  if (trimmed && !maxlen_hint_sent_) {
    maxlen_hint_sent_ = true;
    Log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
  }
}

void LuaDebugger::SendLogs() {
  if (channel_ != nullptr) channel_->Write(EncodeDebugLogs(logs_));
  logs_.clear();
}

void LuaDebugger::LogCommand(const std::vector<std::string>& argv) {
  std::string line = "<redis>";
  for (size_t j = 0; j < argv.size(); ++j) {
    if (j == 10) {
      line += " ... (" + std::to_string(argv.size() - j - 1) + " more)";
      break;
    }
    line += ' ';
    line += argv[j];
  }
  Log(std::move(line));
}

void LuaDebugger::LogReply(std::string_view resp) {
  LogWithMaxLen("<reply> " + RespToHuman(resp));
}

void LuaDebugger::LogError(std::string_view error) {
  Log("<error> " + std::string(error));
}

bool LuaDebugger::RequestBreak() {
  if (!active_) return false;
  lua_break_ = true;
  return true;
}

void LuaDebugger::LogDebugValues(lua_State* L) {
  if (!active_) return;
  std::string line = "<debug> line " + std::to_string(current_line_) + ": ";
  const int argc = lua_gettop(L);
  for (int i = 1; i <= argc; ++i) {
    line += LuaValueRepr(L, i);
    if (i != argc) line += ", ";
  }
  Log(std::move(line));
}

bool LuaDebugger::IsBreakpoint(int line) const {
  return std::find(breakpoints_.begin(), breakpoints_.end(), line) != breakpoints_.end();
}

void LuaDebugger::LogSourceLine(int line) {
  const bool in_range = line >= 1 && size_t(line) <= src_.size();
  const std::string& text = in_range ? src_[size_t(line - 1)] : std::string();
  const bool bp = IsBreakpoint(line);
  const bool current = line == current_line_;
  const char* prefix = current && bp ? "->#" : current ? "-> " : bp ? "  #" : "   ";
  char num[16];
  std::snprintf(num, sizeof(num), "%-3d", line);
  Log(std::string(prefix) + num + " " +
      (in_range ? text : std::string("<out of range source code line>")));
}

void LuaDebugger::List(int around, int context) {
  for (int j = 1; j <= int(src_.size()); ++j) {
    if (around != 0 && std::abs(around - j) > context) continue;
    LogSourceLine(j);
  }
}

const char* LuaDebugger::OnHook(lua_State* L, lua_Debug* ar, ScriptRun* run) {
  lua_getstack(L, 0, ar);
  lua_getinfo(L, "Sl", ar);
  current_line_ = ar->currentline;
  const bool bp = IsBreakpoint(current_line_) || lua_break_;
  // Code the debugger's own eval runs is not the script's.
  if (std::strstr(ar->short_src, "user_script") == nullptr) return nullptr;
  bool timeout = false;
  if (ar->event == LUA_HOOKCOUNT && !step_ && !bp) {
    const int64_t limit_ms =
        run != nullptr && run->busy_threshold_ms > 0 ? run->busy_threshold_ms : kDefaultLoopStopMs;
    if (run == nullptr || (run->host->ScriptClockUs() - run->start_us) / 1000 < limit_ms) {
      return nullptr;
    }
    timeout = true;
    step_ = true;
  }
  if (!step_ && !bp) return nullptr;
  const char* reason = bp        ? (lua_break_ ? "redis.breakpoint() called" : "break point")
                       : timeout ? "timeout reached, infinite loop?"
                                 : "step over";
  step_ = false;
  lua_break_ = false;
  Log("* Stopped at " + std::to_string(current_line_) + ", stop reason = " + reason);
  LogSourceLine(current_line_);
  SendLogs();
  bool gone = false;
  const char* raise = Repl(L, &gone);
  if (raise != nullptr) return raise;
  // A client that left while a loop held the server would leave it blocked for good.
  if (gone && timeout) return "timeout during Lua debugging with client closing connection";
  if (run != nullptr) run->start_us = run->host->ScriptClockUs();
  return nullptr;
}

const char* LuaDebugger::Repl(lua_State* L, bool* client_gone) {
  std::vector<std::string> argv;
  while (true) {
    size_t consumed = 0;
    DebugParse parsed;
    while ((parsed = ParseDebugCommand(input_, &argv, &consumed)) != DebugParse::kCommand) {
      if (parsed == DebugParse::kProtocolError) {
        input_.clear();
        return "protocol error";
      }
      char buf[1024];
      const long n = channel_ != nullptr ? channel_->Read(buf, sizeof(buf)) : 0;
      if (n <= 0) {
        // The script runs on without stops: nobody is there to step it.
        step_ = false;
        breakpoints_.clear();
        *client_gone = true;
        return nullptr;
      }
      input_.append(buf, size_t(n));
      if (input_.size() > kMaxInput) {
        input_.clear();
        return "max client buffer reached";
      }
    }
    input_.erase(0, consumed);
    const std::string& cmd = argv[0];
    if (Is(cmd, "h", "help")) {
      Help();
    } else if (Is(cmd, "s", "step") || Is(cmd, "n", "next")) {
      step_ = true;
      return nullptr;
    } else if (Is(cmd, "c", "continue")) {
      return nullptr;
    } else if (Is(cmd, "t", "trace")) {
      Trace(L);
    } else if (Is(cmd, "m", "maxlen")) {
      Maxlen(argv);
    } else if (Is(cmd, "b", "break")) {
      Break(argv);
    } else if (Is(cmd, "e", "eval")) {
      Eval(L, argv);
    } else if (Is(cmd, "a", "abort")) {
      return "script aborted for user request";
    } else if (argv.size() > 1 && Is(cmd, "r", "redis")) {
      Redis(L, argv);
    } else if (Is(cmd, "p", "print")) {
      if (argv.size() == 2) {
        Print(L, argv[1]);
      } else {
        PrintAll(L);
      }
    } else if (Is(cmd, "l", "list")) {
      int around = current_line_;
      int context = 5;
      if (argv.size() > 1) {
        const int num = std::atoi(argv[1].c_str());
        if (num > 0) around = num;
      }
      if (argv.size() > 2) context = std::atoi(argv[2].c_str());
      List(around, context);
    } else if (Is(cmd, "w", "whole")) {
      List(1, 1000000);
    } else {
      Log("<error> Unknown Redis Lua debugger command or wrong number of arguments.");
    }
    SendLogs();
  }
}

void LuaDebugger::Help() {
  for (const char* line : kHelp) Log(line);
}

void LuaDebugger::Break(const std::vector<std::string>& argv) {
  if (argv.size() == 1) {
    if (breakpoints_.empty()) {
      Log("No breakpoints set. Use 'b <line>' to add one.");
      return;
    }
    Log(std::to_string(breakpoints_.size()) + " breakpoints set:");
    for (int line : breakpoints_) LogSourceLine(line);
    return;
  }
  for (size_t j = 1; j < argv.size(); ++j) {
    int64_t line = 0;  // the whole word, as Redis's string2l
    if (!ParseInt64(argv[j], &line)) {
      Log("Invalid argument:'" + argv[j] + "'");
    } else if (line == 0) {
      breakpoints_.clear();
      Log("All breakpoints removed.");
    } else if (line > 0) {
      if (breakpoints_.size() == kMaxBreakpoints) {
        Log("Too many breakpoints set.");
      } else if (line <= int64_t(src_.size()) && !IsBreakpoint(int(line))) {
        breakpoints_.push_back(int(line));
        List(int(line), 1);
      } else {
        Log("Wrong line number.");
      }
    } else {
      auto it = std::find(breakpoints_.begin(), breakpoints_.end(), int(-line));
      if (it != breakpoints_.end()) {
        breakpoints_.erase(it);
        Log("Breakpoint removed.");
      } else {
        Log("No breakpoint in the specified line.");
      }
    }
  }
}

void LuaDebugger::Print(lua_State* L, const std::string& name) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar) != 0; ++level) {
    const char* local = nullptr;
    for (int i = 1; (local = lua_getlocal(L, &ar, i)) != nullptr; ++i) {
      const bool match = name == local;
      if (match) LogWithMaxLen("<value> " + LuaValueRepr(L, -1));
      lua_pop(L, 1);
      if (match) return;
    }
  }
  if (name == "ARGV" || name == "KEYS") {
    lua_getglobal(L, name.c_str());
    LogWithMaxLen("<value> " + LuaValueRepr(L, -1));
    lua_pop(L, 1);
    return;
  }
  Log("No such variable.");
}

void LuaDebugger::PrintAll(lua_State* L) {
  lua_Debug ar;
  int vars = 0;
  if (lua_getstack(L, 0, &ar) != 0) {
    const char* local = nullptr;
    for (int i = 1; (local = lua_getlocal(L, &ar, i)) != nullptr; ++i) {
      if (std::strstr(local, "(*temporary)") == nullptr) {
        LogWithMaxLen(std::string("<value> ") + local + " = " + LuaValueRepr(L, -1));
        ++vars;
      }
      lua_pop(L, 1);
    }
  }
  if (vars == 0) Log("No local variables in the current context.");
}

void LuaDebugger::Eval(lua_State* L, const std::vector<std::string>& argv) {
  std::string code;
  for (size_t j = 1; j < argv.size(); ++j) {
    if (j > 1) code += ' ';
    code += argv[j];
  }
  // An expression first (its value is shown), then the same text as a statement.
  const std::string expr = "return " + code;
  if (luaL_loadbuffer(L, expr.data(), expr.size(), "@ldb_eval") != 0) {
    lua_pop(L, 1);
    if (luaL_loadbuffer(L, code.data(), code.size(), "@ldb_eval") != 0) {
      Log(std::string("<error> ") + lua_tostring(L, -1));
      lua_pop(L, 1);
      return;
    }
  }
  if (lua_pcall(L, 0, 1, 0) != 0) {
    const char* err = lua_tostring(L, -1);
    Log(std::string("<error> ") + (err != nullptr ? err : "(error object is not a string)"));
    lua_pop(L, 1);
    return;
  }
  LogWithMaxLen("<retval> " + LuaValueRepr(L, -1));
  lua_pop(L, 1);
}

void LuaDebugger::Redis(lua_State* L, const std::vector<std::string>& argv) {
  // The redis table, redis.call and the command's words.
  if (!lua_checkstack(L, int(argv.size()) + 1)) {
    Log("<error> max lua stack reached");
    return;
  }
  lua_getglobal(L, "redis");
  lua_getfield(L, -1, "call");
  for (size_t j = 1; j < argv.size(); ++j) lua_pushlstring(L, argv[j].data(), argv[j].size());
  // Stepping makes redis.call log the command and its reply: that is the command's output.
  step_ = true;
  lua_pcall(L, int(argv.size()) - 1, 1, 0);
  step_ = false;
  lua_pop(L, 2);
}

void LuaDebugger::Trace(lua_State* L) {
  lua_Debug ar;
  int level = 0;
  for (; lua_getstack(L, level, &ar) != 0; ++level) {
    lua_getinfo(L, "Snl", &ar);
    if (std::strstr(ar.short_src, "user_script") == nullptr) continue;
    Log(std::string(level == 0 ? "In" : "From") + " " +
        (ar.name != nullptr ? ar.name : "top level") + ":");
    LogSourceLine(ar.currentline);
  }
  if (level == 0) Log("<error> Can't retrieve Lua stack.");
}

void LuaDebugger::Maxlen(const std::vector<std::string>& argv) {
  if (argv.size() == 2) {
    int len = std::atoi(argv[1].c_str());
    maxlen_hint_sent_ = true;  // the user knows the command now
    if (len != 0 && len <= 60) len = 60;
    maxlen_ = size_t(len);
  }
  if (maxlen_ != 0) {
    Log("<value> replies are truncated at " + std::to_string(maxlen_) + " bytes.");
  } else {
    Log("<value> replies are unlimited.");
  }
}

}  // namespace vigil::datanode
