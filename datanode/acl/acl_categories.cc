#include "datanode/acl/acl_categories.h"

#include "common/base/ascii_case.h"

namespace vigil::datanode {

uint64_t AclCategoryBit(std::string_view name) {
  for (size_t i = 0; i < kAclCategoryCount; ++i) {
    if (EqualsIgnoreCase(name, kAclCategoryNames[i])) return uint64_t(1) << i;
  }
  return 0;
}

}  // namespace vigil::datanode
