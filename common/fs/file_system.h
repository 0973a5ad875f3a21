#pragma once
// FileSystem: the seam between pure code that must read or replace a whole file (the ACL file
// today) and the disk. The process shells hand the pure code a PosixFileSystem; tests and the
// simulator hand it a MemoryFileSystem, so the same code runs with no real file and a simulated
// crash can keep or lose what was written.
#include <map>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace vigil {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // The whole file. The error text is the system's reason alone ("No such file or directory"),
  // so callers can frame it in Redis's words.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Replaces `path` with `content` atomically: a reader sees the old file or the new one, never
  // a mix, and the new one survives a crash once this returns Ok.
  virtual Status ReplaceFile(const std::string& path, std::string_view content) = 0;
};

// Files as a map from path to content. ReplaceFile is atomic by construction.
class MemoryFileSystem final : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::string& path) override;
  Status ReplaceFile(const std::string& path, std::string_view content) override;

  std::map<std::string, std::string>& files() { return files_; }

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace vigil
