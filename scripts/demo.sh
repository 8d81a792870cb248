#!/usr/bin/env bash
# Installs what is missing, builds assay, and runs the demo: build a client assertion with a
# test certificate, inspect it, verify it, then verify a broken one and explain Entra's error.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ASSAY_ROOT"
ensure_packages
export CCACHE_DIR="${CCACHE_DIR:-$ASSAY_ROOT/build/.ccache}"
log "building (build/demo)"
configure_and_build build/demo -DCMAKE_BUILD_TYPE=Release -DASSAY_BUILD_TESTS=OFF -DASSAY_BUILD_BENCH=OFF \
  >/dev/null
assay="$ASSAY_ROOT/build/demo/tools/assay/assay"
keys="$ASSAY_ROOT/testdata/keys"
client=6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10
tenant=contoso.onmicrosoft.com

log "assay build: a client assertion signed with the test .pfx"
token=$("$assay" build --client-id "$client" --tenant "$tenant" \
  --pfx "$keys/rsa-2048.pfx" --password-file <(echo assay-test))
echo "$token"

log "assay inspect: what is inside"
"$assay" inspect "$token"

log "assay verify: against the registered certificate"
"$assay" verify "$token" --cert "$keys/rsa-2048.crt.pem" --tenant "$tenant" --client-id "$client"

log "a broken assertion: signed with another key, v1 audience, an hour old"
bad=$("$assay" build --client-id "$client" --tenant "$tenant" --endpoint v1 \
  --key "$keys/rsa-2048-b.key.pem" --cert "$keys/rsa-2048-b.crt.pem" --alg RS256 \
  --now "$(( $(date +%s) - 3600 ))" 2>/dev/null)
"$assay" verify "$bad" --cert "$keys/rsa-2048.crt.pem" --tenant "$tenant" --endpoint v2 \
  --client-id "$client" || echo "(assay verify exited $?: findings)"

log "assay explain AADSTS700027"
"$assay" explain AADSTS700027
