#include "datanode/persistence/aof_loader.h"

#include <strings.h>

#include "datanode/persistence/aof_record.h"

namespace vigil::datanode {
namespace {

// Session ids far above any client id; the loader's session is never listed.
constexpr uint64_t kLoaderSessionId = uint64_t(1) << 62;

bool EqualsNoCase(std::string_view a, const char* b) {
  return a.size() == std::char_traits<char>::length(b) && strncasecmp(a.data(), b, a.size()) == 0;
}

}  // namespace

AofReplayer::AofReplayer(Service* service, std::string file_name, int64_t start_offset)
    : service_(service), file_name_(std::move(file_name)), offset_(start_offset) {
  session_.id = kLoaderSessionId;
  session_.addr = "aof";
  session_.name = "aof-loader";
  session_.is_master_link = true;  // the privileges of replicated traffic
  session_.authenticated = true;
}

AofReplayer::~AofReplayer() = default;

Status AofReplayer::Feed(std::string_view data, size_t max_commands, size_t* consumed) {
  size_t pos = 0;
  std::vector<std::string_view> args;
  std::string error;
  size_t done = 0;
  while (done < max_commands && pos < data.size()) {
    size_t used = 0;
    AofParse st = ParseAofRecord(data.substr(pos), &used, &args, &error);
    if (st == AofParse::kNeedMore) break;
    const int64_t record_start = offset_ + int64_t(pos);
    if (st == AofParse::kBad) {
      *consumed = pos;
      offset_ = record_start;
      return Status::Error("Bad file format reading the append only file " + file_name_ +
                           " at offset " + std::to_string(record_start) + ": " + error +
                           ": make a backup of your AOF file, then use ./redis-check-aof --fix "
                           "<filename.manifest>");
    }
    pos += used;
    if (args.empty()) {  // an annotation
      if (std::optional<ReplPosition> mark = ParseAofReplMark(data.substr(pos - used, used))) {
        last_mark_ = std::move(mark);
        commands_after_mark_ = 0;
      }
      continue;
    }
    Status s = Replay(args, record_start);
    if (!s.ok()) {
      *consumed = pos - used;
      offset_ = record_start;
      return s;
    }
    ++done;
  }
  *consumed = pos;
  offset_ += int64_t(pos);
  return Status::Ok();
}

Status AofReplayer::Replay(const std::vector<std::string_view>& args, int64_t record_start) {
  if (service_->commands().Find(args[0]) == nullptr) {
    return Status::Error("Unknown command '" + std::string(args[0].substr(0, 128)) +
                         "' reading the append only file " + file_name_ + " at offset " +
                         std::to_string(record_start));
  }
  if (argv_.size() < args.size()) argv_.resize(args.size());
  for (size_t i = 0; i < args.size(); ++i) argv_[i].assign(args[i].data(), args[i].size());
  if (EqualsNoCase(args[0], "multi")) multi_start_ = record_start;
  service_->Execute(session_, argv_, args.size());
  if (!session_.in_multi) multi_start_ = -1;
  session_.out.clear();
  ++commands_;
  ++commands_after_mark_;
  if (after_command_) after_command_();
  return Status::Ok();
}

AofFileEnd AofReplayer::Finish(size_t leftover) const {
  AofFileEnd end;
  end.size = offset_ + int64_t(leftover);
  end.valid_up_to = offset_;
  if (session_.in_multi && multi_start_ >= 0) {
    end.truncated = true;
    end.open_multi = true;
    end.valid_up_to = multi_start_;
  } else if (leftover > 0) {
    end.truncated = true;
  }
  return end;
}

}  // namespace vigil::datanode
