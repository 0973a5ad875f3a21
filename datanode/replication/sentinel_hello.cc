#include "datanode/replication/sentinel_hello.h"

namespace vigil::datanode {
std::optional<SentinelHello> ParseSentinelHello(std::string_view payload) {
  std::optional<SentinelHello> h = DecodeSentinelHello(payload);
  if (h && h->runid.size() < 8) return std::nullopt;
  return h;
}

std::string SentinelIdFromClientName(std::string_view name) {
  constexpr std::string_view kPrefix = "sentinel-";
  constexpr std::string_view kSuffix = "-cmd";
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return "";
  }
  return std::string(name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size()));
}

bool HelloNamesNode(const SentinelHello& hello, const NodeAddress& self) {
  if (hello.master.port != self.port) return false;
  for (const auto& ip : self.ips) {
    if (!ip.empty() && ip == hello.master.host) return true;
  }
  return false;
}

}  // namespace vigil::datanode
