#include <unistd.h>

#include <gtest/gtest.h>

#include "common/fs/file_system.h"
#include "common/fs/posix_file_system.h"

namespace vigil {
namespace {

void ExpectReadAfterReplace(FileSystem& fs, const std::string& path) {
  Result<std::string> missing = fs.ReadFile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "No such file or directory");
  ASSERT_TRUE(fs.ReplaceFile(path, std::string("one\0two", 7)).ok());
  ASSERT_TRUE(fs.ReplaceFile(path, "second").ok());
  Result<std::string> got = fs.ReadFile(path);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value(), "second");
}

TEST(FileSystemTest, MemoryFilesReadBackWhatWasLastWritten) {
  MemoryFileSystem fs;
  ExpectReadAfterReplace(fs, "/data/users.acl");
  EXPECT_EQ(fs.files().size(), 1u);
}

TEST(FileSystemTest, PosixFilesReadBackWhatWasLastWrittenAndLeaveNoTempFile) {
  char dir[] = "/tmp/vigil-fs-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/f";
  PosixFileSystem fs;
  ExpectReadAfterReplace(fs, path);
  ::unlink(path.c_str());
  EXPECT_EQ(::rmdir(dir), 0);  // only the file was there: the temp file was renamed over it
}

}  // namespace
}  // namespace vigil
