#!/usr/bin/env bash
# The main job on its embedded default: install what is missing, build
# everything, compile every shipped spec with pnec and print a summary of
# each, then run dpdk-pne on the bundled sample traces (tests/regress/*):
# each replayed through its own net_pcap port, no NIC and no hugepages
# needed, printing the ADU counts and the stats (docs/dpdk-pne.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPNE_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "Built build/bin/pnec, build/bin/pne-replay and build/bin/dpdk-pne; compiling every shipped spec:"
echo
for spec in specs/*.pne; do
	./build/bin/pnec --summary "$spec"
	echo
done

out=build/quickstart
rm -rf "$out"
mkdir -p "$out"
vdevs=()
ports=()
n=0
for pcap in tests/regress/*/input.pcap; do
	name=$(basename "$(dirname "$pcap")")
	vdevs+=(--vdev "net_pcap$n,rx_pcap=$pcap,tx_pcap=$out/$name.tx.pcap")
	ports+=("$n")
	echo "port $n: $name ($pcap)"
	n=$((n + 1))
done
# one worker lcore beside the main lcore (which writes the ADU log) when
# the machine has two cores, else the main lcore does both
lcores=0
[ "$(nproc)" -ge 2 ] && lcores=0-1
echo
echo "Replaying them through dpdk-pne (inline: each port transmits back on itself):"
echo "  build/bin/dpdk-pne --no-pci --no-huge -m 512 -l $lcores --vdev net_pcap0,rx_pcap=...,tx_pcap=... ..."
echo "      -- --ports 0,1,... --adus $out/adus.jsonl --stats-json $out/stats.json --idle-exit 0.5"
echo
./build/bin/dpdk-pne --no-pci --no-huge -m 512 --file-prefix "pne-quickstart-$$" -l "$lcores" --log-level=error \
	"${vdevs[@]}" -- --ports "$(IFS=,; echo "${ports[*]}")" \
	--adus "$out/adus.jsonl" --stats-json "$out/stats.json" --idle-exit 0.5
echo
rm -rf "/var/run/dpdk/pne-quickstart-$$" 2>/dev/null || true
echo "ADU records: $out/adus.jsonl ($(wc -l <"$out/adus.jsonl") lines), all counters: $out/stats.json,"
echo "frames forwarded: $out/*.tx.pcap. The first records:"
head -n 3 "$out/adus.jsonl"
