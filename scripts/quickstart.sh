#!/usr/bin/env bash
# The main job on its embedded default: install what is missing, build
# everything, compile every shipped spec with pnec and print a summary of
# each. (Once dpdk-pne exists this will replay the bundled traces.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPNE_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "Built build/bin/pnec; compiling every shipped spec:"
echo
for spec in specs/*.pne; do
	./build/bin/pnec --summary "$spec"
	echo
done
echo "Replaying the bundled sample captures (tests/regress) with pne-replay:"
echo
for pcap in tests/regress/http-keepalive/input.pcap tests/regress/iscsi-rw/input.pcap; do
	./build/bin/pne-replay --no-progress "$pcap"
	echo
done
