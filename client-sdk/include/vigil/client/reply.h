#pragma once
// A RESP2 reply as a value: what the data node answered, error replies included.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vigil::client {

class Reply {
 public:
  enum class Kind { kStatus, kError, kInteger, kString, kNil, kArray };

  Reply() = default;  // nil
  static Reply Status(std::string text) { return Reply(Kind::kStatus, std::move(text)); }
  static Reply Error(std::string text) { return Reply(Kind::kError, std::move(text)); }
  static Reply String(std::string bytes) { return Reply(Kind::kString, std::move(bytes)); }
  static Reply Integer(int64_t value);
  static Reply Nil() { return Reply(); }
  static Reply Array(std::vector<Reply> elements);

  Kind kind() const { return kind_; }
  bool is_error() const { return kind_ == Kind::kError; }
  bool is_nil() const { return kind_ == Kind::kNil; }
  bool is_array() const { return kind_ == Kind::kArray; }
  // Status text, error text or bulk bytes; empty for other kinds.
  const std::string& str() const { return text_; }
  // The integer of an integer reply; 0 for other kinds.
  int64_t integer() const { return integer_; }
  const std::vector<Reply>& elements() const { return elements_; }

  // A redis-cli-like rendering for logs and tools: "OK", "(error) ERR ...", "(nil)", "1) ...".
  std::string ToString() const;

  friend bool operator==(const Reply&, const Reply&) = default;

 private:
  Reply(Kind kind, std::string text) : kind_(kind), text_(std::move(text)) {}
  Kind kind_ = Kind::kNil;
  std::string text_;
  int64_t integer_ = 0;
  std::vector<Reply> elements_;
};

}  // namespace vigil::client
