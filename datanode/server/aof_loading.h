#pragma once
// AofLoading: loads the AOF files listed by the manifest into the Service a slice at a time, so
// the server keeps answering (-LOADING, INFO, PING) between slices, as Redis's
// processEventsWhileBlocked does every 1024 commands. The RDB preamble of a base file is loaded
// in one go through the RDB loader; the RESP part through AofReplayer.
//
// A truncated tail is accepted only in the last file and only with aof-load-truncated yes: the
// file is then cut at the last complete command, with Redis's warnings.
#include <spdlog/logger.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datanode/config/datanode_config.h"
#include "datanode/persistence/aof_loader.h"
#include "datanode/server/aof_manager.h"
#include "datanode/service/service.h"

namespace vigil::datanode {

class AofLoading {
 public:
  enum class Progress { kMore, kDone, kFailed };

  AofLoading(const DatanodeConfig* config, Service* service, spdlog::logger* log,
             std::vector<AofLoadItem> items);
  ~AofLoading();

  // Does one slice of work.
  Progress Step(int64_t now_ms);
  // Opens the first file before the event loop runs. An RDB-preamble base loads here with
  // `pump` called every few MB, so clients are answered (-LOADING) during the bulk of the load;
  // inside the loop that is impossible (libevent loops do not nest).
  Status Prime(int64_t now_ms, std::function<void()> pump);
  const std::string& error() const { return error_; }
  int64_t commands() const { return commands_; }
  // Once done: the replication position the loaded data ends at, when the last file ends
  // exactly at a replication mark (aof_repl_mark.h); nullopt otherwise.
  std::optional<ReplPosition> ResumablePosition() const {
    return data_after_mark_ ? std::nullopt : mark_;
  }

 private:
  Status OpenNext(int64_t now_ms, std::function<void()> pump = nullptr);
  Status FinishFile();
  void CloseFile();

  const DatanodeConfig* config_;
  Service* service_;
  spdlog::logger* log_;
  std::vector<AofLoadItem> items_;
  size_t next_ = 0;
  const AofLoadItem* current_ = nullptr;
  int fd_ = -1;
  bool eof_ = false;
  std::unique_ptr<AofReplayer> replayer_;
  std::string buf_;
  size_t pos_ = 0;
  size_t read_size_ = 0;
  int64_t commands_ = 0;
  std::optional<ReplPosition> mark_;
  bool data_after_mark_ = false;
  std::string error_;
};

}  // namespace vigil::datanode
