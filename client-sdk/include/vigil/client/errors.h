#pragma once
// How libvigil-client reports failure. The rule, for every public call: no exception is thrown;
// a call returns Result<T>, which holds either the value or an Error. A reply the server sent,
// error replies included, is a value for Command()/Pipeline() (see Reply::is_error()); the typed
// helpers (Get, Set, ...) turn an error reply into Error{ErrorCode::kServerError}.
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vigil::client {

enum class ErrorCode {
  kInvalidArgument,   // bad options or an empty command
  kNoSentinel,        // no configured or learned sentinel answered
  kUnknownMaster,     // the sentinels that answered do not monitor this master name
  kNoMaster,          // sentinels answered, but no address they named verified as master
  kConnection,        // connecting to or talking with a data node failed
  kTimeout,           // a data node did not answer within command_timeout
  kDeadlineExceeded,  // the call's total deadline passed before a reply (the message says why)
  kServerError,       // typed helpers only: the server answered with an error reply
  kUnexpectedReply,   // typed helpers only: a reply of an unexpected type
};

// A short stable name ("deadline_exceeded"), for logs and tests.
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kConnection;
  std::string message;

  // "<code name>: <message>"
  std::string ToString() const;
};

// Either a T or an Error. Requires: value() only when ok(), error() only when !ok().
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design, like std::expected
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace vigil::client
