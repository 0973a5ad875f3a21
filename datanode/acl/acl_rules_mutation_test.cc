// Seeded mutation test of the rule parser: random and mutated rules never crash it, a refused
// rule list changes nothing, and any user prints as rules that rebuild exactly that user (what
// ACL SAVE then ACL LOAD relies on).
#include <gtest/gtest.h>

#include "common/random/prng.h"
#include "datanode/acl/acl_rules.h"

namespace vigil::datanode {
namespace {

const char* const kSeeds[] = {"on",
                              "off",
                              "nopass",
                              "resetpass",
                              "reset",
                              ">pw",
                              "<pw",
                              "#",
                              "!",
                              "~*",
                              "~k*",
                              "%R~r*",
                              "%W~w*",
                              "%RW~b?",
                              "allkeys",
                              "resetkeys",
                              "&*",
                              "&ch*",
                              "allchannels",
                              "resetchannels",
                              "+get",
                              "-get",
                              "+@all",
                              "-@all",
                              "+@read",
                              "-@write",
                              "+@hash",
                              "-@dangerous",
                              "allcommands",
                              "nocommands",
                              "+config|get",
                              "-config|set",
                              "+select|0",
                              "+client",
                              "-client|kill",
                              "(+get ~k*)",
                              "(+@all ~* &x)",
                              "clearselectors",
                              "sanitize-payload",
                              "skip-sanitize-payload",
                              "+acl|whoami",
                              "-@slow",
                              "+@fast"};

std::string Mutate(Prng& rng, std::string s) {
  static const char kBytes[] = "~%&+-@|()<>#!*?[]^\\ \"'RWrw0aA\t\n";
  const int edits = int(rng.Uniform(4));
  for (int i = 0; i < edits; ++i) {
    const size_t at = s.empty() ? 0 : rng.Uniform(s.size() + 1);
    switch (rng.Uniform(4)) {
      case 0:  // insert a byte that means something to the parser
        s.insert(at, 1, kBytes[rng.Uniform(sizeof(kBytes) - 1)]);
        break;
      case 1:  // delete
        if (!s.empty()) s.erase(std::min(at, s.size() - 1), 1);
        break;
      case 2:  // any byte at all
        s.insert(at, 1, char(rng.Uniform(256)));
        break;
      default:  // glue another rule on
        s += kSeeds[rng.Uniform(std::size(kSeeds))];
        break;
    }
  }
  return s;
}

// Rules whose printed form parses back (no quotes, spaces or parentheses inside patterns:
// Redis cannot round-trip those either).
std::string SafeRule(Prng& rng) {
  std::string r = kSeeds[rng.Uniform(std::size(kSeeds))];
  if (r == "<pw" || r == "#" || r == "!") return "on";
  return r;
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t sp = text.find(' ', start);
    if (sp == std::string::npos) sp = text.size();
    if (sp > start) out.push_back(text.substr(start, sp - start));
    start = sp + 1;
  }
  return out;
}

TEST(AclRulesMutation, RandomRulesNeverCrashAndFailuresChangeNothing) {
  Prng rng(20240607);
  const AclCatalog& catalog = RedisAclCatalog();
  for (int round = 0; round < 3000; ++round) {
    AclUser u("u", &catalog, rng.Uniform(2) == 0);
    std::vector<std::string> rules;
    const int n = 1 + int(rng.Uniform(6));
    for (int i = 0; i < n; ++i)
      rules.push_back(Mutate(rng, kSeeds[rng.Uniform(std::size(kSeeds))]));
    const std::string before = u.Describe();
    const std::string err = AclApplyRules(&u, rules, rng.Uniform(2) == 0);
    if (!err.empty()) {
      EXPECT_EQ(u.Describe(), before) << "round " << round;
    }
    // Whatever was reached must be checkable and printable.
    int errpos = 0;
    std::vector<std::string> args{"set", "k", "v", "GET"};
    (void)u.Check(*catalog.Find("set"), args, &errpos);
    (void)u.Describe();
  }
}

TEST(AclRulesMutation, PrintedRulesRebuildTheSameUser) {
  Prng rng(77);
  const AclCatalog& catalog = RedisAclCatalog();
  for (int round = 0; round < 400; ++round) {
    AclUser u("u", &catalog, false);
    std::vector<std::string> rules;
    const int n = 1 + int(rng.Uniform(8));
    for (int i = 0; i < n; ++i) rules.push_back(SafeRule(rng));
    if (!AclApplyRules(&u, rules, false).empty()) continue;
    const std::string printed = u.Describe();
    AclUser rebuilt("u", &catalog, false);
    const std::vector<std::string> words = Words(printed);
    ASSERT_EQ(AclApplyRules(&rebuilt, words, false), "") << printed;
    EXPECT_EQ(rebuilt.Describe(), printed) << "from rules: " << ::testing::PrintToString(rules);
  }
}

}  // namespace
}  // namespace vigil::datanode
