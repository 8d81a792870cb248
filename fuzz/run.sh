#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan), makes seed corpora from testdata/, and
# runs each target for SECONDS (default 60), $ASSAY_JOBS of them at a time (default: all cores).
# Exits non-zero on any crash, leak or timeout; the reproducer is left in build/fuzz/artifacts/.
# Turn a reproducer into a regression test by copying it to testdata/fuzz-regressions/<target>/
# (tests/fuzz_regression_test.cc replays it).
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(base64url json verify keys form mock)
build="$root/build/fuzz"
jobs="${ASSAY_JOBS:-$(nproc)}"

CXX=clang++ CC=clang cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DASSAY_FUZZ=ON -DASSAY_SANITIZE="address;undefined;fuzzer-no-link" -DASSAY_WERROR=ON \
  -DASSAY_BUILD_TESTS=OFF -DASSAY_BUILD_BENCH=OFF -DASSAY_BUILD_TOOLS=OFF >/dev/null
if ! cmake --build "$build" -j "$jobs" > "$build/build.log" 2>&1; then
  grep -E "error|FAILED" "$build/build.log" | head -20
  echo "fuzz build failed; see $build/build.log"
  exit 1
fi

/usr/bin/python3 - "$root" "$build/seeds" <<'PY'
import base64, glob, json, os, sys
root, out = sys.argv[1], sys.argv[2]
def put(target, name, data):
    d = os.path.join(out, target); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data if isinstance(data, bytes) else data.encode())
def b64d(s):
    s = s.replace("-", "+").replace("_", "/"); s += "=" * (-len(s) % 4)
    try: return base64.b64decode(s)
    except Exception: return b""
n = 0
for f in sorted(glob.glob(os.path.join(root, "testdata/vectors/*.json"))):
    for g in json.load(open(f))["testGroups"]:
        for t in g["tests"]:
            a = t["assertion"]; n += 1; name = f"{os.path.basename(f)[17:22]}-{t['tcId']}"
            put("verify", name, a)
            segs = a.split(".")
            for i, s in enumerate(segs[:3]):
                put("base64url", f"{name}-{i}", s)
                if i < 2: put("json", f"{name}-{i}", b64d(s))
            form = "grant_type=client_credentials&client_id=x&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" + a + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
            put("form", name, form)
            if n % 4 == 0:  # the mock's token endpoints (shapes 0 and 1 of fuzz/mock_target.cc)
                put("mock", name, bytes([n % 8 // 4]) + form.encode())
for f in sorted(glob.glob(os.path.join(root, "testdata/keys/*"))):
    if not f.endswith(".py"):
        put("keys", os.path.basename(f), open(f, "rb").read())
put("keys", "jwks", open(os.path.join(root, "testdata/keys/jwks.json"), "rb").read())
# The other request shapes of the mock target (first byte), as clients send them.
for i, seed in enumerate([
        b"\x02application/x-www-form-urlencoded; charset=utf-8\ngrant_type=client_credentials",
        b"\x03$top=5&$select=subject,from&$orderby=receivedDateTime desc&$count=true",
        b"\x03$skip=10&$top=1000",
        b"\x04megan@contoso.onmicrosoft.com",
        b"\x05Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        b'\x06{"path":"/oauth2/v2.0/token","count":2,"status":429,"retry_after":1}',
        b'\x06{"path":"(","drop":true}',
        b"\x07contoso.onmicrosoft.com",
        b"\x08client_id=6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10&redirect_uri=http://localhost/cb&state=x",
        b"\x09code=700027",
        b"\x0alimit=5",
        b"\x0bGET /common/discovery/instance?authorization_endpoint=https://login.microsoftonline.com/common/oauth2/v2.0/authorize\n",
        b"\x0bGET /contoso.onmicrosoft.com/discovery/v2.0/keys\n"]):
    put("mock", f"shape-{i}", seed)
print(f"seeds from {n} vectors")
PY

mkdir -p "$build/artifacts"
# Runs one target; its log goes to $build/$t.log and its exit status to $build/$t.status.
run_target() {
  local t="$1"
  local corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  local regress="$root/testdata/fuzz-regressions/$t"
  local extra=()
  [ -d "$regress" ] && extra+=("$regress")
  local rc=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/fuzz/${t}_fuzzer" "$corpus" "$build/seeds/$t" "${extra[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=131072 \
    -dict="$root/fuzz/jose.dict" -artifact_prefix="$build/artifacts/$t-" -print_final_stats=1 \
    > "$build/$t.log" 2>&1 || rc=$?
  echo "$rc" > "$build/$t.status"
}

# As many targets at once as there are jobs (each is single-threaded and gets the full time).
echo "==> fuzzing ${targets[*]} for ${seconds}s each, $jobs at a time"
for t in "${targets[@]}"; do
  rm -f "$build/$t.status"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
  done
  run_target "$t" &
done
wait

status=0
for t in "${targets[@]}"; do
  if [ "$(cat "$build/$t.status" 2>/dev/null || echo missing)" != 0 ]; then
    echo "fuzz target $t FAILED; see $build/$t.log and $build/artifacts/"
    tail -40 "$build/$t.log"
    status=1
  else
    echo "$t: $(grep -E "stat::number_of_executed_units" "$build/$t.log" | tail -1)"
  fi
done
exit $status
