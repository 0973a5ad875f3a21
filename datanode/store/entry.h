#pragma once
// Entry: one key and its value in a single allocation, chained in the database's KeyTable.
//
// Layout: [next | lru:24 type:4 enc:4 | key_len:31 has_expire:1 | key bytes | payload]
// The payload is an int64 (encoding int), a pointer (raw strings and containers), or an
// embedded string (uint32 length + bytes, at most kEmbstrMax). Keeping small strings inline is
// what makes a 1M-key dataset of short values take well under Redis's ~104 bytes per key.
// The payload is never shorter than 8 bytes, so an embstr can turn into int or raw in place.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "datanode/store/object_type.h"
#include "datanode/store/raw_string.h"

namespace vigil::datanode {

class ListValue;
class HashValue;
class SetValue;
class ZSetValue;
class StreamValue;

class Entry {
 public:
  static constexpr size_t kEmbstrMax = 44;  // OBJ_ENCODING_EMBSTR_SIZE_LIMIT

  // A string entry with Redis's encoding choice: int when the value is a canonical 64-bit
  // integer of at most 20 chars, embstr up to 44 bytes, raw beyond.
  static Entry* NewString(std::string_view key, std::string_view value);
  static Entry* NewInt(std::string_view key, int64_t value);
  // A raw-encoded string whatever its content (PFADD, SETBIT and friends create raw strings).
  static Entry* NewRaw(std::string_view key, std::string_view value);
  static Entry* NewList(std::string_view key, std::unique_ptr<ListValue> v);
  static Entry* NewHash(std::string_view key, std::unique_ptr<HashValue> v);
  static Entry* NewSet(std::string_view key, std::unique_ptr<SetValue> v);
  static Entry* NewZSet(std::string_view key, std::unique_ptr<ZSetValue> v);
  static Entry* NewStream(std::string_view key, std::unique_ptr<StreamValue> v);
  // A deep copy under another name (COPY, RENAME keeps the original).
  static Entry* Clone(const Entry& src, std::string_view new_key);
  static void Free(Entry* e);

  Entry* next = nullptr;  // KeyTable chain

  std::string_view key() const { return {KeyPtr(), key_len_}; }
  ObjType type() const { return static_cast<ObjType>(type_); }
  // Strings report their stored encoding; containers ask the container (it may convert).
  Encoding encoding() const;
  bool has_expire() const { return has_expire_; }
  void set_has_expire(bool v) { has_expire_ = v; }
  uint32_t lru() const { return lru_; }
  void set_lru(uint32_t v) { lru_ = v & 0xFFFFFF; }

  // Strings. StringValue renders ints into `scratch` (at least 21 bytes).
  std::string_view StringValue(char* scratch) const;
  std::string StringCopy() const;
  size_t StringLength() const;
  // True and the value when the string is (or parses as) a 64-bit integer.
  bool StringAsInt(int64_t* out) const;
  void SetInt(int64_t v);  // in place; frees a raw buffer
  // The raw value, converting int/embstr to raw first (APPEND, SETRANGE do this in Redis too).
  // The handle stays valid while the entry lives and is not converted back.
  RawString MutableRaw();

  ListValue* list() const;
  HashValue* hash() const;
  SetValue* set() const;
  ZSetValue* zset() const;
  StreamValue* stream() const;

  // Bytes this entry owns, including its containers (estimate), for MEMORY USAGE / eviction.
  size_t AllocatedBytes() const;

 private:
  Entry() = default;
  static Entry* Allocate(std::string_view key, size_t payload, ObjType t, Encoding e);
  const char* KeyPtr() const { return reinterpret_cast<const char*>(this + 1); }
  char* Payload() { return reinterpret_cast<char*>(this + 1) + key_len_; }
  const char* Payload() const { return reinterpret_cast<const char*>(this + 1) + key_len_; }
  void* Pointer() const;
  void SetPointer(void* p);
  void FreeValue();

  uint32_t lru_ : 24 = 0;
  uint32_t type_ : 4 = 0;
  uint32_t enc_ : 4 = 0;
  uint32_t key_len_ : 31 = 0;
  uint32_t has_expire_ : 1 = 0;
};
static_assert(sizeof(Entry) == 16);

// Parses a canonical 64-bit integer as Redis's string2ll does: no spaces, no '+', no leading
// zeros, "-0" rejected, at most 20 chars.
bool ParseCanonicalInt(std::string_view s, int64_t* out);

}  // namespace vigil::datanode
