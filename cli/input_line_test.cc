#include "cli/input_line.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

using Kind = InputLine::Kind;

struct SplitCase {
  std::string line;
  Kind kind;
  int64_t repeat;
  std::vector<std::string> argv;
};

TEST(InputLineTest, SplitsAndClassifiesLikeRedisCli) {
  const std::vector<SplitCase> cases = {
      {"", Kind::kEmpty, 1, {}},
      {"   \t ", Kind::kEmpty, 1, {}},
      {"PING", Kind::kCommand, 1, {"PING"}},
      {"  set  k   v ", Kind::kCommand, 1, {"set", "k", "v"}},
      {R"(set k "a b")", Kind::kCommand, 1, {"set", "k", "a b"}},
      {R"(set k "\x41\n\t\"\\")", Kind::kCommand, 1, {"set", "k", "A\n\t\"\\"}},
      {R"(set k "\xZZ")", Kind::kCommand, 1, {"set", "k", "xZZ"}},
      {R"(set k 'it\'s "raw" \n')", Kind::kCommand, 1, {"set", "k", "it's \"raw\" \\n"}},
      {R"(set k "")", Kind::kCommand, 1, {"set", "k", ""}},
      {R"(set k "unterminated)", Kind::kInvalid, 1, {}},
      {R"(set k 'unterminated)", Kind::kInvalid, 1, {}},
      {R"(set k "a"b)", Kind::kInvalid, 1, {}},
      {"3 INCR x", Kind::kCommand, 3, {"INCR", "x"}},
      {"3", Kind::kCommand, 1, {"3"}},
      {"0 PING", Kind::kBadRepeat, 0, {}},
      {"-2 PING", Kind::kBadRepeat, -2, {}},
      {"3x PING", Kind::kCommand, 1, {"3x", "PING"}},
      {"quit", Kind::kQuit, 1, {"quit"}},
      {"EXIT", Kind::kQuit, 1, {"EXIT"}},
      {"connect 127.0.0.1 7000", Kind::kConnect, 1, {"connect", "127.0.0.1", "7000"}},
      {"connect 127.0.0.1", Kind::kCommand, 1, {"connect", "127.0.0.1"}},
      {"clear", Kind::kClear, 1, {"clear"}},
      {"help set", Kind::kHelp, 1, {"help", "set"}},
      {"?", Kind::kHelp, 1, {"?"}},
  };
  for (const auto& c : cases) {
    InputLine in = ParseInputLine(c.line);
    EXPECT_EQ(in.kind, c.kind) << c.line;
    if (c.kind == Kind::kCommand || c.kind == Kind::kBadRepeat) {
      EXPECT_EQ(in.repeat, c.repeat) << c.line;
    }
    if (c.kind != Kind::kBadRepeat && c.kind != Kind::kInvalid) {
      EXPECT_EQ(in.argv, c.argv) << c.line;
    }
  }
}

TEST(InputLineTest, KeepsSecretsOutOfHistory) {
  struct Case {
    std::vector<std::string> argv;
    bool sensitive;
  };
  const std::vector<Case> cases = {
      {{"AUTH", "pw"}, true},
      {{"auth", "user", "pw"}, true},
      {{"ACL", "SETUSER", "bob", ">pw"}, true},
      {{"CONFIG", "SET", "requirepass", "x"}, true},
      {{"config", "set", "masterauth", "x"}, true},
      {{"CONFIG", "SET", "maxmemory", "1mb"}, false},
      {{"HELLO", "3", "AUTH", "u", "p"}, true},
      {{"HELLO", "3", "SETNAME", "n", "AUTH", "u", "p"}, true},
      {{"HELLO", "3", "SETNAME", "n", "x"}, false},
      {{"MIGRATE", "h", "6379", "", "0", "5000", "AUTH", "pw", "KEYS", "a"}, true},
      {{"MIGRATE", "h", "6379", "", "0", "5000", "KEYS", "AUTH", "b"}, false},
      {{"GET", "auth"}, false},
  };
  for (const auto& c : cases) EXPECT_EQ(IsSensitiveCommand(c.argv), c.sensitive) << c.argv[0];
}

}  // namespace
}  // namespace vigil::cli
