#!/usr/bin/env bash
# The start-up benchmark of docs/performance.md ("inspect start-up"): `assay inspect TOKEN` on
# one fresh assertion, whole process, with hyperfine -N (no shell) after 20 warm-up runs,
# beside the floors (`true`, a C++ program loading libstdc++ and libcrypto, dynamic and fully
# static), and the same command run by assay-net, the executable of the network commands
# (token, mail, probe), which loads cpp-httplib, libssl, libz, brotli and libstdc++.so: what
# every command would cost if `assay` linked them.
# Prints the median, mean and minimum of each, and the 5 ms target for `assay inspect`.
# Usage: bench/startup.sh [BUILD_DIR (build/test)] [RUNS (300)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build/test}" && pwd)"
runs="${2:-300}"
keys="$root/testdata/keys"
assay="$build/tools/assay/assay"
out="$build/bench/data/startup.json"
mkdir -p "$(dirname "$out")"

# A valid assertion for the next 10 minutes (inspect reads the wall clock).
token="$("$assay" build --client-id 6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10 \
  --tenant contoso.onmicrosoft.com --key "$keys/rsa-2048.key.pem" --cert "$keys/rsa-2048.crt.pem" 2>/dev/null)"
"$assay" inspect "$token" >/dev/null  # exit 0: no finding

commands=(-n "true" "true"
          -n "C++ + libcrypto, static" "$build/bench/startup_cxx_static"
          -n "C++ + libcrypto, dynamic" "$build/bench/startup_cxx_dynamic"
          -n "assay inspect" "$assay inspect $token"
          -n "assay-net inspect (cpp-httplib loaded)" "$build/tools/assay/assay-net inspect $token")
hyperfine -N --style basic --warmup 20 --runs "$runs" --export-json "$out" "${commands[@]}" >&2

python3 - "$out" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']:44} median {r['median'] * 1e3:5.2f} ms  mean {r['mean'] * 1e3:5.2f} ms"
          f"  min {r['min'] * 1e3:5.2f} ms")
    if r["command"] == "assay inspect":
        ok = r["median"] <= 0.005
        print(f"{'':44} target: median <= 5 ms: {'met' if ok else 'MISSED'}")
PY
