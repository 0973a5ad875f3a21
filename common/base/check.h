#pragma once
// VIGIL_CHECK: an invariant that must hold in every build. A failure is a bug, never an operating
// error, so the process stops with the location instead of limping on with corrupt state.
#include <cstdio>
#include <cstdlib>

#define VIGIL_CHECK(cond)                                                           \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#ifdef NDEBUG
#define VIGIL_DCHECK(cond) \
  do {                     \
  } while (0)
#else
#define VIGIL_DCHECK(cond) VIGIL_CHECK(cond)
#endif
