// Runs a libFuzzer target without libFuzzer (g++ builds): every file given on the command line,
// then a bounded number of seeded random mutations of them. ctest uses it so the fuzz entry
// points are exercised in every build; clang builds get the real fuzzers too.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (corpus.empty()) corpus.emplace_back("\x05*1\r\n$4\r\nPING\r\n");
  std::mt19937_64 rng(12345);
  size_t runs = 0;
  for (const auto& c : corpus) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(c.data()), c.size());
    ++runs;
  }
  for (int i = 0; i < 20000; ++i) {
    std::string s = corpus[rng() % corpus.size()];
    int edits = 1 + int(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t pos = s.empty() ? 0 : rng() % s.size();
      switch (rng() % 4) {
        case 0:
          if (!s.empty()) s[pos] = char(rng());
          break;
        case 1:
          s.insert(pos, 1, "*$\r\n0123456789-\"'\\x"[rng() % 19]);
          break;
        case 2:
          if (!s.empty()) s.erase(pos, 1 + rng() % 4);
          break;
        case 3:
          s += corpus[rng() % corpus.size()];
          break;
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  std::printf("fuzz replay: %zu inputs, no crash\n", runs);
  return 0;
}
