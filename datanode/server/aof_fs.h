#pragma once
// Small POSIX file helpers for the AOF shell: whole-file reads, durable replacement (temp file,
// fsync, rename, fsync of the directory) and sizes. Errors carry the path and strerror.
#include <cstdint>
#include <string>

#include "common/base/status.h"

namespace vigil::datanode::aof_fs {

std::string Join(const std::string& dir, const std::string& name);
bool Exists(const std::string& path);
bool IsDir(const std::string& path);
// -1 when the file does not exist.
int64_t FileSize(const std::string& path);
Result<std::string> ReadFile(const std::string& path);
// Writes `data` to `path` atomically and durably.
Status ReplaceFile(const std::string& path, const std::string& data);
Status FsyncDir(const std::string& dir);
Status MakeDir(const std::string& dir);
// Opens for appending (O_APPEND | O_CREAT, 0644). Returns the fd.
Result<int> OpenAppend(const std::string& path);
// write() all of `data`, retrying on EINTR and short writes. Returns bytes written before an
// error in *written.
Status WriteAll(int fd, const char* data, size_t len, size_t* written);
Status Truncate(const std::string& path, int64_t size);

}  // namespace vigil::datanode::aof_fs
