#pragma once
// Reading a sentinel event's message text, as the checkers do: its words, and the address of
// the instance it is about ("master <name> <ip> <port> ..." or "slave <ip:port> ...").
#include <sstream>
#include <string>
#include <vector>

namespace vigil::sim {

inline std::vector<std::string> EventWords(const std::string& message) {
  std::istringstream in(message);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// "ip:port" of the instance the event is about when it is of `kind` ("master" or "slave"), else
// "".
inline std::string EventAddress(const std::string& message, const char* kind) {
  const std::vector<std::string> w = EventWords(message);
  if (w.empty() || w[0] != kind) return "";
  if (w[0] == "master") return w.size() >= 4 ? w[2] + ":" + w[3] : "";
  return w.size() >= 2 ? w[1] : "";
}

}  // namespace vigil::sim
