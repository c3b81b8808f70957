#!/usr/bin/env bash
# Every benchmark of bench/README.md in one command, on a quiet machine:
#
#   bench/run_all.sh [BUILD_DIR] [OUT_DIR]     (defaults: build, bench/results)
#
# Builds the benchmark targets (RelWithDebInfo), then runs, in order:
# the packets-examined check on every capture (min_examined.py), the
# in-memory cycles of bench_track on every capture, the scaling runs
# (scale.sh), the peers (peers.sh, 5 rounds), the line-rate table
# (linerate.py), the plots (gnuplot), and dpdk-pne's cost per packet,
# forwarding against tracking, in --bench mode with callgrind counts
# (pmd_cost.sh). Tables go to OUT_DIR/*.md and OUT_DIR/*.dat, plots to
# bench/*.png; copy the tables into the README. Needs the packages of
# `scripts/deps.sh bench`. Takes about 25 minutes and up to 6 GiB of
# memory (the 1M-connection run).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=${2:-$root/bench/results}
traces=${PEERS_TRACES:-/work/shared/traces}
mkdir -p "$out/traces"
cd "$root"

cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j2 --target pne-replay gen_trace bench_track bench_scale nids_bench \
	dpdk-pne

# 1. packets examined against the minimum
xz -dkc "$traces/iscsi_store_read_20mb.pcap.xz" >"$out/traces/iscsi_store_read_20mb.pcap"
{
	echo "| capture | payload packets | minimum | examined | at the minimum |"
	echo "|---|---:|---:|---:|---|"
	for cap in "$out/traces/iscsi_store_read_20mb.pcap" tests/regress/*/input.pcap; do
		r=$(/usr/bin/python3 bench/min_examined.py "$cap" --pne-replay "$build/bin/pne-replay" || true)
		echo "$r" | awk -v c="$cap" '
			/^payload packets/ { p = $3 }
			/^with a header byte/ { m = $6 }
			/^examined by/ { e = $4 }
			/^at the minimum/ { a = $4 }
			END { printf "| %s | %s | %s | %s | %s |\n", c, p, m, e, a }'
	done
} >"$out/examined.md"
cat "$out/examined.md"

# 2. in-memory cycles per packet, parse / flow / full
echo "# label packets parse_min parse_med flow_min flow_med full_min full_med" >"$out/results.dat"
"$build/bin/bench_track" --rounds 21 --dat "$out/results.dat" --label iscsi_store_read_20mb \
	"$out/traces/iscsi_store_read_20mb.pcap"
for d in tests/regress/*/; do
	"$build/bin/bench_track" --rounds 51 --dat "$out/results.dat" --label "$(basename "$d")" \
		"$d/input.pcap"
done

# 3. scaling, 4. peers
bench/scale.sh "$build" "$out"
bench/peers.sh "$build" "$out" 5

# 5. line-rate budget at the TSC rate bench_scale measured
ghz=$(awk '/TSC/ { for (i = 1; i < NF; i++) if ($i == "TSC") print $(i + 1) }' "$out/scale.log" |
	head -1)
/usr/bin/python3 bench/linerate.py --ghz "$ghz" --dat "$out/linerate.dat" "$out/results.dat" \
	"$out"/scale_*.dat "$out/peers.log" >"$out/linerate.md"
cat "$out/linerate.md"

# 6. plots
gnuplot -e "dir='$out'" bench/plot.gnuplot
gnuplot -e "dir='$out'" bench/plot_scale.gnuplot
rm -rf "$out/traces"

# 7. dpdk-pne: forward only vs tracking, per packet, in memory
bench/pmd_cost.sh "$build" "$out"
