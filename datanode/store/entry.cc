#include "datanode/store/entry.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <new>

#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/stream_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {

std::string_view TypeName(ObjType t) {
  switch (t) {
    case ObjType::kString:
      return "string";
    case ObjType::kList:
      return "list";
    case ObjType::kSet:
      return "set";
    case ObjType::kZSet:
      return "zset";
    case ObjType::kHash:
      return "hash";
    case ObjType::kStream:
      return "stream";
  }
  return "none";
}

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kRaw:
      return "raw";
    case Encoding::kInt:
      return "int";
    case Encoding::kEmbstr:
      return "embstr";
    case Encoding::kQuicklist:
      return "quicklist";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kIntset:
      return "intset";
    case Encoding::kHashtable:
      return "hashtable";
    case Encoding::kSkiplist:
      return "skiplist";
    case Encoding::kStream:
      return "stream";
  }
  return "unknown";
}

bool ParseCanonicalInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  if (s[0] == '-' && (s.size() == 1 || s[1] == '0')) return false;
  if (s[0] == '+') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

Entry* Entry::Allocate(std::string_view key, size_t payload, ObjType t, Encoding e) {
  if (payload < 8) payload = 8;
  void* mem = std::malloc(sizeof(Entry) + key.size() + payload);
  if (mem == nullptr) throw std::bad_alloc();
  Entry* entry = new (mem) Entry();
  entry->type_ = static_cast<uint32_t>(t);
  entry->enc_ = static_cast<uint32_t>(e);
  entry->key_len_ = static_cast<uint32_t>(key.size());
  std::memcpy(reinterpret_cast<char*>(entry + 1), key.data(), key.size());
  return entry;
}

Encoding Entry::encoding() const {
  switch (type()) {
    case ObjType::kString:
      return static_cast<Encoding>(enc_);
    case ObjType::kList:
      return list()->encoding();
    case ObjType::kHash:
      return hash()->encoding();
    case ObjType::kSet:
      return set()->encoding();
    case ObjType::kZSet:
      return zset()->encoding();
    case ObjType::kStream:
      return Encoding::kStream;
  }
  return Encoding::kRaw;
}

void* Entry::Pointer() const {
  void* p;
  std::memcpy(&p, Payload(), sizeof(p));
  return p;
}

void Entry::SetPointer(void* p) {
  std::memcpy(Payload(), &p, sizeof(p));
}

Entry* Entry::NewInt(std::string_view key, int64_t value) {
  Entry* e = Allocate(key, 8, ObjType::kString, Encoding::kInt);
  std::memcpy(e->Payload(), &value, 8);
  return e;
}

Entry* Entry::NewString(std::string_view key, std::string_view value) {
  int64_t iv;
  if (value.size() <= 20 && ParseCanonicalInt(value, &iv)) return NewInt(key, iv);
  if (value.size() <= kEmbstrMax) {
    Entry* e = Allocate(key, 4 + value.size(), ObjType::kString, Encoding::kEmbstr);
    uint32_t len = static_cast<uint32_t>(value.size());
    std::memcpy(e->Payload(), &len, 4);
    std::memcpy(e->Payload() + 4, value.data(), value.size());
    return e;
  }
  return NewRaw(key, value);
}

Entry* Entry::NewRaw(std::string_view key, std::string_view value) {
  Entry* e = Allocate(key, 8, ObjType::kString, Encoding::kRaw);
  e->SetPointer(RawString::NewBlock(value));
  return e;
}

#define VIGIL_NEW_CONTAINER(Fn, Cls, Type)                            \
  Entry* Entry::Fn(std::string_view key, std::unique_ptr<Cls> v) {    \
    Entry* e = Allocate(key, 8, ObjType::Type, Encoding::kHashtable); \
    e->SetPointer(v.release());                                       \
    return e;                                                         \
  }
VIGIL_NEW_CONTAINER(NewList, ListValue, kList)
VIGIL_NEW_CONTAINER(NewHash, HashValue, kHash)
VIGIL_NEW_CONTAINER(NewSet, SetValue, kSet)
VIGIL_NEW_CONTAINER(NewZSet, ZSetValue, kZSet)
VIGIL_NEW_CONTAINER(NewStream, StreamValue, kStream)
#undef VIGIL_NEW_CONTAINER

