#include "datanode/replication/stream_data_mark.h"

#include "common/base/ascii_case.h"

namespace vigil::datanode {

bool CarriesNoData(std::string_view name) {
  return EqualsIgnoreCase(name, "ping") || EqualsIgnoreCase(name, "replconf") ||
         EqualsIgnoreCase(name, "select") || EqualsIgnoreCase(name, "publish");
}

}  // namespace vigil::datanode
