#pragma once
// Secrets in a request's arguments, replaced by "(redacted)" wherever a command is shown back
// (SLOWLOG, MONITOR): AUTH's password (and user), HELLO's AUTH pair, every ACL SETUSER
// argument, CONFIG SET of masterauth/masteruser/requirepass and MIGRATE's AUTH/AUTH2, as
// Redis's redactClientCommandArgument calls.
#include <string>
#include <vector>

namespace vigil::datanode {

void RedactSecrets(std::vector<std::string>& args);

}  // namespace vigil::datanode
