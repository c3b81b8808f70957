#!/usr/bin/env bash
# Make the regression captures of tests/regress/ from real software.
#
# Two network namespaces (client and server) joined by a veth pair with
# every offload off (so frames are the size and checksums are what the
# wire would carry), MTU 1500. Real servers (nginx, a tiny HTTP/1.0
# origin behind it, tgtd) run in the server namespace; real clients
# (curl, ab, h2load, a pipelining socket script, libiscsi's tools) in
# the client namespace. tcpdump captures the server's veth, full snaplen,
# TCP only, and is stopped with SIGINT after the clients have finished.
#
#   sudo tests/regress/make_captures.sh [CASE...]
#
# Without arguments every case is made; the pcaps land in
# tests/regress/CASE/input.pcap and tshark_adus.py writes each case's
# expected.jsonl beside it. Run as root. Needs the packages of deps.txt.
# Idempotent: leftovers of an earlier run (namespaces) are removed first;
# everything started here is stopped by pid on exit.
#
# Deterministic where the software allows: file contents, mtimes (so
# ETag and Last-Modified), request sequences. What varies between runs:
# ISNs, ports, TCP timestamps, Date headers, and how the kernel and the
# servers cut the streams into segments and chunks.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
NS_C=pnerg-client
NS_S=pnerg-server
IF_C=pnerg-c
IF_S=pnerg-s
IP_C=10.99.0.1
IP_S=10.99.0.2
MTIME=1700000000            # fixed mtime of the served files: fixed ETags
TGT_PORT=37                 # tgtd's management port (-C), apart from a system tgtd
IQN=iqn.2024-01.org.pne:regress
ALL_CASES=(http-keepalive http-chunked http-post http-pipelined http-ab
           http-h2load iscsi-rw iscsi-digest)

WORK=
LIB_TAG=make_captures
# shellcheck source-path=SCRIPTDIR source=../lib/netns.sh
. "$HERE/../lib/netns.sh"

