#!/usr/bin/env bash
# dpdk-pne's cost per packet, forwarding only against tracking
# (bench/README.md, "dpdk-pne: cost per packet"):
#
#   bench/pmd_cost.sh [BUILD_DIR] [OUT_DIR]     (defaults: build, bench/results)
#
# For each trace, one dpdk-pne --bench run (the capture preloaded into
# mbufs, replayed through the worker loop from an in-memory ring port):
# rounds of a forward pass and a track pass (--spec http --spec iscsi),
# the order rotating, on the same packets in the same process. Then two
# callgrind runs of 2 rounds (one per mode), counting instructions only
# inside the pass function of the mode (pmd_bench_pass_forward /
# _track), for Ir per packet that the machine's load doesn't move.
#
# Traces: the shared 20 MiB iSCSI store/read capture, as is, with one
# data segment lost and retransmitted three segments later, and lost for
# good (bench/one_loss.py); tests/regress/iscsi-rw, http-keepalive (and
# its one-loss variant), http-ab (a message per packet: the worst case);
# a gen_trace HTTP bulk trace (10 connections x 4 responses of 1 MiB)
# and its one-loss variant.
#
# Writes OUT_DIR/pmd_cost.{log,dat,md} and bench/pmd_cost.png (the log:
# each run's report, its passes past round 2 left out). Needs
# valgrind, gnuplot-nox, editcap (tshark) and xz: scripts/deps.sh bench.
# Environment: PMD_COST_LCORES (EAL -l, default 0-1: the main lcore and
# one worker), PMD_COST_PKTS (packets per mode and trace at least,
# default 2000000), PEERS_TRACES (the shared traces' folder).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=${2:-$root/bench/results}
traces=${PEERS_TRACES:-/work/shared/traces}
lcores=${PMD_COST_LCORES:-0-1}
want_pkts=${PMD_COST_PKTS:-2000000}
tmp=$out/pmd_traces
bin=$build/bin/dpdk-pne
for t in valgrind gnuplot editcap xz; do
	command -v "$t" >/dev/null || { echo "$0: $t not installed (scripts/deps.sh bench)" >&2; exit 1; }
done
mkdir -p "$tmp"
cd "$root"

cmake -S . -B "$build" >/dev/null
cmake --build "$build" -j2 --target dpdk-pne gen_trace pne-replay

# ---- traces (classic pcap, which one_loss.py reads) ----
xz -dkc "$traces/iscsi_store_read_20mb.pcap.xz" >"$tmp/iscsi20.pcapng"
editcap -F pcap "$tmp/iscsi20.pcapng" "$tmp/iscsi20.pcap"
rm -f "$tmp/iscsi20.pcapng"
"$build/bin/gen_trace" --proto http --flows 10 --concurrent 10 --adus 4 --adu-size 1048576 \
	-o "$tmp/http_bulk.pcap" >/dev/null
for t in iscsi20 http_bulk; do
	/usr/bin/python3 bench/one_loss.py "$tmp/$t.pcap" "$tmp/${t}_loss.pcap"
done
/usr/bin/python3 bench/one_loss.py --drop "$tmp/iscsi20.pcap" "$tmp/iscsi20_drop.pcap"
/usr/bin/python3 bench/one_loss.py tests/regress/http-keepalive/input.pcap \
	"$tmp/http-keepalive_loss.pcap"
cases=(
	"iscsi20 $tmp/iscsi20.pcap"
	"iscsi20-one-loss $tmp/iscsi20_loss.pcap"
	"iscsi20-one-drop $tmp/iscsi20_drop.pcap"
	"iscsi-rw tests/regress/iscsi-rw/input.pcap"
	"http-bulk $tmp/http_bulk.pcap"
	"http-bulk-one-loss $tmp/http_bulk_loss.pcap"
	"http-keepalive tests/regress/http-keepalive/input.pcap"
	"http-keepalive-one-loss $tmp/http-keepalive_loss.pcap"
	"http-ab tests/regress/http-ab/input.pcap"
)

