// libFuzzer entry point for the mock target (see mock_target.h).
#include <cstddef>
#include <cstdint>

#include "mock_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  assay::fuzz::mock(data, size);
  return 0;
}
