#pragma once
// The text side of the Lua debugger (Redis's ldb): how the debugging client's requests are
// parsed, how its log lines travel, and how Redis replies and Lua values are shown to it. Pure
// functions, so the formats are tested without a socket or a running script.
#include <string>
#include <string_view>
#include <vector>

struct lua_State;

namespace vigil::datanode {

// What the buffered input of a debugging client holds.
enum class DebugParse { kCommand, kNeedMore, kProtocolError };

// Redis's ldbReplParseCommand: the debugger accepts only a RESP array of 1 to 1024 bulk strings,
// each 1 to 1024 bytes long. On kCommand `*argv` holds it and `*consumed` its length.
DebugParse ParseDebugCommand(std::string_view buf, std::vector<std::string>* argv,
                             size_t* consumed);

// The debugger's output: one RESP array of simple strings, CR and LF in an entry made spaces.
std::string EncodeDebugLogs(const std::vector<std::string>& entries);

// A command's RESP reply as the debugger logs it after "<reply> ": integers bare, strings
// quoted, errors and statuses quoted with their sign, [a,b] arrays, ~(a,b) sets,
// {k => v} maps, (null), #true/#false, (double) 1.5.
std::string RespToHuman(std::string_view reply);

// The Lua value at `idx` as the debugger prints it: strings quoted, numbers %g, tables as
// {1; 2} when they are arrays and {[k]=v; ...} when not, other objects "type@address".
std::string LuaValueRepr(lua_State* L, int idx);

}  // namespace vigil::datanode
