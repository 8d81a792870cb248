#!/usr/bin/env bash
# The batch verification benchmark of docs/performance.md ("Batch verify"):
#   1. generates COUNT distinct, valid RS256 assertions once (bench/gen_tokens: fixed clock,
#      jti bench-00000001..., deterministic PKCS#1 v1.5 signatures, so the file is the same
#      on every machine) into BUILD_DIR/bench/data/;
#   2. checks that every token verifies and that --jobs 1 and --jobs 2 write the same NDJSON;
#   3. times three whole processes with hyperfine -N (median of RUNS runs, one warm-up):
#        raw    bench/raw_batch_verify: a plain C++ loop of EVP_DigestVerify over the file
#        jobs1  assay verify --batch FILE --jobs 1 (the CLI's entra policy and certificate)
#        jobs2  the same with --jobs 2
#   4. prints the rates and the ratios against the targets (jobs1 >= 0.85x raw,
#      jobs2 >= 1.7x jobs1).
# Usage: bench/batch_verify.sh [BUILD_DIR (build/test)] [COUNT (100000)] [RUNS (5)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build/test}" && pwd)"
count="${2:-100000}"
runs="${3:-5}"
keys="$root/testdata/keys"
cert="$keys/rsa-2048.crt.pem"
assay="$build/tools/assay/assay"
raw="$build/bench/raw_batch_verify"
data="$build/bench/data"
tokens="$data/rs256-$count.txt"

mkdir -p "$data"
if [ ! -s "$tokens" ]; then
  echo "generating $count RS256 assertions in $tokens" >&2
  "$build/bench/gen_tokens" --key "$keys/rsa-2048.key.pem" --cert "$cert" --count "$count" \
    --out "$tokens.tmp" --threads "$(nproc)"
  mv "$tokens.tmp" "$tokens"
fi

verify=(verify --batch "$tokens" --cert "$cert" --tenant contoso.onmicrosoft.com
        --client-id 6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10 --now 1767225600)
"$raw" "$cert" "$tokens" >/dev/null
"$assay" "${verify[@]}" --jobs 1 >"$data/jobs1.ndjson"  # exit 0: every line valid
"$assay" "${verify[@]}" --jobs 2 >"$data/jobs2.ndjson"
cmp -s "$data/jobs1.ndjson" "$data/jobs2.ndjson" || { echo "jobs 1 and 2 differ" >&2; exit 1; }

hyperfine -N --style basic --warmup 1 --runs "$runs" --export-json "$data/batch.json" \
  -n raw "$raw $cert $tokens" \
  -n jobs1 "$assay ${verify[*]} --jobs 1" \
  -n jobs2 "$assay ${verify[*]} --jobs 2" >&2

python3 - "$data/batch.json" "$count" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
med = {k: v["median"] for k, v in results.items()}
for k in ("raw", "jobs1", "jobs2"):
    print(f"{k:6} median {med[k]:.3f} s  {n / med[k]:10.0f} tokens/s  ({med[k] / n * 1e6:.1f} us/token)")
r1 = med["raw"] / med["jobs1"]
r2 = med["jobs1"] / med["jobs2"]
print(f"assay --jobs 1 = {r1:.2f}x raw OpenSSL loop (target >= 0.85x): {'met' if r1 >= 0.85 else 'MISSED'}")
print(f"assay --jobs 2 = {r2:.2f}x --jobs 1 (target >= 1.70x): {'met' if r2 >= 1.7 else 'MISSED'}")
PY
