// vigil-cli [OPTIONS] [cmd [arg ...]]: a redis-cli-compatible command line for vigil-datanode
// and vigil-sentinel. Parses options, then hands over to CliSession.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/cli_options.h"
#include "cli/cli_session.h"
#include "vigil/version.h"

int main(int argc, char** argv) {
  using vigil::cli::CliOptions;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = vigil::cli::ParseCliOptions(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.error().c_str());
    return 1;
  }
  CliOptions options = std::move(parsed).value();
  if (options.show_help) {
    std::fputs(vigil::cli::UsageText().c_str(), stdout);
    return 0;
  }
  if (options.show_version) {
    std::printf("vigil-cli %s (redis-cli %s compatible)\n", vigil::kVersion,
                vigil::kRedisCompatVersion);
    return 0;
  }
  if (options.password && !options.no_auth_warning) {
    std::fputs(
        "Warning: Using a password with '-a' or '-u' option on the command line interface may "
        "not be safe.\n",
        stderr);
  }
  if (options.last_arg_from_stdin && !options.command.empty()) {
    options.command.emplace_back(std::istreambuf_iterator<char>(std::cin),
                                 std::istreambuf_iterator<char>());
  }
  std::vector<std::string> command = options.command;
  vigil::cli::CliSession session(std::move(options), isatty(STDOUT_FILENO) != 0);
  if (command.empty()) {
    // Interactive (or lines from a pipe): a failed connection is retried at each command.
    session.Connect();
    return session.RunInteractive();
  }
  if (!session.Connect()) return 1;
  return session.RunCommand(command);
}
