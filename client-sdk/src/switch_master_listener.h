#pragma once
// SwitchMasterListener: one thread per chosen sentinel, each subscribed to +switch-master, so a
// failover is noticed even by a client whose master connection hangs (Jedis / go-redis style).
// A thread reconnects (with a pause) when its sentinel goes away. Stopped and joined by the
// destructor within about one poll interval.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "client-sdk/src/node_connection.h"
#include "vigil/client/address.h"
#include "vigil/client/options.h"

namespace vigil::client {

class SwitchMasterListener {
 public:
  // Called on a listener thread for every +switch-master naming master_name.
  using Handler = std::function<void(const Address& sentinel, const Address& new_master)>;
  using Logger = std::function<void(LogLevel, const std::string&)>;

  SwitchMasterListener(std::vector<Address> sentinels, std::string master_name,
                       ConnectSettings sentinel_settings, Handler handler, Logger log);
  ~SwitchMasterListener();
  SwitchMasterListener(const SwitchMasterListener&) = delete;
  SwitchMasterListener& operator=(const SwitchMasterListener&) = delete;

 private:
  void Run(Address sentinel);
  void PauseUnlessStopping(std::chrono::milliseconds pause);

  std::string master_name_;
  ConnectSettings settings_;
  Handler handler_;
  Logger log_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace vigil::client
