#include "datanode/persistence/aof_check.h"

#include <strings.h>

#include <cstdio>
#include <cstdlib>

namespace vigil::datanode {
namespace {

// A cursor over the bytes with redis-check-aof's reading primitives (fgets/fread on a FILE).
class Reader {
 public:
  Reader(std::string_view data, int64_t base) : data_(data), base_(base) {}

  bool eof() const { return pos_ >= data_.size(); }
  int64_t tell() const { return base_ + int64_t(pos_); }
  int64_t line() const { return line_; }
  const std::string& error() const { return error_; }

  // fgets with a 128-byte buffer: up to and including '\n', at most 127 bytes.
  bool ReadLine(std::string* out) {
    if (eof()) return false;
    size_t n = std::min<size_t>(127, data_.size() - pos_);
    size_t nl = data_.substr(pos_, n).find('\n');
    if (nl != std::string_view::npos) n = nl + 1;
    out->assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool ReadLong(char prefix, long* target) {
    epos_ = tell();
    std::string buf;
    if (!ReadLine(&buf)) return false;
    return ParseLong(buf, prefix, target);
  }
  bool ParseLong(const std::string& buf, char prefix, long* target) {
    if (buf[0] != prefix) return Error("Expected prefix '%c', got: '%c'", prefix, buf[0]);
    char* eptr = nullptr;
    *target = std::strtol(buf.c_str() + 1, &eptr, 10);
    return ConsumeNewline(eptr, buf.c_str() + buf.size() - eptr);
  }
  bool ReadString(std::string* target) {
    long len = 0;
    if (!ReadLong('$', &len)) return false;
    if (len < 0 || len > (1L << 40)) {
      return Error("Expected to read string of %ld bytes, which is not in the suitable range", len);
    }
    len += 2;
    epos_ = tell();
    size_t real = std::min<size_t>(size_t(len), data_.size() - pos_);
    target->assign(data_.substr(pos_, real));
    pos_ += real;
    if (real != size_t(len))
      return Error("Expected to read %ld bytes, got %ld bytes", len, long(real));
    if (!ConsumeNewline(target->data() + len - 2, 2)) return false;
    target->resize(size_t(len - 2));
    return true;
  }
  bool ConsumeNewline(const char* p, long avail) {
    if (avail < 2 || p[0] != '\r' || p[1] != '\n') {
      unsigned a = avail > 0 ? static_cast<unsigned char>(p[0]) : 0;
      unsigned b = avail > 1 ? static_cast<unsigned char>(p[1]) : 0;
      return Error("Expected \\r\\n, got: %02x%02x", a, b);
    }
    ++line_;
    return true;
  }
  template <typename... A>
  bool Error(const char* fmt, A... a) {
    char msg[1024];
    std::snprintf(msg, sizeof(msg), fmt, a...);
    char full[1100];
    std::snprintf(full, sizeof(full), "0x%16llx: %s", static_cast<long long>(epos_), msg);
    error_ = full;
    return false;
  }
  void set_epos() { epos_ = tell(); }

 private:
  std::string_view data_;
  int64_t base_;
  size_t pos_ = 0;
  int64_t epos_ = 0;
  int64_t line_ = 1;
  std::string error_;
};

}  // namespace

AofCheckReport CheckAofBytes(std::string_view data, int64_t base_offset) {
  AofCheckReport r;
  r.size = base_offset + int64_t(data.size());
  Reader in(data, base_offset);
  int64_t pos = base_offset;
  int multi = 0;
  std::string buf, str;
  while (true) {
    if (multi == 0) pos = in.tell();
    in.set_epos();
    if (!in.ReadLine(&buf)) break;
    if (buf[0] == '#') continue;  // annotation
    long argc = 0;
    if (!in.ParseLong(buf, '*', &argc)) break;
    long i = 0;
    for (; i < argc; ++i) {
      if (!in.ReadString(&str)) break;
      if (i != 0) continue;
      if (strcasecmp(str.c_str(), "multi") == 0) {
        if (multi++) {
          in.Error("Unexpected MULTI");
          break;
        }
      } else if (strcasecmp(str.c_str(), "exec") == 0) {
        if (--multi) {
          in.Error("Unexpected EXEC");
          break;
        }
      }
    }
    if (i < argc) break;
  }
  r.error = in.error();
  if (in.eof() && multi != 0 && r.error.empty()) {
    in.set_epos();
    in.Error("Reached EOF before reading EXEC for MULTI");
    r.error = in.error();
  }
  r.ok_up_to = pos;
  r.ok_up_to_line = in.line();
  return r;
}

}  // namespace vigil::datanode
