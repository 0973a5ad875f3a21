#pragma once
// The `redis` table scripts see (call, pcall, error_reply, status_reply, sha1hex, log, setresp,
// set_repl, replicate_commands, breakpoint, debug, acl_check_cmd, the REPL_* and LOG_* constants,
// REDIS_VERSION[_NUM]), Redis's global pcall that unwraps error tables, and math.random and
// math.randomseed on Redis's rand48 generator.
struct lua_State;

namespace vigil::datanode {

class ScriptEngine;

// Registers the API into the interpreter; `engine` is the ScriptEngine that owns it. Called by
// NewSandboxedLua before the globals are locked.
void RegisterRedisApi(lua_State* L, void* engine);
// The engine RegisterRedisApi was given.
ScriptEngine* EngineOf(lua_State* L);

}  // namespace vigil::datanode
