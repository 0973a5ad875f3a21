// sentinel_floor: the kernel's floor under a sentinel's socket pattern (bench/sentinel-scale.sh,
// FLOOR=1). For every data node it keeps what a sentinel keeps: a command connection and a
// pub/sub connection subscribed to __sentinel__:hello. Every second it writes one PING per node,
// with a hello PUBLISH every second time and INFO every tenth, in one write() (what
// vigil-sentinel's aligned timers do), spread over the ten 100 ms ticks of the second; it reads
// and discards every reply and every hello published by its peers. No parsing, no state, no
// allocation per message: what is left is the syscalls and the loopback TCP work, so the CPU it
// uses is a lower bound for any sentinel sending the same messages over the same sockets.
//
// Usage: sentinel_floor <file with one data-node port per line> <id>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

int ConnectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::perror("connect");
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

std::string Resp(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <ports-file> <id>\n", argv[0]);
    return 2;
  }
  std::vector<int> ports;
  std::ifstream in(argv[1]);
  for (int p; in >> p;) ports.push_back(p);
  const std::string id = argv[2];
  int ep = epoll_create1(0);
  std::vector<int> cmd;
  for (int port : ports) {
    int c = ConnectTo(port), s = ConnectTo(port);
    if (c < 0 || s < 0) return 1;
    std::string sub = Resp({"SUBSCRIBE", "__sentinel__:hello"});
    if (write(s, sub.data(), sub.size()) < 0) return 1;
    for (int fd : {c, s}) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd;
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    cmd.push_back(c);
  }
  // Payloads of a real hello's size: "ip,port,runid,epoch,name,ip,port,epoch".
  std::vector<std::string> with_hello, with_info;
  const std::string ping = Resp({"PING"});
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string hello = "127.0.0.1,26379," + std::string(40, id[0]) + ",0,m" + std::to_string(i) +
                        ",127.0.0.1," + std::to_string(ports[i]) + ",0";
    with_hello.push_back(ping + Resp({"PUBLISH", "__sentinel__:hello", hello}));
    with_info.push_back(with_hello.back() + Resp({"INFO"}));
  }
  std::printf("ready %zu nodes\n", ports.size());
  std::fflush(stdout);
  char buf[65536];
  epoll_event events[256];
  int64_t next_tick = NowMs();
  for (uint64_t tick = 0;; ++tick) {
    // Node i is due on ticks i mod 10: one write per node per second.
    for (size_t i = tick % 10; i < cmd.size(); i += 10) {
      uint64_t second = tick / 10;
      const std::string& out = second % 10 == i % 10 ? with_info[i]
                               : second % 2 == 0     ? with_hello[i]
                                                     : ping;
      if (write(cmd[i], out.data(), out.size()) < 0) return 1;
    }
    next_tick += 100;
    for (int64_t wait; (wait = next_tick - NowMs()) > 0;) {
      int n = epoll_wait(ep, events, 256, static_cast<int>(wait));
      for (int k = 0; k < n; ++k) {
        while (read(events[k].data.fd, buf, sizeof(buf)) == static_cast<ssize_t>(sizeof(buf))) {
        }
      }
    }
  }
}
