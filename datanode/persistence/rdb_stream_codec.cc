#include "datanode/persistence/rdb_stream_codec.h"

#include <memory>
#include <vector>

#include "datanode/persistence/listpack.h"
#include "datanode/persistence/rdb_format.h"

namespace vigil::datanode {
namespace {

struct Element {
  bool is_int;
  int64_t ival;
  std::string sval;
};

bool AsInt(const Element& e, int64_t* out) {
  if (e.is_int) {
    *out = e.ival;
    return true;
  }
  return ParseCanonicalInt(e.sval, out);
}

std::string AsText(const Element& e) {
  return e.is_int ? std::to_string(e.ival) : e.sval;
}

Status Bad(const std::string& what) {
  return Status::Error("Stream listpack integrity check failed: " + what);
}

Status ReadId(RdbReader& r, StreamId* id, const char* what) {
  Status st = r.ReadLength(&id->ms, what);
  if (st.ok()) st = r.ReadLength(&id->seq, what);
  return st;
}

Status ReadRawId(RdbReader& r, StreamId* id, const char* what) {
  char raw[16];
  Status st = r.ReadExact(raw, 16, what);
  if (st.ok()) *id = StreamId::Decode(raw);
  return st;
}

void WriteU64Le(RdbEncoder& enc, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = char((v >> (8 * i)) & 0xFF);
  enc.WriteRaw(std::string_view(b, 8));
}

void WriteId(RdbEncoder& enc, const StreamId& id) {
  enc.WriteLength(id.ms);
  enc.WriteLength(id.seq);
}

void WriteRawId(RdbEncoder& enc, const StreamId& id) {
  char raw[16];
  id.Encode(raw);
  enc.WriteRaw(std::string_view(raw, 16));
}

}  // namespace

std::string EncodeStreamNode(const StreamId& master, const StreamNode& node) {
  ListpackWriter lp;
  lp.AppendInt(int64_t(node.live));
  lp.AppendInt(int64_t(node.deleted));
  lp.AppendInt(int64_t(node.master_fields.size()));
  for (const auto& f : node.master_fields) lp.AppendString(f);
  lp.AppendInt(0);
  for (const StreamRecord& r : node.records) {
    const bool same = r.flags & kStreamFlagSameFields;
    const int64_t n = int64_t(r.field_count());
    lp.AppendInt(r.flags);
    lp.AppendInt(int64_t(r.id.ms - master.ms));
    lp.AppendInt(int64_t(r.id.seq - master.seq));
    if (!same) lp.AppendInt(n);
    for (size_t i = 0; i < r.fields_values.size(); ++i) {
      if (same && i % 2 == 0) continue;
      lp.AppendString(r.fields_values[i]);
    }
    lp.AppendInt(n + 3 + (same ? 0 : n + 1));
  }
  return lp.Finish();
}

Status DecodeStreamNode(std::string_view blob, const StreamId& master, StreamNode* out) {
  std::vector<Element> el;
  Status st = ListpackForEach(blob, [&](const ListpackEntry& e) {
    el.push_back({e.is_int, e.ival, e.is_int ? std::string() : std::string(e.sval)});
    return true;
  });
  if (!st.ok()) return Bad(st.message());
  if (el.empty()) return Bad("empty listpack inside stream");
  size_t p = 0;
  auto next_int = [&](int64_t* v) { return p < el.size() && AsInt(el[p++], v); };
  int64_t live = 0, deleted = 0, nfields = 0, zero = -1;
  if (!next_int(&live) || !next_int(&deleted) || !next_int(&nfields) || live < 0 || deleted < 0 ||
      nfields < 0 || size_t(nfields) > el.size()) {
    return Bad("bad master entry");
  }
  for (int64_t i = 0; i < nfields; ++i) {
    if (p >= el.size()) return Bad("master fields truncated");
    out->master_fields.push_back(AsText(el[p++]));
  }
  if (!next_int(&zero) || zero != 0) return Bad("master entry terminator");
  out->body_bytes =
      ListpackWriter::EntrySize(std::to_string(nfields)) + ListpackWriter::EntrySize("0");
  for (const auto& f : out->master_fields) out->body_bytes += ListpackWriter::EntrySize(f);
  uint64_t seen_live = 0, seen_deleted = 0;
  while (p < el.size()) {
    StreamRecord r;
    int64_t flags = 0, dms = 0, dseq = 0, n = 0, lp_count = 0;
    if (!next_int(&flags) || !next_int(&dms) || !next_int(&dseq) || flags < 0 || flags > 3) {
      return Bad("bad entry header");
    }
    r.flags = int(flags);
    r.id = StreamId{master.ms + uint64_t(dms), master.seq + uint64_t(dseq)};
    const bool same = flags & kStreamFlagSameFields;
    if (same) {
      n = nfields;
    } else if (!next_int(&n) || n < 0 || size_t(n) > el.size()) {
      return Bad("bad entry field count");
    }
    for (int64_t i = 0; i < n; ++i) {
      if (same) {
        r.fields_values.push_back(out->master_fields[size_t(i)]);
      } else {
        if (p >= el.size()) return Bad("entry truncated");
        r.fields_values.push_back(AsText(el[p++]));
      }
      if (p >= el.size()) return Bad("entry truncated");
      r.fields_values.push_back(AsText(el[p++]));
    }
    if (!next_int(&lp_count) || lp_count != n + 3 + (same ? 0 : n + 1)) {
      return Bad("entry lp-count mismatch");
    }
    if (!out->records.empty() && r.id <= out->records.back().id) {
      return Bad("entry IDs out of order");
    }
    if (r.id < master) return Bad("entry ID below the node's master ID");
    (r.deleted() ? seen_deleted : seen_live)++;
    out->records.push_back(std::move(r));
  }
  if (out->records.empty()) return Bad("node without entries");
  if (seen_live != uint64_t(live) || seen_deleted != uint64_t(deleted)) {
    return Bad("entry counts do not match the master entry");
  }
  out->live = seen_live;
  out->deleted = seen_deleted;
  out->body_bytes = blob.size() - 7 - ListpackWriter::EntrySize(std::to_string(live)) -
                    ListpackWriter::EntrySize(std::to_string(deleted));
  return Status::Ok();
}

Status LoadRdbStream(RdbReader& r, uint8_t type, std::string_view key, Entry** out) {
  const bool v2 = type == rdb::kTypeStreamListpacks2;
  auto s = std::make_unique<StreamValue>();
  std::string id_raw, lp;
  uint64_t nodes = 0, live_total = 0;
  StreamId max_seen;
  bool any = false;
  Status st = r.ReadLength(&nodes, "a stream listpack count");
  for (uint64_t i = 0; st.ok() && i < nodes; ++i) {
    const uint64_t at = r.offset();
    st = r.ReadString(&id_raw, "a stream master ID");
    if (!st.ok()) return st;
    if (id_raw.size() != 16)
      return RdbReader::Corrupt(at, "Stream node key entry is not the size of a stream ID");
    st = r.ReadString(&lp, "a stream listpack");
    if (!st.ok()) return st;
    const StreamId master = StreamId::Decode(id_raw.data());
    if (any && master <= max_seen) return RdbReader::Corrupt(at, "Stream node keys out of order");
    StreamNode node;
    Status ns = DecodeStreamNode(lp, master, &node);
    if (!ns.ok()) return RdbReader::Corrupt(at, ns.message());
    max_seen = node.records.back().id;
    any = true;
    live_total += node.live;
    s->AdoptNode(master, std::move(node));
  }
  if (!st.ok()) return st;
  const uint64_t meta_at = r.offset();
  uint64_t length = 0, entries_added = 0;
  StreamId last, first, max_deleted;
  st = r.ReadLength(&length, "a stream length");
  if (st.ok()) st = ReadId(r, &last, "a stream last ID");
  if (st.ok() && v2) st = ReadId(r, &first, "a stream first ID");
  if (st.ok() && v2) st = ReadId(r, &max_deleted, "a stream max deleted ID");
  if (st.ok() && v2) st = r.ReadLength(&entries_added, "a stream entries-added counter");
  if (!st.ok()) return st;
  if (length != live_total) return RdbReader::Corrupt(meta_at, "Stream length inconsistent");
  if (any && last < max_seen) {
    return RdbReader::Corrupt(meta_at, "Stream last ID is smaller than an entry's ID");
  }
  s->set_length(length);
  s->set_last_id(last);
  if (v2) {
    s->set_first_id(first);
    s->set_max_deleted_id(max_deleted);
    s->set_entries_added(entries_added);
  } else {
    // Type 15 predates these fields: Redis derives them the same way.
    StreamId f;
    s->set_first_id(s->EdgeId(true, &f) ? f : StreamId{});
    s->set_entries_added(length);
  }
  uint64_t groups = 0;
  st = r.ReadLength(&groups, "a consumer group count");
  for (uint64_t gi = 0; st.ok() && gi < groups; ++gi) {
    const uint64_t at = r.offset();
    std::string name;
    ConsumerGroup g;
    st = r.ReadString(&name, "a consumer group name");
    if (st.ok()) st = ReadId(r, &g.last_id, "a consumer group last ID");
    if (!st.ok()) return st;
    if (v2) {
      uint64_t er = 0;
      st = r.ReadLength(&er, "a consumer group entries-read counter");
      if (!st.ok()) return st;
      g.entries_read = int64_t(er);
    } else {
      g.entries_read = s->EstimateEntriesRead(g.last_id);
    }
    uint64_t pel = 0;
    st = r.ReadLength(&pel, "a group PEL size");
    for (uint64_t i = 0; st.ok() && i < pel; ++i) {
      StreamId id;
      PendingEntry p;
      uint64_t t = 0;
      const uint64_t pat = r.offset();
      st = ReadRawId(r, &id, "a PEL entry ID");
      if (st.ok()) st = r.ReadU64Le(&t, "a PEL delivery time");
      if (st.ok()) st = r.ReadLength(&p.delivery_count, "a PEL delivery count");
      if (!st.ok()) return st;
      p.delivery_time = int64_t(t);
      if (!g.pel.emplace(id, p).second)
        return RdbReader::Corrupt(pat, "Duplicated global PEL entry");
    }
    if (!st.ok()) return st;
    uint64_t consumers = 0;
    st = r.ReadLength(&consumers, "a consumer count");
    for (uint64_t c = 0; st.ok() && c < consumers; ++c) {
      std::string cname;
      uint64_t seen = 0, cpel = 0;
      const uint64_t cat = r.offset();
      st = r.ReadString(&cname, "a consumer name");
      if (st.ok()) st = r.ReadU64Le(&seen, "a consumer seen time");
      if (st.ok()) st = r.ReadLength(&cpel, "a consumer PEL size");
      if (!st.ok()) return st;
      auto [cit, fresh] = g.consumers.try_emplace(cname);
      if (!fresh) return RdbReader::Corrupt(cat, "Duplicate stream consumer detected");
      cit->second.seen_time = int64_t(seen);
      for (uint64_t i = 0; i < cpel; ++i) {
        StreamId id;
        const uint64_t pat = r.offset();
        st = ReadRawId(r, &id, "a consumer PEL ID");
        if (!st.ok()) return st;
        auto p = g.pel.find(id);
        if (p == g.pel.end())
          return RdbReader::Corrupt(pat, "Consumer PEL entry not found in group global PEL");
        if (!p->second.consumer.empty())
          return RdbReader::Corrupt(pat, "Duplicated consumer PEL entry");
        p->second.consumer = cname;
        cit->second.pel.insert(id);
      }
    }
    if (!st.ok()) return st;
    for (const auto& [id, p] : g.pel) {
      if (p.consumer.empty()) return RdbReader::Corrupt(at, "Stream PEL entry without consumer");
    }
    if (!s->groups().emplace(std::move(name), std::move(g)).second)
      return RdbReader::Corrupt(at, "Duplicated consumer group name");
  }
  if (!st.ok()) return st;
  // An empty stream is a valid key (XGROUP CREATE MKSTREAM, XDEL of every entry).
  *out = Entry::NewStream(key, std::move(s));
  return Status::Ok();
}

void WriteRdbStream(RdbEncoder& enc, const StreamValue& s) {
  enc.WriteLength(s.nodes().size());
  for (const auto& [master, node] : s.nodes()) {
    char raw[16];
    master.Encode(raw);
    enc.WriteString(std::string_view(raw, 16));
    enc.WriteString(EncodeStreamNode(master, node));
  }
  enc.WriteLength(s.length());
  WriteId(enc, s.last_id());
  WriteId(enc, s.first_id());
  WriteId(enc, s.max_deleted_id());
  enc.WriteLength(s.entries_added());
  enc.WriteLength(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    enc.WriteString(name);
    WriteId(enc, g.last_id);
    enc.WriteLength(uint64_t(g.entries_read));
    enc.WriteLength(g.pel.size());
    for (const auto& [id, p] : g.pel) {
      WriteRawId(enc, id);
      WriteU64Le(enc, uint64_t(p.delivery_time));
      enc.WriteLength(p.delivery_count);
    }
    enc.WriteLength(g.consumers.size());
    for (const auto& [cname, c] : g.consumers) {
      enc.WriteString(cname);
      WriteU64Le(enc, uint64_t(c.seen_time));
      enc.WriteLength(c.pel.size());
      for (const StreamId& id : c.pel) WriteRawId(enc, id);
    }
  }
}

}  // namespace vigil::datanode
