#!/usr/bin/env bash
# Instructions per packet of each bench_track mode, under callgrind.
#
#   bench/callgrind.sh BENCH_TRACK CAPTURE [CAPTURE...]
#
# Runs `bench_track --mode M CAPTURE` once per mode (parse, flow, full),
# each in its own valgrind run, with instruction counting on only inside
# the mode's loop function (bench_loop_M: loading the capture and setting
# up are not counted), and prints per capture the loop's total Ir divided
# by the packets. Ir counts don't depend on the machine's load, unlike
# the cycle counts of bench_track's own timing.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 BENCH_TRACK CAPTURE [CAPTURE...]" >&2
	exit 2
fi
bin=$1
shift
command -v valgrind >/dev/null || { echo "$0: valgrind not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-40s %9s %10s %10s %10s %8s %8s\n' capture packets parse_Ir flow_Ir full_Ir \
	full/parse full/flow
for cap in "$@"; do
	declare -A ir=()
	packets=
	for mode in parse flow full; do
		out=$tmp/cg.$mode
		valgrind --tool=callgrind --callgrind-out-file="$out" \
			--toggle-collect="bench_loop_$mode" \
			"$bin" --mode "$mode" "$cap" >"$tmp/stdout" 2>"$tmp/stderr" || {
			cat "$tmp/stderr" >&2
			exit 1
		}
		packets=$(awk '{ for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }' \
			"$tmp/stdout")
		# the "totals:" line of the callgrind file: events collected
		total=$(awk '/^totals:/ { print $2 }' "$out")
		ir[$mode]=$(awk -v t="$total" -v n="$packets" 'BEGIN { printf "%.1f", t / n }')
	done
	printf '%-40s %9s %10s %10s %10s %8.3f %8.3f\n' "$(basename "$(dirname "$cap")")/$(basename "$cap")" "$packets" \
		"${ir[parse]}" "${ir[flow]}" "${ir[full]}" \
		"$(awk -v a="${ir[full]}" -v b="${ir[parse]}" 'BEGIN { print a / b }')" \
		"$(awk -v a="${ir[full]}" -v b="${ir[flow]}" 'BEGIN { print a / b }')"
	unset ir
done
