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

PIDS=()
WORK=

log() { echo "make_captures: $*" >&2; }
die() { log "error: $*"; exit 1; }

# stop_pid PID: SIGTERM, then SIGKILL after 2 s (tgtd ignores SIGTERM
# while it has targets), and reap it.
stop_pid() {
	local i
	kill "$1" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null || true
	return 0
}

cleanup() {
	local i
	set +e
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${PIDS[i]}"
	done
	PIDS=()
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Daemons are started with "ip netns exec" itself (it execs the command),
# never through these functions, so that $! is the daemon's pid.
in_c() { ip netns exec "$NS_C" "$@"; }
in_s() { ip netns exec "$NS_S" "$@"; }

# Remove a pid from PIDS once it has been stopped by hand.
forget_pid() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# wait_for FILE PATTERN: until a daemon's log says it is ready (5 s).
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	die "timed out waiting for '$2' in $1: $(cat "$1" 2>/dev/null)"
}

# wait_port PORT: until something listens on the server's PORT (5 s).
wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		in_s ss -Hltn "sport = :$1" | grep -q LISTEN && return 0
		sleep 0.05
	done
	die "nothing listens on port $1 in $NS_S"
}

check_tools() {
	[ "$(id -u)" -eq 0 ] || die "run as root (namespaces, tcpdump)"
	local t
	for t in ip ethtool tcpdump tshark nginx curl ab h2load tgtd tgtadm \
	         iscsi-ls iscsi-inq iscsi-readcapacity16 iscsi-test-cu ss "$PY"; do
		command -v "$t" >/dev/null || die "missing $t (install the packages of $HERE/deps.txt)"
	done
}

setup_net() {
	ip netns del "$NS_C" 2>/dev/null || true
	ip netns del "$NS_S" 2>/dev/null || true
	ip netns add "$NS_C"
	ip netns add "$NS_S"
	ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_S" netns "$NS_S"
	local ns ifc ip
	for ns in "$NS_C" "$NS_S"; do
		if [ "$ns" = "$NS_C" ]; then ifc=$IF_C ip=$IP_C; else ifc=$IF_S ip=$IP_S; fi
		# No IPv6 chatter (router solicitations, MLD) on the link.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
		ip -n "$ns" link set "$ifc" mtu 1500
		ip -n "$ns" addr add "$ip/24" dev "$ifc"
		ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off tx off rx off >/dev/null
		ip -n "$ns" link set "$ifc" up
	done
	ip -n "$NS_C" link show "$IF_C" | grep -q LOWER_UP || die "veth link is not up"
}

# Deterministic content: SHA-256 in counter mode over a fixed label.
gen_bin() {
	"$PY" - "$1" "$2" "$3" <<'EOF'
import hashlib, sys
path, size, label = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
out, i = bytearray(), 0
while len(out) < size:
    out += hashlib.sha256(label + i.to_bytes(8, "big")).digest()
    i += 1
with open(path, "wb") as f:
    f.write(out[:size])
EOF
}

gen_text() {
	"$PY" - "$1" "$2" <<'EOF'
import sys
path, n = sys.argv[1], int(sys.argv[2])
words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
with open(path, "w") as f:
    for i in range(n):
        f.write("line %05d: %s\n" % (i, " ".join(words[(i * 7 + k) % 8] for k in range(1 + i % 8))))
EOF
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
	cat >"$WORK/nginx/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log info;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $WORK/nginx/access.log;
	client_body_temp_path $WORK/nginx/tmp/body;
	proxy_temp_path $WORK/nginx/tmp/proxy;
	fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
	uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
	scgi_temp_path $WORK/nginx/tmp/scgi;
	sendfile off;
	server_tokens off;
	keepalive_timeout 30;
	keepalive_requests 1000;
	server {
		listen $IP_S:80;
		server_name regress;
		root $WORK/www;
		gzip on;
		gzip_types text/plain;
		gzip_min_length 20;
		gzip_buffers 4 4k;
		location / { }
		location /post/ {
			client_max_body_size 10m;
			client_body_buffer_size 1m;
			proxy_pass http://127.0.0.1:8081;
		}
		location /upload/ {
			client_max_body_size 10m;
			client_body_buffer_size 1m;
			proxy_pass http://127.0.0.1:8081;
		}
		location /dyn/ {
			proxy_buffering off;
			proxy_pass http://127.0.0.1:8081;
		}
	}
}
EOF
	ip netns exec "$NS_S" "$PY" "$HERE/backend.py" 127.0.0.1 8081 >"$WORK/backend.log" 2>&1 &
	PIDS+=($!)
	ip netns exec "$NS_S" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx/stderr.log" 2>&1 &
	PIDS+=($!)
	wait_port 8081
	wait_port 80
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
	PIDS+=("$CAP_PID")
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

tgt() { in_s tgtadm -C "$TGT_PORT" --lld iscsi "$@"; }

# start_iscsi DIGEST: tgtd with one 16 MiB file-backed LUN (LUN 1).
# Target-side keys: ImmediateData and InitialR2T are per test below.
start_iscsi() {
	mkdir -p "$WORK/tgt"
	rm -f "$WORK/tgt/lun.img"
	truncate -s 16M "$WORK/tgt/lun.img"
	ip netns exec "$NS_S" tgtd -f -C "$TGT_PORT" --iscsi portal="$IP_S:3260" >"$WORK/tgt/tgtd.log" 2>&1 &
	TGTD_PID=$!
	PIDS+=("$TGTD_PID")
	wait_port 3260
	local i
	for ((i = 0; i < 50; i++)); do
		tgt --mode target --op show >/dev/null 2>&1 && break
		sleep 0.1
	done
	tgt --op new --mode target --tid 1 -T "$IQN"
	tgt --op new --mode logicalunit --tid 1 --lun 1 -b "$WORK/tgt/lun.img"
	tgt --op bind --mode target --tid 1 -I ALL
	# tgt's defaults offer "None" for digests; allow CRC32C too, so the
	# initiator's choice decides.
	tgt --op update --mode target --tid 1 --name HeaderDigest --value "$1"
	tgt --op update --mode target --tid 1 --name DataDigest --value "$1"
}

stop_iscsi() {
	stop_pid "$TGTD_PID"
	forget_pid "$TGTD_PID"
}

iscsi_keys() {
	tgt --op update --mode target --tid 1 --name ImmediateData --value "$1"
	tgt --op update --mode target --tid 1 --name InitialR2T --value "$2"
}

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
