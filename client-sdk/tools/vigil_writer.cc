// vigil-writer: a steady SET workload through libvigil-client, for failover tests, the chaos
// suite and the demo. It reports, as one JSON line on stdout, how many writes were acknowledged,
// the longest gap between two acknowledgements, and (with --verify) how many acknowledged writes
// cannot be read back from the master afterwards. Everything else goes to stderr.
// The command line and the output are a contract other tools parse: change them only together.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vigil/client/client.h"

namespace {

using vigil::client::Address;
using vigil::client::Client;
using Clock = std::chrono::steady_clock;

struct Args {
  std::vector<Address> sentinels;
  std::string master;
  int64_t duration_ms = 10000;
  double rate = 200;
  std::string prefix = "w1:";
  int threads = 1;
  int64_t wait_every = 0;
  int64_t wait_replicas = 1;
  int64_t wait_timeout_ms = 500;
  std::string ack_log;
  bool verify = false;
  std::string password;
  std::string sentinel_password;
  std::string stop_file;
  vigil::client::TlsOptions tls;  // nodes and sentinels alike
};

constexpr const char* kUsage =
    "usage: vigil-writer --sentinels H:P[,H:P...] --master NAME\n"
    "                    [--duration-ms 10000] [--rate 200] [--prefix w1:] [--threads 1]\n"
    "                    [--wait-every 0] [--wait-replicas 1] [--wait-timeout-ms 500]\n"
    "                    [--ack-log FILE] [--verify] [--password PW] [--sentinel-password PW]\n"
    "                    [--stop-file FILE] [--tls [--cacert F] [--cacertdir D] [--cert F]\n"
    "                    [--key F] [--sni NAME] [--insecure]]\n"
    "Writes SET <prefix><seq> <seq> at --rate writes/s through libvigil-client and prints one\n"
    "JSON line: attempted, acked, acked_wait, errors, longest_pause_ms, writes_to_replica, lost,\n"
    "lost_wait (lost counts need --verify).\n";

bool ParseInt(const char* text, int64_t* out) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') return false;
  *out = v;
  return true;
}

// Empty on a bad command line (after printing why).
std::optional<Args> ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (flag == "--verify" || flag == "--tls" || flag == "--insecure") {
      if (flag == "--verify") a.verify = true;
      if (flag == "--tls") a.tls.enabled = true;
      if (flag == "--insecure") a.tls.verify_peer = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::cerr << "vigil-writer: " << flag << " needs a value\n" << kUsage;
      return std::nullopt;
    }
    const char* value = argv[++i];
    int64_t n = 0;
    auto number = [&](int64_t* out, int64_t min) {
      if (!ParseInt(value, &n) || n < min) return false;
      *out = n;
      return true;
    };
    bool ok = true;
    if (flag == "--sentinels") {
      std::string list = value;
      std::size_t start = 0;
      while (start <= list.size()) {
        std::size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        auto addr = Address::Parse(list.substr(start, end - start));
        if (!addr)
          ok = false;
        else
          a.sentinels.push_back(*addr);
        start = end + 1;
      }
    } else if (flag == "--master") {
      a.master = value;
    } else if (flag == "--duration-ms") {
      ok = number(&a.duration_ms, 0);
    } else if (flag == "--rate") {
      ok = number(&n, 1);
      a.rate = static_cast<double>(n);
    } else if (flag == "--prefix") {
      a.prefix = value;
    } else if (flag == "--threads") {
      int64_t t = 0;
      ok = number(&t, 1) && t <= 256;
      a.threads = static_cast<int>(t);
    } else if (flag == "--wait-every") {
      ok = number(&a.wait_every, 0);
    } else if (flag == "--wait-replicas") {
      ok = number(&a.wait_replicas, 0);
    } else if (flag == "--wait-timeout-ms") {
      ok = number(&a.wait_timeout_ms, 0);
    } else if (flag == "--ack-log") {
      a.ack_log = value;
    } else if (flag == "--password") {
      a.password = value;
    } else if (flag == "--sentinel-password") {
      a.sentinel_password = value;
    } else if (flag == "--stop-file") {
      a.stop_file = value;
    } else if (flag == "--cacert") {
      a.tls.ca_cert_file = value;
    } else if (flag == "--cacertdir") {
      a.tls.ca_cert_dir = value;
    } else if (flag == "--cert") {
      a.tls.cert_file = value;
    } else if (flag == "--key") {
      a.tls.key_file = value;
    } else if (flag == "--sni") {
      a.tls.sni = value;
    } else {
      std::cerr << "vigil-writer: unknown option " << flag << "\n" << kUsage;
      return std::nullopt;
    }
    if (!ok) {
      std::cerr << "vigil-writer: bad value for " << flag << ": '" << value << "'\n";
      return std::nullopt;
    }
  }
  if (a.sentinels.empty() || a.master.empty()) {
    std::cerr << "vigil-writer: --sentinels and --master are required\n" << kUsage;
    return std::nullopt;
  }
  return a;
}

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Ack {
  uint64_t seq;
  bool wait;
};

