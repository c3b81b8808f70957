# shellcheck shell=bash
# Shell functions shared by the scripts that run real software in network
# namespaces (tests/regress/make_captures.sh, tests/live/live.sh).
# Source it from bash after setting:
#
#   LIB_TAG   prefix of log lines ("make_captures", "live")
#   PY        the python3 to run helpers with (Debian's: /usr/bin/python3)
#
# Processes are tracked by pid in PIDS (pid_track) and namespaces in
# NETNS (ns_add); lib_cleanup stops the first newest-first and deletes
# the second, so a script's EXIT trap undoes everything it started.
# Daemons must be started with "ip netns exec NS CMD &" directly (it
# execs CMD), never through a shell function, so that $! is the
# daemon's own pid.

PIDS=()
NETNS=()

log() { echo "$LIB_TAG: $*" >&2; }
die() { log "error: $*"; exit 1; }

pid_track() { PIDS+=("$1"); }

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

# Remove a pid from PIDS once it has been stopped by hand.
forget_pid() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# ns_purge NS: remove a namespace left by an earlier run, killing (by
# pid) whatever still runs in it first, so that a run killed before its
# trap could act (SIGKILL from a test driver's timeout) leaves nothing
# behind for the next one.
ns_purge() {
	local p
	ip netns list 2>/dev/null | awk -v n="$1" '$1 == n { f = 1 } END { exit !f }' || return 0
	for p in $(ip netns pids "$1" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$1" 2>/dev/null
	return 0
}

# ns_add NS: a fresh namespace (an old one of that name is purged first)
# with lo up and IPv6 off (no router solicitations or MLD on the links).
ns_add() {
	ns_purge "$1"
	ip netns add "$1"
	NETNS+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set lo up
}

# veth_up NS IF [ADDR/LEN]: MTU 1500, every offload off (so frames are
# the size and carry the checksums the wire would), an address if
# given, link up.
veth_up() {
	ip -n "$1" link set "$2" mtu 1500
	if [ -n "${3:-}" ]; then
		ip -n "$1" addr add "$3" dev "$2"
	fi
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null
	ip -n "$1" link set "$2" up
}

lib_cleanup() {
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${PIDS[i]}"
	done
	PIDS=()
	for ((i = ${#NETNS[@]} - 1; i >= 0; i--)); do
		ns_purge "${NETNS[i]}"
	done
	NETNS=()
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

# ns_wait_port NS PORT: until something listens on PORT in NS (5 s).
ns_wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN && return 0
		sleep 0.05
	done
	die "nothing listens on port $2 in $1"
}

# gen_bin PATH SIZE LABEL: deterministic content, SHA-256 in counter
# mode over a fixed label.
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

# gen_text PATH LINES: deterministic, compressible text.
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

# nginx_start NS ADDR DIR ROOT BACKEND_PY: nginx listening on ADDR:80 in
# NS, serving ROOT (static files; text/plain gzip'd), with the tiny
# HTTP/1.0 origin BACKEND_PY on 127.0.0.1:8081 behind /post/, /upload/
# (request bodies nginx reads before answering) and /dyn/ (responses
# nginx must send chunked). Config, logs and temp files under DIR.
nginx_start() {
	local ns=$1 addr=$2 dir=$3 root=$4 backend=$5
	mkdir -p "$dir/tmp"
	cat >"$dir/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $dir/access.log;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	sendfile off;
	server_tokens off;
	keepalive_timeout 30;
	keepalive_requests 1000;
	server {
		listen $addr:80;
		server_name regress;
		root $root;
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
	ip netns exec "$ns" "$PY" "$backend" 127.0.0.1 8081 >"$dir/backend.log" 2>&1 &
	pid_track $!
	ip netns exec "$ns" nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/stderr.log" 2>&1 &
	pid_track $!
	ns_wait_port "$ns" 8081
	ns_wait_port "$ns" 80
}

# tgtd_start NS ADDR CTLPORT DIR: tgtd in NS on ADDR:3260 (foreground,
# tracked); CTLPORT is its management port (-C: a host-wide unix socket,
# so each user needs its own). Sets TGTD_PID.
tgtd_start() {
	local i
	mkdir -p "$4"
	ip netns exec "$1" tgtd -f -C "$3" --iscsi portal="$2:3260" >"$4/tgtd.log" 2>&1 &
	TGTD_PID=$!
	pid_track "$TGTD_PID"
	ns_wait_port "$1" 3260
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$1" tgtadm -C "$3" --lld iscsi --mode target --op show >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "tgtd (control port $3) does not answer"
}

# tgt_target NS CTLPORT IQN LUNFILE DIGEST: target 1 named IQN with LUN 1
# backed by LUNFILE, open to every initiator; HeaderDigest and DataDigest
# offered as DIGEST ("None", "CRC32C,None").
tgt_target() {
	local a=(ip netns exec "$1" tgtadm -C "$2" --lld iscsi)
	"${a[@]}" --op new --mode target --tid 1 -T "$3"
	"${a[@]}" --op new --mode logicalunit --tid 1 --lun 1 -b "$4"
	"${a[@]}" --op bind --mode target --tid 1 -I ALL
	"${a[@]}" --op update --mode target --tid 1 --name HeaderDigest --value "$5"
	"${a[@]}" --op update --mode target --tid 1 --name DataDigest --value "$5"
}

# tgt_keys NS CTLPORT IMMEDIATEDATA INITIALR2T
tgt_keys() {
	local a=(ip netns exec "$1" tgtadm -C "$2" --lld iscsi)
	"${a[@]}" --op update --mode target --tid 1 --name ImmediateData --value "$3"
	"${a[@]}" --op update --mode target --tid 1 --name InitialR2T --value "$4"
}