cleanup() {
	set +e
	lib_cleanup
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Clients run through these (they wait for the command); daemons are
# started with "ip netns exec" itself (netns.sh).
in_c() { ip netns exec "$NS_C" "$@"; }
in_s() { ip netns exec "$NS_S" "$@"; }

check_tools() {
	[ "$(id -u)" -eq 0 ] || die "run as root (namespaces, tcpdump)"
	local t
	for t in ip ethtool tcpdump tshark nginx curl ab h2load tgtd tgtadm \
	         iscsi-ls iscsi-inq iscsi-readcapacity16 iscsi-test-cu ss "$PY"; do
		command -v "$t" >/dev/null || die "missing $t (install the packages of $HERE/deps.txt)"
	done
}

setup_net() {
	ns_add "$NS_C"
	ns_add "$NS_S"
	ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_S" netns "$NS_S"
	veth_up "$NS_C" "$IF_C" "$IP_C/24"
	veth_up "$NS_S" "$IF_S" "$IP_S/24"
	ip -n "$NS_C" link show "$IF_C" | grep -q LOWER_UP || die "veth link is not up"
}

make_files() {
	local www=$WORK/www
	mkdir -p "$www" "$WORK/nginx/tmp" "$WORK/data"
	gen_bin "$www/1k.bin" 1024 pne-1k
	gen_bin "$www/100k.bin" 102400 pne-100k
	gen_bin "$www/1m.bin" 1048576 pne-1m
	gen_text "$www/text.txt" 2000
	echo "<html><body>pne regress index</body></html>" >"$www/index.html"
	touch -d "@$MTIME" "$www"/*
	gen_bin "$WORK/data/post-10k.bin" 10240 pne-post-10k
	gen_bin "$WORK/data/post-200k.bin" 204800 pne-post-200k
	gen_bin "$WORK/data/upload-40k.bin" 40000 pne-upload-40k
	gen_bin "$WORK/data/upload-3k.bin" 3000 pne-upload-3k
	gen_bin "$WORK/data/pipe-post.bin" 700 pne-pipe-post
	printf 'name=pne&case=http-post&n=1' >"$WORK/data/form.txt"
}

start_http() {
	nginx_start "$NS_S" "$IP_S" "$WORK/nginx" "$WORK/www" "$HERE/backend.py"
}

CAP_PID=
CAP_FILE=
CAP_LOG=

cap_start() {
	CAP_FILE=$WORK/$1.pcap
	CAP_LOG=$WORK/$1.tcpdump.log
	rm -f "$CAP_FILE"
	ip netns exec "$NS_S" tcpdump -i "$IF_S" -s 0 -U --immediate-mode -Z root -n -w "$CAP_FILE" tcp >"$CAP_LOG" 2>&1 &
	CAP_PID=$!
	pid_track "$CAP_PID"
	wait_for "$CAP_LOG" "listening on"
}

# cap_stop CASE: let the last FIN/ACKs pass, stop tcpdump (SIGTERM: an
# asynchronous command of a script may start with SIGINT ignored), keep
# the pcap.
cap_stop() {
	sleep 0.5
	kill -TERM "$CAP_PID"
	wait "$CAP_PID" || true
	forget_pid "$CAP_PID"
	mkdir -p "$HERE/$1"
	cp "$CAP_FILE" "$HERE/$1/input.pcap"
	chmod 644 "$HERE/$1/input.pcap"
	log "$1: $(grep -E 'packets (captured|received)' "$CAP_LOG" | head -1), $(stat -c %s "$HERE/$1/input.pcap") bytes"
}

U=http://$IP_S

case_http_keepalive() {
	local etag lm
	etag=$(printf '"%x-%x"' "$MTIME" 102400)
	lm=$(LC_ALL=C TZ=GMT date -d "@$MTIME" '+%a, %d %b %Y %H:%M:%S GMT')
	cap_start http-keepalive
	# One curl, one connection: each --next is a new request on it.
	in_c curl -sS --fail-with-body -o /dev/null "$U/1k.bin" \
		--next -sS -o /dev/null "$U/100k.bin" \
		--next -sS -o /dev/null "$U/1m.bin" \
		--next -sS -o /dev/null "$U/no-such-file.html" \
		--next -sS -o /dev/null -I "$U/1m.bin" \
		--next -sS -o /dev/null -H "If-None-Match: $etag" "$U/100k.bin" \
		--next -sS -o /dev/null -H "If-Modified-Since: $lm" "$U/1k.bin" \
		--next -sS -o /dev/null -r 1000-2999 "$U/1m.bin" \
		--next -sS -o /dev/null -r 0-99,500-599 "$U/1k.bin" \
		--next -sS -o /dev/null "$U/"
	cap_stop http-keepalive
}

case_http_chunked() {
	cap_start http-chunked
	in_c curl -sS -o /dev/null --compressed "$U/text.txt" \
		--next -sS -o /dev/null "$U/dyn/first" \
		--next -sS -o /dev/null -H "Transfer-Encoding: chunked" \
			--data-binary "@$WORK/data/upload-40k.bin" "$U/upload/40k" \
		--next -sS -o /dev/null -H "Transfer-Encoding: chunked" \
			--data-binary "@$WORK/data/upload-3k.bin" "$U/upload/3k" \
		--next -sS -o /dev/null --compressed "$U/index.html" \
		--next -sS -o /dev/null "$U/dyn/last"
	cap_stop http-chunked
}

case_http_post() {
	cap_start http-post
	in_c curl -sS -o /dev/null --data-binary "@$WORK/data/form.txt" "$U/post/form" \
		--next -sS -o /dev/null -H "Content-Type: application/octet-stream" \
			--data-binary "@$WORK/data/post-10k.bin" "$U/post/10k" \
		--next -sS -o /dev/null -H "Content-Type: application/octet-stream" \
			--data-binary "@$WORK/data/post-200k.bin" "$U/post/200k" \
		--next -sS -o /dev/null -X POST -H "Content-Length: 0" "$U/post/empty" \
		--next -sS -o /dev/null -H "Expect: 100-continue" \
			-H "Content-Type: application/octet-stream" \
			--data-binary "@$WORK/data/post-10k.bin" "$U/post/expect"
	cap_stop http-post
}

case_http_pipelined() {
	cap_start http-pipelined
	in_c "$PY" "$HERE/pipeline.py" "$IP_S" 80 "$WORK/data/pipe-post.bin" >/dev/null
	# h2load pipelines too (-m with --h1): 4 requests in flight.
	in_c h2load --h1 -n 12 -c 1 -m 4 "$U/1k.bin" >"$WORK/h2load-pipe.log"
	cap_stop http-pipelined
}

case_http_ab() {
	cap_start http-ab
	in_c ab -q -k -n 50 -c 2 "$U/1k.bin" >"$WORK/ab.log"
	cap_stop http-ab
}

case_http_h2load() {
	cap_start http-h2load
	in_c h2load --h1 -n 100 -c 2 -m 4 "$U/1k.bin" >"$WORK/h2load.log"
	cap_stop http-h2load
}

# start_iscsi DIGEST: tgtd with one 16 MiB file-backed LUN (LUN 1).
# Target-side keys: ImmediateData and InitialR2T are per test below.
# tgt's defaults offer "None" for digests; DIGEST "CRC32C,None" allows
# CRC32C too, so the initiator's choice decides.
start_iscsi() {
	rm -f "$WORK/tgt/lun.img"
	tgtd_start "$NS_S" "$IP_S" "$TGT_PORT" "$WORK/tgt"
	truncate -s 16M "$WORK/tgt/lun.img"
	tgt_target "$NS_S" "$TGT_PORT" "$IQN" "$WORK/tgt/lun.img" "$1"
}

stop_iscsi() {
	stop_pid "$TGTD_PID"
	forget_pid "$TGTD_PID"
}

iscsi_keys() { tgt_keys "$NS_S" "$TGT_PORT" "$1" "$2"; }

# iscsi_session URLARGS: the libiscsi tools run against the target.
iscsi_session() {
	local url="iscsi://$IP_S:3260/$IQN/1$1"
	local T="$WORK/tgt/tests.log"
	in_c iscsi-ls -s "iscsi://$IP_S:3260" >>"$T" 2>&1
	in_c iscsi-inq "$url" >>"$T" 2>&1
	in_c iscsi-readcapacity16 "$url" >>"$T" 2>&1
	# Reads and writes of a few blocks (iscsi-test-cu logs in per test):
	# Data-In; Data-Out after R2T (InitialR2T=Yes); immediate data and
	# unsolicited Data-Out (InitialR2T=No, ImmediateData=Yes).
	iscsi_keys Yes Yes
	in_c iscsi-test-cu -d -s -t SCSI.Read10.DpoFua "$url" >>"$T" 2>&1 || true
	in_c iscsi-test-cu -d -s -t SCSI.Write10.DpoFua "$url" >>"$T" 2>&1 || true
	in_c iscsi-test-cu -d -s -t ALL.iSCSIResiduals.Write10Residuals "$url" >>"$T" 2>&1 || true
	iscsi_keys Yes No
	in_c iscsi-test-cu -d -s -t SCSI.Write10.DpoFua "$url" >>"$T" 2>&1 || true
	in_c iscsi-test-cu -d -s -t ALL.iSCSIResiduals.Write10Residuals "$url" >>"$T" 2>&1 || true
	iscsi_keys No Yes
	in_c iscsi-test-cu -d -s -t SCSI.Write10.DpoFua "$url" >>"$T" 2>&1 || true
}

case_iscsi_rw() {
	start_iscsi None
	cap_start iscsi-rw
	iscsi_session ""
	cap_stop iscsi-rw
	stop_iscsi
}

case_iscsi_digest() {
	start_iscsi CRC32C,None
	cap_start iscsi-digest
	iscsi_session "?header_digest=crc32c"
	cap_stop iscsi-digest
	stop_iscsi
}

main() {
	local cases=("$@") c
	[ ${#cases[@]} -eq 0 ] && cases=("${ALL_CASES[@]}")
	for c in "${cases[@]}"; do
		[[ " ${ALL_CASES[*]} " == *" $c "* ]] || die "unknown case $c (cases: ${ALL_CASES[*]})"
	done
	check_tools
	WORK=$(mktemp -d /tmp/pne-regress.XXXXXX)
	setup_net
	make_files
	local http=0
	for c in "${cases[@]}"; do
		if [[ $c == http-* && $http -eq 0 ]]; then
			start_http
			http=1
		fi
		"case_${c//-/_}"
		# tshark's HTTP dissector loses track after the pipelined HEAD
		# of http-pipelined's first connection (tshark_adus.py's help).
		local known=()
		[ "$c" = http-pipelined ] && known=(--known-mismatch 0:s2c)
		"$PY" "$HERE/tshark_adus.py" "${known[@]}" "$HERE/$c/input.pcap" >"$HERE/$c/expected.jsonl"
		log "$c: $(wc -l <"$HERE/$c/expected.jsonl") ADUs in expected.jsonl"
	done
}

main "$@"
