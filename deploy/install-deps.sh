#!/usr/bin/env bash
# install-deps.sh -- install the Debian 12 packages govsweep builds, runs and tests with.
#
# Idempotent: safe to run on a machine that already has them. Needs root (or sudo).
set -euo pipefail

PKGS=(
    build-essential cmake pkg-config git ca-certificates
    libzmq3-dev libcurl4-openssl-dev libhiredis-dev libxml2-dev libmsgpack-dev
    libjansson-dev libuchardet-dev zlib1g-dev libssl-dev libxlsxwriter-dev
    libcmocka-dev libmicrohttpd-dev
    libbrotli-dev clang libclang-rt-14-dev  # brotli bombs (test_worker_hostile); libFuzzer (tests/fuzz)
    libopencc-dev libopencc-data  # T2S: the library, its t2s.json (the .ocd2 come with libopencc1.1)
    redis-server redis-tools
    curl python3 procps clang-format libxml2-utils perl
    dpkg-dev systemd groff-base man-db shellcheck  # package, units and manual page tests
    chromium fonts-wqy-microhei  # the browser test of report.html, with a CJK font
    libgnutls28-dev opencc openssl iproute2 wrk  # gs-simsrv HTTPS, its checker, bench/sim-wrk.sh
    wget python3-scrapy linux-perf  # the peers of bench/peers.sh; bench/profile.sh
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#PKGS[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
# The packaged redis-server starts a system instance on port 6379; govsweep never uses
# it (it starts its own private instance), so leave it as the distribution set it up.
