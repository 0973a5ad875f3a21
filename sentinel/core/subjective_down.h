#pragma once
// SDOWN (docs/sentinel-behaviour.md, "SDOWN"): this sentinel's own opinion that an instance is
// down, for every instance type. Also Redis's forced reconnects of stuck connections, which live in
// the same check.
#include "sentinel/core/core_state.h"

namespace vigil::sentinel {

// Why an instance counts as down right now, or kNone.
enum class DownReason { kNone, kNoValidReply, kMasterReportsSlave, kRebootedTooLong };

DownReason SubjectiveDownReason(const CoreState& state, const MasterRecord& master,
                                const InstanceRecord& ri, const Link& link);

// Updates ri.s_down and emits +sdown / -sdown. Returns true when SDOWN began in this call.
bool CheckSubjectivelyDown(CoreState& state, MasterRecord& master, InstanceRecord& ri);

}  // namespace vigil::sentinel
