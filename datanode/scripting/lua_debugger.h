#pragma once
// LuaDebugger: Redis's Lua debugger (ldb), behind SCRIPT DEBUG YES|SYNC and redis-cli --ldb.
//
// A debugging EVAL stops before its first line. The debugger then talks to its client directly
// through a DebugChannel (the shell's blocking I/O on the client's socket, Redis's connBlock):
// each stop and each debugger command answers with one RESP array of log lines, and the client
// sends commands (step, continue, list, print, break, eval, redis, trace, maxlen, abort) as RESP
// arrays. Lua's line hook drives it; a count hook stops a loop that ran past the busy threshold.
// While it steps, the commands the script calls and their replies are logged too.
//
// Who runs the session decides what it changes: a forked child (YES) throws its writes away
// with its exit; SYNC runs in the server itself, which serves nobody else until the script ends.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct lua_State;
struct lua_Debug;

namespace vigil::datanode {

struct ScriptRun;

// The debugging client's connection, in blocking mode.
class DebugChannel {
 public:
  virtual ~DebugChannel() = default;
  // Writes all of `bytes`; false when the client is gone (the next read notices too).
  virtual bool Write(std::string_view bytes) = 0;
  // Waits for input; <= 0 when the client closed the connection or failed.
  virtual long Read(char* buf, size_t cap) = 0;
};

class LuaDebugger {
 public:
  // Starts a session for an EVAL of `source` on `channel`, stopped before its first line.
  void Start(DebugChannel* channel, std::string_view source);
  // Sends the logs left and the "<endsession>" mark, and ends the session.
  void End();

  bool active() const { return active_; }
  // Redis's ldbIsEnabled: while stepping, redis.call's commands, replies and errors are logged.
  bool logging() const { return active_ && step_; }

  void Log(std::string entry);
  // The command a script calls (ten arguments at most, then a count of the rest).
  void LogCommand(const std::vector<std::string>& argv);
  void LogReply(std::string_view resp);
  void LogError(std::string_view error);
  // redis.breakpoint(): stop at the next line. False outside a session.
  bool RequestBreak();
  // redis.debug(...): its arguments (the whole Lua stack), logged with the current line.
  void LogDebugValues(lua_State* L);

  // The line and count hook. Returns a message the script must fail with (abort, a protocol
  // error, ...), or null to let it go on.
  const char* OnHook(lua_State* L, lua_Debug* ar, ScriptRun* run);

 private:
  // Serves debugger commands until one resumes the script. Returns the error to raise, or null;
  // *client_gone when the connection closed.
  const char* Repl(lua_State* L, bool* client_gone);
  void SendLogs();
  void LogWithMaxLen(std::string entry);
  void LogSourceLine(int line);
  void List(int around, int context);
  bool IsBreakpoint(int line) const;
  void Break(const std::vector<std::string>& argv);
  void Print(lua_State* L, const std::string& name);
  void PrintAll(lua_State* L);
  void Eval(lua_State* L, const std::vector<std::string>& argv);
  void Redis(lua_State* L, const std::vector<std::string>& argv);
  void Trace(lua_State* L);
  void Maxlen(const std::vector<std::string>& argv);
  void Help();

  DebugChannel* channel_ = nullptr;
  bool active_ = false;
  bool step_ = false;
  bool lua_break_ = false;  // redis.breakpoint() was called
  std::vector<std::string> src_;
  std::vector<int> breakpoints_;
  int current_line_ = 0;
  std::string input_;
  size_t maxlen_ = 0;
  bool maxlen_hint_sent_ = false;
  std::vector<std::string> logs_;
};

}  // namespace vigil::datanode
