#pragma once
// Where a sentinel's PersistentState goes. A classic sentinel.conf is rewritten in place the
// Redis way; a TOML config is never touched and the state goes to a TOML state file beside it
// (so a read-only config, such as a Kubernetes ConfigMap, works). Both write atomically
// (temp file, fsync, rename, fsync of the directory).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "sentinel/core/core_options.h"
#include "sentinel/core/persistent_state.h"
#include "sentinel/shell/sentinel_config.h"

namespace vigil::sentinel {

class StateStore {
 public:
  virtual ~StateStore() = default;
  // Makes `state` durable. On error nothing is replaced.
  virtual Status Save(const PersistentState& state) = 0;
  // The file written, for logs.
  virtual const std::string& path() const = 0;
};

// Rewrites the classic config at `config.file.path`.
std::unique_ptr<StateStore> MakeClassicConfigStore(const SentinelConfig& config);

// Writes `state_path` (TOML). `file_masters` are the masters of the TOML config, recorded with
// each master so a later edit of the config file can be told apart from stale state.
std::unique_ptr<StateStore> MakeTomlStateStore(std::string state_path,
                                               std::vector<MasterConfig> file_masters);

// "<dir>/<stem>.state.toml" beside a TOML config, unless `state_file` names one (relative to
// the config's directory).
std::string StateFilePathFor(const std::string& config_path, const std::string& state_file);

// The TOML state file's contents.
std::string RenderStateFile(const PersistentState& state,
                            const std::vector<MasterConfig>& file_masters);

struct SavedState {
  PersistentState state;
  // Per master: the config-file settings the state was based on ("" for SENTINEL MONITOR ones).
  std::vector<std::pair<std::string, std::string>> origins;
  // Config-file masters removed by SENTINEL REMOVE → the settings fingerprint they had then.
  std::map<std::string, std::string> removed;
};
// Parses a state file; nullopt when it does not exist.
Result<std::optional<SavedState>> LoadStateFile(const std::string& path);

// The state to start from, for a TOML config: the state file's masters (with their epochs and
// known instances), where a master whose config-file settings changed since takes the new
// settings, a config-file master not in the state file is added, and a master that came from
// the config file but is no longer in it is dropped. MONITOR-added masters stay. A config-file
// master removed with SENTINEL REMOVE stays removed until its declaration in the file changes.
PersistentState MergeTomlState(const SentinelConfig& config,
                               const std::optional<SavedState>& saved);

// Fingerprint of a master's settings as given by a config file (address excluded).
std::string SettingsFingerprint(const MasterConfig& c);

}  // namespace vigil::sentinel
