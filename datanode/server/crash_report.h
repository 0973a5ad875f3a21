#pragma once
// Redis's crash report: on SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT the log gets a
// "REDIS BUG REPORT" block (the signal, the faulting address, who sent it, a stack trace) and the
// process then dies of the same signal, so core dumps and exit statuses stay what they were.
// Tools and Redis's test suite look for "crashed by signal" and "STACK TRACE" in the log.
#include <string>

namespace vigil::datanode {

// `logfile` as configured ("" = stdout). Installs nothing when crash-log-enabled is no.
void InstallCrashReport(const std::string& logfile, bool enabled);

}  // namespace vigil::datanode
