#include "datanode/scripting/lua_convert.h"

#include <charconv>
#include <cstdlib>
#include <string>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

namespace vigil::datanode {
namespace {

// A cursor over a reply known to be well formed (our own commands wrote it).
struct RespCursor {
  std::string_view data;
  size_t pos = 0;

  std::string_view Line() {
    size_t end = data.find("\r\n", pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 2;
    return line;
  }
  int64_t Number() {
    std::string_view line = Line();
    int64_t v = 0;
    std::from_chars(line.data(), line.data() + line.size(), v);
    return v;
  }
  std::string_view Blob(int64_t len) {
    std::string_view s = data.substr(pos, size_t(len));
    pos += size_t(len) + 2;
    return s;
  }
};

void CheckStack(lua_State* L, int n) {
  if (!lua_checkstack(L, n)) luaL_error(L, "reached lua stack limit");
}

void PushOne(lua_State* L, RespCursor& c, bool discard);

void PushTagged(lua_State* L, const char* tag) {
  lua_newtable(L);
  lua_pushstring(L, tag);
}

void PushOne(lua_State* L, RespCursor& c, bool discard) {
  if (c.pos >= c.data.size()) {
    if (!discard) lua_pushnil(L);
    return;
  }
  CheckStack(L, 6);
  const char type = c.data[c.pos++];
  switch (type) {
    case ':': {
      const int64_t v = c.Number();
      if (!discard) lua_pushnumber(L, lua_Number(v));
      return;
    }
    case '$': {
      const int64_t len = c.Number();
      if (len < 0) {
        if (!discard) lua_pushboolean(L, 0);
        return;
      }
      std::string_view s = c.Blob(len);
      if (!discard) lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case '+': {
      std::string_view s = c.Line();
      if (discard) return;
      lua_newtable(L);
      lua_pushstring(L, "ok");
      lua_pushlstring(L, s.data(), s.size());
      lua_settable(L, -3);
      return;
    }
    case '-':
    case '!': {
      std::string_view s = type == '-' ? c.Line() : c.Blob(c.Number());
      if (discard) return;
      PushErrorTable(L, "-" + std::string(s));
      // The command already counted this error; the script's reply must not count it again.
      lua_pushstring(L, "ignore_error_stats_update");
      lua_pushboolean(L, 1);
      lua_settable(L, -3);
      return;
    }
    case '*':
    case '>': {
      const int64_t n = c.Number();
      if (n < 0) {
        if (!discard) lua_pushboolean(L, 0);
        return;
      }
      if (!discard) lua_newtable(L);
      for (int64_t j = 0; j < n; ++j) {
        if (!discard) lua_pushnumber(L, lua_Number(j + 1));
        PushOne(L, c, discard);
        if (!discard) lua_settable(L, -3);
      }
      return;
    }
    case '%': {
      const int64_t n = c.Number();
      if (!discard) {
        PushTagged(L, "map");
        lua_newtable(L);
      }
      for (int64_t j = 0; j < n; ++j) {
        PushOne(L, c, discard);
        PushOne(L, c, discard);
        if (!discard) lua_settable(L, -3);
      }
      if (!discard) lua_settable(L, -3);
      return;
    }
    case '~': {
      const int64_t n = c.Number();
      if (!discard) {
        PushTagged(L, "set");
        lua_newtable(L);
      }
      for (int64_t j = 0; j < n; ++j) {
        PushOne(L, c, discard);
        if (!discard) {
          CheckStack(L, 1);
          lua_pushboolean(L, 1);
          lua_settable(L, -3);
        }
      }
      if (!discard) lua_settable(L, -3);
      return;
    }
    case '|': {
      // Attributes are not shown to scripts: skip them and convert the reply they annotate.
      const int64_t n = c.Number();
      for (int64_t j = 0; j < n * 2; ++j) PushOne(L, c, true);
      PushOne(L, c, discard);
      return;
    }
    case '_':
      c.Line();
      if (!discard) lua_pushnil(L);
      return;
    case '#': {
      std::string_view s = c.Line();
      if (!discard) lua_pushboolean(L, s == "t");
      return;
    }
    case ',': {
      std::string line(c.Line());
      if (discard) return;
      PushTagged(L, "double");
      lua_pushnumber(L, std::strtod(line.c_str(), nullptr));
      lua_settable(L, -3);
      return;
    }
    case '(': {
      std::string_view s = c.Line();
      if (discard) return;
      PushTagged(L, "big_number");
      lua_pushlstring(L, s.data(), s.size());
      lua_settable(L, -3);
      return;
    }
    case '=': {
      std::string_view s = c.Blob(c.Number());
      if (discard) return;
      std::string_view format = s.substr(0, 3);
      std::string_view text = s.size() >= 4 ? s.substr(4) : std::string_view();
      PushTagged(L, "verbatim_string");
      lua_newtable(L);
      lua_pushstring(L, "string");
      lua_pushlstring(L, text.data(), text.size());
      lua_settable(L, -3);
      lua_pushstring(L, "format");
      lua_pushlstring(L, format.data(), format.size());
      lua_settable(L, -3);
      lua_settable(L, -3);
      return;
    }
    default:
      c.pos = c.data.size();
      if (!discard) lua_pushnil(L);
      return;
  }
}

// The field `name` of the table on top as a Lua type, left pushed.
int RawField(lua_State* L, const char* name, int table_index = -1) {
  lua_pushstring(L, name);
  lua_rawget(L, table_index - 1);
  return lua_type(L, -1);
}

std::string OneLine(const char* s, size_t len) {
  std::string out(s, len);
  for (char& ch : out) {
    if (ch == '\r' || ch == '\n') ch = ' ';
  }
  return out;
}

void WriteError(lua_State* L, resp::ReplyWriter& w) {
  // The table is on top; Redis trims the text and reports it with its own code.
  lua_pushstring(L, "err");
  lua_rawget(L, -2);
  size_t len = 0;
  const char* msg = lua_tolstring(L, -1, &len);
  std::string text(msg != nullptr ? msg : "", msg != nullptr ? len : 0);
  lua_pop(L, 1);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  w.Error(text);
}

}  // namespace

void PushRespAsLua(lua_State* L, std::string_view bytes) {
  RespCursor c{bytes, 0};
  PushOne(L, c, false);
}

void PushErrorTable(lua_State* L, std::string_view error) {
  std::string code = "ERR";
  std::string msg;
  if (!error.empty() && error[0] == '-') {
    size_t space = error.find(' ');
    if (space == std::string_view::npos) {
      msg = std::string(error.substr(1));
    } else {
      code = std::string(error.substr(1, space - 1));
      msg = std::string(error.substr(space + 1));
    }
  } else {
    msg = std::string(error);
  }
  size_t b = msg.find_first_not_of("\r\n");
  msg = b == std::string::npos ? "" : msg.substr(b);
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  std::string full = code + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, full.data(), full.size());
  lua_settable(L, -3);
}

void WriteLuaAsReply(lua_State* L, resp::ReplyWriter& w, int script_resp) {
  if (!lua_checkstack(L, 4)) {
    w.Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      w.Bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1)) {
          w.Integer(1);
        } else {
          w.Null();
        }
      } else {
        w.Bool(lua_toboolean(L, -1) != 0);
      }
      break;
    case LUA_TNUMBER:
      w.Integer(static_cast<int64_t>(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      if (RawField(L, "err") == LUA_TSTRING) {
        lua_pop(L, 1);
        WriteError(L, w);
        break;
      }
      lua_pop(L, 1);
      if (RawField(L, "ok") == LUA_TSTRING) {
        size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        w.Simple(OneLine(s, len));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (RawField(L, "double") == LUA_TNUMBER) {
        w.Double(lua_tonumber(L, -1));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (RawField(L, "big_number") == LUA_TSTRING) {
        size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        std::string num = OneLine(s, len);
        if (w.proto() >= 3) {
          w.Raw("(" + num + "\r\n");
        } else {
          w.Bulk(num);
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (RawField(L, "verbatim_string") == LUA_TTABLE) {
        if (RawField(L, "format") == LUA_TSTRING) {
          if (RawField(L, "string", -2) == LUA_TSTRING) {
            size_t flen = 0, slen = 0;
            const char* format = lua_tolstring(L, -2, &flen);
            const char* s = lua_tolstring(L, -1, &slen);
            // Redis takes the format as a C string of exactly three characters.
            std::string f(format, flen);
            f.resize(3, '\0');
            w.Verbatim(std::string_view(s, slen), f);
            lua_pop(L, 3);
            break;
          }
          lua_pop(L, 1);
        }
        lua_pop(L, 1);
      }
      lua_pop(L, 1);
      if (RawField(L, "map") == LUA_TTABLE) {
        size_t pairs = 0;
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
          lua_pop(L, 1);
          ++pairs;
        }
        w.Map(pairs);
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
          lua_pushvalue(L, -2);
          WriteLuaAsReply(L, w, script_resp);  // the key
          WriteLuaAsReply(L, w, script_resp);  // the value
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (RawField(L, "set") == LUA_TTABLE) {
        size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
          lua_pop(L, 1);
          ++n;
        }
        w.Set(n);
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          WriteLuaAsReply(L, w, script_resp);
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      // An array: elements 1, 2, ... up to the first nil.
      size_t n = 0;
      while (true) {
        lua_rawgeti(L, -1, int(n + 1));
        const bool nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil) break;
        ++n;
      }
      w.Array(n);
      for (size_t j = 1; j <= n; ++j) {
        lua_rawgeti(L, -1, int(j));
        WriteLuaAsReply(L, w, script_resp);
      }
      break;
    }
    default:
      w.Null();
  }
  lua_pop(L, 1);
}

}  // namespace vigil::datanode
