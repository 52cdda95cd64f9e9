#!/usr/bin/env bash
# Makes sure everything the test suite and benchmarks need is on this machine: npm packages,
# and the Debian tools (registry clients, Chromium, the reference registry, nginx). Installs
# what is missing when run as root; otherwise fails loudly with the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "provision: installing npm packages"
  npm ci --no-audit --no-fund
fi

# command → Debian package
declare -A tools=(
  [skopeo]=skopeo
  [podman]=podman
  [buildah]=buildah
  [chromium]=chromium
  [busybox]=busybox-static
  [docker-registry]=docker-registry
  [nginx]=nginx-light
  [curl]=curl
  [newuidmap]=uidmap
  [wrk]=wrk
  [htpasswd]=apache2-utils
)
missing=()
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${tools[$cmd]}")
done
# busybox-static provides /bin/busybox; the dynamic busybox package would not do for a rootfs.
if ! file -L "$(command -v busybox 2>/dev/null || echo /nonexistent)" 2>/dev/null | grep -q 'statically linked'; then
  [[ " ${missing[*]} " == *" busybox-static "* ]] || missing+=(busybox-static)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "provision: missing Debian packages: ${missing[*]}" >&2
    echo "provision: run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "provision: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" file >/dev/null
fi
# nginx and docker-registry packages start system services; the tests run their own instances.
for svc in nginx docker-registry; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
done
echo "provision: ok"
