#!/usr/bin/env bash
# `assay` hands token, mail and probe to assay-net (tools/assay/network_commands.h): checks
# the hand-off in the build-tree and installed layouts, exit codes passed through, the error
# when the helper is missing, and that `assay` itself does not load cpp-httplib.
# Usage: network_helper_test.sh ASSAY ASSAY_NET
set -uo pipefail
assay="$1"
assay_net="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Build tree: both executables in one directory.
out="$("$assay" token --help 2>&1)"; rc=$?
[[ $rc == 0 ]] || fail "assay token --help exited $rc"
grep -q -- "--token-endpoint" <<<"$out" || fail "assay token --help does not show the token options"
"$assay" mail >/dev/null 2>&1; rc=$?
[[ $rc == 2 ]] || fail "assay mail without --user: exit $rc, want 2 (usage, from assay-net)"
out="$("$assay" --help)" || fail "assay --help failed"
for c in token mail probe; do
  grep -q "^  $c " <<<"$out" || fail "assay --help does not list $c"
done
if ldd "$assay" | grep -q httplib; then
  fail "assay links cpp-httplib; only assay-net should"
fi

# Installed tree: bin/assay and libexec/assay/assay-net.
mkdir -p "$tmp/prefix/bin" "$tmp/prefix/libexec/assay"
cp "$assay" "$tmp/prefix/bin/assay"
cp "$assay_net" "$tmp/prefix/libexec/assay/assay-net"
"$tmp/prefix/bin/assay" probe --help >/dev/null 2>&1 || fail "installed layout: assay probe --help"
# A symlink to assay (e.g. /usr/local/bin/assay -> ...) still finds the helper.
ln -s "$tmp/prefix/bin/assay" "$tmp/assay-link"
"$tmp/assay-link" token --help >/dev/null 2>&1 || fail "assay through a symlink: token --help"

# No helper: a clear one-line error and exit 3; the offline commands still work.
mkdir -p "$tmp/alone"
cp "$assay" "$tmp/alone/assay"
err="$("$tmp/alone/assay" token --help 2>&1 >/dev/null)"; rc=$?
[[ $rc == 3 ]] || fail "missing assay-net: exit $rc, want 3"
[[ "$(wc -l <<<"$err")" == 1 ]] || fail "missing assay-net: want a one-line error, got: $err"
grep -q "runs assay-net, which could not be started" <<<"$err" || fail "missing assay-net: message: $err"
"$tmp/alone/assay" rules --format json >/dev/null || fail "assay rules without assay-net"

if ((failures)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "network helper: all checks passed"
