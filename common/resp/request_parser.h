#pragma once
// Incremental parser for client requests: RESP multibulk (`*N\r\n$len\r\n...`) and inline
// commands, with Redis 7.0's limits and exact protocol error strings.
//
// The parser never copies a partial argument: it waits until a whole bulk is in the buffer, so
// the caller keeps unconsumed bytes and calls again with more. Header lines already parsed are
// consumed, so a large bulk arriving in pieces is not re-scanned from the start.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::resp {

struct ParserLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  bool authenticated = true;  // unauthenticated clients get tight limits, as in Redis
  bool is_master = false;     // the master link is exempt from proto-max-bulk-len
};

enum class ParseStatus {
  kNeedMore,  // consumed what it could; call again when more bytes arrive
  kRequest,   // argv holds a complete request
  kError,     // error() holds the protocol error text (without '-' and CRLF); close after reply
};

class RequestParser {
 public:
  static constexpr size_t kInlineMax = 64 * 1024;  // PROTO_INLINE_MAX_SIZE
  static constexpr int64_t kUnauthMaxArgs = 10;
  static constexpr int64_t kUnauthMaxBulk = 16384;

  // Parses at most one request from `data`. `*consumed` gets how many bytes were used. Empty
  // requests (`*0`, blank inline lines) are consumed silently and parsing continues with the next.
  // `argv` is reused between calls: its strings keep their capacity, so steady-state parsing
  // allocates nothing. Requires: after kError, no further calls (the connection closes).
  ParseStatus Parse(std::string_view data, const ParserLimits& limits, size_t* consumed,
                    std::vector<std::string>* argv);

  // Number of argv slots filled by the last kRequest (argv may be larger, for reuse).
  size_t argc() const { return argc_; }
  const std::string& error() const { return error_; }
  // True when the last kRequest was an inline command (replication treats "\n" specially).
  bool last_was_inline() const { return last_inline_; }
  // True when blank inline lines were skipped during the last call (a replica's keepalive).
  bool saw_blank_line() const { return saw_blank_; }
  // True while in the middle of a multibulk request.
  bool in_request() const { return remaining_ >= 0; }

 private:
  ParseStatus ParseInline(std::string_view data, size_t* pos, std::vector<std::string>* argv);
  ParseStatus Fail(std::string message);

  int64_t remaining_ = -1;  // bulks still expected in the current multibulk, -1 if none
  int64_t bulk_len_ = -1;   // length of the bulk whose header was read, -1 if none
  size_t argc_ = 0;
  bool last_inline_ = false;
  bool saw_blank_ = false;
  std::string error_;
};

// Splits an inline command line like Redis's sdssplitargs: whitespace separated, with "..."
// (escapes \n \r \t \b \a \\ \" \xHH) and '...' (escape \') quoting. Returns false on
// unbalanced quotes or a closing quote not followed by whitespace.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out, size_t* argc);

}  // namespace vigil::resp
