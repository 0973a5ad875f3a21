#include "datanode/replication/fence_membership.h"

#include <cctype>

#include "common/base/decimal.h"
#include "common/resp/request_parser.h"

namespace vigil::datanode {
namespace {

constexpr std::string_view kHeader = "vigil-fence 1";

// Names, run ids and addresses come from hellos, whose fields are comma-separated, but a name
// could be empty or odd: one the line splitter would not give back whole (whitespace, quotes)
// is left out rather than written.
bool Writable(std::string_view word) {
  if (word.empty()) return false;
  for (char c : word) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'') return false;
  }
  return true;
}

}  // namespace

std::string EncodeFenceMembership(const FenceMembership& m) {
  std::string out(kHeader);
  out += '\n';
  if (m.config_epoch) out += "config-epoch " + std::to_string(*m.config_epoch) + "\n";
  for (const std::string& name : m.master_names) {
    if (Writable(name)) out += "master-name " + name + "\n";
  }
  for (const FenceMembership::Sentinel& s : m.sentinels) {
    if (!Writable(s.runid) || !Writable(s.ip)) continue;
    out += "sentinel " + s.runid + " " + s.ip + " " + std::to_string(s.port) + " " +
           std::to_string(s.current_epoch) + "\n";
  }
  return out;
}

Result<FenceMembership> DecodeFenceMembership(std::string_view text) {
  FenceMembership m;
  size_t line_no = 0;
  bool header = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return Status::Error("line " + std::to_string(line_no + 1) + ": truncated (no newline)");
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line_no;
    auto bad = [&](const std::string& why) {
      return Status::Error("line " + std::to_string(line_no) + ": " + why);
    };
    if (!header) {
      if (line != kHeader) return bad("not a fence membership file");
      header = true;
      continue;
    }
    std::vector<std::string> w;
    size_t argc = 0;
    if (!resp::SplitInlineArgs(line, &w, &argc)) return bad("unbalanced quotes");
    w.resize(argc);
    if (w.empty()) continue;
    if (w[0] == "config-epoch" && w.size() == 2) {
      uint64_t epoch = 0;
      if (!ParseUint64(w[1], &epoch)) return bad("bad config epoch");
      m.config_epoch = epoch;
    } else if (w[0] == "master-name" && w.size() == 2) {
      m.master_names.emplace_back(w[1]);
    } else if (w[0] == "sentinel" && w.size() == 5) {
      FenceMembership::Sentinel s;
      s.runid = w[1];
      s.ip = w[2];
      int port = 0;
      if (!ParsePort(w[3], &port) || !ParseUint64(w[4], &s.current_epoch)) {
        return bad("bad sentinel port or epoch");
      }
      s.port = port;
      m.sentinels.push_back(std::move(s));
    } else {
      return bad("unknown line '" + std::string(line.substr(0, 64)) + "'");
    }
  }
  if (!header) return Status::Error("empty file");
  return m;
}

}  // namespace vigil::datanode
