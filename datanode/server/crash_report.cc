#include "datanode/server/crash_report.h"

#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "vigil/version.h"

namespace vigil::datanode {
namespace {

// Everything the handler needs is prepared here: it may only call async-signal-safe functions.
char g_logfile[4096];

void Put(int fd, const char* s) {
  (void)!::write(fd, s, std::strlen(s));
}

// The number formatting of snprintf is not async-signal-safe: a small decimal/hex writer.
void PutNum(int fd, unsigned long long v, int base = 10) {
  char buf[32];
  int i = sizeof(buf);
  buf[--i] = '\0';
  do {
    buf[--i] = "0123456789abcdef"[v % unsigned(base)];
    v /= unsigned(base);
  } while (v != 0 && i > 0);
  Put(fd, buf + i);
}

void Line(int fd, const char* text) {
  PutNum(fd, unsigned(::getpid()));
  Put(fd, ":M # ");
  Put(fd, text);
}

void OnFatalSignal(int sig, siginfo_t* info, void*) {
  int fd = STDOUT_FILENO;
  if (g_logfile[0] != '\0') fd = ::open(g_logfile, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) fd = STDERR_FILENO;
  Put(fd, "\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n");
  Line(fd, "Redis ");
  Put(fd, kRedisCompatVersion);
  Put(fd, " crashed by signal: ");
  PutNum(fd, unsigned(sig));
  Put(fd, ", si_code: ");
  PutNum(fd, unsigned(info->si_code));
  Put(fd, "\n");
  if (sig == SIGSEGV || sig == SIGBUS) {
    Line(fd, "Accessing address: 0x");
    PutNum(fd, reinterpret_cast<uintptr_t>(info->si_addr), 16);
    Put(fd, "\n");
  }
  if (info->si_code == SI_USER && info->si_pid != -1) {
    Line(fd, "Killed by PID: ");
    PutNum(fd, unsigned(info->si_pid));
    Put(fd, ", UID: ");
    PutNum(fd, info->si_uid);
    Put(fd, "\n");
  }
  Put(fd, "\n------ STACK TRACE ------\n\nBacktrace:\n");
  void* frames[100];
  int n = ::backtrace(frames, 100);
  ::backtrace_symbols_fd(frames, n, fd);
  Put(fd, "\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n\n");
  if (fd != STDOUT_FILENO && fd != STDERR_FILENO) ::close(fd);
  // The handler was reset on entry (SA_RESETHAND): dying of the same signal keeps the exit
  // status and the core dump a supervisor expects.
  ::raise(sig);
}

}  // namespace

void InstallCrashReport(const std::string& logfile, bool enabled) {
  if (!enabled) return;
  std::snprintf(g_logfile, sizeof(g_logfile), "%s", logfile.c_str());
  // backtrace() loads libgcc on its first call, which allocates: do it now, not in the handler.
  void* warm[1];
  (void)::backtrace(warm, 1);
  struct sigaction act {};
  sigemptyset(&act.sa_mask);
  act.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESETHAND;
  act.sa_sigaction = OnFatalSignal;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::sigaction(sig, &act, nullptr);
}

}  // namespace vigil::datanode
