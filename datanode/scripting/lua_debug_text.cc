#include "datanode/scripting/lua_debug_text.h"

#include <cstdio>
#include <cstdlib>

extern "C" {
#include <lua.h>
}

#include "common/base/repr.h"

namespace vigil::datanode {
namespace {

constexpr long kMaxDebugArgs = 1024;
constexpr long kMaxDebugArgLen = 1024;
// Redis's LDB_MAX_VALUES_DEPTH (LUA_MINSTACK/2): deeper tables are cut, as are cycles.
constexpr int kMaxValueDepth = LUA_MINSTACK / 2;

// atoi over a view: an optional sign and the digits that follow, 0 when there are none.
long LeadingNumber(std::string_view s) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  long v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9' && v < 1000000000L; ++i) {
    v = v * 10 + (s[i] - '0');
  }
  return neg ? -v : v;
}

// One RESP value from `r` at `*pos`, appended to `out` in the debugger's notation.
void AppendHuman(std::string_view r, size_t* pos, std::string* out);

// The header line of the value at `*pos` (after its type byte), moving past its CRLF.
std::string_view HeaderLine(std::string_view r, size_t* pos) {
  const size_t start = *pos + 1;
  size_t cr = r.find("\r\n", start);
  if (cr == std::string_view::npos) cr = r.size();
  *pos = std::min(r.size(), cr + 2);
  return r.substr(start, cr - start);
}

void AppendItems(std::string_view r, size_t* pos, std::string* out, long n, bool pairs) {
  for (long j = 0; j < n && *pos < r.size(); ++j) {
    AppendHuman(r, pos, out);
    if (pairs) {
      *out += " => ";
      AppendHuman(r, pos, out);
    }
    if (j != n - 1) *out += ',';
  }
}

void AppendHuman(std::string_view r, size_t* pos, std::string* out) {
  if (*pos >= r.size()) return;
  const char type = r[*pos];
  const size_t at = *pos;
  std::string_view line = HeaderLine(r, pos);
  switch (type) {
    case ':':
    case '(':  // a RESP3 big number reads as the number
      *out += line;
      break;
    case '$':
    case '=': {
      const long len = LeadingNumber(line);
      if (len < 0) {
        *out += "NULL";
        break;
      }
      std::string_view body = r.substr(std::min(r.size(), *pos), size_t(len));
      if (type == '=' && body.size() >= 4) body.remove_prefix(4);  // the "txt:" format tag
      *out += Repr(body);
      *pos = std::min(r.size(), *pos + size_t(len) + 2);
      break;
    }
    case '+':
    case '-':
      *out += Repr(r.substr(at, line.size() + 1));  // the sign stays: "+OK", "-ERR ..."
      break;
    case '*':
    case '>': {
      const long n = LeadingNumber(line);
      if (n < 0) {
        *out += "NULL";
        break;
      }
      *out += '[';
      AppendItems(r, pos, out, n, false);
      *out += ']';
      break;
    }
    case '~':
      *out += "~(";
      AppendItems(r, pos, out, LeadingNumber(line), false);
      *out += ')';
      break;
    case '%':
      *out += '{';
      AppendItems(r, pos, out, LeadingNumber(line), true);
      *out += '}';
      break;
    case '_':
      *out += "(null)";
      break;
    case '#':
      *out += !line.empty() && line[0] == 't' ? "#true" : "#false";
      break;
    case ',':
      *out += "(double) ";
      *out += line;
      break;
    default:
      break;
  }
}

