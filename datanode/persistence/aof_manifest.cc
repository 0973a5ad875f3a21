#include "datanode/persistence/aof_manifest.h"

#include <cctype>
#include <cstdio>

#include "common/base/repr.h"
#include "common/resp/request_parser.h"

namespace vigil::datanode {
namespace {

constexpr size_t kMaxLine = 1024;  // AOF_MANIFEST_LINE_MAX... lines longer are refused

void RenderLine(const AofFileInfo& f, std::string* out) {
  *out += "file ";
  *out += QuoteIfNeeded(f.name);
  *out += " seq " + std::to_string(f.seq) + " type ";
  *out += static_cast<char>(f.type);
  *out += "\n";
}

bool ParseSeq(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

Status ParseLine(std::string_view line, AofManifest* m) {
  std::vector<std::string> argv;
  size_t argc = 0;
  if (!resp::SplitInlineArgs(line, &argv, &argc) || argc < 6 || argc % 2 != 0) {
    return Status::Error("Invalid AOF manifest file format");
  }
  AofFileInfo f;
  bool have_name = false, have_seq = false, have_type = false;
  for (size_t i = 0; i + 1 < argc; i += 2) {
    const std::string& key = argv[i];
    const std::string& val = argv[i + 1];
    if (key == "file") {
      f.name = val;
      have_name = true;
    } else if (key == "seq") {
      if (!ParseSeq(val, &f.seq)) return Status::Error("Invalid AOF manifest file format");
      have_seq = true;
    } else if (key == "type") {
      if (val.size() != 1 || (val[0] != 'b' && val[0] != 'h' && val[0] != 'i')) {
        return Status::Error("Unknown AOF file type");
      }
      f.type = static_cast<AofFileType>(val[0]);
      have_type = true;
    }  // unknown keys are ignored for forward compatibility
  }
  if (!have_name || !have_seq || !have_type)
    return Status::Error("Invalid AOF manifest file format");
  if (f.name.empty() || f.name.find('/') != std::string::npos || f.name == "." || f.name == "..") {
    return Status::Error("File can't be a path, just a filename");
  }
  switch (f.type) {
    case AofFileType::kBase:
      if (m->base) return Status::Error("Found duplicate base file information");
      m->cur_base_seq = f.seq;
      m->base = std::move(f);
      break;
    case AofFileType::kHistory:
      m->history.push_back(std::move(f));
      break;
    case AofFileType::kIncr:
      if (f.seq <= m->cur_incr_seq) return Status::Error("Found a non-monotonic sequence number");
      m->cur_incr_seq = f.seq;
      m->incrs.push_back(std::move(f));
      break;
  }
  return Status::Ok();
}

}  // namespace

std::string AofBaseFileName(std::string_view prefix, int64_t seq, bool rdb) {
  return std::string(prefix) + "." + std::to_string(seq) + (rdb ? ".base.rdb" : ".base.aof");
}

std::string AofIncrFileName(std::string_view prefix, int64_t seq) {
  return std::string(prefix) + "." + std::to_string(seq) + ".incr.aof";
}

std::string AofManifestFileName(std::string_view prefix) {
  return std::string(prefix) + ".manifest";
}

std::string AofManifest::Render() const {
  std::string out;
  if (base) RenderLine(*base, &out);
  for (const auto& f : history) RenderLine(f, &out);
  for (const auto& f : incrs) RenderLine(f, &out);
  return out;
}

Result<AofManifest> AofManifest::Parse(std::string_view text) {
  AofManifest m;
  size_t pos = 0;
  bool any = false;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (end - pos > kMaxLine) return Status::Error("The AOF manifest file contains too long line");
    std::string_view line = text.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line[0] == '#') continue;
    Status st = ParseLine(line, &m);
    if (!st.ok()) return st;
    any = true;
  }
  if (!any) return Status::Error("Found an empty AOF manifest");
  return m;
}

const AofFileInfo& AofManifest::AddIncr(std::string_view prefix) {
  ++cur_incr_seq;
  incrs.push_back({AofIncrFileName(prefix, cur_incr_seq), cur_incr_seq, AofFileType::kIncr});
  return incrs.back();
}

const AofFileInfo& AofManifest::CommitRewrite(std::string_view prefix, bool rdb_base) {
  if (base) {
    base->type = AofFileType::kHistory;
    history.push_back(std::move(*base));
  }
  // Every incr but the one opened when the rewrite started is covered by the new base.
  while (incrs.size() > 1) {
    AofFileInfo f = std::move(incrs.front());
    incrs.erase(incrs.begin());
    f.type = AofFileType::kHistory;
    history.push_back(std::move(f));
  }
  ++cur_base_seq;
  base = AofFileInfo{AofBaseFileName(prefix, cur_base_seq, rdb_base), cur_base_seq,
                     AofFileType::kBase};
  return *base;
}

void AofManifest::RetireIncrs() {
  for (AofFileInfo& f : incrs) {
    f.type = AofFileType::kHistory;
    history.push_back(std::move(f));
  }
  incrs.clear();
}

}  // namespace vigil::datanode
