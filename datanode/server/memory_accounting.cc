// used_memory as Vigil reports it: the allocator's bytes in use (glibc mallinfo2), the closest
// equivalent of Redis's zmalloc counter without wrapping every allocation.
#include <malloc.h>

#include <fstream>

#include "datanode/server/server.h"

namespace vigil::datanode {

int64_t AllocatorUsedBytes() {
  struct mallinfo2 mi = mallinfo2();
  return int64_t(mi.uordblks + mi.hblkhd);
}

int64_t ProcessRssBytes() {
  std::ifstream in("/proc/self/statm");
  int64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * 4096;
}

}  // namespace vigil::datanode
