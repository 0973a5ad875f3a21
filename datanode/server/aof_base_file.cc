#include "datanode/server/aof_base_file.h"

#include <algorithm>

#include "datanode/persistence/aof_rewrite.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/persistence/rdb_writer.h"
#include "datanode/server/aof_fs.h"
#include "datanode/server/fd_stream.h"

namespace vigil::datanode {

Status WriteAofBase(int fd, Service& service, bool rdb_preamble, int64_t now_ms,
                    std::function<void(size_t)> progress, size_t progress_every) {
  if (rdb_preamble) {
    RdbAuxInfo aux;
    aux.ctime_s = now_ms / 1000;
    aux.used_mem = service.used_memory();
    aux.aof_base = true;
    aux.functions = service.functions().Codes();
    RdbWriteOptions opts;
    opts.compression = service.config().rdbcompression;
    opts.checksum = service.config().rdbchecksum;
    opts.now_ms = now_ms;
    opts.list_max_listpack_size = service.config().list_max_listpack_size;
    opts.progress = std::move(progress);
    opts.progress_every_keys = progress_every;
    FdSink sink(fd, "");
    return WriteRdb(service.keyspace(), aux, opts, &sink);
  }
  Status st;
  if (service.config().aof_timestamp_enabled) {
    // Redis opens an AOF-format base file with the time it was written.
    const std::string ts = "#TS:" + std::to_string(now_ms / 1000) + "\r\n";
    st = aof_fs::WriteAll(fd, ts.data(), ts.size(), nullptr);
    if (!st.ok()) return st;
  }
  const std::string functions = FunctionLoadCommands(service.functions().Codes());
  if (!functions.empty()) {
    st = aof_fs::WriteAll(fd, functions.data(), functions.size(), nullptr);
    if (!st.ok()) return st;
  }
  bool ok = RewriteKeyspaceAsCommands(service.keyspace(), now_ms, [&](std::string_view data) {
    st = aof_fs::WriteAll(fd, data.data(), data.size(), nullptr);
    return st.ok();
  });
  return ok ? Status::Ok() : st;
}

Result<int64_t> LoadAofRdbPreamble(int fd, Service& service, int64_t now_ms,
                                   std::function<void()> pump) {
  FdSource source(fd);
  RdbLoadOptions opts;
  opts.now_ms = now_ms;
  opts.drop_expired = false;  // an AOF base keeps them, as Redis does
  opts.limits = LimitsFromConfig(service.config());
  if (pump) {
    opts.progress_every_bytes = uint64_t(
        std::max<int64_t>(64 * 1024, service.config().loading_process_events_interval_bytes));
    opts.progress = [&pump](uint64_t) { pump(); };
  }
  RdbLoadResult result;
  Status st = LoadRdb(&source, opts, &service.keyspace(), &result);
  if (st.ok()) st = service.LoadSnapshotFunctions(result.functions);
  if (!st.ok()) return st;
  return int64_t(result.bytes_read);
}

}  // namespace vigil::datanode
