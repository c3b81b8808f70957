#!/usr/bin/env bash
# PNE against its peers on the same captures, in one run, interleaved
# (bench/README.md, "Peers"):
#   pne-replay  -q --stats-json: its own TSC cycles per packet (the
#               pipeline's packet loop; reading the file is not timed),
#               plus the process's time
#   nids_bench  libnids TCP reassembly of both directions of every
#               stream over the capture in memory: TSC cycles per packet,
#               plus the process's time
#   tshark      -2 (two-pass analysis, TCP reassembly on) with the HTTP
#               and iSCSI dissectors forced by an io,stat filter on each:
#               the process's time only
# Each round runs every tool on every capture, in the same order; there
# are ROUNDS rounds (default 5) and the medians are reported. Process
# time is /usr/bin/time's user + system seconds (no perf).
#
#   bench/peers.sh BUILD_DIR OUT_DIR [ROUNDS]
#
# Captures: /work/shared/traces/iscsi_store_read_20mb.pcap.xz (PEERS_TRACES
# to change the folder), tests/regress/http-keepalive/input.pcap, and a
# synthetic HTTP trace (gen_trace: 100 connections, 20 responses of
# 8 KiB each). Writes OUT_DIR/peers.log (every run) and OUT_DIR/peers.md
# (the table).
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR OUT_DIR [ROUNDS]" >&2
	exit 2
fi
bin=$1/bin
out=$2
rounds=${3:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
traces=${PEERS_TRACES:-/work/shared/traces}
for b in pne-replay nids_bench gen_trace; do
	[ -x "$bin/$b" ] || {
		echo "$0: $bin/$b not built (nids_bench needs libnids-dev: scripts/deps.sh bench)" >&2
		exit 1
	}
done
for t in tshark xz /usr/bin/time /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "$0: $t not installed (scripts/deps.sh bench)" >&2; exit 1; }
done
mkdir -p "$out/traces"
xz -dkc "$traces/iscsi_store_read_20mb.pcap.xz" >"$out/traces/iscsi20.pcap"
cp "$root/tests/regress/http-keepalive/input.pcap" "$out/traces/http-keepalive.pcap"
"$bin/gen_trace" --proto http --flows 100 --adus 20 --adu-size 8192 \
	-o "$out/traces/http-gen.pcap" >/dev/null
caps=(iscsi20 http-keepalive http-gen)
log=$out/peers.log
: >"$log"

# time_it TOOL CAP CMD...: one line "TOOL CAP user+sys wall cycles/packet"
time_it() {
	local tool=$1 cap=$2 tf=$out/time.txt
	shift 2
	/usr/bin/time -f "%U %S %e" -o "$tf" "$@" >"$out/stdout.txt" 2>"$out/stderr.txt" || {
		cat "$out/stderr.txt" >&2
		echo "$0: $tool failed on $cap" >&2
		exit 1
	}
	local cpp=NaN
	case $tool in
	pne) cpp=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cycles"]["per_packet"])' "$out/stats.json") ;;
	nids) cpp=$(awk '/^cycles\/packet/ { print $2 }' "$out/stdout.txt") ;;
	esac
	awk -v t="$tool" -v c="$cap" -v p="$cpp" '{ printf "%s %s %.3f %.3f %s\n", t, c, $1 + $2, $3, p }' \
		"$tf" >>"$log"
}

for r in $(seq "$rounds"); do
	for c in "${caps[@]}"; do
		f=$out/traces/$c.pcap
		time_it pne "$c" "$bin/pne-replay" -q --stats-json "$out/stats.json" "$f"
		time_it nids "$c" "$bin/nids_bench" "$f"
		time_it tshark "$c" tshark -2 -n -q -r "$f" -z io,stat,0,http,iscsi
	done
done
rm -f "$out/time.txt" "$out/stdout.txt" "$out/stderr.txt" "$out/stats.json"

/usr/bin/python3 - "$log" "$out" "${caps[@]}" >"$out/peers.md" <<'PY'
import statistics, subprocess, sys
log, out, caps = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = {}
for line in open(log):
    tool, cap, cpu, wall, cpp = line.split()
    runs.setdefault((tool, cap), []).append((float(cpu), float(wall), float(cpp)))
def packets(cap):
    r = subprocess.run(["capinfos", "-c", "-M", "%s/traces/%s.pcap" % (out, cap)],
                       capture_output=True, text=True, check=True)
    return int(r.stdout.split()[-1])
print("| capture | packets | pne-replay cycles/pkt | libnids cycles/pkt | libnids / PNE | "
      "CPU s: pne-replay / libnids / tshark -2 | CPU us/pkt: pne / nids / tshark | "
      "tshark / PNE (CPU) | libnids / PNE (CPU) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for cap in caps:
    n = packets(cap)
    med = {t: (statistics.median(x[0] for x in runs[(t, cap)]),
               statistics.median(x[2] for x in runs[(t, cap)])) for t in ("pne", "nids", "tshark")}
    us = {t: med[t][0] / n * 1e6 for t in med}
    print("| %s | %d | %.0f | %.0f | %.2f | %.3f / %.3f / %.3f | %.2f / %.2f / %.1f | %.0f | %.2f |" % (
        cap, n, med["pne"][1], med["nids"][1], med["nids"][1] / med["pne"][1],
        med["pne"][0], med["nids"][0], med["tshark"][0], us["pne"], us["nids"], us["tshark"],
        med["tshark"][0] / max(med["pne"][0], 1e-3), med["nids"][0] / max(med["pne"][0], 1e-3)))
print()
print("medians of %d rounds; CPU = user + system seconds of the whole process "
      "(file reading and start-up included)" % len(runs[("pne", caps[0])]))
PY
cat "$out/peers.md"
