#include "client-sdk/src/sentinel_replies.h"

#include <optional>
#include <string>
#include <string_view>

#include "common/base/decimal.h"

namespace vigil::client {
namespace {

struct Entry {
  std::string ip;
  std::optional<int> port;
  std::string flags;
};

// A usable port: 1..65535 (a sentinel never names port 0 for a live instance).
std::optional<int> ParsePort(std::string_view text) {
  int port = 0;
  if (!vigil::ParsePort(text, &port) || port == 0) return std::nullopt;
  return port;
}

std::optional<Entry> ParseEntry(const Reply& map) {
  if (!map.is_array() || map.elements().size() % 2 != 0) return std::nullopt;
  Entry e;
  const auto& kv = map.elements();
  for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
    const std::string& key = kv[i].str();
    const std::string& value = kv[i + 1].str();
    if (key == "ip") {
      e.ip = value;
    } else if (key == "port") {
      e.port = ParsePort(value);
    } else if (key == "flags") {
      e.flags = value;
    }
  }
  if (e.ip.empty() || !e.port) return std::nullopt;
  return e;
}

bool HasFlag(std::string_view flags, std::string_view flag) {
  std::size_t start = 0;
  while (start <= flags.size()) {
    std::size_t end = flags.find(',', start);
    if (end == std::string_view::npos) end = flags.size();
    if (flags.substr(start, end - start) == flag) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::vector<Address> HealthyReplicas(const Reply& reply) {
  std::vector<Address> out;
  for (const Reply& item : reply.elements()) {
    auto e = ParseEntry(item);
    if (!e) continue;
    if (HasFlag(e->flags, "s_down") || HasFlag(e->flags, "o_down") ||
        HasFlag(e->flags, "disconnected")) {
      continue;
    }
    out.push_back({e->ip, *e->port});
  }
  return out;
}

std::vector<Address> SentinelAddresses(const Reply& reply) {
  std::vector<Address> out;
  for (const Reply& item : reply.elements()) {
    if (auto e = ParseEntry(item)) out.push_back({e->ip, *e->port});
  }
  return out;
}

SentinelAnswer DecodeMasterAddrReply(const Reply& reply) {
  SentinelAnswer a;
  if (reply.is_nil() || (reply.is_array() && reply.elements().empty())) {
    a.kind = SentinelAnswerKind::kUnknownMaster;
    return a;
  }
  if (reply.is_error()) {
    a.kind = SentinelAnswerKind::kError;
    a.detail = reply.str();
    return a;
  }
  const auto& e = reply.elements();
  std::optional<int> port;
  if (reply.is_array() && e.size() == 2) {
    port = e[1].kind() == Reply::Kind::kInteger
               ? std::optional<int>(static_cast<int>(e[1].integer()))
               : ParsePort(e[1].str());
  }
  if (!port || e[0].str().empty()) {
    a.kind = SentinelAnswerKind::kError;
    a.detail = "malformed reply: " + reply.ToString();
    return a;
  }
  a.kind = SentinelAnswerKind::kAddress;
  a.address = Address{e[0].str(), *port};
  return a;
}

RoleAnswer DecodeRoleReply(const Reply& reply) {
  if (reply.is_array() && !reply.elements().empty() && reply.elements()[0].str() == "master") {
    return RoleAnswer::kMaster;
  }
  return RoleAnswer::kNotMaster;
}

std::optional<Address> DecodeSwitchMaster(std::string_view payload, std::string_view master_name) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < payload.size()) {
    std::size_t end = payload.find(' ', start);
    if (end == std::string_view::npos) end = payload.size();
    if (end > start) words.push_back(payload.substr(start, end - start));
    start = end + 1;
  }
  if (words.size() != 5 || words[0] != master_name) return std::nullopt;
  auto port = ParsePort(words[4]);
  if (!port) return std::nullopt;
  return Address{std::string(words[3]), *port};
}

}  // namespace vigil::client
