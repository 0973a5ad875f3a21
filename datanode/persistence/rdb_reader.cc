#include "datanode/persistence/rdb_reader.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/base/byte_order.h"
#include "datanode/persistence/crc64.h"
#include "datanode/persistence/lzf.h"
#include "datanode/persistence/rdb_format.h"

namespace vigil::datanode {

Result<size_t> StringSource::Read(char* dst, size_t n) {
  const size_t k = std::min(n, data_.size() - pos_);
  std::memcpy(dst, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

RdbReader::RdbReader(Source* source) : source_(source) {
  buf_.resize(kBufferSize);
}

void RdbReader::CrcConsumed() {
  if (pos_ > crc_pos_) {
    crc_ = Crc64(crc_, std::string_view(buf_.data() + crc_pos_, pos_ - crc_pos_));
    crc_pos_ = pos_;
  }
}

uint64_t RdbReader::crc() {
  CrcConsumed();
  return crc_;
}

Status RdbReader::ShortRead(const char* what) const {
  return Status::Error("Short read at offset " + std::to_string(offset()) + " while reading " +
                       what);
}

Status RdbReader::Corrupt(uint64_t offset, const std::string& message) {
  return Status::Error(message + " at offset " + std::to_string(offset));
}

Result<bool> RdbReader::Fill(size_t n) {
  if (end_ - pos_ >= n) return true;
  CrcConsumed();
  std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
  base_ += pos_;
  end_ -= pos_;
  pos_ = 0;
  crc_pos_ = 0;
  while (end_ < n) {
    Result<size_t> r = source_->Read(buf_.data() + end_, buf_.size() - end_);
    if (!r.ok()) return r.status();
    if (r.value() == 0) return false;
    end_ += r.value();
  }
  return true;
}

Status RdbReader::ReadExact(char* dst, size_t n, const char* what) {
  if (end_ - pos_ >= n) {
    std::memcpy(dst, buf_.data() + pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  if (n <= buf_.size() / 2) {
    Result<bool> ok = Fill(n);
    if (!ok.ok()) return Status::Error(ok.error() + " at offset " + std::to_string(offset()));
    if (!ok.value()) return ShortRead(what);
    std::memcpy(dst, buf_.data() + pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  // Large read: drain the buffer, then read straight into dst.
  const size_t have = end_ - pos_;
  std::memcpy(dst, buf_.data() + pos_, have);
  pos_ = end_;
  CrcConsumed();
  base_ += end_;
  pos_ = end_ = crc_pos_ = 0;
  size_t got = have;
  while (got < n) {
    Result<size_t> r = source_->Read(dst + got, n - got);
    if (!r.ok()) return Status::Error(r.error() + " at offset " + std::to_string(offset()));
    if (r.value() == 0) return ShortRead(what);
    crc_ = Crc64(crc_, std::string_view(dst + got, r.value()));
    base_ += r.value();
    got += r.value();
  }
  return Status::Ok();
}

Status RdbReader::ReadByte(uint8_t* out, const char* what) {
  if (pos_ < end_) {
    *out = static_cast<uint8_t>(buf_[pos_++]);
    return Status::Ok();
  }
  char c;
  Status st = ReadExact(&c, 1, what);
  *out = static_cast<uint8_t>(c);
  return st;
}

Status RdbReader::ReadU32Le(uint32_t* out, const char* what) {
  unsigned char b[4];
  Status st = ReadExact(reinterpret_cast<char*>(b), 4, what);
  if (!st.ok()) return st;
  *out = uint32_t(LoadLe(b, 4));
  return Status::Ok();
}

Status RdbReader::ReadU64Le(uint64_t* out, const char* what) {
  unsigned char b[8];
  Status st = ReadExact(reinterpret_cast<char*>(b), 8, what);
  if (!st.ok()) return st;
  *out = LoadLe(b, 8);
  return Status::Ok();
}

Status RdbReader::ReadBinaryDouble(double* out, const char* what) {
  uint64_t bits;
  Status st = ReadU64Le(&bits, what);
  if (st.ok()) std::memcpy(out, &bits, 8);
  return st;
}

Status RdbReader::ReadLength(uint64_t* out, bool* encoded, const char* what) {
  const uint64_t at = offset();
  uint8_t b;
  Status st = ReadByte(&b, what);
  if (!st.ok()) return st;
  *encoded = false;
  switch (b >> 6) {
    case rdb::kLen6Bit:
      *out = b & 0x3F;
      return Status::Ok();
    case rdb::kLen14Bit: {
      uint8_t lo;
      st = ReadByte(&lo, what);
      *out = (uint64_t(b & 0x3F) << 8) | lo;
      return st;
    }
    case rdb::kLenEncoded:
      *encoded = true;
      *out = b & 0x3F;
      return Status::Ok();
    default:
      break;
  }
  int width = b == rdb::kLen32Bit ? 4 : b == rdb::kLen64Bit ? 8 : 0;
  if (width == 0) return Corrupt(at, "Unknown length encoding " + std::to_string(b));
  unsigned char v[8];
  st = ReadExact(reinterpret_cast<char*>(v), size_t(width), what);
  if (!st.ok()) return st;
  uint64_t len = 0;
  for (int i = 0; i < width; ++i) len = (len << 8) | v[i];
  *out = len;
  return Status::Ok();
}

Status RdbReader::ReadLength(uint64_t* out, const char* what) {
  const uint64_t at = offset();
  bool encoded;
  Status st = ReadLength(out, &encoded, what);
  if (st.ok() && encoded) return Corrupt(at, std::string("Unexpected string encoding in ") + what);
  return st;
}

Status RdbReader::ReadString(std::string* out, const char* what) {
  const uint64_t at = offset();
  uint64_t len;
  bool encoded;
  Status st = ReadLength(&len, &encoded, what);
  if (!st.ok()) return st;
  if (encoded) {
    if (len <= rdb::kEncInt32) {
      const size_t width = size_t(1) << len;  // 1, 2, 4 bytes
      unsigned char b[4];
      st = ReadExact(reinterpret_cast<char*>(b), width, what);
      if (!st.ok()) return st;
      uint32_t u = 0;
      for (size_t i = width; i-- > 0;) u = (u << 8) | b[i];
      int64_t v = width == 1 ? int8_t(u) : width == 2 ? int16_t(u) : int32_t(u);
      char tmp[24];
      auto r = std::to_chars(tmp, tmp + sizeof(tmp), v);
      out->assign(tmp, size_t(r.ptr - tmp));
      return Status::Ok();
    }
    if (len != rdb::kEncLzf)
      return Corrupt(at, "Unknown RDB string encoding type " + std::to_string(len));
    uint64_t clen, ulen;
    st = ReadLength(&clen, "an LZF compressed length");
    if (st.ok()) st = ReadLength(&ulen, "an LZF uncompressed length");
    if (!st.ok()) return st;
    // LZF expands at most 264 bytes per 2-3 input bytes; refuse impossible lengths before
    // allocating for them.
    if (clen == 0 || ulen == 0 || ulen / 100 > clen) {
      return Corrupt(at, "Invalid LZF lengths (compressed " + std::to_string(clen) +
                             ", uncompressed " + std::to_string(ulen) + ")");
    }
    st = ReadRaw(&scratch_, clen, "LZF compressed data");
    if (!st.ok()) return st;
    if (!LzfDecompress(scratch_, size_t(ulen), out)) {
      return Corrupt(at, "Invalid LZF compressed string (" + std::to_string(clen) + " -> " +
                             std::to_string(ulen) + " bytes)");
    }
    return Status::Ok();
  }
  return ReadRaw(out, len, what);
}

Status RdbReader::ReadRaw(std::string* out, uint64_t len, const char* what) {
  // Grow as bytes actually arrive, so a corrupt huge length fails on a short read instead of
  // allocating it up front.
  out->clear();
  size_t got = 0;
  while (got < len) {
    const size_t chunk = size_t(std::min<uint64_t>(len - got, std::max<size_t>(got, 1 << 20)));
    out->resize(got + chunk);
    Status st = ReadExact(out->data() + got, chunk, what);
    if (!st.ok()) return st;
    got += chunk;
  }
  return Status::Ok();
}

Status RdbReader::ReadAsciiDouble(double* out, const char* what) {
  uint8_t len;
  Status st = ReadByte(&len, what);
  if (!st.ok()) return st;
  if (len == rdb::kScoreNan) {
    *out = std::nan("");
    return Status::Ok();
  }
  if (len == rdb::kScorePosInf || len == rdb::kScoreNegInf) {
    *out = len == rdb::kScorePosInf ? INFINITY : -INFINITY;
    return Status::Ok();
  }
  const uint64_t at = offset();
  char buf[256];
  st = ReadExact(buf, len, what);
  if (!st.ok()) return st;
  buf[len] = '\0';
  char* end = nullptr;
  *out = std::strtod(buf, &end);
  if (end != buf + len) return Corrupt(at, "Invalid double value '" + std::string(buf) + "'");
  return Status::Ok();
}

}  // namespace vigil::datanode
