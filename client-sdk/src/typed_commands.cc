// The typed helpers of Client: each is Command() plus the reply-to-type rule of its command.
#include "vigil/client/client.h"

namespace vigil::client {
namespace {

Error ServerError(const Reply& r) {
  return Error{ErrorCode::kServerError, r.str()};
}
Error Unexpected(const char* command, const Reply& r) {
  return Error{ErrorCode::kUnexpectedReply,
               std::string(command) + " answered an unexpected reply: " + r.ToString()};
}

Result<int64_t> AsInteger(const char* command, Result<Reply> r) {
  if (!r.ok()) return r.error();
  if (r->is_error()) return ServerError(*r);
  if (r->kind() != Reply::Kind::kInteger) return Unexpected(command, *r);
  return r->integer();
}

}  // namespace

Result<std::string> Client::Ping() {
  auto r = Command("PING");
  if (!r.ok()) return r.error();
  if (r->is_error()) return ServerError(*r);
  return r->str();
}

Result<bool> Client::Set(std::string_view key, std::string_view value) {
  auto r = Command("SET", key, value);
  if (!r.ok()) return r.error();
  if (r->is_error()) return ServerError(*r);
  if (r->is_nil()) return false;
  if (r->kind() != Reply::Kind::kStatus) return Unexpected("SET", *r);
  return true;
}

Result<std::optional<std::string>> Client::Get(std::string_view key) {
  auto r = Command("GET", key);
  if (!r.ok()) return r.error();
  if (r->is_error()) return ServerError(*r);
  if (r->is_nil()) return std::optional<std::string>();
  if (r->kind() != Reply::Kind::kString) return Unexpected("GET", *r);
  return std::optional<std::string>(r->str());
}

Result<int64_t> Client::Del(const std::vector<std::string>& keys) {
  if (keys.empty()) return Error{ErrorCode::kInvalidArgument, "DEL needs at least one key"};
  std::vector<std::string> argv{"DEL"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  return AsInteger("DEL", CommandArgv(argv));
}

Result<int64_t> Client::Incr(std::string_view key) {
  return AsInteger("INCR", Command("INCR", key));
}

Result<int64_t> Client::Publish(std::string_view channel, std::string_view message) {
  return AsInteger("PUBLISH", Command("PUBLISH", channel, message));
}

Result<int64_t> Client::Wait(int64_t replicas, int64_t timeout_ms) {
  return AsInteger("WAIT",
                   CommandArgv({"WAIT", std::to_string(replicas), std::to_string(timeout_ms)}));
}

}  // namespace vigil::client
