#pragma once
// An RDB stream over a file descriptor (not owned): FdSink takes the writer's output to a
// snapshot file, an AOF base or a replica's socket, written whole across short writes and EINTR;
// FdSource feeds the loader from a file or the master's socket. The only RDB code that touches a
// descriptor, so the persistence formats stay pure.
#include <string>
#include <string_view>

#include "datanode/persistence/rdb_loader.h"
#include "datanode/persistence/rdb_writer.h"

namespace vigil::datanode {

class FdSink final : public Sink {
 public:
  // `error_prefix` starts the error text, so each caller reports failures in its own words
  // (Redis's "Write error saving DB on disk: " for snapshots).
  FdSink(int fd, std::string error_prefix) : fd_(fd), error_prefix_(std::move(error_prefix)) {}
  Status Write(std::string_view data) override;

 private:
  int fd_;
  std::string error_prefix_;
};

class FdSource final : public Source {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  Result<size_t> Read(char* dst, size_t n) override;

 private:
  int fd_;
};

}  // namespace vigil::datanode
