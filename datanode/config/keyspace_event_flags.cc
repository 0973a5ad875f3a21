#include "datanode/config/keyspace_event_flags.h"

namespace vigil::datanode::notify {

int ParseFlags(std::string_view classes) {
  int flags = 0;
  for (char c : classes) {
    switch (c) {
      case 'A':
        flags |= kAll;
        break;
      case 'g':
        flags |= kGeneric;
        break;
      case '$':
        flags |= kString;
        break;
      case 'l':
        flags |= kList;
        break;
      case 's':
        flags |= kSet;
        break;
      case 'h':
        flags |= kHash;
        break;
      case 'z':
        flags |= kZset;
        break;
      case 'x':
        flags |= kExpired;
        break;
      case 'e':
        flags |= kEvicted;
        break;
      case 'K':
        flags |= kKeyspace;
        break;
      case 'E':
        flags |= kKeyevent;
        break;
      case 't':
        flags |= kStream;
        break;
      case 'm':
        flags |= kKeyMiss;
        break;
      case 'd':
        flags |= kModule;
        break;
      case 'n':
        flags |= kNew;
        break;
      default:
        return -1;
    }
  }
  return flags;
}

std::string FlagsToString(int flags) {
  std::string out;
  if ((flags & kAll) == kAll) {
    out += 'A';
  } else {
    static constexpr struct {
      int flag;
      char letter;
    } kClasses[] = {{kGeneric, 'g'}, {kString, '$'}, {kList, 'l'},    {kSet, 's'},
                    {kHash, 'h'},    {kZset, 'z'},   {kExpired, 'x'}, {kEvicted, 'e'},
                    {kStream, 't'},  {kModule, 'd'}, {kNew, 'n'}};
    for (const auto& c : kClasses) {
      if (flags & c.flag) out += c.letter;
    }
  }
  if (flags & kKeyspace) out += 'K';
  if (flags & kKeyevent) out += 'E';
  if (flags & kKeyMiss) out += 'm';
  return out;
}

}  // namespace vigil::datanode::notify
