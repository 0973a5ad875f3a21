#pragma once
// The classes of keyspace notifications (`notify-keyspace-events`), with Redis 7.0's bit
// values and its letters: K E g $ l s h z x e t m d n, and A for "all the data classes".
#include <string>
#include <string_view>

namespace vigil::datanode::notify {

inline constexpr int kKeyspace = 1 << 0;  // K: __keyspace@<db>__:<key> channels
inline constexpr int kKeyevent = 1 << 1;  // E: __keyevent@<db>__:<event> channels
inline constexpr int kGeneric = 1 << 2;   // g
inline constexpr int kString = 1 << 3;    // $
inline constexpr int kList = 1 << 4;      // l
inline constexpr int kSet = 1 << 5;       // s
inline constexpr int kHash = 1 << 6;      // h
inline constexpr int kZset = 1 << 7;      // z
inline constexpr int kExpired = 1 << 8;   // x
inline constexpr int kEvicted = 1 << 9;   // e
inline constexpr int kStream = 1 << 10;   // t
inline constexpr int kKeyMiss = 1 << 11;  // m (not part of A, as in Redis)
inline constexpr int kModule = 1 << 13;   // d (no modules here; kept so the setting round-trips)
inline constexpr int kNew = 1 << 14;      // n (not part of A either)
inline constexpr int kAll =
    kGeneric | kString | kList | kSet | kHash | kZset | kExpired | kEvicted | kStream | kModule;

// The flags a class string names, or -1 when it holds a letter that names no class.
int ParseFlags(std::string_view classes);
// Redis's canonical spelling: "A" when every data class is on (then n is not shown), else the
// class letters in Redis's order, followed by K, E and m.
std::string FlagsToString(int flags);

}  // namespace vigil::datanode::notify
