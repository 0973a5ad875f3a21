#include "datanode/store/free_effort.h"

#include "datanode/store/hash_value.h"
#include "datanode/store/list_value.h"
#include "datanode/store/set_value.h"
#include "datanode/store/stream_value.h"
#include "datanode/store/zset_value.h"

namespace vigil::datanode {

size_t FreeEffort(const Entry& e) {
  switch (e.type()) {
    case ObjType::kString:
      return 1;
    case ObjType::kList:
      // Redis counts quicklist nodes, each one allocation. Our list has no nodes: it frees
      // element by element, so the elements are what the work is proportional to.
      return e.list()->size();
    case ObjType::kSet:
      return e.set()->encoding() == Encoding::kHashtable ? e.set()->size() : 1;
    case ObjType::kHash:
      return e.hash()->encoding() == Encoding::kHashtable ? e.hash()->size() : 1;
    case ObjType::kZSet:
      return e.zset()->encoding() == Encoding::kSkiplist ? e.zset()->size() : 1;
    case ObjType::kStream: {
      const StreamValue& s = *e.stream();
      size_t effort = s.nodes().size();
      // Walking every group's PEL would make this linear; Redis takes the first group's PEL
      // as typical of all of them, and so do we.
      if (!s.groups().empty()) {
        effort += s.groups().size() * (1 + s.groups().begin()->second.pel.size());
      }
      return effort;
    }
  }
  return 1;
}

}  // namespace vigil::datanode
