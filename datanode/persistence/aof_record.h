#pragma once
// AOF records: commands as RESP multibulk arrays, byte-identical to what replicas receive, with a
// SELECT written whenever the database changes. Pure.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::datanode {

// Appends `*<argc>\r\n` and `$<len>\r\n<arg>\r\n` for each argument to `out`.
void AppendRespCommand(const std::vector<std::string>& argv, std::string* out);

// Renders a stream of (db, argv) as AOF records, inserting `SELECT <db>` when the database
// differs from the previous record's. Reset() forgets the current database, so the next record
// starts with a SELECT (done at the start of every new incr file, as Redis does).
class AofEncoder {
 public:
  void Append(int db, const std::vector<std::string>& argv, std::string* out);
  void Reset() { db_ = -1; }
  int db() const { return db_; }

 private:
  int db_ = -1;
};

enum class AofParse {
  kRecord,    // a whole record (or a `#` annotation line, with no args) was read
  kNeedMore,  // the data ends inside the record
  kBad,       // not an AOF record: *error says why
};

// Reads one record at the start of `data` as Redis 7.0's AOF loader does: only `*<argc>` arrays
// of `$<len>` bulks (argc >= 1), lines starting with `#` skipped, the CRLF after each bulk not
// validated. On kRecord, `*used` is the record's size and `args` views into `data`.
AofParse ParseAofRecord(std::string_view data, size_t* used, std::vector<std::string_view>* args,
                        std::string* error);

}  // namespace vigil::datanode
