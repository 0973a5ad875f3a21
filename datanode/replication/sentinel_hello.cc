#include "datanode/replication/sentinel_hello.h"

#include <charconv>

namespace vigil::datanode {
namespace {

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::optional<SentinelHello> ParseSentinelHello(std::string_view payload) {
  std::vector<std::string_view> f;
  size_t start = 0;
  while (f.size() < 9) {
    size_t comma = payload.find(',', start);
    f.push_back(payload.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (f.size() != 8) return std::nullopt;
  SentinelHello h;
  h.ip = f[0];
  h.runid = f[2];
  h.master_name = f[4];
  h.master_ip = f[5];
  if (h.ip.empty() || h.runid.size() < 8 || h.master_name.empty() || h.master_ip.empty() ||
      !ParseNumber(f[1], &h.port) || !ParseNumber(f[3], &h.current_epoch) ||
      !ParseNumber(f[6], &h.master_port) || !ParseNumber(f[7], &h.master_config_epoch)) {
    return std::nullopt;
  }
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
  if (hello.master_port != self.port) return false;
  for (const auto& ip : self.ips) {
    if (!ip.empty() && ip == hello.master_ip) return true;
  }
  return false;
}

}  // namespace vigil::datanode
