#pragma once
// `vigil-datanode --check-aof [--fix] <file.manifest|file.aof>`: redis-check-aof 7.0 for Vigil.
// Checks the base (RDB preamble through the RDB loader in validation mode, then the RESP tail)
// and every incr file of a manifest, or one single-file AOF; prints redis-check-aof's report
// and, with --fix, truncates the last file at its last valid command after asking on stdin.
#include <string>
#include <vector>

namespace vigil::datanode {

// `args` are the words after --check-aof. Returns the process exit code.
int RunCheckAof(const std::vector<std::string>& args);

}  // namespace vigil::datanode
