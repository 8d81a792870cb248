#!/usr/bin/env bash
# Installs what is missing, builds assay and assay-mock, and runs the demo: assay-mock (an
# offline Entra ID and Microsoft Graph) starts with its defaults, `assay mail` gets an app-only
# token with a certificate credential and lists a user's 10 most recent Inbox messages, `assay
# inspect` shows the assertion that was sent, and a request signed with the wrong key is
# rejected and explained.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ASSAY_ROOT"
ensure_packages
export CCACHE_DIR="${CCACHE_DIR:-$ASSAY_ROOT/build/.ccache}"
log "building assay and assay-mock (build/demo)"
configure_and_build build/demo -DCMAKE_BUILD_TYPE=Release -DASSAY_BUILD_TESTS=OFF -DASSAY_BUILD_BENCH=OFF \
  >/dev/null
assay="$ASSAY_ROOT/build/demo/tools/assay/assay"
mock="$ASSAY_ROOT/build/demo/mock-server/assay-mock"

state="$(mktemp -d)"
cleanup() {
  [ -n "${mock_pid:-}" ] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
  rm -rf "$state"
}
trap cleanup EXIT

log "starting assay-mock (an offline Entra ID token endpoint and Graph mail API)"
"$mock" --state-dir "$state/mock" --port 0 >"$state/ready.json" 2>"$state/mock.log" &
mock_pid=$!
for _ in $(seq 100); do
  [ -s "$state/ready.json" ] && break
  sleep 0.1
done
[ -s "$state/ready.json" ] || { echo "assay-mock did not start:"; cat "$state/mock.log"; exit 1; }
field() { /usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(v[0] if isinstance(v, list) else v)' "$state/ready.json" "$1"; }
url=$(field url); ca=$(field ca); tenant=$(field tenant); client=$(field client_id)
pfx=$(field pfx); user=$(field users)
field pfx_password >"$state/pfx-password"
echo "assay-mock is serving $url (tenant $tenant, app $client)"
common=(--client-id "$client" --tenant "$tenant" --authority-host "$url" --ca-file "$ca")

log "assay mail: a token for Microsoft Graph with the app's certificate, then $user's Inbox"
"$assay" mail --user "$user" --graph-url "$url" "${common[@]}" \
  --pfx "$pfx" --password-file "$state/pfx-password" --save-assertion "$state/assertion.jwt"

log "assay inspect: the client assertion that was sent"
"$assay" inspect "@$state/assertion.jwt" --authority-host "$url"

log "the same request signed with another key: rejected, and explained"
"$assay" token "${common[@]}" --key testdata/keys/rsa-2048-b.key.pem --cert testdata/keys/rsa-2048-b.crt.pem \
  || echo "(assay token exited $?: the token endpoint refused, as it should)"
