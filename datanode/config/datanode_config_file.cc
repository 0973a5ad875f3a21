// Loading a data node's config file and --name value overrides into the option registry. Two
// kinds of line are not options (CONFIG GET and SET know neither): ACL users and
// rename-command, kept aside for the ACL store and the command table.
#include <utility>

#include "common/resp/request_parser.h"
#include "datanode/config/datanode_config.h"

namespace vigil::datanode {

using config::OptionRegistry;

namespace {

// A `rename-command` line: CONFIG REWRITE keeps it as written; the service applies it to its
// command table at start-up.
Status AddRenameLine(const config::Directive& d, DatanodeConfig* config) {
  if (d.args.size() != 2) {
    return Status::Error(d.Where() + ": '" + d.Shown() + "': wrong number of arguments");
  }
  config->rename_lines.push_back(d);
  return Status::Ok();
}

// A `user <name> <rules...>` line (TOML: user = ["name", "rule", ...], or one string holding
// the whole line; several users as an array of such arrays).
Status AddUserLine(const config::Directive& d, DatanodeConfig* config) {
  config::Directive line = d;
  if (line.args.size() == 1 && line.args[0].find(' ') != std::string::npos) {
    std::vector<std::string> words;
    size_t argc = 0;
    if (!resp::SplitInlineArgs(line.args[0], &words, &argc)) {
      return Status::Error(d.Where() + ": 'user': unbalanced quotes");
    }
    line.args.assign(words.begin(), words.begin() + long(argc));
  }
  if (line.args.empty() || line.args[0].empty()) {
    return Status::Error(d.Where() + ": 'user': a user name is required");
  }
  if (config == nullptr) return Status::Error(d.Where() + ": unknown directive 'user'");
  config->user_lines.push_back(std::move(line));
  return Status::Ok();
}

Status ApplyLine(const config::Directive& d, OptionRegistry* registry, DatanodeConfig* config) {
  if (d.name == "user") return AddUserLine(d, config);
  if (d.name == "rename-command") return AddRenameLine(d, config);
  if (d.name == "loadmodule") {
    // Redis aborts start-up when a module does not load; here none ever does, so say why.
    return Status::Error(d.Where() + ": 'loadmodule': this server does not load Redis modules");
  }
  return registry->Apply(d);
}

}  // namespace

Status LoadDatanodeConfig(const std::string& path, const std::vector<config::Directive>& overrides,
                          OptionRegistry* registry, config::ConfigFile* file_out,
                          DatanodeConfig* config) {
  if (!path.empty()) {
    auto loaded = config::LoadConfigFile(path);
    if (!loaded.ok()) return loaded.status();
    *file_out = std::move(loaded).value();
    for (const auto& d : file_out->directives) {
      if (Status st = ApplyLine(d, registry, config); !st.ok()) return st;
    }
  }
  for (const auto& d : overrides) {
    if (Status st = ApplyLine(d, registry, config); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace vigil::datanode
