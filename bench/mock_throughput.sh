#!/usr/bin/env bash
# assay-mock token-endpoint throughput under wrk, beside this machine's raw RSA-2048 sign rate.
#
#   bench/mock_throughput.sh [ASSAY_MOCK] [--http] [--duration S] [--connections N] [--threads N]
#
# Every request is fully validated (strict decode, every rule of the entra profile, the
# signature check against the registered certificate, the replay cache) and answered with a
# freshly RS256-signed access token, so one RSA-2048 signature per request is the floor of the
# work: the ratios printed at the end are requests/s divided by `openssl speed rsa2048` sign/s,
# for one process and for as many processes as there are cores (the machine's rate, which the
# 0.6x target is judged against: the server uses every core). One long-lived assertion is reused for every request, as MSAL reuses one for
# minutes; the default replay policy "allow" accepts that (CLM042 is a warning under entra).
# Needs: wrk, openssl, /usr/bin/python3 with python3-cryptography (Debian packages).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOCK=""
SCHEME_FLAG=()
DURATION=25
CONNECTIONS=16
THREADS=2
SPEED_SECONDS=10
while [ $# -gt 0 ]; do
  case "$1" in
    --http) SCHEME_FLAG=(--http) ;;
    --duration) DURATION="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --speed-seconds) SPEED_SECONDS="$2"; shift ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) MOCK="$1" ;;
  esac
  shift
done
if [ -z "$MOCK" ]; then
  for candidate in "$ROOT/build/test/mock-server/assay-mock" "$ROOT/build/dev/mock-server/assay-mock"; do
    if [ -x "$candidate" ]; then MOCK="$candidate"; break; fi
  done
fi
[ -x "$MOCK" ] || { echo "mock_throughput: build assay-mock first (or pass its path)" >&2; exit 2; }
for tool in wrk openssl /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "mock_throughput: $tool is missing" >&2; exit 2; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/assay-bench-XXXXXX")"
MOCK_PID=""
cleanup() {
  if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# 1. The mock, with a fresh state directory and its request log off.
"$MOCK" --port 0 --state-dir "$WORK/state" "${SCHEME_FLAG[@]}" >"$WORK/ready.json" 2>/dev/null &
MOCK_PID=$!
for _ in $(seq 1 100); do
  [ -s "$WORK/ready.json" ] && break
  sleep 0.1
done
[ -s "$WORK/ready.json" ] || { echo "mock_throughput: assay-mock did not start" >&2; exit 1; }

# 2. One valid assertion (RS256, x5t, 1 h lifetime) and the form body around it.
/usr/bin/python3 - "$WORK/ready.json" "$WORK" <<'PY'
import base64, json, sys, time, uuid, urllib.parse
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ready = json.load(open(sys.argv[1]))
work = sys.argv[2]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
cert = x509.load_pem_x509_certificate(open(ready["certificate"], "rb").read())
key = serialization.load_pem_private_key(open(ready["key"], "rb").read(), None)
url = f"{ready['url']}/{ready['tenant']}/oauth2/v2.0/token"
now = int(time.time())
header = {"alg": "RS256", "typ": "JWT", "x5t": b64(cert.fingerprint(hashes.SHA1()))}
claims = {"aud": url, "iss": ready["client_id"], "sub": ready["client_id"], "jti": str(uuid.uuid4()),
          "nbf": now - 60, "iat": now - 60, "exp": now + 3600}
signing_input = (b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())).encode()
sig = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
assertion = signing_input.decode() + "." + b64(sig)
body = urllib.parse.urlencode({
    "client_id": ready["client_id"], "scope": "https://graph.microsoft.com/.default",
    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    "client_assertion": assertion, "grant_type": "client_credentials"})
open(f"{work}/url", "w").write(url)
open(f"{work}/body", "w").write(body)
with open(f"{work}/post.lua", "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write('wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
    f.write(f"wrk.body = [==[{body}]==]\n")
PY
URL="$(cat "$WORK/url")"
CA_ARGS=()
CA="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ca"] or "")' "$WORK/ready.json")"
[ -n "$CA" ] && CA_ARGS=(--cacert "$CA")
STATUS="$(curl -s -o "$WORK/first.json" -w '%{http_code}' "${CA_ARGS[@]}" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$WORK/body" "$URL")"
if [ "$STATUS" != 200 ]; then
  echo "mock_throughput: the assertion was refused ($STATUS): $(cat "$WORK/first.json")" >&2
  exit 1
fi

# 3. Token endpoint under load.
echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s POST $URL" >&2
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$URL" | tee "$WORK/wrk.txt" >&2
RPS="$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")"
NON2XX="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$WORK/wrk.txt")"
ERRORS="$(awk '/Socket errors:/ {print}' "$WORK/wrk.txt")"
P99="$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=""

# 4. The machine's raw RSA-2048 sign rate, one process and one per core, measured now.
CORES="$(nproc)"
echo "== openssl speed -seconds $SPEED_SECONDS rsa2048" >&2
openssl speed -seconds "$SPEED_SECONDS" rsa2048 2>/dev/null | tee "$WORK/speed.txt" >&2
SIGN="$(awk '/^rsa 2048 bits/ {print $6}' "$WORK/speed.txt")"
echo "== openssl speed -seconds $SPEED_SECONDS -multi $CORES rsa2048" >&2
openssl speed -seconds "$SPEED_SECONDS" -multi "$CORES" rsa2048 2>/dev/null | tee "$WORK/speed-multi.txt" >&2
SIGN_ALL="$(awk '/^rsa 2048 bits/ {print $6}' "$WORK/speed-multi.txt")"

RATIO="$(awk -v r="$RPS" -v s="$SIGN" 'BEGIN { printf "%.2f", r / s }')"
RATIO_ALL="$(awk -v r="$RPS" -v s="$SIGN_ALL" 'BEGIN { printf "%.2f", r / s }')"
VERDICT="$(awk -v r="$RATIO_ALL" 'BEGIN { print (r >= 0.6 ? "met" : "MISSED") }')"
cat <<REPORT
assay-mock token endpoint ($( [ ${#SCHEME_FLAG[@]} -gt 0 ] && echo http || echo https ), full validation, fresh RS256 access token per request)
  date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)
  machine:     $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  load:        wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (wrk on the same machine)
  throughput:  $RPS requests/s (p99 $P99)${NON2XX:+, NON-2XX: $NON2XX}${ERRORS:+, $ERRORS}
  rsa2048:     $SIGN sign/s (openssl speed, one process), $SIGN_ALL sign/s ($CORES processes)
  ratio:       $RATIO_ALL x the machine's RSA-2048 sign rate, all $CORES cores (target >= 0.6: $VERDICT)
               $RATIO x the single-process rate
REPORT
if [ -n "$NON2XX" ] && [ "$NON2XX" != 0 ]; then
  echo "mock_throughput: some requests were not answered with 200" >&2
  exit 1
fi
