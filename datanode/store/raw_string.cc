#include "datanode/store/raw_string.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace vigil::datanode {
namespace {

constexpr size_t kGreedyFrom = 64;         // below this, grow to exactly what is needed
constexpr size_t kMaxPrealloc = 1u << 20;  // Redis's SDS_MAX_PREALLOC
constexpr size_t kHeader = 2 * sizeof(uint32_t);

void* Allocate(void* old, size_t capacity, uint32_t* usable_capacity) {
  void* p = std::realloc(old, kHeader + capacity);
  if (p == nullptr) throw std::bad_alloc();  // as operator new would: the store cannot go on
  // The allocator rounds up; whatever it gave is capacity we can use without moving.
  const size_t usable = malloc_usable_size(p) - kHeader;
  *usable_capacity = uint32_t(std::min<size_t>(usable, UINT32_MAX));
  return p;
}

}  // namespace

void* RawString::NewBlock(std::string_view value) {
  uint32_t cap = 0;
  auto* h = static_cast<Header*>(Allocate(nullptr, value.size(), &cap));
  h->size = uint32_t(value.size());
  h->capacity = cap;
  if (!value.empty()) std::memcpy(reinterpret_cast<char*>(h + 1), value.data(), value.size());
  return h;
}

void RawString::FreeBlock(void* block) {
  std::free(block);
}

std::string_view RawString::View(const void* block) {
  const auto* h = static_cast<const Header*>(block);
  return {reinterpret_cast<const char*>(h + 1), h->size};
}

size_t RawString::AllocatedBytes(const void* block) {
  return malloc_usable_size(const_cast<void*>(block));
}

RawString::Header* RawString::block() const {
  Header* h;
  std::memcpy(&h, slot_, sizeof(h));
  return h;
}

void RawString::set_block(Header* h) {
  std::memcpy(slot_, &h, sizeof(h));
}

size_t RawString::size() const {
  return block()->size;
}

size_t RawString::capacity() const {
  return block()->capacity;
}

char* RawString::data() {
  return reinterpret_cast<char*>(block() + 1);
}

const char* RawString::data() const {
  return reinterpret_cast<const char*>(block() + 1);
}

void RawString::Reserve(size_t needed) {
  Header* h = block();
  if (needed <= h->capacity) return;
  if (needed > UINT32_MAX) throw std::bad_alloc();  // see the header: values stop at 4 GiB
  size_t want = needed;
  if (needed >= kGreedyFrom)
    want = std::min<size_t>(needed + std::min(needed, kMaxPrealloc), UINT32_MAX);
  uint32_t cap = 0;
  h = static_cast<Header*>(Allocate(h, want, &cap));
  h->capacity = cap;
  set_block(h);
}

void RawString::resize(size_t n, char fill) {
  const size_t old = size();
  if (n > old) {
    Reserve(n);
    std::memset(data() + old, fill, n - old);
  }
  block()->size = uint32_t(n);
}

void RawString::append(std::string_view s) {
  const size_t old = size();
  Reserve(old + s.size());
  if (!s.empty()) std::memcpy(data() + old, s.data(), s.size());
  block()->size = uint32_t(old + s.size());
}

void RawString::assign(std::string_view s) {
  Reserve(s.size());
  if (!s.empty()) std::memmove(data(), s.data(), s.size());
  block()->size = uint32_t(s.size());
}

void RawString::erase(size_t pos, size_t n) {
  const size_t old = size();
  n = std::min(n, old - pos);
  std::memmove(data() + pos, data() + pos + n, old - pos - n);
  block()->size = uint32_t(old - n);
}

void RawString::replace(size_t pos, size_t n, std::string_view s) {
  const size_t old = size();
  n = std::min(n, old - pos);
  const size_t total = old - n + s.size();
  Reserve(total);
  char* d = data();
  std::memmove(d + pos + s.size(), d + pos + n, old - pos - n);
  std::memcpy(d + pos, s.data(), s.size());
  block()->size = uint32_t(total);
}

}  // namespace vigil::datanode
