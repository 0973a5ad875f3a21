#include "common/fs/file_system.h"

namespace vigil {

Result<std::string> MemoryFileSystem::ReadFile(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return Status::Error("No such file or directory");
  return it->second;
}

Status MemoryFileSystem::ReplaceFile(const std::string& path, std::string_view content) {
  files_[path] = std::string(content);
  return Status::Ok();
}

}  // namespace vigil
