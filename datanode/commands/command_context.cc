#include "datanode/commands/command_context.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "datanode/service/service.h"

namespace vigil::datanode {

bool ParseInt64Strict(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s[0] == '+') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseLongDoubleStrict(std::string_view s, long double* out) {
  // Redis's string2ld: the whole string (an embedded NUL ends the number early and is refused),
  // no leading space, no NaN, overflow and underflow to zero refused, denormals accepted, length
  // bounded.
  if (s.empty() || s.size() >= 5 * 1024) return false;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v) || errno == EINVAL) return false;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) {
    return false;
  }
  *out = v;
  return true;
}

bool ParseDoubleStrict(std::string_view s, double* out) {
  // Redis's string2d: strtod, no spaces, no NaN; "inf" and "-inf" accepted.
  if (s.empty() || s.size() >= 5 * 1024) return false;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO))
    return false;
  *out = v;
  return true;
}

CommandContext::CommandContext(Service& svc, Session& sess, const std::vector<std::string>& args,
                               size_t n, resp::ReplyWriter& w)
    : service(svc), session(sess), reply(w), argv(args), argc(n) {}

int64_t CommandContext::now_ms() const {
  return service.now_ms();
}
Keyspace& CommandContext::keyspace() {
  return service.keyspace();
}
Database& CommandContext::db() {
  return service.keyspace().db(session.db);
}
const DatanodeConfig& CommandContext::config() const {
  return service.config();
}

Entry* CommandContext::LookupRead(std::string_view key) {
  Entry* e = service.keyspace().Lookup(session.db, key, now_ms(), true, true);
  if (e == nullptr) Notify(notify::kKeyMiss, "keymiss", key);
  return e;
}

Entry* CommandContext::LookupWrite(std::string_view key) {
  return service.keyspace().Lookup(session.db, key, now_ms(), true, false, /*for_write=*/true);
}

bool CommandContext::CheckType(const Entry* e, ObjType t) {
  if (e != nullptr && e->type() != t) {
    ErrWrongType();
    return false;
  }
  return true;
}

void CommandContext::KeyModifiedIn(int db, std::string_view key, int64_t dirty) {
  service.waiters().Touch(db, key, keyspace().db(db).Find(key) != nullptr);
  service.waiters().SignalReady(db, key);
  service.TrackingInvalidateKey(&session, key, /*bcast=*/true);
  dirty_ += dirty;
}

void CommandContext::NotifyIn(int db, int type, std::string_view event, std::string_view key) {
  service.NotifyKeyspaceEvent(type, event, key, db);
}

void CommandContext::AddKeyIn(int db, Entry* e) {
  service.keyspace().db(db).Add(e);
  NotifyIn(db, notify::kNew, "new", e->key());
}

void CommandContext::UpsertKey(Entry* e, bool keep_ttl) {
  Database& d = db();
  if (d.Find(e->key()) != nullptr) {
    d.Overwrite(e, keep_ttl);
    return;
  }
  d.Add(e);
  Notify(notify::kNew, "new", e->key());
}

void CommandContext::DeleteAsDel(std::string_view key, bool lazy) {
  db().Delete(key, lazy ? FreeMode::kLazy : FreeMode::kSync);
  KeyModified(key);
  Notify(notify::kGeneric, "del", key);
  PropagateAs({lazy ? "UNLINK" : "DEL", std::string(key)});
}

void CommandContext::PropagateAs(std::vector<std::string> a) {
  rewritten_.push_back(std::move(a));
}

void CommandContext::BlockOnKeys(const std::vector<std::string>& keys, int64_t timeout_ms,
                                 ObjType type) {
  BlockState& b = session.block;
  b.wanted_type = static_cast<int>(type);
  b.active = true;
  b.db = session.db;
  b.keys = keys;
  b.deadline_ms = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
  b.argv.assign(argv.begin(), argv.begin() + long(argc));
  service.waiters().Block(&session);
}

void CommandContext::ErrArity() {
  std::string name = argv[0];
  for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  reply.Error("ERR wrong number of arguments for '" + name + "' command");
}

bool CommandContext::GetInt(size_t i, int64_t* out) {
  if (!ParseInt64Strict(argv[i], out)) {
    ErrNotInteger();
    return false;
  }
  return true;
}

bool CommandContext::GetIntInRange(size_t i, int64_t min, int64_t max, int64_t* out,
                                   const char* err) {
  if (!ParseInt64Strict(argv[i], out) || *out < min || *out > max) {
    if (err != nullptr) {
      reply.Error(err);
    } else {
      ErrNotInteger();
    }
    return false;
  }
  return true;
}

bool CommandContext::GetDouble(size_t i, double* out) {
  if (!ParseDoubleStrict(argv[i], out)) {
    ErrNotFloat();
    return false;
  }
  return true;
}

bool CommandContext::GetLongDouble(size_t i, long double* out) {
  if (!ParseLongDoubleStrict(argv[i], out)) {
    ErrNotFloat();
    return false;
  }
  return true;
}

bool CommandContext::GetTimeoutSeconds(size_t i, int64_t* out_ms) {
  long double secs = 0;
  if (!ParseLongDoubleStrict(argv[i], &secs)) {
    reply.Error("ERR timeout is not a float or out of range");
    return false;
  }
  if (secs < 0) {
    reply.Error("ERR timeout is negative");
    return false;
  }
  long double ms = secs * 1000.0L;
  if (ms > 9.2e18L) {
    reply.Error("ERR timeout is out of range");
    return false;
  }
  *out_ms = int64_t(std::ceil(ms));
  return true;
}

bool CommandContext::ArgIs(size_t i, std::string_view word) const {
  return i < argc && EqualsIgnoreCase(argv[i], word);
}

}  // namespace vigil::datanode
