#include "datanode/scripting/function_store.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include "datanode/scripting/lua_convert.h"
#include "datanode/scripting/lua_sandbox.h"
#include "datanode/scripting/script_flags.h"

namespace vigil::datanode {
namespace {

constexpr const char* kStoreKey = "vigil.functions";
constexpr const char* kBadName =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";
// Redis checks the load's clock every 100000 Lua instructions.
constexpr int kLoadHookInstructions = 100000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

FunctionStore* StoreOf(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kStoreKey);
  auto* store = static_cast<FunctionStore*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return store;
}

// A copy of the string at `index` (numbers convert on the copy, so a key being iterated with
// lua_next is left alone); false when the value is neither string nor number.
bool CopyString(lua_State* L, int index, std::string* out) {
  if (!lua_isstring(L, index)) return false;
  lua_pushvalue(L, index);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  out->assign(s, len);
  lua_pop(L, 1);
  return true;
}

// The flags table of the named form, read raw from index 1 up to the first nil.
bool ReadFlags(lua_State* L, int table, uint32_t* flags) {
  uint32_t f = 0;
  for (int j = 1;; ++j) {
    lua_rawgeti(L, table, j);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    std::string name;
    const bool is_string = CopyString(L, -1, &name);
    lua_pop(L, 1);
    const uint32_t bit = is_string ? ScriptFlagByName(Lower(name)) : 0;
    if (bit == 0) return false;
    f |= bit;
  }
  *flags = f;
  return true;
}

struct Registration {
  std::string name;
  std::string description;
  bool has_description = false;
  uint32_t flags = 0;
  int ref = LUA_NOREF;
};

// Reads redis.register_function's arguments into *reg; returns Redis's error text on failure
// (after releasing any callback reference it took).
const char* ReadRegistration(lua_State* L, Registration* reg) {
  const int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return "wrong number of arguments to redis.register_function";
  if (argc == 2) {
    if (!CopyString(L, 1, &reg->name)) {
      return "first argument to redis.register_function must be a string";
    }
    if (!lua_isfunction(L, 2))
      return "second argument to redis.register_function must be a function";
    reg->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return nullptr;
  }
  if (!lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua "
           "table (representing named arguments).";
  }
  const char* err = nullptr;
  bool has_name = false;
  lua_pushnil(L);
  while (err == nullptr && lua_next(L, 1) != 0) {
    std::string key;
    if (!CopyString(L, -2, &key)) {
      err = "named argument key given to redis.register_function is not a string";
      break;
    }
    if (strcasecmp(key.c_str(), "function_name") == 0) {
      if (!CopyString(L, -1, &reg->name)) {
        err = "function_name argument given to redis.register_function must be a string";
      }
      has_name = true;
    } else if (strcasecmp(key.c_str(), "description") == 0) {
      if (!CopyString(L, -1, &reg->description)) {
        err = "description argument given to redis.register_function must be a string";
      }
      reg->has_description = true;
    } else if (strcasecmp(key.c_str(), "callback") == 0) {
      if (!lua_isfunction(L, -1)) {
        err = "callback argument given to redis.register_function must be a function";
        break;
      }
      if (reg->ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, reg->ref);
      reg->ref = luaL_ref(L, LUA_REGISTRYINDEX);  // pops the value
      continue;
    } else if (strcasecmp(key.c_str(), "flags") == 0) {
      if (!lua_istable(L, -1)) {
        err =
            "flags argument to redis.register_function must be a table representing function "
            "flags";
      } else if (!ReadFlags(L, lua_gettop(L), &reg->flags)) {
        err = "unknown flag given";
      }
    } else {
      err = "unknown argument given to redis.register_function";
    }
    lua_pop(L, 1);
  }
  if (err == nullptr && !has_name)
    err = "redis.register_function must get a function name argument";
  if (err == nullptr && reg->ref == LUA_NOREF) {
    err = "redis.register_function must get a callback argument";
  }
  if (err != nullptr && reg->ref != LUA_NOREF) {
    luaL_unref(L, LUA_REGISTRYINDEX, reg->ref);
    reg->ref = LUA_NOREF;
  }
  return err;
}

const char* RegisterInto(lua_State* L, FunctionStore::Library* lib) {
  Registration reg;
  const char* err = ReadRegistration(L, &reg);
  if (err != nullptr) return err;
  if (!ValidName(reg.name)) {
    err = kBadName;
  } else {
    for (const auto& f : lib->functions) {
      if (f.name == reg.name) err = "Function already exists in the library";
    }
  }
  if (err != nullptr) {
    luaL_unref(L, LUA_REGISTRYINDEX, reg.ref);
    return err;
  }
  FunctionStore::Function fn;
  fn.name = std::move(reg.name);
  fn.description = std::move(reg.description);
  fn.has_description = reg.has_description;
  fn.flags = reg.flags;
  fn.ref = reg.ref;
  fn.library = lib->name;
  lib->functions.push_back(std::move(fn));
  return nullptr;
}

// Redis's luaExtractErrorInformation message for a failed load.
std::string LoadErrorMessage(lua_State* L) {
  if (lua_isstring(L, -1)) return std::string("ERR ") + lua_tostring(L, -1);
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    std::string msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "(null)";
    lua_pop(L, 1);
    return msg;
  }
  return "(null)";
}

}  // namespace

