#!/usr/bin/env bash
# Installs what is missing, builds and runs the whole test suite:
#   1. a normal build with -Werror and every test (unit, CLI, end to end, interop);
#   2. an ASan+UBSan build running the same tests;
#   3. every libFuzzer target for a bounded time (clang, ASan + UBSan);
#   4. install + a tiny consumer built against the installed package.
# Exit status: 0 when everything passed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ASSAY_ROOT"
ensure_packages
export CCACHE_DIR="${CCACHE_DIR:-$ASSAY_ROOT/build/.ccache}"
start=$(date +%s)

log "build 1/2: RelWithDebInfo, -Werror"
configure_and_build build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASSAY_WERROR=ON
log "tests 1/2"
ctest --test-dir build/test --output-on-failure -j "$ASSAY_JOBS" --timeout 300

log "build 2/2: ASan + UBSan"
configure_and_build build/asan -DCMAKE_BUILD_TYPE=Debug -DASSAY_WERROR=ON \
  -DASSAY_SANITIZE="address;undefined" -DASSAY_BUILD_BENCH=OFF
log "tests 2/2 (sanitizers)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan --output-on-failure -j "$ASSAY_JOBS" --timeout 600

log "fuzzing: every libFuzzer target for ${ASSAY_FUZZ_SECONDS:-60}s (clang, ASan + UBSan)"
ASSAY_JOBS="$ASSAY_JOBS" ./fuzz/run.sh "${ASSAY_FUZZ_SECONDS:-60}"

log "install + consumer"
rm -rf build/install build/consumer
cmake --install build/test --prefix build/install >/dev/null
cmake -S tests/consumer -B build/consumer -G Ninja -DCMAKE_PREFIX_PATH="$ASSAY_ROOT/build/install" >/dev/null
cmake --build build/consumer >/dev/null
./build/consumer/assay_consumer "$ASSAY_ROOT/testdata/keys/rsa-2048.key.pem" "$ASSAY_ROOT/testdata/keys/rsa-2048.crt.pem"
# The installed assay finds its network helper (libexec/assay/assay-net).
./build/install/bin/assay token --help | grep -q -- "--token-endpoint"

log "all tests passed in $(( $(date +%s) - start ))s"
