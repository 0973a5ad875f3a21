#pragma once
// The replication mark Vigil writes into its AOF: an annotation line
//
//   #VIGIL-REPL <replid> <offset>\r\n
//
// after each batch of commands written while the node replicates (a replica, or a master with
// a backlog). It says: everything in the files up to here is the replication stream of <replid>
// up to <offset>. A node restarted from its AOF whose last file ends exactly at a mark can ask
// its master to continue from <offset> + 1, as a node restarted from an RDB does with the RDB's
// repl-id and repl-offset fields, instead of a full resync. Redis 7.0 skips annotation lines
// when it loads an AOF (as it does its own #TS: ones), so the files stay loadable by redis-server.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "datanode/replication/replica_fsm.h"

namespace vigil::datanode {

std::string FormatAofReplMark(const ReplPosition& position);
// The position of a mark line (with or without its line end), or nullopt when the line is
// another annotation or malformed.
std::optional<ReplPosition> ParseAofReplMark(std::string_view line);

}  // namespace vigil::datanode
