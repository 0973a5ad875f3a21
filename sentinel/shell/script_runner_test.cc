#include "sentinel/shell/script_runner.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace vigil::sentinel {
namespace {

// Steps the runner's clock until `done` holds (at most `rounds` steps). Between steps it waits
// for each running script to exit, without reaping it (the runner does), instead of sleeping.
void RunUntil(ScriptRunner& r, MonoTime* now, Millis step, int rounds,
              const std::function<bool()>& done) {
  for (int i = 0; i < rounds && !done(); ++i) {
    *now += step;
    r.Run(*now, Millis(60000), Millis(30000));
    for (const auto& job : r.jobs()) {
      if (job.pid <= 0) continue;
      siginfo_t info{};
      ::waitid(P_PID, id_t(job.pid), &info, WEXITED | WNOWAIT);
    }
  }
}

TEST(ScriptRunner, SuccessFailureAndRetry) {
  std::vector<Event> events;
  ScriptRunner r([&](Event e) { events.push_back(e); });
  MonoTime now{0};
  r.Enqueue({"/bin/true"}, now);
  r.Enqueue({"/bin/sh", "-c", "exit 3"}, now);
  r.Enqueue({"/bin/false"}, now);  // exit 1: retried after 30 s
  RunUntil(r, &now, Millis(10), 100, [&] {
    return r.queue_length() == 1 && r.jobs()[0].pid == 0 && r.jobs()[0].retry_num == 1;
  });
  ASSERT_EQ(r.queue_length(), 1u);
  EXPECT_EQ(r.jobs()[0].argv[0], "/bin/false");
  EXPECT_EQ(r.jobs()[0].pid, 0);
  EXPECT_EQ(r.jobs()[0].retry_num, 1);
  bool saw_error = false;
  for (const Event& e : events)
    saw_error |= e.type == "-script-error" && e.message == "/bin/sh 0 3";
  EXPECT_TRUE(saw_error);
}

TEST(ScriptRunner, NoDescriptorLeaks) {
  char path[] = "/tmp/vigil-fds-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ScriptRunner r([](Event) {});
  MonoTime now{0};
  std::string out = std::string(path) + ".out";
  r.Enqueue({"/bin/sh", "-c", "ls /proc/self/fd > " + out}, now);
  RunUntil(r, &now, Millis(10), 100, [&] { return r.queue_length() == 0; });
  FILE* f = std::fopen(out.c_str(), "r");
  ASSERT_NE(f, nullptr);
  int count = 0;
  char line[64];
  while (std::fgets(line, sizeof(line), f)) ++count;
  std::fclose(f);
  EXPECT_LE(count, 4);  // 0, 1, 2 and the fd ls opens for the directory
  ::close(fd);
  ::unlink(path);
  ::unlink(out.c_str());
}

}  // namespace
}  // namespace vigil::sentinel
