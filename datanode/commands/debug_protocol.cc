// DEBUG PROTOCOL <type>: one fixed reply of each RESP type, as Redis 7.0 writes it in the
// session's protocol, so client libraries can test their parsers against a live server.
#include "datanode/commands/command_context.h"
#include "datanode/commands/debug_internal.h"

namespace vigil::datanode {

void DebugProtocol(CommandContext& ctx) {
  resp::ReplyWriter& w = ctx.reply;
  const bool resp3 = w.proto() >= 3;
  const std::string& name = ctx.arg(2);
  auto is = [&name](const char* word) { return EqualsIgnoreCase(name, word); };
  if (is("string")) {
    w.Bulk("Hello World");
  } else if (is("integer")) {
    w.Integer(12345);
  } else if (is("double")) {
    w.Double(3.141);
  } else if (is("bignum")) {
    const char* big = "1234567999999999999999999999999999999";
    if (resp3) {
      w.Raw("(");
      w.Raw(big);
      w.Raw("\r\n");
    } else {
      w.Bulk(big);
    }
  } else if (is("null")) {
    w.Null();
  } else if (is("array") || is("set")) {
    if (is("array")) {
      w.Array(3);
    } else {
      w.Set(3);
    }
    for (int j = 0; j < 3; ++j) w.Integer(j);
  } else if (is("map")) {
    w.Map(3);
    for (int j = 0; j < 3; ++j) {
      w.Integer(j);
      w.Bool(j == 1);
    }
  } else if (is("attrib")) {
    // An attribute is no reply by itself: RESP2 clients get only the reply that follows it.
    if (resp3) {
      w.Raw("|1\r\n");
      w.Bulk("key-popularity");
      w.Array(2);
      w.Bulk("key:123");
      w.Integer(90);
    }
    w.Bulk("Some real reply following the attribute");
  } else if (is("push")) {
    if (!resp3) return w.Error("ERR RESP2 is not supported by this command");
    w.Push(2);
    w.Bulk("server-cpu-usage");
    w.Integer(42);
    // The push is out of band: a normal reply follows so a blocking client gets its answer.
    w.Bulk("Some real reply following the push reply");
  } else if (is("true") || is("false")) {
    w.Bool(is("true"));
  } else if (is("verbatim")) {
    w.Verbatim("This is a verbatim\nstring", "txt");
  } else {
    w.Error(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

}  // namespace vigil::datanode
