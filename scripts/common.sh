# Shared by scripts/demo.sh and scripts/test.sh: package installation and the CMake build.
# Sourced, not executed.

ASSAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASSAY_JOBS="${ASSAY_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Debian 12 packages the build, the tests and the demo need.
ASSAY_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config make
  openssl libssl-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
  libcpp-httplib-dev libbenchmark-dev libexpected-dev
  python3 python3-jwt python3-cryptography python3-msal python3-jsonschema
  clang libclang-rt-14-dev wrk curl ca-certificates procps
)

# "==> [12m05s] message": the time since the script started, so a slow phase shows.
log() { printf '\033[1m==> [%dm%02ds] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "assay: need root (or sudo) to install: $*" >&2
    return 1
  fi
}

# Installs whatever of ASSAY_PACKAGES is missing (nothing when all are present).
ensure_packages() {
  local missing=()
  local p
  for p in "${ASSAY_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# configure_and_build DIR [cmake args...]
configure_and_build() {
  local dir="$1"
  shift
  cmake -S "$ASSAY_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$ASSAY_JOBS"
}
