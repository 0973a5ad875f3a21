#include "common/net/acceptor.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <vector>

#include "common/net/tcp_listener.h"

namespace vigil::net {
namespace {

// A port nothing listens on right now (the kernel's pick for a socket that is then closed).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class AcceptorTest : public ::testing::Test {
 protected:
  AcceptorTest() : base_(event_base_new()) {}
  ~AcceptorTest() override { event_base_free(base_); }
  // A loopback connect() returns once the connection waits in the listener's queue, so a few
  // non-blocking passes of the loop are enough.
  void LoopUntil(const std::vector<Acceptor::Accepted>& got, size_t n) {
    for (int i = 0; i < 100 && got.size() < n; ++i) {
      event_base_loop(base_, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
  }
  event_base* base_;
};

TEST_F(AcceptorTest, HandsAcceptedSocketsToTheHandlerWithTheListenersKind) {
  std::vector<Acceptor::Accepted> got;
  {
    Acceptor acceptor(base_, [&](const Acceptor::Accepted& a) { got.push_back(a); });
    const int port = FreePort();
    ASSERT_TRUE(acceptor.ListenPort({"127.0.0.1"}, port, Acceptor::Kind::kTls).ok());
    const int client = Connect(port);
    ASSERT_GE(client, 0);
    LoopUntil(got, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].kind, Acceptor::Kind::kTls);
    EXPECT_TRUE(IsLoopbackPeer(got[0].peer));
    EXPECT_EQ(SockAddrText(got[0].local), "127.0.0.1:" + std::to_string(port));
    ::close(got[0].fd);
    ::close(client);
  }
}

TEST_F(AcceptorTest, ClosingOneKindLeavesTheOthersListening) {
  std::vector<Acceptor::Accepted> got;
  Acceptor acceptor(base_, [&](const Acceptor::Accepted& a) { got.push_back(a); });
  const int plain = FreePort();
  ASSERT_TRUE(acceptor.ListenPort({"127.0.0.1"}, plain, Acceptor::Kind::kTcp).ok());
  const int tls = FreePort();
  ASSERT_TRUE(acceptor.ListenPort({"127.0.0.1"}, tls, Acceptor::Kind::kTls).ok());
  acceptor.Close(Acceptor::Kind::kTcp);
  EXPECT_LT(Connect(plain), 0);
  const int client = Connect(tls);
  ASSERT_GE(client, 0);
  LoopUntil(got, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, Acceptor::Kind::kTls);
  ::close(got[0].fd);
  ::close(client);
}

TEST_F(AcceptorTest, AFailedListenLeavesNoListenerOfThatKind) {
  Acceptor acceptor(base_, [](const Acceptor::Accepted& a) { ::close(a.fd); });
  const int port = FreePort();
  ASSERT_TRUE(acceptor.ListenPort({"127.0.0.1"}, port, Acceptor::Kind::kTcp).ok());
  // 192.0.2.1 (TEST-NET-1) is not an address of this machine: binding it fails.
  Status st = acceptor.ListenPort({"127.0.0.1", "192.0.2.1"}, port, Acceptor::Kind::kTcp);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(acceptor.empty());
  EXPECT_LT(Connect(port), 0);
  // Only optional addresses, none available: nothing could be opened.
  st = acceptor.ListenPort({"-192.0.2.1"}, port, Acceptor::Kind::kTcp);
  EXPECT_EQ(st.message(), "no listening socket could be created");
  // No address at all (bind ""): the port stays closed, which is not an error.
  EXPECT_TRUE(acceptor.ListenPort({}, port, Acceptor::Kind::kTcp).ok());
  EXPECT_TRUE(acceptor.empty());
}

TEST_F(AcceptorTest, AcceptPendingTakesWaitingSocketsWithoutTheLoop) {
  std::vector<Acceptor::Accepted> got;
  Acceptor acceptor(base_, [&](const Acceptor::Accepted& a) { got.push_back(a); });
  const int port = FreePort();
  ASSERT_TRUE(acceptor.ListenPort({"127.0.0.1"}, port, Acceptor::Kind::kTcp).ok());
  const int c1 = Connect(port);
  const int c2 = Connect(port);
  ASSERT_GE(c1, 0);
  ASSERT_GE(c2, 0);
  acceptor.AcceptPending();
  EXPECT_EQ(got.size(), 2u);
  for (const auto& a : got) ::close(a.fd);
  ::close(c1);
  ::close(c2);
}

}  // namespace
}  // namespace vigil::net
