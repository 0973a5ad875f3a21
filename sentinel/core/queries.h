#pragma once
// The read-only SENTINEL subcommands rendered exactly as Redis 7.0 replies
// (docs/sentinel-behaviour.md, "Commands"): instance maps as flat arrays of bulk strings in Redis's
// field order, numbers included.
#include <string>
#include <utility>
#include <vector>

#include "common/resp/value.h"
#include "sentinel/core/admin_request.h"
#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

using FieldList = std::vector<std::pair<std::string, std::string>>;

// The instance map for a master, replica or sentinel.
FieldList DescribeFields(const CoreState& state, const MasterRecord& master,
                         const InstanceRecord& ri, MonoTime now);

// "s_down,master,disconnected,..." in Redis's flag order.
std::string FlagsOf(const CoreState& state, const MasterRecord& master, const InstanceRecord& ri);

resp::Value AnswerQuery(const CoreState& state, const AdminQuery& query, MonoTime now);

}  // namespace vigil::sentinel
