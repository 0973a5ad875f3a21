#pragma once
// Command-line options of vigil-cli, parsed the way redis-cli 7.0 parses them: options come
// first, and the first argument that does not start with '-' begins the command to send.
// Pure: no I/O; the caller prints errors and usage.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace vigil::cli {

// How replies are printed. kAuto follows redis-cli: the human ("TTY") format when stdout is a
// terminal, raw otherwise.
enum class OutputMode { kAuto, kStandard, kRaw };

// redis-cli's TLS options (--tls and the ones that only matter with it).
struct CliTlsOptions {
  bool enabled = false;      // --tls
  std::string sni;           // --sni
  std::string cacert;        // --cacert
  std::string cacertdir;     // --cacertdir
  std::string cert;          // --cert
  std::string key;           // --key
  bool insecure = false;     // --insecure: no verification of the server's certificate
  std::string ciphers;       // --tls-ciphers
  std::string ciphersuites;  // --tls-ciphersuites
};

struct CliOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::optional<std::string> user;
  std::optional<std::string> password;  // -a / --pass
  bool no_auth_warning = false;
  int db = 0;               // -n: SELECTed after connecting when non-zero
  int64_t repeat = 1;       // -r: a negative count repeats forever
  int64_t interval_us = 0;  // -i, given in (possibly fractional) seconds
  bool resp3 = false;       // -3: HELLO 3 after connecting
  OutputMode output = OutputMode::kAuto;
  std::optional<std::string> sentinel_master;  // --sentinel-master: -h/-p name a sentinel
  bool last_arg_from_stdin = false;            // -x
  CliTlsOptions tls;
  bool show_help = false;
  bool show_version = false;
  std::vector<std::string> command;  // empty: interactive (or stdin) mode
};

// Parses argv (without the program name). Errors carry redis-cli's wording, e.g.
// "Unrecognized option or bad number of args for: '--bogus'".
Result<CliOptions> ParseCliOptions(const std::vector<std::string>& args);

// The usage text printed by --help.
std::string UsageText();

}  // namespace vigil::cli
