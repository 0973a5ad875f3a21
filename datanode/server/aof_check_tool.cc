#include "datanode/server/aof_check_tool.h"

#include <cstdio>
#include <iostream>

#include "datanode/persistence/aof_check.h"
#include "datanode/persistence/aof_manifest.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/server/aof_fs.h"

namespace vigil::datanode {
namespace {

enum class Outcome { kValid, kTruncatable, kInvalid };

struct FileCheck {
  Outcome outcome = Outcome::kValid;
  AofCheckReport report;
};

// Validates an RDB preamble; returns its size or -1 after printing the error.
int64_t CheckRdbPreamble(const std::string& data) {
  StringSource source(data);
  RdbLoadOptions opts;
  opts.dry_run = true;
  opts.skip_unsupported = true;
  opts.drop_expired = false;
  Keyspace scratch(16, 1);
  RdbLoadResult result;
  Status st = LoadRdb(&source, opts, &scratch, &result);
  if (!st.ok()) {
    std::printf("RDB preamble of AOF file is not sane, aborting: %s\n", st.message().c_str());
    return -1;
  }
  std::printf("[offset %llu] \\o/ RDB looks OK! \\o/\n",
              static_cast<unsigned long long>(result.bytes_read));
  return int64_t(result.bytes_read);
}

FileCheck CheckFile(const std::string& path, const std::string& name, bool base) {
  FileCheck fc;
  auto data = aof_fs::ReadFile(path);
  if (!data.ok()) {
    std::printf("Cannot open file %s: %s\n", name.c_str(), data.error().c_str());
    fc.outcome = Outcome::kInvalid;
    return fc;
  }
  const std::string& bytes = data.value();
  int64_t start = 0;
  if (bytes.compare(0, 5, "REDIS") == 0) {
    if (base) std::printf("Start to check BASE AOF (RDB format).\n");
    start = CheckRdbPreamble(bytes);
    if (start < 0) {
      fc.outcome = Outcome::kInvalid;
      return fc;
    }
    std::printf("RDB preamble is OK, proceeding with AOF tail...\n");
  } else if (base) {
    std::printf("Start to check BASE AOF (AOF format).\n");
  }
  fc.report = CheckAofBytes(std::string_view(bytes).substr(size_t(start)), start);
  if (!fc.report.error.empty()) std::printf("%s\n", fc.report.error.c_str());
  if (!fc.report.valid()) fc.outcome = Outcome::kTruncatable;
  {
    std::printf(
        "AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, diff=%lld\n",
        name.c_str(), static_cast<long long>(fc.report.size),
        static_cast<long long>(fc.report.ok_up_to), static_cast<long long>(fc.report.ok_up_to_line),
        static_cast<long long>(fc.report.diff()));
  }
  return fc;
}

// Reports and, with --fix, truncates. Returns false when the file stays invalid.
bool Settle(const FileCheck& fc, const std::string& path, const std::string& name, bool fix,
            bool last, const char* kind) {
  if (fc.outcome == Outcome::kValid) {
    std::printf("%s %s is valid\n", kind, name.c_str());
    return true;
  }
  if (fc.outcome == Outcome::kInvalid) return false;
  if (!fix) {
    std::printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", name.c_str());
    return false;
  }
  if (!last) {
    std::printf("Failed to truncate AOF %s because it is not the last file\n", name.c_str());
    return false;
  }
  std::printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n",
              name.c_str(), static_cast<long long>(fc.report.size),
              static_cast<long long>(fc.report.diff()), static_cast<long long>(fc.report.ok_up_to));
  std::printf("Continue? [y/N]: ");
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer) || answer.empty() || (answer[0] != 'y' && answer[0] != 'Y')) {
    std::printf("Aborting...\n");
    return false;
  }
  Status st = aof_fs::Truncate(path, fc.report.ok_up_to);
  if (!st.ok()) {
    std::printf("Failed to truncate AOF %s: %s\n", name.c_str(), st.message().c_str());
    return false;
  }
  std::printf("Successfully truncated AOF %s\n", name.c_str());
  return true;
}

int CheckManifest(const std::string& path, bool fix) {
  auto text = aof_fs::ReadFile(path);
  if (!text.ok()) {
    std::printf("Cannot open file %s: %s\n", path.c_str(), text.error().c_str());
    return 1;
  }
  auto m = AofManifest::Parse(text.value());
  if (!m.ok()) {
    std::printf("Invalid AOF manifest file format: %s\n", m.error().c_str());
    return 1;
  }
  const std::string dir =
      path.rfind('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  std::printf("Start checking Multi Part AOF\n");
  const AofManifest& mf = m.value();
  if (mf.base) {
    const std::string p = aof_fs::Join(dir, mf.base->name);
    FileCheck fc = CheckFile(p, mf.base->name, true);
    if (!Settle(fc, p, mf.base->name, fix, mf.incrs.empty(), "BASE AOF")) return 1;
  }
  if (!mf.incrs.empty()) std::printf("Start to check INCR files.\n");
  for (size_t i = 0; i < mf.incrs.size(); ++i) {
    const std::string p = aof_fs::Join(dir, mf.incrs[i].name);
    FileCheck fc = CheckFile(p, mf.incrs[i].name, false);
    if (!Settle(fc, p, mf.incrs[i].name, fix, i + 1 == mf.incrs.size(), "INCR AOF")) return 1;
  }
  std::printf("All AOF files and manifest are valid\n");
  return 0;
}

}  // namespace

int RunCheckAof(const std::vector<std::string>& args) {
  bool fix = false;
  std::string path;
  for (const auto& a : args) {
    if (a == "--fix") {
      fix = true;
    } else if (path.empty()) {
      path = a;
    } else {
      path.clear();
      break;
    }
  }
  if (path.empty()) {
    std::printf("Usage: vigil-datanode --check-aof [--fix] <file.manifest|file.aof>\n");
    return 1;
  }
  if (path.size() > 9 && path.compare(path.size() - 9, 9, ".manifest") == 0) {
    return CheckManifest(path, fix);
  }
  std::printf("Start checking Old-Style AOF\n");
  std::string name = path.rfind('/') == std::string::npos ? path : path.substr(path.rfind('/') + 1);
  FileCheck fc = CheckFile(path, name, false);
  if (!Settle(fc, path, name, fix, true, "AOF")) return 1;
  return 0;
}

}  // namespace vigil::datanode
