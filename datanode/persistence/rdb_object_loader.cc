#include "datanode/persistence/rdb_object_loader.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "datanode/persistence/intset_codec.h"
#include "datanode/persistence/listpack.h"
#include "datanode/persistence/rdb_format.h"
#include "datanode/persistence/rdb_stream_codec.h"
#include "datanode/persistence/ziplist_codec.h"
#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

using Blob =
    std::function<Status(std::string_view, const std::function<bool(const ListpackEntry&)>&)>;

// A container blob that fails validation, reported with Redis's phrase for that container
// ("Zset ziplist integrity check failed."), which operators and Redis's own tests look for.
Status Integrity(uint64_t at, const Status& st, const char* container) {
  if (st.ok()) return st;
  return Status::Error(std::string(container) + " integrity check failed: " + st.message() +
                       " (value at offset " + std::to_string(at) + ")");
}

bool ParseScore(std::string_view s, double* out) {
  if (s.empty() || s.size() > 128) return false;
  char buf[130];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  *out = std::strtod(buf, &end);
  return end == buf + s.size() && !std::isnan(*out);
}

// Decodes the collections kept as pairs (hash field/value, zset member/score) from a blob.
Status ForEachPair(const Blob& walk, std::string_view blob,
                   const std::function<bool(std::string_view, std::string_view)>& fn, uint64_t at,
                   const char* container) {
  std::string first;
  bool have_first = false;
  bool ok = true;
  char scratch[24];
  Status st = walk(blob, [&](const ListpackEntry& e) {
    std::string_view text = e.Text(scratch);
    if (!have_first) {
      first.assign(text);
      have_first = true;
      return true;
    }
    have_first = false;
    ok = fn(first, text);
    return ok;
  });
  if (st.ok() && have_first) st = Status::Error("an odd number of elements");
  if (st.ok() && !ok) st = Status::Error("a duplicate or invalid element");
  return Integrity(at, st, container);
}

class ObjectLoader {
 public:
  ObjectLoader(RdbReader& r, std::string_view key, const RdbLoadOptions& o)
      : r_(r), key_(key), limits_(o.limits), at_(r.offset()) {}

  Status String(Entry** out) {
    Status st = r_.ReadString(&s1_, "a string value");
    if (st.ok()) *out = Entry::NewString(key_, s1_);
    return st;
  }

  Status List(uint8_t type, Entry** out) {
    auto list = std::make_unique<ListValue>();
    auto push = [&](const ListpackEntry& e) {
      char scratch[24];
      list->PushBack(e.Text(scratch));
      return true;
    };
    Status st;
    uint64_t n;
    if (type == rdb::kTypeList) {
      st = r_.ReadLength(&n, "a list length");
      for (uint64_t i = 0; st.ok() && i < n; ++i) {
        st = r_.ReadString(&s1_, "a list element");
        if (st.ok()) list->PushBack(s1_);
      }
    } else if (type == rdb::kTypeListZiplist) {
      st = r_.ReadString(&s1_, "a ziplist");
      if (st.ok()) st = Integrity(at_, ZiplistForEach(s1_, push), "List ziplist");
    } else {
      st = r_.ReadLength(&n, "a quicklist node count");
      for (uint64_t i = 0; st.ok() && i < n; ++i) {
        uint64_t container = rdb::kQuicklistNodePacked;
        const uint64_t node_at = r_.offset();
        if (type == rdb::kTypeListQuicklist2)
          st = r_.ReadLength(&container, "a quicklist container");
        if (st.ok()) st = r_.ReadString(&s1_, "a quicklist node");
        if (!st.ok()) break;
        // Redis refuses a node of no bytes, plain or packed.
        if (s1_.empty()) return RdbReader::Corrupt(node_at, "Quicklist node is empty");
        if (container == rdb::kQuicklistNodePlain) {
          list->PushBack(s1_);
        } else if (container != rdb::kQuicklistNodePacked) {
          return RdbReader::Corrupt(
              node_at, "Quicklist integrity check failed: container " + std::to_string(container));
        } else {
          st = type == rdb::kTypeListQuicklist
                   ? Integrity(node_at, ZiplistForEach(s1_, push), "Ziplist")
                   : Integrity(node_at, ListpackForEach(s1_, push), "Listpack");
        }
      }
    }
    if (st.ok() && !list->empty()) *out = Entry::NewList(key_, std::move(list));
    return st;
  }

