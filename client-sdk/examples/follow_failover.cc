// follow_failover: the smallest useful libvigil-client program. It finds the master through the
// sentinels, then increments a counter once per interval and reads it back from a replica,
// printing where each call was served. Kill the master while it runs and watch it move on.
//
//   follow_failover --sentinels 127.0.0.1:26379,127.0.0.1:26380 --master mymaster [--count 20]
#include <vigil/client/client.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

namespace vc = vigil::client;

int main(int argc, char** argv) {
  vc::Options options;
  int count = 20;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << "usage: follow_failover --sentinels H:P[,H:P...] --master NAME [--count N]\n";
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << flag << " needs a value\n";
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--sentinels") {
      std::size_t start = 0;
      while (start <= value.size()) {
        std::size_t end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        auto addr = vc::Address::Parse(value.substr(start, end - start));
        if (!addr) {
          std::cerr << "bad sentinel address in " << value << "\n";
          return 2;
        }
        options.sentinels.push_back(*addr);
        start = end + 1;
      }
    } else if (flag == "--master") {
      options.master_name = value;
    } else if (flag == "--count") {
      count = std::atoi(value.c_str());
    } else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  options.call_deadline = std::chrono::milliseconds(3000);
  // The SDK never prints: this program chooses to show what it reports.
  options.log = [](vc::LogLevel level, std::string_view message) {
    if (level != vc::LogLevel::kDebug) std::cerr << "[vigil-client] " << message << "\n";
  };

  auto client = vc::Client::Create(options);
  if (!client.ok()) {
    std::cerr << client.error().ToString() << "\n";
    return 2;
  }
  int failures = 0;
  for (int i = 0; i < count; ++i) {
    vc::CallInfo where;
    auto n = (*client)->CommandArgv({"INCR", "follow_failover:counter"}, &where);
    if (!n.ok()) {
      // Errors are values: the call tried, re-resolved and retried until its deadline.
      std::cout << "INCR failed: " << n.error().ToString() << "\n";
      ++failures;
    } else {
      std::cout << "INCR -> " << n->ToString() << " on " << where.node.ToString() << " after "
                << where.attempts << " attempt(s)\n";
      auto read = (*client)->ReadCommandArgv({"GET", "follow_failover:counter"}, &where);
      if (read.ok()) {
        std::cout << "GET  -> " << read->ToString() << " from " << where.node.ToString() << "\n";
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return failures == count ? 1 : 0;
}
