#include "common/base/process_title.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

std::optional<std::string> Lookup(const std::string& name) {
  if (name == "title") return "bin/vigil-datanode";
  if (name == "listen-addr") return "127.0.0.1:6379";
  if (name == "server-mode") return "";
  return std::nullopt;
}

TEST(ProcessTitle, TemplatesExpandAsRedisAndAreTrimmed) {
  EXPECT_EQ(ExpandProcTitleTemplate("{title} {listen-addr} {server-mode}", Lookup),
            "bin/vigil-datanode 127.0.0.1:6379");
  EXPECT_EQ(ExpandProcTitleTemplate("  x{{y} {title}", Lookup), "x{y} bin/vigil-datanode");
  EXPECT_EQ(ExpandProcTitleTemplate("", Lookup), "");
  EXPECT_EQ(ExpandProcTitleTemplate("{invalid-var}", Lookup), std::nullopt);
  EXPECT_EQ(ExpandProcTitleTemplate("{title", Lookup), std::nullopt);
  EXPECT_EQ(ExpandProcTitleTemplate("title {", Lookup), std::nullopt);
}

}  // namespace
}  // namespace vigil
