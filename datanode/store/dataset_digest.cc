#include "datanode/store/dataset_digest.h"

#include <cstdio>

#include "common/base/sha1.h"
#include "datanode/store/entry.h"
#include "datanode/store/hash_value.h"
#include "datanode/store/keyspace.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/stream_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {
namespace {

std::string_view BigEndian32(uint32_t v, char* buf) {
  buf[0] = char(v >> 24);
  buf[1] = char(v >> 16);
  buf[2] = char(v >> 8);
  buf[3] = char(v);
  return {buf, 4};
}

// Redis formats scores with "%.17g" here whatever the encoding, so listpack and skiplist sorted
// sets with the same members digest alike.
std::string_view ScoreText(double score, char* buf, size_t size) {
  int n = std::snprintf(buf, size, "%.17g", score);
  return {buf, size_t(n)};
}

// A member and its score (or a field and its value) form one order-free element: both are mixed
// into a fresh digest, which is then xored into the value's.
void XorPair(DigestBytes* digest, std::string_view a, std::string_view b) {
  DigestBytes element{};
  MixDigest(&element, a);
  MixDigest(&element, b);
  XorDigest(digest, std::string_view(reinterpret_cast<const char*>(element.data()), 20));
}

void DigestContent(const Entry& e, DigestBytes* d) {
  switch (e.type()) {
    case ObjType::kString: {
      char scratch[32];
      MixDigest(d, e.StringValue(scratch));
      break;
    }
    case ObjType::kList:
      for (const std::string& item : *e.list()) MixDigest(d, item);
      break;
    case ObjType::kSet:
      e.set()->ForEach([d](std::string_view member) { XorDigest(d, member); });
      break;
    case ObjType::kZSet: {
      char buf[64];
      for (const ZSetValue::Node* n = e.zset()->first(); n != nullptr; n = n->next()) {
        XorPair(d, n->member(), ScoreText(n->score(), buf, sizeof(buf)));
      }
      break;
    }
    case ObjType::kHash:
      e.hash()->ForEach([d](std::string_view f, std::string_view v) { XorPair(d, f, v); });
      break;
    case ObjType::kStream:
      // Only the entries count; consumer groups are not part of Redis's digest.
      for (const auto& [master, node] : e.stream()->nodes()) {
        for (const StreamRecord& r : node.records) {
          if (r.deleted()) continue;
          MixDigest(d, std::to_string(r.id.ms) + "." + std::to_string(r.id.seq));
          for (const std::string& s : r.fields_values) MixDigest(d, s);
        }
      }
      break;
  }
}

}  // namespace

void XorDigest(DigestBytes* digest, std::string_view data) {
  Sha1::Digest h = Sha1::Of(data);
  for (size_t i = 0; i < 20; ++i) (*digest)[i] ^= h[i];
}

void MixDigest(DigestBytes* digest, std::string_view data) {
  XorDigest(digest, data);
  *digest = Sha1::Of(digest->data(), digest->size());
}

void DigestValue(const Entry& e, bool has_expire, DigestBytes* digest) {
  char buf[4];
  MixDigest(digest, BigEndian32(uint32_t(e.type()), buf));
  DigestContent(e, digest);
  if (has_expire) XorDigest(digest, "!!expire!!");
}

DigestBytes DigestDataset(Keyspace& keyspace) {
  DigestBytes final_digest{};
  for (int i = 0; i < keyspace.database_count(); ++i) {
    Database& db = keyspace.db(i);
    if (db.size() == 0) continue;
    char buf[4];
    MixDigest(&final_digest, BigEndian32(uint32_t(i), buf));
    db.keys().ForEach([&](Entry* e) {
      DigestBytes key_digest{};
      MixDigest(&key_digest, e->key());
      DigestValue(*e, e->has_expire(), &key_digest);
      XorDigest(&final_digest,
                std::string_view(reinterpret_cast<const char*>(key_digest.data()), 20));
    });
  }
  return final_digest;
}

std::string DigestHex(const DigestBytes& digest) {
  return HexLower(digest.data(), digest.size());
}

}  // namespace vigil::datanode