  Status Set(uint8_t type, Entry** out) {
    auto set = std::make_unique<SetValue>();
    Status st;
    if (type == rdb::kTypeSet) {
      uint64_t n;
      st = r_.ReadLength(&n, "a set size");
      for (uint64_t i = 0; st.ok() && i < n; ++i) {
        const uint64_t at = r_.offset();
        st = r_.ReadString(&s1_, "a set member");
        if (st.ok() && !set->Add(s1_, limits_.set_max_intset_entries)) {
          return RdbReader::Corrupt(at, "Duplicate set members detected");
        }
      }
    } else {
      st = r_.ReadString(&s1_, "an intset");
      std::vector<int64_t> ints;
      if (st.ok()) st = Integrity(at_, DecodeIntset(s1_, &ints), "Intset");
      for (size_t i = 0; st.ok() && i < ints.size(); ++i) {
        set->Add(std::to_string(ints[i]), limits_.set_max_intset_entries);
      }
    }
    if (st.ok() && !set->empty()) *out = Entry::NewSet(key_, std::move(set));
    return st;
  }

  Status ZSet(uint8_t type, Entry** out) {
    auto z = std::make_unique<ZSetValue>();
    auto add = [&](std::string_view member, double score) {
      return z->Set(member, score, limits_.zset_max_listpack_entries,
                    limits_.zset_max_listpack_value);
    };
    Status st;
    if (type == rdb::kTypeZSet || type == rdb::kTypeZSet2) {
      uint64_t n;
      st = r_.ReadLength(&n, "a sorted set size");
      for (uint64_t i = 0; st.ok() && i < n; ++i) {
        const uint64_t at = r_.offset();
        double score = 0;
        st = r_.ReadString(&s1_, "a sorted set member");
        if (!st.ok()) break;
        st = type == rdb::kTypeZSet2 ? r_.ReadBinaryDouble(&score, "a sorted set score")
                                     : r_.ReadAsciiDouble(&score, "a sorted set score");
        if (!st.ok()) break;
        if (std::isnan(score)) return RdbReader::Corrupt(at, "Zset with NAN score detected");
        if (!add(s1_, score)) return RdbReader::Corrupt(at, "Duplicate zset fields detected");
      }
    } else {
      st = r_.ReadString(&s1_, type == rdb::kTypeZSetListpack ? "a listpack" : "a ziplist");
      Blob walk = type == rdb::kTypeZSetListpack ? Blob(ListpackForEach) : Blob(ZiplistForEach);
      if (st.ok()) {
        st = ForEachPair(
            walk, s1_,
            [&](std::string_view m, std::string_view s) {
              double score;
              return ParseScore(s, &score) && add(m, score);
            },
            at_, type == rdb::kTypeZSetListpack ? "Zset listpack" : "Zset ziplist");
      }
    }
    if (st.ok() && !z->empty()) *out = Entry::NewZSet(key_, std::move(z));
    return st;
  }

  Status Hash(uint8_t type, Entry** out) {
    auto h = std::make_unique<HashValue>();
    auto set = [&](std::string_view f, std::string_view v) {
      return h->Set(f, v, limits_.hash_max_listpack_entries, limits_.hash_max_listpack_value);
    };
    Status st;
    if (type == rdb::kTypeHash) {
      uint64_t n;
      st = r_.ReadLength(&n, "a hash size");
      for (uint64_t i = 0; st.ok() && i < n; ++i) {
        const uint64_t at = r_.offset();
        st = r_.ReadString(&s1_, "a hash field");
        if (st.ok()) st = r_.ReadString(&s2_, "a hash value");
        if (st.ok() && !set(s1_, s2_))
          return RdbReader::Corrupt(at, "Duplicate hash fields detected");
      }
    } else if (type == rdb::kTypeHashZipmap) {
      st = r_.ReadString(&s1_, "a zipmap");
      bool dup = false;
      size_t pairs = 0;
      if (st.ok()) {
        st = Integrity(at_,
                       ZipmapForEach(s1_,
                                     [&](std::string_view f, std::string_view v) {
                                       ++pairs;
                                       if (!set(f, v)) dup = true;
                                     }),
                       "Zipmap");
      }
      // Redis's zipmap validation refuses an empty zipmap too.
      if (st.ok() && pairs == 0) {
        return Integrity(at_, Status::Error("an empty zipmap"), "Zipmap");
      }
      if (st.ok() && dup) return RdbReader::Corrupt(at_, "Duplicate hash fields detected");
    } else {
      st = r_.ReadString(&s1_, type == rdb::kTypeHashListpack ? "a listpack" : "a ziplist");
      Blob walk = type == rdb::kTypeHashListpack ? Blob(ListpackForEach) : Blob(ZiplistForEach);
      if (st.ok()) {
        st = ForEachPair(walk, s1_, set, at_,
                         type == rdb::kTypeHashListpack ? "Hash listpack" : "Hash ziplist");
      }
    }
    if (st.ok() && !h->empty()) *out = Entry::NewHash(key_, std::move(h));
    return st;
  }

