// Fuzz target for the AOF loader: arbitrary bytes are replayed through AofReplayer into a real
// Service (in pieces whose size comes from the first byte), checked with CheckAofBytes and
// parsed as a manifest. Nothing may crash, hang or leak; errors are fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/config/option_registry.h"
#include "datanode/config/datanode_config.h"
#include "datanode/persistence/aof_check.h"
#include "datanode/persistence/aof_loader.h"
#include "datanode/persistence/aof_manifest.h"
#include "datanode/service/service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  datanode::DatanodeConfig config;
  config::OptionRegistry registry;
  datanode::RegisterDatanodeOptions(&config, &registry);
  config.databases = 4;
  datanode::Service service(&config, &registry, 1);
  service.set_now(1'700'000'000'000);
  datanode::AofReplayer replayer(&service, "fuzz.aof");
  std::string buf;
  size_t fed = 0;
  bool failed = false;
  while (fed < input.size() && !failed) {
    size_t n = std::min(step, input.size() - fed);
    buf.append(input.substr(fed, n));
    fed += n;
    size_t used = 0;
    failed = !replayer.Feed(buf, 64, &used).ok();
    buf.erase(0, used);
  }
  if (!failed) (void)replayer.Finish(buf.size());
  (void)datanode::CheckAofBytes(input);
  (void)datanode::AofManifest::Parse(input);
  return 0;
}
