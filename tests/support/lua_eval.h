#pragma once
// EVAL helpers for the tests of the Lua libraries: a script gets a `hex` function (byte strings
// as hex, so binary encodings compare as text), and ErrorText drops the " script: <sha>, on ..."
// suffix Redis adds to an error, which depends on the script's body.
#include <string>

#include "tests/support/service_harness.h"

namespace vigil::testing {

inline std::string EvalWithHex(ServiceHarness& h, const std::string& script) {
  static const std::string kHex =
      "local function hex(e) local h = '' for i = 1, #e do "
      "h = h .. string.format('%02x', e:byte(i)) end return h end ";
  return h.Raw({"EVAL", kHex + script, "0"});
}

inline std::string EvalErrorText(ServiceHarness& h, const std::string& script) {
  std::string r = EvalWithHex(h, script);
  const size_t at = r.find(" script: ");
  return at == std::string::npos ? r : r.substr(0, at);
}

}  // namespace vigil::testing
