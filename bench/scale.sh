#!/usr/bin/env bash
# Scaling runs of bench_scale over gen_trace traces (bench/README.md,
# "Scaling"): concurrent connections, ADU sizes, reordering, new
# connections per second, two workers against one.
#
#   bench/scale.sh BUILD_DIR OUT_DIR
#
# Writes OUT_DIR/scale_{flows,size,ooo,new,workers}.dat (bench_scale
# --dat lines, with the trace's parameters in the label) and each run's
# output to OUT_DIR/scale.log. Traces go to OUT_DIR/traces and are
# removed after their run (the largest is about 1.5 GB).
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR OUT_DIR" >&2
	exit 2
fi
bin=$1/bin
out=$2
for b in gen_trace bench_scale; do
	[ -x "$bin/$b" ] || { echo "$0: $bin/$b not built" >&2; exit 1; }
done
mkdir -p "$out/traces"
log=$out/scale.log
: >"$log"
hdr="# label packets flows_peak cpp_cold cpp_min cpp_med mpps_med conn_per_s bytes_per_flow state_per_flow adus examined payload_packets"
for f in flows size ooo new workers; do echo "$hdr" >"$out/scale_$f.dat"; done

# run DAT LABEL "GEN_TRACE ARGS" [BENCH_SCALE ARGS...]
run() {
	local dat=$1 label=$2 gen=$3
	shift 3
	local pcap=$out/traces/$label.pcap
	# shellcheck disable=SC2086
	"$bin/gen_trace" $gen -o "$pcap" >>"$log"
	"$bin/bench_scale" --label "$label" --dat "$out/scale_$dat.dat" "$@" "$pcap" \
		| tee -a "$log"
	rm -f "$pcap"
}

# 1. concurrent connections (HTTP: 1 KiB responses; iSCSI: 1 KiB Data-In).
# 1M connections take about 2.3 GiB (HTTP) or 1.4 GiB (iSCSI) of tracker
# state, plus the flow table and the trace in memory.
run flows http-1 "--proto http --flows 1 --adus 20000 --adu-size 1024" --rounds 5
run flows http-1k "--proto http --flows 1000 --adus 20 --adu-size 1024" --rounds 5
run flows http-100k "--proto http --flows 100000 --adus 2 --adu-size 1024" --rounds 3
run flows http-1M "--proto http --flows 1000000 --adus 1 --adu-size 1024" --rounds 2
run flows iscsi-1 "--proto iscsi --flows 1 --adus 20000 --adu-size 1024" --rounds 5
run flows iscsi-1k "--proto iscsi --flows 1000 --adus 20 --adu-size 1024" --rounds 5
run flows iscsi-100k "--proto iscsi --flows 100000 --adus 2 --adu-size 1024" --rounds 3
run flows iscsi-1M "--proto iscsi --flows 1000000 --adus 1 --adu-size 1024" --rounds 2

# 2. ADU sizes, 100 connections at once, about 1M frames or 200 MB each
for p in http iscsi; do
	run size "$p-64B" "--proto $p --flows 100 --adus 4000 --adu-size 64" --rounds 5
	run size "$p-1KiB" "--proto $p --flows 100 --adus 4000 --adu-size 1024" --rounds 5
	run size "$p-16KiB" "--proto $p --flows 100 --adus 100 --adu-size 16384" --rounds 5
	run size "$p-256KiB" "--proto $p --flows 100 --adus 8 --adu-size 262144" --rounds 5
	run size "$p-1MiB" "--proto $p --flows 100 --adus 2 --adu-size 1048576" --rounds 5
done

# 3. reordering: adjacent data segments swapped, 100 connections, 16 KiB
for p in http iscsi; do
	for r in 0 1 5; do
		run ooo "$p-ooo$r" "--proto $p --flows 100 --adus 100 --adu-size 16384 --ooo $r" \
			--rounds 5
	done
done

# 4. new connections: short connections (handshake, one 1 KiB exchange,
# close), 100 open at a time
run new http-short "--proto http --flows 50000 --concurrent 100 --adus 1 --adu-size 1024" \
	--rounds 5
run new iscsi-short "--proto iscsi --flows 50000 --concurrent 100 --adus 1 --adu-size 1024" \
	--rounds 5

# 5. two workers (two threads, connections split by flow hash) against one
for w in 1 2; do
	run workers "http-1k-w$w" "--proto http --flows 1000 --adus 20 --adu-size 1024" \
		--rounds 5 --workers $w
	run workers "http-100k-w$w" "--proto http --flows 100000 --adus 2 --adu-size 1024" \
		--rounds 3 --workers $w
done