void AppendLuaValue(lua_State* L, int idx, int level, std::string* out) {
  if (level++ == kMaxValueDepth || !lua_checkstack(L, 3)) {
    *out += "<max recursion level reached! Nested table?>";
    return;
  }
  const int t = lua_type(L, idx);
  switch (t) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      *out += Repr(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      *out += lua_toboolean(L, idx) ? "true" : "false";
      break;
    case LUA_TNUMBER: {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%g", double(lua_tonumber(L, idx)));
      *out += buf;
      break;
    }
    case LUA_TNIL:
      *out += "nil";
      break;
    case LUA_TTABLE: {
      // Both forms are built at once; the keys decide at the end which one the table is.
      const int table = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
      bool is_array = true;
      double expected = 1;
      std::string as_array, as_map;
      lua_pushnil(L);
      while (lua_next(L, table) != 0) {
        if (is_array && (lua_type(L, -2) != LUA_TNUMBER || lua_tonumber(L, -2) != expected)) {
          is_array = false;
        }
        AppendLuaValue(L, -1, level, &as_array);
        as_array += "; ";
        as_map += '[';
        AppendLuaValue(L, -2, level, &as_map);
        as_map += "]=";
        AppendLuaValue(L, -1, level, &as_map);
        as_map += "; ";
        lua_pop(L, 1);
        expected += 1;
      }
      std::string& chosen = is_array ? as_array : as_map;
      if (!chosen.empty()) chosen.resize(chosen.size() - 2);
      *out += '{';
      *out += chosen;
      *out += '}';
      break;
    }
    case LUA_TFUNCTION:
    case LUA_TUSERDATA:
    case LUA_TTHREAD:
    case LUA_TLIGHTUSERDATA: {
      const char* name = t == LUA_TFUNCTION   ? "function"
                         : t == LUA_TUSERDATA ? "userdata"
                         : t == LUA_TTHREAD   ? "thread"
                                              : "light-userdata";
      char buf[96];
      std::snprintf(buf, sizeof(buf), "\"%s@%p\"", name, lua_topointer(L, idx));
      *out += buf;
      break;
    }
    default:
      *out += "\"<unknown-lua-type>\"";
      break;
  }
}

}  // namespace

DebugParse ParseDebugCommand(std::string_view buf, std::vector<std::string>* argv,
                             size_t* consumed) {
  argv->clear();
  if (buf.empty()) return DebugParse::kNeedMore;
  // Anything before the array's '*' is skipped, as Redis's forgiving parser does.
  size_t p = buf.find('*');
  if (p == std::string_view::npos) return DebugParse::kProtocolError;
  size_t eol = buf.find("\r\n", p);
  if (eol == std::string_view::npos) return DebugParse::kNeedMore;
  const long argc = LeadingNumber(buf.substr(p + 1, eol - p - 1));
  if (argc <= 0 || argc > kMaxDebugArgs) return DebugParse::kProtocolError;
  p = eol + 2;
  while (long(argv->size()) < argc) {
    if (p >= buf.size()) return DebugParse::kNeedMore;
    if (buf[p] != '$') return DebugParse::kProtocolError;
    eol = buf.find("\r\n", p);
    if (eol == std::string_view::npos) return DebugParse::kNeedMore;
    const long len = LeadingNumber(buf.substr(p + 1, eol - p - 1));
    if (len <= 0 || len > kMaxDebugArgLen) return DebugParse::kProtocolError;
    p = eol + 2;
    if (p + size_t(len) + 2 > buf.size()) return DebugParse::kNeedMore;
    argv->emplace_back(buf.substr(p, size_t(len)));
    p += size_t(len);
    if (buf[p] != '\r' || buf[p + 1] != '\n') return DebugParse::kProtocolError;
    p += 2;
  }
  *consumed = p;
  return DebugParse::kCommand;
}

std::string EncodeDebugLogs(const std::vector<std::string>& entries) {
  std::string out = "*" + std::to_string(entries.size()) + "\r\n";
  for (const std::string& e : entries) {
    out += '+';
    const size_t at = out.size();
    out += e;
    for (size_t i = at; i < out.size(); ++i) {
      if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
    }
    out += "\r\n";
  }
  return out;
}

std::string RespToHuman(std::string_view reply) {
  std::string out;
  size_t pos = 0;
  AppendHuman(reply, &pos, &out);
  return out;
}

std::string LuaValueRepr(lua_State* L, int idx) {
  std::string out;
  AppendLuaValue(L, idx, 0, &out);
  return out;
}

}  // namespace vigil::datanode
