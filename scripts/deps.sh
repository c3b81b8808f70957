#!/usr/bin/env bash
# Make sure the Debian packages PNE builds and tests with are installed.
# As root, missing packages are installed with apt-get; otherwise the
# script names exactly what is missing and how to install it, and fails.
#
#   scripts/deps.sh build   # what building needs
#   scripts/deps.sh test    # building plus what the test suite runs
#   scripts/deps.sh bench   # building plus what bench/run_all.sh runs
set -euo pipefail

build_pkgs=(cmake make gcc pkg-config flex bison libpcap-dev libcmocka-dev zlib1g-dev
            liblzma-dev libdpdk-dev xz-utils)
test_pkgs=(tshark python3 clang libclang-rt-14-dev)
# tests/live/ (and tests/regress/make_captures.sh): servers, clients and
# tools run in network namespaces
test_pkgs+=(nginx-light curl apache2-utils nghttp2-client tgt libiscsi-bin tcpdump
            nftables iproute2 ethtool iputils-ping)
# bench/: the libnids peer, process timing, plots, Ir counts
bench_pkgs=(libnids-dev time gnuplot-nox valgrind tshark python3)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")
[ "${1:-build}" = bench ] && want+=("${bench_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "pne: missing Debian packages: ${missing[*]}" >&2
	echo "pne: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "pne: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
