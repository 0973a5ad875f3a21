#include "sentinel/shell/hiredis_event_binding.h"

extern "C" {  // before hiredis.h, which includes it outside C linkage
#include <hiredis/sds.h>
}
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace vigil::sentinel {
namespace {

// A listening socket on 127.0.0.1 that the test answers by hand, so each reply arrives in a
// read of its own.
class HandServer {
 public:
  HandServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(listen_fd_, 4);
    socklen_t len = sizeof(a);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~HandServer() {
    if (conn_fd_ >= 0) close(conn_fd_);
    close(listen_fd_);
  }
  int port() const { return port_; }
  bool Accept() {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return false;
    conn_fd_ = accept(listen_fd_, nullptr, nullptr);
    return conn_fd_ >= 0;
  }
  void Send(const std::string& bytes) {
    ASSERT_EQ(write(conn_fd_, bytes.data(), bytes.size()), ssize_t(bytes.size()));
  }
  void Hangup() {
    close(conn_fd_);
    conn_fd_ = -1;
  }

 private:
  int listen_fd_ = -1;
  int conn_fd_ = -1;
  int port_ = 0;
};

struct Observed {
  bool connected = false;
  bool disconnected = false;
  std::vector<std::string> replies;
};

void OnReply(redisAsyncContext*, void* r, void* data) {
  auto* reply = static_cast<redisReply*>(r);
  if (reply != nullptr &&
      (reply->type == REDIS_REPLY_STATUS || reply->type == REDIS_REPLY_STRING)) {
    static_cast<Observed*>(data)->replies.emplace_back(reply->str, reply->len);
  }
}

Observed* g_observed = nullptr;  // hiredis's connect callbacks carry no user pointer

void OnConnect(const redisAsyncContext*, int status) {
  g_observed->connected = status == REDIS_OK;
}
void OnDisconnect(const redisAsyncContext*, int) {
  g_observed->disconnected = true;
}

// Runs the loop until `done` holds, for at most ~5 s.
template <typename Pred>
bool LoopUntil(event_base* base, Pred done) {
  for (int i = 0; i < 500 && !done(); ++i) {
    timeval tv{0, 10000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
  }
  return done();
}

TEST(HiredisEventBinding, RepliesInSeparateReadsArriveAndDrainedBuffersAreReleased) {
  // The read event is persistent: after the first read the connection must still be watched.
  HandServer server;
  event_base* base = event_base_new();
  Observed seen;
  g_observed = &seen;
  redisAsyncContext* ac = redisAsyncConnect("127.0.0.1", server.port());
  ASSERT_NE(ac, nullptr);
  ASSERT_EQ(ac->err, 0);
  static int after_reads;
  after_reads = 0;
  ASSERT_EQ(AttachHiredisToLibevent(
                ac, base, [](void*) { ++after_reads; }, nullptr),
            REDIS_OK);
  EXPECT_EQ(AttachHiredisToLibevent(ac, base), REDIS_ERR) << "a second attach must be refused";
  redisAsyncSetConnectCallback(ac, &OnConnect);
  redisAsyncSetDisconnectCallback(ac, &OnDisconnect);
  ASSERT_TRUE(server.Accept());
  ASSERT_TRUE(LoopUntil(base, [&] { return seen.connected; }));

  for (int i = 0; i < 3; ++i) {
    redisAsyncCommand(ac, &OnReply, &seen, "PING");
    server.Send("+PONG" + std::to_string(i) + "\r\n");
    ASSERT_TRUE(LoopUntil(base, [&] { return seen.replies.size() == size_t(i + 1); }))
        << "reply " << i << " never arrived";
  }
  EXPECT_EQ(seen.replies, (std::vector<std::string>{"PONG0", "PONG1", "PONG2"}));

  // An INFO-sized reply grows hiredis's read buffer to ~10 KiB; once it is consumed the binding
  // gives that memory back instead of parking it on the connection.
  std::string info(5000, 'i');
  redisAsyncCommand(ac, &OnReply, &seen, "INFO");
  server.Send("$5000\r\n" + info + "\r\n");
  ASSERT_TRUE(LoopUntil(base, [&] { return seen.replies.size() == 4; }));
  EXPECT_EQ(seen.replies.back(), info);
  EXPECT_LE(sdsalloc(ac->c.reader->buf), 1024u) << "the drained read buffer was kept";
  // And the connection still reads after the buffer was replaced.
  redisAsyncCommand(ac, &OnReply, &seen, "PING");
  server.Send("+PONG3\r\n");
  ASSERT_TRUE(LoopUntil(base, [&] { return seen.replies.size() == 5; }));
  EXPECT_EQ(seen.replies.back(), "PONG3");

  EXPECT_GE(after_reads, 5) << "the after-read hook runs after every read";

  server.Hangup();
  EXPECT_TRUE(LoopUntil(base, [&] { return seen.disconnected; }));
  // hiredis frees the context after a peer hangup; the binding's cleanup freed its events.
  event_base_free(base);
}

TEST(HiredisEventBinding, RefusedConnectIsReported) {
  int port;
  {
    HandServer closed;  // bound then closed: nothing listens on the port any more
    port = closed.port();
  }
  event_base* base = event_base_new();
  Observed seen;
  g_observed = &seen;
  redisAsyncContext* ac = redisAsyncConnect("127.0.0.1", port);
  ASSERT_NE(ac, nullptr);
  ASSERT_EQ(AttachHiredisToLibevent(ac, base), REDIS_OK);
  static bool failed;
  failed = false;
  redisAsyncSetConnectCallback(ac, [](const redisAsyncContext*, int status) {
    if (status != REDIS_OK) failed = true;
  });
  EXPECT_TRUE(LoopUntil(base, [&] { return failed; }));
  EXPECT_FALSE(seen.connected);
  event_base_free(base);
}

}  // namespace
}  // namespace vigil::sentinel
