#pragma once
// ServiceHarness: runs commands against a real datanode Service in-process, with no sockets
// and a hand-driven clock, and returns the exact RESP bytes a client would receive. The unit
// tests of every command family are written against it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/config/option_registry.h"
#include "common/resp/value.h"
#include "datanode/config/datanode_config.h"
#include "datanode/service/service.h"
#include "datanode/service/session.h"

namespace vigil::testing {

// A shell that does nothing: tests derive from it and override the hooks they watch.
class StubServerHooks : public datanode::ServerHooks {
 public:
  std::string Shutdown(datanode::Session*, const datanode::ShutdownRequest&) override { return ""; }
  Status RewriteConfig() override { return Status::Ok(); }
  void FillProcessInfo(datanode::ProcessInfo*) const override {}
  void OnConfigChanged(const std::string&) override {}
  uint32_t SecureRandom32() override { return 4; }
};

class ServiceHarness {
 public:
  // Starts at a fixed wall-clock time so expiry tests are deterministic.
  explicit ServiceHarness(int64_t start_unix_ms = 1'700'000'000'000);
  ~ServiceHarness();

  datanode::Service& service() { return *service_; }
  datanode::DatanodeConfig& config() { return config_; }
  datanode::Session& session() { return *sessions_.front(); }
  datanode::Session& NewSession();

  // Runs one command on `s` (default: the first session) and returns the RESP bytes written.
  std::string Raw(const std::vector<std::string>& argv, datanode::Session* s = nullptr);
  // Same, parsed.
  resp::Value Run(const std::vector<std::string>& argv, datanode::Session* s = nullptr);
  // Output other sessions received since the last call (pub/sub, unblocked clients).
  std::string TakeOutput(datanode::Session& s);

  void AdvanceMs(int64_t ms);
  int64_t now_ms() const { return now_ms_; }

 private:
  datanode::DatanodeConfig config_;
  config::OptionRegistry registry_;
  std::unique_ptr<datanode::Service> service_;
  std::vector<std::unique_ptr<datanode::Session>> sessions_;
  int64_t now_ms_;
  uint64_t next_id_ = 1;
};

// Records what the service propagates (the AOF and replication feed), for tests of rewrites.
class RecordingPropagator : public datanode::Propagator {
 public:
  void Propagate(int db, const std::vector<std::string>& argv) override;
  std::vector<std::vector<std::string>> log;  // each command's argv
  std::vector<std::string> lines;             // the same as "db: arg arg ..."
};

// Shorthands for assertions on RESP2 bytes.
std::string Bulk(const std::string& s);
std::string Int(int64_t v);
std::string Arr(const std::vector<std::string>& encoded_items);
std::string BulkArr(const std::vector<std::string>& items);

}  // namespace vigil::testing
