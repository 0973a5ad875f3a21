#pragma once
// RDB file format constants (Redis 7.0, RDB version 10). The values are on-disk and on-wire
// protocol: do not renumber. See docs/datanode-protocol.md,
// "RDB version 10: layout" and "RDB type ids".
#include <cstdint>

namespace vigil::datanode::rdb {

inline constexpr int kVersion = 10;         // what we write ("REDIS0010")
inline constexpr int kMinLoadVersion = 1;   // what we accept
inline constexpr int kMaxLoadVersion = 10;  // 7.2's 11 is rejected, as 7.0 does
inline constexpr const char* kRedisVersionAux = "7.0.15";

// Value types.
inline constexpr uint8_t kTypeString = 0;
inline constexpr uint8_t kTypeList = 1;
inline constexpr uint8_t kTypeSet = 2;
inline constexpr uint8_t kTypeZSet = 3;
inline constexpr uint8_t kTypeHash = 4;
inline constexpr uint8_t kTypeZSet2 = 5;
inline constexpr uint8_t kTypeModule = 6;
inline constexpr uint8_t kTypeModule2 = 7;
inline constexpr uint8_t kTypeHashZipmap = 9;
inline constexpr uint8_t kTypeListZiplist = 10;
inline constexpr uint8_t kTypeSetIntset = 11;
inline constexpr uint8_t kTypeZSetZiplist = 12;
inline constexpr uint8_t kTypeHashZiplist = 13;
inline constexpr uint8_t kTypeListQuicklist = 14;
inline constexpr uint8_t kTypeStreamListpacks = 15;
inline constexpr uint8_t kTypeHashListpack = 16;
inline constexpr uint8_t kTypeZSetListpack = 17;
inline constexpr uint8_t kTypeListQuicklist2 = 18;
inline constexpr uint8_t kTypeStreamListpacks2 = 19;

// Opcodes.
inline constexpr uint8_t kOpFunction2 = 245;
inline constexpr uint8_t kOpFunction = 246;  // 7.0 release candidates only
inline constexpr uint8_t kOpModuleAux = 247;
inline constexpr uint8_t kOpIdle = 248;
inline constexpr uint8_t kOpFreq = 249;
inline constexpr uint8_t kOpAux = 250;
inline constexpr uint8_t kOpResizeDb = 251;
inline constexpr uint8_t kOpExpireTimeMs = 252;
inline constexpr uint8_t kOpExpireTime = 253;
inline constexpr uint8_t kOpSelectDb = 254;
inline constexpr uint8_t kOpEof = 255;

// Length encoding: the two top bits of the first byte.
inline constexpr uint8_t kLen6Bit = 0;
inline constexpr uint8_t kLen14Bit = 1;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kLenEncoded = 3;  // 11xxxxxx: special string encoding follows

// Special string encodings (low 6 bits after 11).
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Quicklist 2 node containers.
inline constexpr uint64_t kQuicklistNodePlain = 1;
inline constexpr uint64_t kQuicklistNodePacked = 2;

// Binary ZSET (type 3) score markers.
inline constexpr uint8_t kScoreNan = 253;
inline constexpr uint8_t kScorePosInf = 254;
inline constexpr uint8_t kScoreNegInf = 255;

// Module opcodes inside MODULE_2 values and MODULE_AUX.
inline constexpr uint64_t kModuleOpcodeEof = 0;
inline constexpr uint64_t kModuleOpcodeSInt = 1;
inline constexpr uint64_t kModuleOpcodeUInt = 2;
inline constexpr uint64_t kModuleOpcodeFloat = 3;
inline constexpr uint64_t kModuleOpcodeDouble = 4;
inline constexpr uint64_t kModuleOpcodeString = 5;

}  // namespace vigil::datanode::rdb
