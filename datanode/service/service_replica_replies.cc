// A synced replica only ever sends REPLCONF on its link, and nothing it sends may be answered:
// a reply would land inside the replication stream the replica is parsing. Redis disconnects a
// replica whose command generated a reply (prepareClientToWrite's check), logging the command,
// and first logs any error it was about to send (afterErrorReply's "== CRITICAL ==" line).
// Monitors are flagged as replicas in Redis but are not of the replica type, so they are
// answered as usual.
#include "datanode/commands/client_info.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

std::string Service::LoggedCommandName(const std::vector<std::string>& argv, size_t argc) const {
  const CommandSpec* spec = argc > 0 ? table_->Find(argv[0]) : nullptr;
  if (spec == nullptr) return "<unknown>";
  if (spec->has_subcommands() && argc >= 2) {
    auto it = spec->subcommands.find(config::Lower(argv[1]));
    if (it != spec->subcommands.end()) return it->second.name;
  }
  return spec->name;
}

void Service::ExecuteOne(Session& s, const std::vector<std::string>& argv, size_t argc) {
  const bool replica = s.is_replica && !s.monitor;
  const size_t mark = s.out.size();
  ExecuteRequest(s, argv, argc);
  // REPLCONF is the link's own traffic: an ACK may release stream bytes held for this replica.
  if (!replica || s.out.size() == mark || config::Lower(argv[0]) == "replconf") return;
  const std::string name = LoggedCommandName(argv, argc);
  if (hooks_ != nullptr) {
    if (s.out[mark] == '-') {
      const size_t eol = s.out.find("\r\n", mark);
      const std::string error =
          s.out.substr(mark + 1, (eol == std::string::npos ? s.out.size() : eol) - mark - 1);
      hooks_->LogWarning("== CRITICAL == This master is sending an error to its replica: '" +
                         error + "' after processing the command '" + name + "'");
    }
    hooks_->LogWarning("Replica generated a reply to command '" + name +
                       "', disconnecting it: " + ClientInfoLine(s, now_ms_));
  }
  s.out.resize(mark);
  // The shell stops reading this connection and closes it once the stream queued before the
  // command has gone out, or at once when the session is not the one being served.
  s.close_after_reply = true;
  s.close_asap = true;
  NoteWoken(&s);
}

}  // namespace vigil::datanode
