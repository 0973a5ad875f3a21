#include "datanode/persistence/aof_repl_mark.h"

#include "common/base/decimal.h"

namespace vigil::datanode {
namespace {

constexpr std::string_view kPrefix = "#VIGIL-REPL ";

}  // namespace

std::string FormatAofReplMark(const ReplPosition& position) {
  return std::string(kPrefix) + position.replid + " " + std::to_string(position.offset) + "\r\n";
}

std::optional<ReplPosition> ParseAofReplMark(std::string_view line) {
  if (line.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  line.remove_prefix(kPrefix.size());
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  const size_t space = line.find(' ');
  if (space != 40) return std::nullopt;
  ReplPosition p;
  p.replid = std::string(line.substr(0, 40));
  for (char c : p.replid) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  if (!ParseInt64(line.substr(41), &p.offset) || p.offset < 0) return std::nullopt;
  return p;
}

}  // namespace vigil::datanode