 private:
  RdbReader& r_;
  std::string_view key_;
  const EncodingLimits& limits_;
  uint64_t at_;
  std::string s1_, s2_;
};

}  // namespace

bool IsRdbObjectType(uint8_t t) {
  return t <= 7 || (t >= 9 && t <= 19);
}

Status SkipModuleValue(RdbReader& r) {
  for (int guard = 0;; ++guard) {
    uint64_t opcode, v;
    const uint64_t at = r.offset();
    Status st = r.ReadLength(&opcode, "a module opcode");
    if (!st.ok()) return st;
    switch (opcode) {
      case rdb::kModuleOpcodeEof:
        return Status::Ok();
      case rdb::kModuleOpcodeSInt:
      case rdb::kModuleOpcodeUInt:
        st = r.ReadLength(&v, "a module integer");
        break;
      case rdb::kModuleOpcodeFloat: {
        uint32_t f;
        st = r.ReadU32Le(&f, "a module float");
        break;
      }
      case rdb::kModuleOpcodeDouble:
        st = r.ReadU64Le(&v, "a module double");
        break;
      case rdb::kModuleOpcodeString: {
        std::string s;
        st = r.ReadString(&s, "a module string");
        break;
      }
      default:
        return RdbReader::Corrupt(at, "Unknown module opcode " + std::to_string(opcode));
    }
    if (!st.ok()) return st;
  }
}

Status LoadRdbObject(RdbReader& r, uint8_t type, std::string_view key,
                     const RdbLoadOptions& options, Entry** out, bool* skipped) {
  *out = nullptr;
  *skipped = false;
  ObjectLoader loader(r, key, options);
  const uint64_t at = r.offset();
  switch (type) {
    case rdb::kTypeString:
      return loader.String(out);
    case rdb::kTypeList:
    case rdb::kTypeListZiplist:
    case rdb::kTypeListQuicklist:
    case rdb::kTypeListQuicklist2:
      return loader.List(type, out);
    case rdb::kTypeSet:
    case rdb::kTypeSetIntset:
      return loader.Set(type, out);
    case rdb::kTypeZSet:
    case rdb::kTypeZSet2:
    case rdb::kTypeZSetZiplist:
    case rdb::kTypeZSetListpack:
      return loader.ZSet(type, out);
    case rdb::kTypeHash:
    case rdb::kTypeHashZipmap:
    case rdb::kTypeHashZiplist:
    case rdb::kTypeHashListpack:
      return loader.Hash(type, out);
    case rdb::kTypeStreamListpacks:
    case rdb::kTypeStreamListpacks2:
      return LoadRdbStream(r, type, key, out);
    case rdb::kTypeModule2: {
      uint64_t id;
      Status st = r.ReadLength(&id, "a module id");
      if (!st.ok()) return st;
      if (!options.skip_unsupported) {
        return RdbReader::Corrupt(at, "Module value for key '" + std::string(key) +
                                          "': modules are not supported by vigil-datanode");
      }
      *skipped = true;
      return SkipModuleValue(r);
    }
    default:
      break;
  }
  return RdbReader::Corrupt(at, "Unsupported RDB value type " + std::to_string(type) +
                                    " for key '" + std::string(key) + "'");
}

}  // namespace vigil::datanode