// Shared by the writer threads; everything behind one mutex (at most a few thousand acks/s).
class Ledger {
 public:
  explicit Ledger(const std::string& ack_log_path) {
    if (!ack_log_path.empty()) {
      log_ = std::fopen(ack_log_path.c_str(), "a");
      if (log_ == nullptr) {
        std::cerr << "vigil-writer: cannot open " << ack_log_path << ": " << std::strerror(errno)
                  << "\n";
      }
    }
  }
  ~Ledger() {
    if (log_ != nullptr) std::fclose(log_);
  }
  bool log_ok(const std::string& path) const { return path.empty() || log_ != nullptr; }

  void Acked(uint64_t seq, const std::string& key, bool wait, const Address& node) {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    if (last_ack_) {
      longest_pause_ = std::max(longest_pause_, now - *last_ack_);
    }
    last_ack_ = now;
    acks_.push_back({seq, wait});
    if (log_ != nullptr) {
      std::fprintf(log_, "%lld %s %s %s\n", static_cast<long long>(UnixMs()), key.c_str(),
                   wait ? "wait" : "plain", node.ToString().c_str());
      std::fflush(log_);
    }
  }

  std::vector<Ack> acks() const {
    std::lock_guard<std::mutex> lock(mu_);
    return acks_;
  }
  int64_t longest_pause_ms() const {
    std::lock_guard<std::mutex> lock(mu_);
    return std::chrono::duration_cast<std::chrono::milliseconds>(longest_pause_).count();
  }

 private:
  mutable std::mutex mu_;
  std::FILE* log_ = nullptr;
  std::vector<Ack> acks_;
  std::optional<Clock::time_point> last_ack_;
  Clock::duration longest_pause_{0};
};

struct Counters {
  std::atomic<uint64_t> next_seq{1};
  std::atomic<uint64_t> attempted{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<bool> stop{false};
};

void WriterLoop(const Args& args, Client& client, Ledger& ledger, Counters& c,
                Clock::time_point start, Clock::time_point end) {
  const double interval_us = 1e6 / args.rate;
  while (!c.stop) {
    const uint64_t seq = c.next_seq.fetch_add(1);
    const auto due = start + std::chrono::microseconds(
                                 static_cast<int64_t>(static_cast<double>(seq - 1) * interval_us));
    if (due >= end) break;
    while (Clock::now() < due && !c.stop) {
      std::this_thread::sleep_for(
          std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(50)));
    }
    // A write that fell behind past the end of the run (a long failover) is not sent late.
    if (c.stop || Clock::now() >= end) break;
    ++c.attempted;
    const std::string key = args.prefix + std::to_string(seq);
    const std::string value = std::to_string(seq);
    vigil::client::CallInfo info;
    const bool with_wait = args.wait_every > 0 && seq % static_cast<uint64_t>(args.wait_every) == 0;
    bool acked = false;
    bool wait_acked = false;
    std::string failure;
    if (with_wait) {
      // WAIT counts the replicas that have the writes of *this* connection: same pipeline.
      auto r = client.Pipeline(
          {{"SET", key, value},
           {"WAIT", std::to_string(args.wait_replicas), std::to_string(args.wait_timeout_ms)}},
          &info);
      if (r.ok()) {
        acked = (*r)[0].kind() == vigil::client::Reply::Kind::kStatus;
        wait_acked = (*r)[1].kind() == vigil::client::Reply::Kind::kInteger &&
                     (*r)[1].integer() >= args.wait_replicas;
        if (!acked) failure = (*r)[0].ToString();
      } else {
        failure = r.error().ToString();
      }
    } else {
      auto r = client.CommandArgv({"SET", key, value}, &info);
      if (r.ok()) {
        acked = r->kind() == vigil::client::Reply::Kind::kStatus;
        if (!acked) failure = r->ToString();
      } else {
        failure = r.error().ToString();
      }
    }
    if (acked) {
      ledger.Acked(seq, key, wait_acked, info.node);
    } else {
      const uint64_t n = ++c.errors;
      if (n <= 20 || n % 100 == 0) {
        std::cerr << "vigil-writer: write " << key << " failed (" << n << " so far): " << failure
                  << "\n";
      }
    }
  }
}