run=0
pmd() {   # pmd LCORES ARGS... : one dpdk-pne run with its own file prefix
	local l=$1 pfx="pmdcost$$_$((run += 1))"
	shift
	"$@" --no-pci --no-huge -m 2048 -l "$l" --log-level=warning --file-prefix "$pfx" \
		-- --spec http --spec iscsi -q "${BENCH_ARGS[@]}"
	rm -rf "/var/run/dpdk/$pfx"
}

frames_of() {
	"$build/bin/pne-replay" -q --stats-json - "$1" |
		/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pcap"]["packets"])'
}

# Ir per packet of one mode: 2 rounds under callgrind
ir_per_pkt() {   # FILE FRAMES MODE
	local cg=$tmp/cg.out
	BENCH_ARGS=(--bench "$1:2" --bench-modes "$3")
	pmd "$lcores" valgrind --tool=callgrind --callgrind-out-file="$cg" \
		--toggle-collect="pmd_bench_pass_$3" "$bin" >/dev/null 2>"$tmp/cg.err" || {
		cat "$tmp/cg.err" >&2
		exit 1
	}
	awk -v n="$2" '/^totals:/ { printf "%.1f", $2 / (2 * n) }' "$cg"
	rm -f "$cg"
}

log=$out/pmd_cost.log
dat=$out/pmd_cost.dat
: >"$log"
echo "# label frames mean_bytes fwd_min fwd_med trk_min trk_med overhead_pct_med" \
	"added_cyc trk_mpps trk_gbps trk_gbps1500 adus ir_fwd ir_trk" >"$dat"
for c in "${cases[@]}"; do
	read -r label file <<<"$c"
	frames=$(frames_of "$file")
	loops=$(( (want_pkts + frames - 1) / frames ))
	[ "$loops" -lt 21 ] && loops=21
	[ "$loops" -gt 5001 ] && loops=5001
	BENCH_ARGS=(--bench "$file:$loops" --bench-modes forward,track)
	r=$(pmd "$lcores" "$bin")
	# the log keeps the summary and the passes of the first 3 rounds
	{ echo "== $label ($file)"; echo "$r" | awk '!($1 == "pass" && $2 + 0 >= 3)'; } >>"$log"
	irf=$(ir_per_pkt "$file" "$frames" forward)
	irt=$(ir_per_pkt "$file" "$frames" track)
	echo "$r" | awk -v l="$label" -v irf="$irf" -v irt="$irt" '
		/^bench capture/ { n = $4; m = $9; sub(/\),?/, "", m) }
		$1 == "mode" && $2 == "forward" { fmin = $4; fmed = $5 }
		$1 == "mode" && $2 == "track" { tmin = $4; tmed = $5; mpps = $6; gb = $7; gb15 = $8; adus = $9 }
		/^overhead/ { ov = $9; sub(/%/, "", ov) }
		END { printf "%s %s %s %s %s %s %s %s %.1f %s %s %s %s %s %s\n", l, n, m, fmin, fmed,
		      tmin, tmed, ov, tmed - fmed, mpps, gb, gb15, adus, irf, irt }' >>"$dat"
	tail -1 "$dat"
done

# ---- the table, with the original study's rows ----
{
	echo "| trace | frames | mean frame (B) | forward cyc/pkt (med) | track cyc/pkt min / med | overhead (median of per-round ratios) | added cyc/pkt | track Mpps/core | track Gbit/s/core (measured frames) | track Gbit/s/core (1,500 B frames) | ADUs/pass | Ir/pkt forward / track | added Ir/pkt |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk '!/^#/ { printf "| %s | %s | %.0f | %.1f | %.0f / %.0f | %+.0f%% | %.0f | %.2f | %.1f | %.1f | %s | %.0f / %.0f | %.0f |\n",
		$1, $2, $3, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15 - $14 }' "$dat"
	echo "| original study: iSCSI regression test | | | 1,430 (no PNE) | 1,871 | +30.8% | 441 | | | | | | |"
	echo "| original study: iSCSI, with one loss | | | 1,328 (no PNE) | 1,937 | +45.9% | 609 | | | | | | |"
	echo "| original study: unpack and compile Apache | | | 1,591 (no PNE) | 2,104 | +32.2% | 513 | | | | | | |"
} >"$out/pmd_cost.md"
cat "$out/pmd_cost.md"
gnuplot -e "dir='$out'" bench/plot_pmd_cost.gnuplot
rm -rf "$tmp"
