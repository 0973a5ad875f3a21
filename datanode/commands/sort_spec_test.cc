#include "datanode/commands/sort_spec.h"

#include <gtest/gtest.h>

namespace vigil::datanode {
namespace {

std::string Parse(std::vector<std::string> args, SortSpec* spec, bool readonly = false,
                  bool full_access = true) {
  return ParseSortSpec(args, readonly, full_access, spec);
}

TEST(SortSpec, ParsesEveryOption) {
  SortSpec s;
  EXPECT_EQ(Parse({"SORT", "k", "by", "w_*", "limit", "1", "2", "get", "#", "GET", "o_*->f", "desc",
                   "alpha", "store", "dst"},
                  &s),
            "");
  EXPECT_TRUE(s.desc);
  EXPECT_TRUE(s.alpha);
  EXPECT_EQ(s.limit_offset, 1);
  EXPECT_EQ(s.limit_count, 2);
  EXPECT_EQ(*s.by, "w_*");
  EXPECT_FALSE(s.dont_sort);
  EXPECT_EQ(s.gets, (std::vector<std::string>{"#", "o_*->f"}));
  EXPECT_EQ(*s.store, "dst");
}

TEST(SortSpec, ConstantByMeansNoSortAndLastOptionWins) {
  SortSpec s;
  EXPECT_EQ(Parse({"SORT", "k", "BY", "nosort", "DESC", "ASC", "STORE", "a", "STORE", "b"}, &s),
            "");
  EXPECT_TRUE(s.dont_sort);
  EXPECT_FALSE(s.desc);
  EXPECT_EQ(*s.store, "b");
}

TEST(SortSpec, ErrorsFollowRedis) {
  SortSpec s;
  EXPECT_EQ(Parse({"SORT", "k", "LIMIT", "1"}, &s), "ERR syntax error");
  EXPECT_EQ(Parse({"SORT", "k", "LIMIT", "x", "1"}, &s),
            "ERR value is not an integer or out of range");
  EXPECT_EQ(Parse({"SORT", "k", "BY"}, &s), "ERR syntax error");
  EXPECT_EQ(Parse({"SORT", "k", "foo"}, &s), "ERR syntax error");
  EXPECT_EQ(Parse({"SORT_RO", "k", "STORE", "d"}, &s, /*readonly=*/true), "ERR syntax error");
  EXPECT_EQ(Parse({"SORT", "k", "BY", "w_*"}, &s, false, /*full_access=*/false),
            "ERR BY option of SORT denied due to insufficient ACL permissions.");
  SortSpec t;
  EXPECT_EQ(Parse({"SORT", "k", "BY", "nosort"}, &t, false, false), "");
  EXPECT_EQ(Parse({"SORT", "k", "GET", "#"}, &t, false, false),
            "ERR GET option of SORT denied due to insufficient ACL permissions.");
}

TEST(SortSpec, PatternsSubstituteTheFirstStar) {
  using Kind = SortPatternTarget::Kind;
  EXPECT_EQ(ResolveSortPattern("#", "x").kind, Kind::kElement);
  EXPECT_EQ(ResolveSortPattern("const", "x").kind, Kind::kNone);
  SortPatternTarget t = ResolveSortPattern("w_*_*", "3");
  EXPECT_EQ(t.kind, Kind::kKey);
  EXPECT_EQ(t.key, "w_3_*");
  t = ResolveSortPattern("h_*->field", "7");
  EXPECT_EQ(t.kind, Kind::kHashField);
  EXPECT_EQ(t.key, "h_7");
  EXPECT_EQ(t.field, "field");
  // A "->" with nothing after it is part of the key name.
  t = ResolveSortPattern("h_*->", "7");
  EXPECT_EQ(t.kind, Kind::kKey);
  EXPECT_EQ(t.key, "h_7->");
  // A "->" before the '*' is not a hash dereference.
  t = ResolveSortPattern("a->b*", "1");
  EXPECT_EQ(t.kind, Kind::kKey);
  EXPECT_EQ(t.key, "a->b1");
}

TEST(SortSpec, WeightsParseAsStrtod) {
  double d;
  EXPECT_TRUE(ParseSortWeight("1.5", &d));
  EXPECT_EQ(d, 1.5);
  EXPECT_TRUE(ParseSortWeight(" 2", &d));
  EXPECT_EQ(d, 2);
  EXPECT_TRUE(ParseSortWeight("", &d));
  EXPECT_EQ(d, 0);
  EXPECT_TRUE(ParseSortWeight("-inf", &d));
  EXPECT_FALSE(ParseSortWeight("nan", &d));
  EXPECT_FALSE(ParseSortWeight("1x", &d));
  EXPECT_FALSE(ParseSortWeight("1e999", &d));
}

TEST(SortSpec, WindowClampsAsRedis) {
  auto w = ComputeSortWindow(0, -1, 5);
  EXPECT_EQ(w.start, 0);
  EXPECT_EQ(w.end, 4);
  w = ComputeSortWindow(-10, 100, 5);
  EXPECT_EQ(w.size(), 5u);
  w = ComputeSortWindow(5, 10, 5);
  EXPECT_EQ(w.size(), 0u);
  w = ComputeSortWindow(1, 2, 5);
  EXPECT_EQ(w.start, 1);
  EXPECT_EQ(w.end, 2);
  w = ComputeSortWindow(0, 0, 5);
  EXPECT_EQ(w.size(), 0u);
  EXPECT_EQ(ComputeSortWindow(0, -1, 0).size(), 0u);
}

TEST(SortSpec, NumericTiesFallBackToTheElementAndDescReversesAll) {
  std::vector<SortItem> items = {{"b", 1, {}}, {"a", 1, {}}, {"c", 0, {}}};
  SortSpec s;
  SortItems(items, s);
  EXPECT_EQ(items[0].value, "c");
  EXPECT_EQ(items[1].value, "a");
  EXPECT_EQ(items[2].value, "b");
  s.desc = true;
  SortItems(items, s);
  EXPECT_EQ(items[0].value, "b");
  EXPECT_EQ(items[1].value, "a");
  EXPECT_EQ(items[2].value, "c");
}

TEST(SortSpec, AlphaByPutsMissingWeightsFirst) {
  std::vector<SortItem> items = {{"1", 0, "b"}, {"2", 0, std::nullopt}, {"3", 0, "a"}};
  SortSpec s;
  s.alpha = true;
  s.by = "w_*";
  SortItems(items, s);
  EXPECT_EQ(items[0].value, "2");
  EXPECT_EQ(items[1].value, "3");
  EXPECT_EQ(items[2].value, "1");
}

}  // namespace
}  // namespace vigil::datanode
