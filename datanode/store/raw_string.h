#pragma once
// RawString: a raw-encoded string value (Redis's OBJ_ENCODING_RAW) kept in one allocation,
// [size:u32 | capacity:u32 | bytes], whose address sits in an 8-byte slot (an Entry's payload).
// A std::string there would cost a second allocation for the 32-byte string object: for 1M small
// raw values such as sparse HyperLogLogs that is ~48 bytes a key, more than Redis spends.
//
// A RawString is a handle: it refers to the slot, not to the block, so growing (which may move
// the block) updates the slot and every later handle on it sees the new block. The slot may be
// unaligned; it is read and written with memcpy. OwnedRawString provides a slot of its own for
// values that live outside an Entry (tests, PFSELFTEST).
//
// Growth: a small value grows to what it needs (rounded up to the allocator's real block size),
// a larger one to twice that up to 1 MB extra, as Redis's sdsMakeRoomFor does, so APPEND and
// SETBIT stay amortized O(1) per byte. A value holds at most 4 GiB (Redis's own default
// limit, proto-max-bulk-len, is 512 MB). The views passed to append, assign and replace must
// not point into the value itself: growing may move it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::datanode {

class RawString {
 public:
  // Makes a block holding `value` and returns its address, for a slot.
  static void* NewBlock(std::string_view value);
  static void FreeBlock(void* block);
  static std::string_view View(const void* block);
  // Heap bytes of a block (header and unused capacity included).
  static size_t AllocatedBytes(const void* block);

  // `slot` holds a block address from NewBlock.
  explicit RawString(void* slot) : slot_(static_cast<char*>(slot)) {}

  size_t size() const;
  bool empty() const { return size() == 0; }
  size_t capacity() const;
  char* data();
  const char* data() const;
  char& operator[](size_t i) { return data()[i]; }
  char operator[](size_t i) const { return data()[i]; }
  std::string_view view() const { return {data(), size()}; }
  operator std::string_view() const { return view(); }  // NOLINT: reads like std::string

  // As std::string's members of the same names; growth fills with `fill`.
  void resize(size_t n, char fill = '\0');
  void append(std::string_view s);
  void assign(std::string_view s);
  void erase(size_t pos, size_t n);
  void replace(size_t pos, size_t n, std::string_view s);

 private:
  struct Header {
    uint32_t size;
    uint32_t capacity;
  };
  Header* block() const;
  void set_block(Header* h);
  // Ensures room for `needed` bytes; may move the block.
  void Reserve(size_t needed);

  char* slot_;
};

// A RawString with its own slot, freed on destruction.
class OwnedRawString {
 public:
  explicit OwnedRawString(std::string_view value = {}) : block_(RawString::NewBlock(value)) {}
  ~OwnedRawString() { RawString::FreeBlock(block_); }
  OwnedRawString(const OwnedRawString&) = delete;
  OwnedRawString& operator=(const OwnedRawString&) = delete;

  RawString handle() { return RawString(&block_); }
  std::string_view view() const { return RawString::View(block_); }

 private:
  void* block_;
};

}  // namespace vigil::datanode
