#pragma once
// The conversions between Lua values and RESP replies, with Redis 7.0's rules:
// - a command's reply becomes a Lua value for redis.call (integers → numbers, bulk → strings,
//   nulls → false in RESP2 and nil in RESP3, status → {ok=...}, error → {err=...}, and under
//   RESP3 {map=...}, {set=...}, {double=...}, {big_number=...}, {verbatim_string=...});
// - a script's return value becomes the reply (numbers truncated to integers, arrays stop at
//   the first nil, tables with err/ok/double/big_number/verbatim_string/map/set fields).
#include <string_view>

#include "common/resp/reply_writer.h"

struct lua_State;

namespace vigil::datanode {

// Pushes the one RESP reply held in `bytes` (a command's whole reply) as a Lua value.
void PushRespAsLua(lua_State* L, std::string_view bytes);

// Writes the value on top of the stack as a reply and pops it. `script_resp` is the protocol the
// script selected with redis.setresp (it decides what a Lua boolean becomes).
void WriteLuaAsReply(lua_State* L, resp::ReplyWriter& w, int script_resp);

// Pushes Redis's error table {err="CODE message"}: a text starting with '-' carries its own
// code ("-WRONGTYPE ..." → "WRONGTYPE ..."), any other text gets "ERR "; surrounding CR/LF go.
void PushErrorTable(lua_State* L, std::string_view error);

}  // namespace vigil::datanode
