#include "datanode/commands/redis_command_info.h"

#include <string_view>

namespace vigil::datanode {

const std::map<std::string, resp::Value>& RedisCommandInfo() {
  static const std::map<std::string, resp::Value> table = [] {
    std::map<std::string, resp::Value> m;
    auto add = [&m](const char* name, std::string_view raw) {
      resp::ReplyParser parser;
      resp::Value v;
      size_t used = 0;
      if (parser.Parse(raw, &used, &v) == resp::ReplyParser::Status::kValue)
        m.emplace(name, std::move(v));
    };
#define VIGIL_REDIS_COMMAND_INFO(name, raw) add(name, raw);
#include "datanode/commands/redis_command_info.inc"
#undef VIGIL_REDIS_COMMAND_INFO
    return m;
  }();
  return table;
}

}  // namespace vigil::datanode