// redis.register_function. Lua errors unwind with longjmp: the C++ objects of the call live
// only inside RegisterInto, which has returned when the error is raised.
int FunctionLoadHook(lua_State* L) {
  FunctionStore* store = StoreOf(L);
  const char* err = nullptr;
  if (store == nullptr || store->loading() == nullptr) {
    err = "redis.register_function can only be called on FUNCTION LOAD command";
  } else {
    err = RegisterInto(L, store->loading());
  }
  if (err == nullptr) return 0;
  PushErrorTable(L, err);
  return lua_error(L);
}

void FunctionLoadTimeoutHook(lua_State* L, lua_Debug*) {
  FunctionStore* store = StoreOf(L);
  if (store == nullptr || store->load_timeout_ms_ <= 0 || !store->clock_us_) return;
  if ((store->clock_us_() - store->load_start_us_) / 1000 <= store->load_timeout_ms_) return;
  // Every following line fails too, so a script catching the error with pcall cannot go on.
  lua_sethook(L, FunctionLoadTimeoutHook, LUA_MASKLINE, 0);
  PushErrorTable(L, "FUNCTION LOAD timeout");
  lua_error(L);
}

bool ParseLibraryMetadata(std::string_view code, std::string* engine, std::string* name,
                          size_t* body_at, std::string* err) {
  if (code.substr(0, 2) != "#!") {
    *err = "Missing library metadata";
    return false;
  }
  const size_t eol = code.find('\n');
  std::vector<std::string> parts;
  if (eol == std::string_view::npos || !SplitArgs(code.substr(0, eol), &parts) || parts.empty()) {
    *err = "Invalid library metadata";
    return false;
  }
  *engine = parts[0].substr(2);
  bool has_name = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (strncasecmp(parts[i].c_str(), "name=", 5) == 0) {
      if (has_name) {
        *err = "Invalid metadata value, name argument was given multiple times";
        return false;
      }
      *name = parts[i].substr(5);
      has_name = true;
      continue;
    }
    *err = "Invalid metadata value given: " + parts[i];
    return false;
  }
  if (!has_name) {
    *err = "Library name was not given";
    return false;
  }
  *body_at = eol;
  return true;
}

