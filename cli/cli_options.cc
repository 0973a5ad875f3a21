#include "cli/cli_options.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "common/base/decimal.h"

namespace vigil::cli {
namespace {

Status Unrecognized(const std::string& arg) {
  return Status::Error("Unrecognized option or bad number of args for: '" + arg + "'");
}

Status BadValue(const std::string& option, const std::string& value) {
  return Status::Error("Invalid value for " + option + ": '" + value + "'");
}

// Seconds, possibly fractional ("0.1"), to microseconds; rejects negatives and non-numbers.
bool ParseIntervalSeconds(const std::string& s, int64_t* out_us) {
  char* end = nullptr;
  double seconds = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(seconds) || seconds < 0) {
    return false;
  }
  *out_us = static_cast<int64_t>(seconds * 1e6);
  return true;
}

}  // namespace

Result<CliOptions> ParseCliOptions(const std::vector<std::string>& args) {
  CliOptions o;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_value = i + 1 < args.size();
    // Options taking a value consume the next argument; a missing value is the same error
    // redis-cli reports for an unknown option.
    auto value = [&]() -> const std::string& { return args[++i]; };
    int64_t n = 0;
    if (a == "-h" && has_value) {
      o.host = value();
    } else if (a == "-p" && has_value) {
      const std::string& v = value();
      if (!ParseInt64(v, &n) || n <= 0 || n > 65535) return BadValue(a, v);
      o.port = static_cast<int>(n);
    } else if ((a == "-a" || a == "--pass") && has_value) {
      o.password = value();
    } else if (a == "--user" && has_value) {
      o.user = value();
    } else if (a == "--no-auth-warning") {
      o.no_auth_warning = true;
    } else if (a == "-n" && has_value) {
      const std::string& v = value();
      if (!ParseInt64(v, &n) || n < 0 || n > INT32_MAX) return BadValue(a, v);
      o.db = static_cast<int>(n);
    } else if (a == "-r" && has_value) {
      const std::string& v = value();
      if (!ParseInt64(v, &o.repeat)) return BadValue(a, v);
    } else if (a == "-i" && has_value) {
      const std::string& v = value();
      if (!ParseIntervalSeconds(v, &o.interval_us)) return BadValue(a, v);
    } else if (a == "-3") {
      o.resp3 = true;
    } else if (a == "-2") {
      o.resp3 = false;
    } else if (a == "--raw") {
      o.output = OutputMode::kRaw;
    } else if (a == "--no-raw") {
      o.output = OutputMode::kStandard;
    } else if (a == "--sentinel-master" && has_value) {
      o.sentinel_master = value();
    } else if (a == "--tls") {
      o.tls.enabled = true;
    } else if (a == "--sni" && has_value) {
      o.tls.sni = value();
    } else if (a == "--cacert" && has_value) {
      o.tls.cacert = value();
    } else if (a == "--cacertdir" && has_value) {
      o.tls.cacertdir = value();
    } else if (a == "--cert" && has_value) {
      o.tls.cert = value();
    } else if (a == "--key" && has_value) {
      o.tls.key = value();
    } else if (a == "--insecure") {
      o.tls.insecure = true;
    } else if (a == "--tls-ciphers" && has_value) {
      o.tls.ciphers = value();
    } else if (a == "--tls-ciphersuites" && has_value) {
      o.tls.ciphersuites = value();
    } else if (a == "-x") {
      o.last_arg_from_stdin = true;
    } else if (a == "--help") {
      o.show_help = true;
    } else if (a == "-v" || a == "--version") {
      o.show_version = true;
    } else if (!a.empty() && a[0] == '-') {
      return Unrecognized(a);
    } else {
      break;  // the command starts here
    }
  }
  o.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return o;
}

std::string UsageText() {
  return "Usage: vigil-cli [OPTIONS] [cmd [arg [arg ...]]]\n"
         "  -h <hostname>      Server hostname (default: 127.0.0.1).\n"
         "  -p <port>          Server port (default: 6379).\n"
         "  -a <password>      Password to use when connecting to the server.\n"
         "  --pass <password>  Alias of -a.\n"
         "  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.\n"
         "  --no-auth-warning  Don't show a warning about passwords on the command line.\n"
         "  -n <db>            Database number.\n"
         "  -r <repeat>        Execute specified command N times (negative: forever).\n"
         "  -i <interval>      When -r is used, waits <interval> seconds per command.\n"
         "                     Sub-second times are possible, like -i 0.1.\n"
         "  -x                 Read last argument from STDIN.\n"
         "  --tls              Establish a secure TLS connection.\n"
         "  --sni <host>       Server name indication for TLS.\n"
         "  --cacert <file>    CA Certificate file to verify with.\n"
         "  --cacertdir <dir>  Directory where trusted CA certificates are stored.\n"
         "                     If neither cacert nor cacertdir are specified, the default\n"
         "                     system-wide trusted root certs configuration will apply.\n"
         "  --insecure         Allow insecure TLS connection by skipping cert validation.\n"
         "  --cert <file>      Client certificate to authenticate with.\n"
         "  --key <file>       Private key file to authenticate with.\n"
         "  --tls-ciphers <list> Sets the list of preferred ciphers (TLSv1.2 and below).\n"
         "  --tls-ciphersuites <list> Sets the list of preferred ciphersuites (TLSv1.3).\n"
         "  -2                 Start session in RESP2 protocol mode (the default).\n"
         "  -3                 Start session in RESP3 protocol mode.\n"
         "  --raw              Use raw formatting for replies (default when STDOUT is\n"
         "                     not a tty).\n"
         "  --no-raw           Force formatted output even when STDOUT is not a tty.\n"
         "  --sentinel-master <name>\n"
         "                     -h/-p name a sentinel: ask it for the address of master\n"
         "                     <name> (SENTINEL GET-MASTER-ADDR-BY-NAME) and connect there.\n"
         "  --help             Output this help and exit.\n"
         "  --version          Output version and exit.\n"
         "\n"
         "Examples:\n"
         "  vigil-cli -p 26379 SENTINEL masters\n"
         "  vigil-cli -p 26379 --sentinel-master mymaster INCR counter\n"
         "  vigil-cli -r 100 -i 1 info | grep used_memory_human:\n"
         "  echo PING | vigil-cli\n"
         "\n"
         "When no command is given, vigil-cli starts in interactive mode (history in\n"
         "~/.vigilcli_history, or $VIGILCLI_HISTFILE). Type \"quit\" to exit.\n";
}

}  // namespace vigil::cli
