// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence of
// two strings, by Redis 7.0's dynamic-programming table and its walk back from the end, so the
// subsequence chosen among equally long ones and the match ranges are the ones Redis reports.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "datanode/commands/command_context.h"
#include "datanode/commands/command_table.h"
#include "datanode/store/entry.h"

namespace vigil::datanode {
namespace {

struct LcsRange {
  uint32_t a_start, a_end, b_start, b_end;
};

void LcsCommand(CommandContext& ctx) {
  Entry* ea = ctx.LookupRead(ctx.arg(1));
  Entry* eb = ctx.LookupRead(ctx.arg(2));
  if ((ea != nullptr && ea->type() != ObjType::kString) ||
      (eb != nullptr && eb->type() != ObjType::kString)) {
    return ctx.reply.Error("ERR The specified keys must contain string values");
  }
  char scratch_a[32], scratch_b[32];
  const std::string_view a = ea != nullptr ? ea->StringValue(scratch_a) : std::string_view();
  const std::string_view b = eb != nullptr ? eb->StringValue(scratch_b) : std::string_view();

  bool get_len = false, get_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < ctx.argc; ++j) {
    const bool more = j + 1 < ctx.argc;
    if (ctx.ArgIs(j, "idx")) {
      get_idx = true;
    } else if (ctx.ArgIs(j, "len")) {
      get_len = true;
    } else if (ctx.ArgIs(j, "withmatchlen")) {
      with_match_len = true;
    } else if (ctx.ArgIs(j, "minmatchlen") && more) {
      if (!ctx.GetInt(j + 1, &min_match_len)) return;
      if (min_match_len < 0) min_match_len = 0;
      ++j;
    } else {
      return ctx.ErrSyntax();
    }
  }
  if (get_len && get_idx) {
    return ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    return ctx.reply.Error("ERR String too long for LCS");
  }
  const uint64_t alen = a.size(), blen = b.size();
  const uint64_t cells = (alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) > uint64_t(ctx.config().proto_max_bulk_len)) {
    return ctx.reply.Error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  // table[i * (blen + 1) + j]: LCS length of a[0..i) and b[0..j).
  std::vector<uint32_t> table(cells, 0);
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[i * (blen + 1) + j]; };
  for (uint64_t i = 1; i <= alen; ++i) {
    for (uint64_t j = 1; j <= blen; ++j) {
      if (a[i - 1] == b[j - 1]) {
        at(i, j) = at(i - 1, j - 1) + 1;
      } else {
        at(i, j) = std::max(at(i - 1, j), at(i, j - 1));
      }
    }
  }
  const uint32_t total = at(alen, blen);
  if (get_len) return ctx.reply.Integer(total);

  // Walk back from the end: a common byte belongs to the subsequence; otherwise step along
  // the side with the longer LCS (towards b on ties). Runs of consecutive common bytes form
  // the match ranges, reported from the end of the strings backwards.
  std::string result(total, '\0');
  std::vector<LcsRange> ranges;
  uint32_t idx = total;
  const uint32_t unset = uint32_t(alen);
  LcsRange cur{unset, 0, 0, 0};
  uint64_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (cur.a_start == unset) {
        cur = {uint32_t(i - 1), uint32_t(i - 1), uint32_t(j - 1), uint32_t(j - 1)};
      } else if (cur.a_start == i && cur.b_start == j) {
        cur.a_start--;
        cur.b_start--;
      } else {
        emit = true;
      }
      if (cur.a_start == 0 || cur.b_start == 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        i--;
      } else {
        j--;
      }
      if (cur.a_start != unset) emit = true;
    }
    if (emit) {
      const uint32_t match_len = cur.a_end - cur.a_start + 1;
      if (min_match_len == 0 || match_len >= min_match_len) ranges.push_back(cur);
      cur.a_start = unset;
    }
  }
  if (!get_idx) return ctx.reply.Bulk(result);

  ctx.reply.Map(2);
  ctx.reply.Bulk("matches");
  ctx.reply.Array(ranges.size());
  for (const LcsRange& r : ranges) {
    ctx.reply.Array(with_match_len ? 3 : 2);
    ctx.reply.Array(2);
    ctx.reply.Integer(r.a_start);
    ctx.reply.Integer(r.a_end);
    ctx.reply.Array(2);
    ctx.reply.Integer(r.b_start);
    ctx.reply.Integer(r.b_end);
    if (with_match_len) ctx.reply.Integer(int64_t(r.a_end) - r.a_start + 1);
  }
  ctx.reply.Bulk("len");
  ctx.reply.Integer(total);
}

}  // namespace

void RegisterLcsCommand(CommandTable& t) {
  t.Add({"lcs", -3, kCmdReadonly, 1, 2, 1, LcsCommand, "string", {}});
}

}  // namespace vigil::datanode