FunctionStore::FunctionStore() {
  lua_State* L = engine_.lua();
  lua_pushlightuserdata(L, this);
  lua_setfield(L, LUA_REGISTRYINDEX, kStoreKey);
  // The load environment: a `redis` table with register_function, log and the version and log
  // level fields; every other name is an error.
  lua_newtable(L);
  lua_newtable(L);
  lua_pushcfunction(L, FunctionLoadHook);
  lua_setfield(L, -2, "register_function");
  lua_getglobal(L, "redis");
  for (const char* field : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                            "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, -1, field);
    lua_setfield(L, -3, field);
  }
  lua_pop(L, 1);
  MakeReadonlyStrictProxy(L);
  lua_setfield(L, -2, "redis");
  MakeReadonlyStrictProxy(L);
  SetLibraryLoadTable(L);
}

FunctionStore::~FunctionStore() = default;

bool FunctionStore::Compile(std::string_view code, int64_t timeout_ms, Library* out,
                            std::string* err) {
  std::string engine;
  size_t body_at = 0;
  if (!ParseLibraryMetadata(code, &engine, &out->name, &body_at, err)) return false;
  if (!ValidName(out->name)) {
    *err = kBadName;
    return false;
  }
  if (strcasecmp(engine.c_str(), "lua") != 0) {
    *err = "Engine '" + engine + "' not found";
    return false;
  }
  out->code.assign(code);
  lua_State* L = engine_.lua();
  RestoreGlobals(L);
  if (luaL_loadbuffer(L, code.data() + body_at, code.size() - body_at, "@user_function") != 0) {
    *err = std::string("Error compiling function: ") + lua_tostring(L, -1);
    lua_pop(L, 1);
    return false;
  }
  SetGlobalsLookup(L, true);
  loading_ = out;
  load_start_us_ = clock_us_ ? clock_us_() : 0;
  load_timeout_ms_ = timeout_ms;
  lua_sethook(L, FunctionLoadTimeoutHook, LUA_MASKCOUNT, kLoadHookInstructions);
  const int status = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, nullptr, 0, 0);
  loading_ = nullptr;
  SetGlobalsLookup(L, false);
  if (status != 0) {
    *err = "Error registering functions: " + LoadErrorMessage(L);
    lua_pop(L, 1);
    Release(*out);
    return false;
  }
  if (out->functions.empty()) {
    *err = "No functions registered";
    return false;
  }
  std::sort(out->functions.begin(), out->functions.end(),
            [](const Function& a, const Function& b) { return a.name < b.name; });
  return true;
}

void FunctionStore::Release(Library& lib) {
  for (Function& f : lib.functions) luaL_unref(engine_.lua(), LUA_REGISTRYINDEX, f.ref);
  lib.functions.clear();
}

void FunctionStore::Link(Library lib) {
  const std::string name = lib.name;
  for (size_t j = 0; j < lib.functions.size(); ++j) {
    by_name_.emplace(Lower(lib.functions[j].name), std::make_pair(name, j));
  }
  libraries_[name] = std::move(lib);
}

void FunctionStore::Unlink(const std::string& name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return;
  for (const Function& f : it->second.functions) {
    auto at = by_name_.find(Lower(f.name));
    if (at != by_name_.end() && at->second.first == name) by_name_.erase(at);
  }
  Release(it->second);
  libraries_.erase(it);
}

std::string FunctionStore::Load(std::string_view code, bool replace, int64_t timeout_ms,
                                std::string* err) {
  // The checks before the code runs, in Redis's order.
  {
    std::string engine, name;
    size_t body_at = 0;
    if (!ParseLibraryMetadata(code, &engine, &name, &body_at, err)) return "";
    if (ValidName(name) && strcasecmp(engine.c_str(), "lua") == 0 && !replace &&
        libraries_.count(name) != 0) {
      *err = "Library '" + name + "' already exists";
      return "";
    }
  }
  Library lib;
  if (!Compile(code, timeout_ms, &lib, err)) {
    Release(lib);
    return "";
  }
  for (const Function& f : lib.functions) {
    auto it = by_name_.find(Lower(f.name));
    if (it != by_name_.end() && it->second.first != lib.name) {
      *err = "Function " + f.name + " already exists";
      Release(lib);
      return "";
    }
  }
  std::string name = lib.name;
  Unlink(name);
  Link(std::move(lib));
  return name;
}

