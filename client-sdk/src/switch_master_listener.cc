#include "client-sdk/src/switch_master_listener.h"

#include <utility>

#include "client-sdk/src/sentinel_replies.h"

namespace vigil::client {
namespace {
constexpr std::chrono::milliseconds kPollInterval{100};
constexpr std::chrono::milliseconds kReconnectPause{500};
}  // namespace

SwitchMasterListener::SwitchMasterListener(std::vector<Address> sentinels, std::string master_name,
                                           ConnectSettings sentinel_settings, Handler handler,
                                           Logger log)
    : master_name_(std::move(master_name)),
      settings_(std::move(sentinel_settings)),
      handler_(std::move(handler)),
      log_(std::move(log)) {
  for (auto& s : sentinels) threads_.emplace_back([this, s] { Run(s); });
}

SwitchMasterListener::~SwitchMasterListener() {
  stop_ = true;
  for (auto& t : threads_) t.join();
}

void SwitchMasterListener::PauseUnlessStopping(std::chrono::milliseconds pause) {
  const auto until = std::chrono::steady_clock::now() + pause;
  while (!stop_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void SwitchMasterListener::Run(Address sentinel) {
  bool was_subscribed = false;
  while (!stop_) {
    auto conn = NodeConnection::Open(sentinel, settings_);
    if (conn.ok()) {
      auto r = (*conn)->Run({"SUBSCRIBE", "+switch-master"});
      if (!r.ok() || r->is_error()) conn = Error{ErrorCode::kConnection, "SUBSCRIBE failed"};
    }
    if (!conn.ok()) {
      if (was_subscribed) {
        log_(LogLevel::kWarn, "switch-master listener lost sentinel " + sentinel.ToString() + ": " +
                                  conn.error().message);
      }
      was_subscribed = false;
      PauseUnlessStopping(kReconnectPause);
      continue;
    }
    if (!was_subscribed) {
      log_(LogLevel::kDebug, "subscribed to +switch-master on sentinel " + sentinel.ToString());
    }
    was_subscribed = true;
    while (!stop_) {
      auto msg = (*conn)->ReadPushed(kPollInterval);
      if (!msg.ok()) {
        if (msg.error().code == ErrorCode::kTimeout && !(*conn)->broken()) continue;
        break;  // reconnect
      }
      const auto& e = msg->elements();
      if (e.size() == 3 && e[0].str() == "message" && e[1].str() == "+switch-master") {
        if (auto addr = DecodeSwitchMaster(e[2].str(), master_name_)) handler_(sentinel, *addr);
      }
    }
  }
}

}  // namespace vigil::client
