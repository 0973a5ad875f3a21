// Fuzz target for the RDB loader: any byte string must either load or be refused with a
// Status; never crash, hang or read out of bounds. The seeds in corpus/rdb_loader/ are RDB files
// written by redis-server 7.0 (tests/fuzz/make_rdb_corpus.py), one per value type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "datanode/persistence/rdb_check.h"
#include "datanode/persistence/rdb_loader.h"
#include "datanode/store/keyspace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::datanode;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Checksum off so mutated payloads reach the value decoders.
  for (bool verify : {false, true}) {
    Keyspace ks(16, 1);
    StringSource source(input);
    RdbLoadOptions options;
    options.verify_checksum = verify;
    options.skip_unsupported = !verify;
    RdbLoadResult result;
    (void)LoadRdb(&source, options, &ks, &result);
  }
  StringSource source(input);
  (void)CheckRdb(&source, "fuzz", 0);
  return 0;
}
