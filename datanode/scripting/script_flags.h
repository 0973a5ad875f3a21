#pragma once
// Script flags: what an EVAL script declares in its `#!lua flags=...` shebang line (and, later,
// what a function declares when it is registered). A script without a shebang runs in Redis's
// compatibility mode: it may write, and the checks happen per command instead of up front.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::datanode {

enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptEvalCompat = 1 << 4,  // no shebang: Redis 6 behaviour
  kScriptAllowCrossSlot = 1 << 5,
};

// The flag a name in a flags list stands for; 0 when unknown.
uint32_t ScriptFlagByName(std::string_view name);

// Reads the shebang of an EVAL body. On success *flags holds the declared flags (or
// kScriptEvalCompat without a shebang) and *shebang_len the length of the first line up to, not
// including, its newline (0 without a shebang): the body is compiled from there, so line numbers
// stay the user's. On failure returns Redis's error text (without the "ERR " code).
bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_len, std::string* err);

// Splits a line into words the way Redis's sdssplitargs does (spaces separate, "..." and '...'
// group, with C escapes inside double quotes). False on unbalanced quotes.
bool SplitArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace vigil::datanode
