#include "cli/edit_buffer.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

using Outcome = EditBuffer::Outcome;

// Types `bytes` into a fresh buffer; returns the outcome of the last key.
Outcome Type(EditBuffer* b, const std::string& bytes) {
  KeyDecoder decoder;
  std::vector<Key> keys;
  decoder.Feed(bytes, &keys);
  Outcome last = Outcome::kContinue;
  for (const Key& k : keys) last = b->Apply(k);
  return last;
}

struct EditCase {
  const char* name;
  std::string typed;
  std::string text;
  size_t cursor;
};

TEST(EditBufferTest, EditsTheLine) {
  const std::vector<EditCase> cases = {
      {"insert", "get k", "get k", 5},
      {"backspace", "gett\x7f k", "get k", 5},
      {"ctrl_h", "gett\x08 k", "get k", 5},
      {"left_insert", "gt\x1b[De", "get", 2},
      {"ss3_left", "gt\x1bODe", "get", 2},
      {"right_at_end", "ab\x1b[C\x1b[C", "ab", 2},
      {"left_at_start", "\x1b[Dab", "ab", 2},
      {"home_end", "bc\x1b[Ha\x1b[Fd", "abcd", 4},
      {"ctrl_a_ctrl_e",
       "bc\x01"
       "a\x05"
       "d",
       "abcd", 4},
      {"tilde_home", "bc\x1b[1~a", "abc", 1},
      {"delete", "abc\x1b[D\x1b[D\x1b[3~", "ac", 1},
      {"ctrl_d_deletes_when_not_empty", "abc\x01\x04", "bc", 0},
      {"kill_line", "abc\x15x", "x", 1},
      {"kill_to_end", "abcd\x1b[D\x1b[D\x0b", "ab", 2},
      {"backspace_at_start", "\x7f\x7f", "", 0},
  };
  History none;
  for (const auto& c : cases) {
    EditBuffer b(&none);
    EXPECT_EQ(Type(&b, c.typed), Outcome::kContinue) << c.name;
    EXPECT_EQ(b.text(), c.text) << c.name;
    EXPECT_EQ(b.cursor(), c.cursor) << c.name;
  }
}

TEST(EditBufferTest, EnterCtrlDAndCtrlCEndTheLine) {
  History none;
  EditBuffer a(&none);
  EXPECT_EQ(Type(&a, "ping\r"), Outcome::kSubmit);
  EXPECT_EQ(a.text(), "ping");
  EditBuffer b(&none);
  EXPECT_EQ(Type(&b, "\x04"), Outcome::kEndOfInput);
  EditBuffer c(&none);
  EXPECT_EQ(Type(&c, "abc\x03"), Outcome::kInterrupt);
  EditBuffer d(&none);
  EXPECT_EQ(Type(&d, "\x0c"), Outcome::kClearScreen);
}

TEST(EditBufferTest, UpAndDownWalkHistoryAndKeepTheDraft) {
  History h;
  h.Add("set k v");
  h.Add("get k");
  h.Add("get k");  // a repeated line is kept once
  ASSERT_EQ(h.lines().size(), 2u);
  EditBuffer b(&h);
  Type(&b, "dra");
  Type(&b, "\x1b[A");
  EXPECT_EQ(b.text(), "get k");
  EXPECT_EQ(b.cursor(), 5u);
  Type(&b, "\x1b[A\x1b[A");  // stays at the oldest line
  EXPECT_EQ(b.text(), "set k v");
  Type(&b, "\x1b[B");
  EXPECT_EQ(b.text(), "get k");
  Type(&b, "\x1b[B\x1b[B");
  EXPECT_EQ(b.text(), "dra");
  Type(&b, "\x10");  // Ctrl-P
  EXPECT_EQ(b.text(), "get k");
}

TEST(EditBufferTest, HistoryIsBounded) {
  History h;
  for (size_t i = 0; i < History::kMaxLines + 10; ++i) h.Add("cmd " + std::to_string(i));
  EXPECT_EQ(h.lines().size(), History::kMaxLines);
  EXPECT_EQ(h.lines().front(), "cmd 10");
}

TEST(EditBufferTest, DecoderKeepsSplitEscapeSequencesForTheNextRead) {
  KeyDecoder d;
  std::vector<Key> keys;
  d.Feed("a\x1b", &keys);
  ASSERT_EQ(keys.size(), 1u);
  d.Feed("[", &keys);
  ASSERT_EQ(keys.size(), 1u);
  d.Feed("A", &keys);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[1].code, Key::Code::kUp);
}

TEST(EditBufferTest, RenderLineRedrawsPromptTextAndCursor) {
  History none;
  EditBuffer b(&none);
  Type(&b, "get\x1b[D");
  EXPECT_EQ(RenderLine("> ", b), "\r> get\x1b[0K\r\x1b[4C");
  EditBuffer empty(&none);
  EXPECT_EQ(RenderLine("", empty), "\r\x1b[0K\r");
}

}  // namespace
}  // namespace vigil::cli
