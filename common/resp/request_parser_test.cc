#include "common/resp/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::resp {
namespace {

using Requests = std::vector<std::vector<std::string>>;

// Feeds `input` in pieces of `chunk` bytes, keeping unconsumed bytes as a server does, and
// returns every request parsed (or the error).
Requests FeedInChunks(const std::string& input, size_t chunk, std::string* error = nullptr,
                      ParserLimits limits = {}) {
  RequestParser parser;
  std::vector<std::string> argv;
  std::string buffer;
  Requests out;
  for (size_t off = 0; off < input.size(); off += chunk) {
    buffer.append(input, off, chunk);
    while (true) {
      size_t used = 0;
      ParseStatus st = parser.Parse(buffer, limits, &used, &argv);
      buffer.erase(0, used);
      if (st == ParseStatus::kError) {
        if (error) *error = parser.error();
        return out;
      }
      if (st == ParseStatus::kNeedMore) break;
      out.emplace_back(argv.begin(), argv.begin() + long(parser.argc()));
    }
  }
  return out;
}

TEST(RequestParser, ParsesMultibulkAtEveryFragmentSize) {
  const std::string input =
      "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n*1\r\n$4\r\nPING\r\n"
      "*2\r\n$3\r\nGET\r\n$0\r\n\r\n";
  const Requests want = {{"SET", "key", "value"}, {"PING"}, {"GET", ""}};
  for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
    EXPECT_EQ(FeedInChunks(input, chunk), want) << "chunk=" << chunk;
  }
}

TEST(RequestParser, ParsesInlineAtEveryFragmentSize) {
  const std::string input = "PING\r\nSET k \"a b\\x41\\n\" 'it\\'s'\nECHO\t  x  \r\n";
  const Requests want = {{"PING"}, {"SET", "k", "a bA\n", "it's"}, {"ECHO", "x"}};
  for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
    EXPECT_EQ(FeedInChunks(input, chunk), want) << "chunk=" << chunk;
  }
}

TEST(RequestParser, BinarySafeBulksKeepCrLfAndNul) {
  std::string value("a\r\nb\0c", 6);
  std::string input = "*2\r\n$4\r\nECHO\r\n$6\r\n" + value + "\r\n";
  for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
    Requests r = FeedInChunks(input, chunk);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0][1], value);
  }
}

TEST(RequestParser, IgnoresEmptyMultibulkAndBlankLines) {
  EXPECT_EQ(FeedInChunks("*0\r\n*-1\r\n\r\n   \n*1\r\n$4\r\nPING\r\n", 3), Requests{{"PING"}});
}

TEST(RequestParser, RejectsNonBulkInsideMultibulk) {
  std::string err;
  FeedInChunks("*1\r\n:3\r\n", 100, &err);
  EXPECT_EQ(err, "Protocol error: expected '$', got ':'");
}

TEST(RequestParser, RejectsBadLengths) {
  std::string err;
  FeedInChunks("*abc\r\n", 100, &err);
  EXPECT_EQ(err, "Protocol error: invalid multibulk length");
  FeedInChunks("*1\r\n$x\r\n", 100, &err);
  EXPECT_EQ(err, "Protocol error: invalid bulk length");
  FeedInChunks("*1\r\n$-5\r\n", 100, &err);
  EXPECT_EQ(err, "Protocol error: invalid bulk length");
}

TEST(RequestParser, EnforcesProtoMaxBulkLen) {
  ParserLimits limits;
  limits.max_bulk_len = 1024 * 1024;
  std::string err;
  FeedInChunks("*1\r\n$2000000\r\n", 100, &err, limits);
  EXPECT_EQ(err, "Protocol error: invalid bulk length");
}

TEST(RequestParser, UnauthenticatedClientsGetTightLimits) {
  ParserLimits limits;
  limits.authenticated = false;
  std::string err;
  FeedInChunks("*11\r\n", 100, &err, limits);
  EXPECT_EQ(err, "Protocol error: unauthenticated multibulk length");
  FeedInChunks("*1\r\n$20000\r\n", 100, &err, limits);
  EXPECT_EQ(err, "Protocol error: unauthenticated bulk length");
}

TEST(RequestParser, UnbalancedQuotesAreAnError) {
  std::string err;
  FeedInChunks("SET k \"abc\r\n", 100, &err);
  EXPECT_EQ(err, "Protocol error: unbalanced quotes in request");
}

TEST(RequestParser, TooBigInlineRequest) {
  std::string err;
  FeedInChunks(std::string(70 * 1024, 'a'), 70 * 1024, &err);
  EXPECT_EQ(err, "Protocol error: too big inline request");
}

TEST(RequestParser, ThousandPipelinedRequestsInOnePacket) {
  std::string input;
  for (int i = 0; i < 1000; ++i)
    input += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(std::to_string(i).size()) + "\r\n" +
             std::to_string(i) + "\r\n";
  Requests r = FeedInChunks(input, input.size());
  ASSERT_EQ(r.size(), 1000u);
  EXPECT_EQ(r[999][1], "999");
}

}  // namespace
}  // namespace vigil::resp