// GETs every acknowledged key from the master, pipelined; returns {lost, lost_wait}.
std::pair<uint64_t, uint64_t> Verify(const Args& args, Client& client, const std::vector<Ack>& acks,
                                     bool* ok) {
  uint64_t lost = 0, lost_wait = 0, printed = 0;
  auto master = client.Resolve();
  if (!master.ok()) {
    std::cerr << "vigil-writer: verify: no master: " << master.error().ToString() << "\n";
    *ok = false;
    return {0, 0};
  }
  std::cerr << "vigil-writer: verifying " << acks.size() << " acknowledged writes on "
            << master->ToString() << "\n";
  constexpr std::size_t kBatch = 500;
  for (std::size_t i = 0; i < acks.size(); i += kBatch) {
    std::vector<std::vector<std::string>> gets;
    for (std::size_t j = i; j < std::min(acks.size(), i + kBatch); ++j) {
      gets.push_back({"GET", args.prefix + std::to_string(acks[j].seq)});
    }
    auto r = client.Pipeline(gets);
    if (!r.ok()) {
      std::cerr << "vigil-writer: verify failed: " << r.error().ToString() << "\n";
      *ok = false;
      return {lost, lost_wait};
    }
    for (std::size_t j = 0; j < r->size(); ++j) {
      const Ack& ack = acks[i + j];
      const auto& reply = (*r)[j];
      if (reply.kind() == vigil::client::Reply::Kind::kString &&
          reply.str() == std::to_string(ack.seq)) {
        continue;
      }
      ++lost;
      if (ack.wait) ++lost_wait;
      if (printed++ < 20) {
        std::cerr << "vigil-writer: lost " << args.prefix << ack.seq << (ack.wait ? " (wait)" : "")
                  << " -> " << reply.ToString() << "\n";
      }
    }
  }
  *ok = true;
  return {lost, lost_wait};
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = ParseArgs(argc, argv);
  if (!parsed) return 2;
  const Args& args = *parsed;

  vigil::client::Options options;
  options.sentinels = args.sentinels;
  options.master_name = args.master;
  options.password = args.password;
  options.sentinel_password = args.sentinel_password;
  options.tls = args.tls;
  options.sentinel_tls = args.tls;
  options.connect_timeout = std::chrono::milliseconds(300);
  // WAIT blocks up to its own timeout: the command timeout must not fire first.
  options.command_timeout = std::chrono::milliseconds(
      std::max<int64_t>(500, args.wait_every > 0 ? args.wait_timeout_ms + 500 : 0));
  options.call_deadline = std::chrono::milliseconds(5000);
  options.pool_size = static_cast<std::size_t>(args.threads);
  const auto t0 = Clock::now();
  std::mutex log_mu;
  options.log = [&](vigil::client::LogLevel level, std::string_view message) {
    if (level == vigil::client::LogLevel::kDebug) return;
    const double t = std::chrono::duration<double>(Clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(log_mu);
    std::fprintf(stderr, "vigil-writer: [%7.3f] %.*s\n", t, static_cast<int>(message.size()),
                 message.data());
  };

  auto created = Client::Create(options);
  if (!created.ok()) {
    std::cerr << "vigil-writer: " << created.error().ToString() << "\n";
    return 2;
  }
  Client& client = **created;
  Ledger ledger(args.ack_log);
  if (!ledger.log_ok(args.ack_log)) return 2;

  Counters counters;
  const auto start = Clock::now();
  const auto end = start + std::chrono::milliseconds(args.duration_ms);
  std::vector<std::thread> workers;
  for (int i = 0; i < args.threads; ++i) {
    workers.emplace_back([&] { WriterLoop(args, client, ledger, counters, start, end); });
  }
  // The main thread watches the stop file and reports progress once a second.
  auto next_progress = start + std::chrono::seconds(1);
  while (Clock::now() < end && !counters.stop) {
    if (!args.stop_file.empty() && access(args.stop_file.c_str(), F_OK) == 0) {
      counters.stop = true;
      break;
    }
    if (Clock::now() >= next_progress) {
      next_progress += std::chrono::seconds(1);
      std::fprintf(stderr, "vigil-writer: attempted=%llu acked=%zu errors=%llu\n",
                   static_cast<unsigned long long>(counters.attempted.load()), ledger.acks().size(),
                   static_cast<unsigned long long>(counters.errors.load()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& w : workers) w.join();

  const std::vector<Ack> acks = ledger.acks();
  const uint64_t acked_wait = static_cast<uint64_t>(
      std::count_if(acks.begin(), acks.end(), [](const Ack& a) { return a.wait; }));
  uint64_t lost = 0, lost_wait = 0;
  bool verified = true;
  if (args.verify) std::tie(lost, lost_wait) = Verify(args, client, acks, &verified);

  std::printf(
      "{\"attempted\":%llu,\"acked\":%zu,\"acked_wait\":%llu,\"errors\":%llu,"
      "\"longest_pause_ms\":%lld,\"writes_to_replica\":%llu,\"lost\":%llu,\"lost_wait\":%llu}\n",
      static_cast<unsigned long long>(counters.attempted.load()), acks.size(),
      static_cast<unsigned long long>(acked_wait),
      static_cast<unsigned long long>(counters.errors.load()),
      static_cast<long long>(ledger.longest_pause_ms()),
      static_cast<unsigned long long>(client.Stats().readonly_replies),
      static_cast<unsigned long long>(lost), static_cast<unsigned long long>(lost_wait));
  std::fflush(stdout);
  if (counters.attempted > 0 && acks.empty()) {
    std::cerr << "vigil-writer: never reached a master\n";
    return 1;
  }
  return 0;
}