Entry* Entry::Clone(const Entry& src, std::string_view new_key) {
  Entry* e = nullptr;
  switch (src.type()) {
    case ObjType::kString:
      if (src.encoding() == Encoding::kRaw) {
        // Keep "raw" even when short: Redis's COPY/RENAME keep the object's encoding.
        e = NewRaw(new_key, RawString::View(src.Pointer()));
      } else {
        char scratch[24];
        e = NewString(new_key, src.StringValue(scratch));
      }
      break;
    case ObjType::kList:
      e = NewList(new_key, std::make_unique<ListValue>(*src.list()));
      break;
    case ObjType::kHash:
      e = NewHash(new_key, std::make_unique<HashValue>(*src.hash()));
      break;
    case ObjType::kSet:
      e = NewSet(new_key, std::make_unique<SetValue>(*src.set()));
      break;
    case ObjType::kZSet:
      e = NewZSet(new_key, std::make_unique<ZSetValue>(*src.zset()));
      break;
    case ObjType::kStream:
      e = NewStream(new_key, std::make_unique<StreamValue>(*src.stream()));
      break;
  }
  e->lru_ = src.lru_;
  return e;
}

void Entry::FreeValue() {
  switch (type()) {
    case ObjType::kString:
      if (static_cast<Encoding>(enc_) == Encoding::kRaw) RawString::FreeBlock(Pointer());
      break;
    case ObjType::kList:
      delete list();
      break;
    case ObjType::kHash:
      delete hash();
      break;
    case ObjType::kSet:
      delete set();
      break;
    case ObjType::kZSet:
      delete zset();
      break;
    case ObjType::kStream:
      delete stream();
      break;
  }
}

void Entry::Free(Entry* e) {
  if (e == nullptr) return;
  e->FreeValue();
  e->~Entry();
  std::free(e);
}

std::string_view Entry::StringValue(char* scratch) const {
  switch (encoding()) {
    case Encoding::kInt: {
      int64_t v;
      std::memcpy(&v, Payload(), 8);
      auto [end, ec] = std::to_chars(scratch, scratch + 21, v);
      return {scratch, size_t(end - scratch)};
    }
    case Encoding::kEmbstr: {
      uint32_t len;
      std::memcpy(&len, Payload(), 4);
      return {Payload() + 4, len};
    }
    default:
      return RawString::View(Pointer());
  }
}

std::string Entry::StringCopy() const {
  char scratch[24];
  return std::string(StringValue(scratch));
}

size_t Entry::StringLength() const {
  char scratch[24];
  return StringValue(scratch).size();
}

bool Entry::StringAsInt(int64_t* out) const {
  if (encoding() == Encoding::kInt) {
    std::memcpy(out, Payload(), 8);
    return true;
  }
  char scratch[24];
  std::string_view s = StringValue(scratch);
  if (s.empty() || s.size() > 20) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  // Redis's string2ll accepts only canonical integers here too.
  return ec == std::errc() && p == s.data() + s.size() && ParseCanonicalInt(s, out);
}

void Entry::SetInt(int64_t v) {
  if (encoding() == Encoding::kRaw) RawString::FreeBlock(Pointer());
  enc_ = static_cast<uint32_t>(Encoding::kInt);
  std::memcpy(Payload(), &v, 8);
}

RawString Entry::MutableRaw() {
  if (encoding() != Encoding::kRaw) {
    char scratch[24];
    void* block = RawString::NewBlock(StringValue(scratch));
    enc_ = static_cast<uint32_t>(Encoding::kRaw);
    SetPointer(block);
  }
  return RawString(Payload());
}

ListValue* Entry::list() const {
  return static_cast<ListValue*>(Pointer());
}
HashValue* Entry::hash() const {
  return static_cast<HashValue*>(Pointer());
}
SetValue* Entry::set() const {
  return static_cast<SetValue*>(Pointer());
}
ZSetValue* Entry::zset() const {
  return static_cast<ZSetValue*>(Pointer());
}
StreamValue* Entry::stream() const {
  return static_cast<StreamValue*>(Pointer());
}

size_t Entry::AllocatedBytes() const {
  size_t n = sizeof(Entry) + key_len_ + 8;
  switch (type()) {
    case ObjType::kString:
      if (encoding() == Encoding::kEmbstr) n += StringLength();
      if (encoding() == Encoding::kRaw) n += RawString::AllocatedBytes(Pointer());
      break;
    case ObjType::kList:
      n += list()->AllocatedBytes();
      break;
    case ObjType::kHash:
      n += hash()->AllocatedBytes();
      break;
    case ObjType::kSet:
      n += set()->AllocatedBytes();
      break;
    case ObjType::kZSet:
      n += zset()->AllocatedBytes();
      break;
    case ObjType::kStream:
      n += stream()->AllocatedBytes();
      break;
  }
  return n;
}

}  // namespace vigil::datanode
