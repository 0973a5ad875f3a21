#pragma once
// Process titles, as Redis sets them: `ps` and /proc/<pid>/cmdline show a title built from the
// proc-title-template setting ("{title} {listen-addr} {server-mode}" by default, so a data node
// reads `vigil-datanode 127.0.0.1:6379`) instead of the command line it was started with.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// Redis's sdstemplate then trim: each "{name}" becomes lookup(name), "{{" is a literal "{", and
// spaces at both ends are dropped. nullopt when a "{" is not closed or lookup knows no such
// variable (returns nullopt).
std::optional<std::string> ExpandProcTitleTemplate(
    std::string_view tmpl,
    const std::function<std::optional<std::string>(const std::string&)>& lookup);

// Takes over the memory of argv and of the environment that follows it (the environment and
// the arguments are copied elsewhere first, so argv[] and environ stay valid), so that titles
// longer than the original command line fit. Call once, first thing in main().
void InitProcessTitle(int argc, char** argv);
// argv[0] as the process was started: the {title} of the main process.
const std::string& ProcessExecName();
// Shows `title` (cut to the space the command line and environment had). No-op before Init.
void SetProcessTitle(const std::string& title);

}  // namespace vigil
