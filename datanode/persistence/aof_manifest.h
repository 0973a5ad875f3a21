#pragma once
// AofManifest: Redis 7.0's multi-part AOF manifest (`appendonly.aof.manifest` inside
// `appenddirname`). One line per file, `file <name> seq <n> type <b|h|i>`: at most one base
// (an RDB-preamble `.base.rdb` or a RESP `.base.aof`), history files waiting to be deleted, and
// the incremental files in the order they are replayed. Pure: parses and renders text only; the
// shell reads and writes the file.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace vigil::datanode {

enum class AofFileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct AofFileInfo {
  std::string name;
  int64_t seq = 0;
  AofFileType type = AofFileType::kIncr;
};

struct AofManifest {
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> incrs;    // replay order, seq strictly increasing
  std::vector<AofFileInfo> history;  // to delete
  int64_t cur_base_seq = 0;          // highest base seq ever used (0: none)
  int64_t cur_incr_seq = 0;          // highest incr seq ever used (0: none)

  bool empty() const { return !base && incrs.empty() && history.empty(); }

  // Lines in Redis's order: base, history, incrs. Names needing quotes are written quoted.
  std::string Render() const;

  // Parses manifest text with Redis 7.0's rules; errors are Redis's messages.
  static Result<AofManifest> Parse(std::string_view text);

  // Adds a new incr file (seq = cur_incr_seq + 1) and returns its info.
  const AofFileInfo& AddIncr(std::string_view prefix);
  // Makes `new_base` (seq = cur_base_seq + 1) the base after a rewrite: the old base and every
  // incr except the last become history.
  const AofFileInfo& CommitRewrite(std::string_view prefix, bool rdb_base);
  // With appendonly no nothing is being appended, so after a rewrite no incr file is still
  // needed: every one becomes history (Redis's markRewrittenIncrAofAsHistory with no AOF fd).
  void RetireIncrs();
};

// File names: "<prefix>.<seq>.base.rdb|aof", "<prefix>.<seq>.incr.aof", "<prefix>.manifest".
std::string AofBaseFileName(std::string_view prefix, int64_t seq, bool rdb);
std::string AofIncrFileName(std::string_view prefix, int64_t seq);
std::string AofManifestFileName(std::string_view prefix);

}  // namespace vigil::datanode
