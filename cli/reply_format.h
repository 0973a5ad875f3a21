#pragma once
// Renders a reply as text exactly as redis-cli 7.0 prints it. Pure.
//
// redis-cli has two renderings: the human one it uses when stdout is a terminal ("TTY" or
// standard: `(integer) 1`, `(nil)`, quoted strings, numbered nested arrays) and the raw one
// (bare values, one per line) it uses for --raw and whenever stdout is not a terminal.
// A few commands whose replies are text meant to be read as-is (INFO, CLIENT LIST, ...) are
// printed raw even in the standard rendering.
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/value.h"

namespace vigil::cli {

enum class ReplyStyle { kStandard, kRaw };

// The standard rendering, every line ending in "\n". `prefix` is the indentation of nested
// elements (empty at the top level).
std::string FormatStandard(const resp::Value& v, std::string_view prefix = "");

// The raw rendering without the final newline: aggregates join their elements with "\n", map
// entries are "key value", nil is empty.
std::string FormatRaw(const resp::Value& v);

// What redis-cli writes for one reply: raw text is followed by "\n"; replies to commands that
// print as text (`raw_text_command`) are written raw, and in the standard style without the
// extra newline.
std::string FormatReply(const resp::Value& v, ReplyStyle style, bool raw_text_command);

// True for the commands whose reply redis-cli prints as text even in the standard style:
// INFO, LOLWUT, CLIENT LIST/INFO, MEMORY DOCTOR/MALLOC-STATS, CLUSTER NODES/INFO,
// LATENCY GRAPH/DOCTOR, DEBUG HTSTATS/HTSTATS-KEY/CLIENT-EVICTION, PROXY INFO.
bool IsRawTextCommand(const std::vector<std::string>& argv);

}  // namespace vigil::cli
