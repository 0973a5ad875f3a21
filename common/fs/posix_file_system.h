#pragma once
// PosixFileSystem: FileSystem on the real disk, for the process shells.
#include "common/fs/file_system.h"

namespace vigil {

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::string& path) override;
  // Temp file beside `path`, fsync, rename over `path`, fsync of the directory.
  Status ReplaceFile(const std::string& path, std::string_view content) override;
};

}  // namespace vigil
