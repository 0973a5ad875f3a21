#include "sentinel/shell/instance_links.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <vector>

namespace vigil::sentinel {
namespace {

// A listening socket on 127.0.0.1 with an ephemeral port (in *addr).
int ListenOnLoopback(int backlog, sockaddr_in* addr) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  *addr = sockaddr_in{};
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(addr), sizeof(*addr)), 0);
  EXPECT_EQ(::listen(fd, backlog), 0);
  socklen_t len = sizeof(*addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(addr), &len);
  return fd;
}

// A listener on 127.0.0.1 with an accept queue of one, already taken: the kernel drops further
// SYNs, as a partition does, until the queue is drained.
struct FullListener {
  int fd = -1;
  int port = 0;
  int filler = -1;

  FullListener() {
    sockaddr_in a{};
    fd = ListenOnLoopback(0, &a);
    port = ntohs(a.sin_port);
    filler = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_EQ(::connect(filler, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  }
  ~FullListener() {
    ::close(filler);
    ::close(fd);
  }
  void Drain() {
    int accepted = ::accept(fd, nullptr, nullptr);
    if (accepted >= 0) ::close(accepted);
  }
};

struct Rig {
  event_base* base = event_base_new();
  MonoTime now{0};
  std::vector<Input> inputs;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("links", std::make_shared<spdlog::sinks::null_sink_mt>());
  InstanceLinks links{base, [this](Input in) { inputs.push_back(std::move(in)); },
                      [this] { return now; }, log.get()};
  ~Rig() { event_base_free(base); }

  std::optional<Input> RunUntilInput(std::chrono::milliseconds bound) {
    const auto end = std::chrono::steady_clock::now() + bound;
    while (inputs.empty() && std::chrono::steady_clock::now() < end) {
      event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
    if (inputs.empty()) return std::nullopt;
    return inputs.front();
  }
};

// A SYN the network dropped is followed by a fresh one every redial period, so a healed link
// comes up long before the kernel's own retransmission (1 s) and the connect timeout.
TEST(InstanceLinks, UnansweredConnectRedialsAndTheFirstToConnectWins) {
  FullListener listener;
  Rig rig;
  rig.links.Connect(ConnectAction{
      1, Channel::kCommand, {"127.0.0.1", listener.port}, false, "", "", "sentinel-test-cmd"});
  EXPECT_FALSE(rig.RunUntilInput(std::chrono::milliseconds(50)).has_value());
  listener.Drain();  // the partition heals
  rig.now += kRedialPeriod;
  rig.links.Maintain();
  EXPECT_EQ(rig.links.redials_started(), 1u);
  // The kernel would resend the first SYN only after 1 s: well before that, the redial is up.
  std::optional<Input> in = rig.RunUntilInput(std::chrono::milliseconds(700));
  ASSERT_TRUE(in.has_value());
  ASSERT_TRUE(std::holds_alternative<LinkUp>(*in));
  EXPECT_EQ(std::get<LinkUp>(*in).conn, 1u);
  EXPECT_EQ(rig.links.open_connections(), 1u);
  rig.links.Maintain();  // frees the losing attempts
}

TEST(InstanceLinks, RedialsAreBoundedAndTheConnectStillTimesOut) {
  FullListener listener;
  Rig rig;
  rig.links.Connect(
      ConnectAction{1, Channel::kCommand, {"127.0.0.1", listener.port}, false, "", "", ""});
  for (int i = 0; i < 8; ++i) {
    rig.now += kRedialPeriod;
    rig.links.Maintain();
    if (!rig.inputs.empty()) break;
  }
  EXPECT_EQ(rig.links.redials_started(), uint64_t(kMaxRedials));
  ASSERT_EQ(rig.inputs.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<LinkDown>(rig.inputs[0]));
}

TEST(InstanceLinks, AnsweredConnectNeedsNoRedial) {
  sockaddr_in a{};
  int fd = ListenOnLoopback(16, &a);
  Rig rig;
  rig.links.Connect(
      ConnectAction{1, Channel::kCommand, {"127.0.0.1", ntohs(a.sin_port)}, false, "", "", ""});
  std::optional<Input> in = rig.RunUntilInput(std::chrono::milliseconds(2000));
  ASSERT_TRUE(in.has_value());
  EXPECT_TRUE(std::holds_alternative<LinkUp>(*in));
  rig.now += kRedialPeriod * 2;
  rig.links.Maintain();
  EXPECT_EQ(rig.links.redials_started(), 0u);
  ::close(fd);
}

}  // namespace
}  // namespace vigil::sentinel
