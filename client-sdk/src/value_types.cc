// Out-of-line members of the public value types: Address, Error, Reply.
#include <charconv>

#include "vigil/client/address.h"
#include "vigil/client/errors.h"
#include "vigil/client/reply.h"

namespace vigil::client {

std::string Address::ToString() const {
  return host + ":" + std::to_string(port);
}

std::optional<Address> Address::Parse(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view port_text = text.substr(colon + 1);
  int port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port <= 0 || port > 65535) {
    return std::nullopt;
  }
  return Address{std::string(text.substr(0, colon)), port};
}

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNoSentinel:
      return "no_sentinel";
    case ErrorCode::kUnknownMaster:
      return "unknown_master";
    case ErrorCode::kNoMaster:
      return "no_master";
    case ErrorCode::kConnection:
      return "connection";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case ErrorCode::kServerError:
      return "server_error";
    case ErrorCode::kUnexpectedReply:
      return "unexpected_reply";
  }
  return "unknown";
}

std::string Error::ToString() const {
  return std::string(ErrorCodeName(code)) + ": " + message;
}

Reply Reply::Integer(int64_t value) {
  Reply r(Kind::kInteger, "");
  r.integer_ = value;
  return r;
}

Reply Reply::Array(std::vector<Reply> elements) {
  Reply r(Kind::kArray, "");
  r.elements_ = std::move(elements);
  return r;
}

std::string Reply::ToString() const {
  switch (kind_) {
    case Kind::kStatus:
      return text_;
    case Kind::kError:
      return "(error) " + text_;
    case Kind::kInteger:
      return "(integer) " + std::to_string(integer_);
    case Kind::kString:
      return "\"" + text_ + "\"";
    case Kind::kNil:
      return "(nil)";
    case Kind::kArray: {
      if (elements_.empty()) return "(empty array)";
      std::string out;
      for (std::size_t i = 0; i < elements_.size(); ++i) {
        if (i) out += "\n";
        out += std::to_string(i + 1) + ") " + elements_[i].ToString();
      }
      return out;
    }
  }
  return "";
}

}  // namespace vigil::client
