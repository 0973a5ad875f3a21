#pragma once
// Everything a Client is configured with. Plain values with defaults; Client::Create validates.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/client/address.h"

namespace vigil::client {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Called for every event the SDK wants to report (re-resolution, a failover followed, a dropped
// connection). May be called from any thread, including the +switch-master listener threads;
// it must be thread-safe and should be quick. The SDK never prints by itself.
using LogCallback = std::function<void(LogLevel level, std::string_view message)>;

// TLS towards data nodes or sentinels, with redis-cli's --tls options.
struct TlsOptions {
  bool enabled = false;
  std::string ca_cert_file;  // --cacert: the CA that signed the servers' certificates
  std::string ca_cert_dir;   // --cacertdir (neither: the system's default CAs)
  std::string cert_file;     // --cert: presented when the server asks for a client certificate
  std::string key_file;      // --key
  std::string sni;           // --sni: the server name sent in the handshake ("" = none)
  bool verify_peer = true;   // false: --insecure, the server's certificate is not checked
};

struct Options {
  // Sentinels to ask, in order. The one that answers moves to the front (Sentinel client spec).
  std::vector<Address> sentinels;
  // The master group name the sentinels monitor ("mymaster").
  std::string master_name;

  // Credentials for data nodes (AUTH [user] password after connect); empty = no AUTH.
  std::string username;
  std::string password;
  // Credentials for sentinels; empty = no AUTH.
  std::string sentinel_username;
  std::string sentinel_password;
  // SELECT after connect when not 0.
  int db = 0;
  // TLS towards the data nodes, and towards the sentinels (usually the same settings).
  TlsOptions tls;
  TlsOptions sentinel_tls;

  // Connect + reply timeout for each sentinel question (kept short: a dead sentinel is skipped).
  std::chrono::milliseconds sentinel_timeout{300};
  // TCP connect timeout towards data nodes (the ROLE check uses command_timeout).
  std::chrono::milliseconds connect_timeout{500};
  // How long one command may wait for its reply. On expiry the connection is dropped (a hung
  // master must not hold the client) and the call re-resolves the master and retries.
  std::chrono::milliseconds command_timeout{1000};
  // Total time one call may take, retries and re-resolution included.
  std::chrono::milliseconds call_deadline{10000};
  // Retry backoff: exponential from backoff_initial up to backoff_max, with jitter.
  std::chrono::milliseconds backoff_initial{25};
  std::chrono::milliseconds backoff_max{500};
  // Pause before asking the sentinels again after a round found no usable master.
  std::chrono::milliseconds rediscover_pause{100};

  // Ask every sentinel and use the address a majority of them reports (as Codis proxies do)
  // instead of the first answer.
  bool majority_view = false;
  // Learn more sentinels with SENTINEL SENTINELS after a resolution (bounded list).
  bool learn_sentinels = true;
  // Number of sentinels to subscribe to +switch-master on (0 = no subscription).
  int switch_master_subscriptions = 3;
  // Idle connections kept per data node.
  std::size_t pool_size = 8;
  // How long a replica list from SENTINEL REPLICAS is reused for replica reads.
  std::chrono::milliseconds replica_list_ttl{2000};
  // Seed for retry jitter; 0 = seeded from the OS.
  uint64_t seed = 0;

  LogCallback log;
};

}  // namespace vigil::client