bool FunctionStore::Delete(std::string_view library) {
  auto it = libraries_.find(std::string(library));
  if (it == libraries_.end()) return false;
  Unlink(it->first);
  return true;
}

void FunctionStore::Flush() {
  for (auto& [name, lib] : libraries_) Release(lib);
  libraries_.clear();
  by_name_.clear();
  lua_gc(engine_.lua(), LUA_GCCOLLECT, 0);
}

bool FunctionStore::Restore(const std::vector<std::string>& codes, RestorePolicy policy,
                            std::string* err) {
  std::vector<Library> fresh;
  std::unordered_map<std::string, std::string> fresh_names;  // lowercase function → library
  auto fail = [&](std::string text) {
    *err = std::move(text);
    for (Library& lib : fresh) Release(lib);
    return false;
  };
  for (const std::string& code : codes) {
    std::string engine, name;
    size_t body_at = 0;
    if (!ParseLibraryMetadata(code, &engine, &name, &body_at, err)) return fail(*err);
    const bool known =
        std::any_of(fresh.begin(), fresh.end(), [&](const Library& l) { return l.name == name; });
    if (ValidName(name) && strcasecmp(engine.c_str(), "lua") == 0 && known) {
      return fail("Library '" + name + "' already exists");
    }
    Library lib;
    if (!Compile(code, 0, &lib, err)) {
      Release(lib);
      return fail(*err);
    }
    for (const Function& f : lib.functions) {
      if (fresh_names.count(Lower(f.name)) != 0) {
        Release(lib);
        return fail("Function " + f.name + " already exists");
      }
    }
    for (const Function& f : lib.functions) fresh_names.emplace(Lower(f.name), lib.name);
    fresh.push_back(std::move(lib));
  }
  if (policy == RestorePolicy::kFlush) {
    Flush();
  } else {
    for (const Library& lib : fresh) {
      if (libraries_.count(lib.name) != 0 && policy == RestorePolicy::kAppend) {
        return fail("Library " + lib.name + " already exists");
      }
    }
    for (const Library& lib : fresh) {
      for (const Function& f : lib.functions) {
        auto it = by_name_.find(Lower(f.name));
        if (it == by_name_.end()) continue;
        const bool replaced = std::any_of(fresh.begin(), fresh.end(), [&](const Library& l) {
          return l.name == it->second.first;
        });
        if (!replaced) return fail("Function " + f.name + " already exists");
      }
    }
    for (const Library& lib : fresh) Unlink(lib.name);
  }
  for (Library& lib : fresh) Link(std::move(lib));
  return true;
}

const FunctionStore::Function* FunctionStore::Find(std::string_view name) const {
  auto it = by_name_.find(Lower(name));
  if (it == by_name_.end()) return nullptr;
  return &libraries_.at(it->second.first).functions[it->second.second];
}

void FunctionStore::Run(ScriptRun& run, const Function& fn, std::span<const std::string> keys,
                        std::span<const std::string> args, resp::ReplyWriter& w) {
  engine_.RunRef(run, fn.ref, keys, args, w);
}

std::vector<std::string> FunctionStore::Codes() const {
  std::vector<std::string> out;
  out.reserve(libraries_.size());
  for (const auto& [name, lib] : libraries_) out.push_back(lib.code);
  return out;
}

size_t FunctionStore::overhead_memory() const {
  // Redis counts its structures, names and codes; ours in the same spirit.
  size_t bytes = 0;
  for (const auto& [name, lib] : libraries_) {
    bytes += sizeof(Library) + name.size() + lib.code.size();
    for (const Function& f : lib.functions) {
      bytes += sizeof(Function) + f.name.size() + f.description.size() + 64;
    }
  }
  return bytes;
}

}  // namespace vigil::datanode
