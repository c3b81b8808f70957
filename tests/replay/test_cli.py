#!/usr/bin/python3
"""pne-replay's command line, input handling and counters, on captures
this script writes itself (no corpus needed).

usage: test_cli.py PNE_REPLAY PNEC SOURCE_DIR WORKDIR

Checks: usage errors exit 2 with a message; unreadable, empty, garbage
and directory inputs exit 1 with a message; a capture cut inside a record
is read up to the cut, warned about and counted (exit 0); pcap, pcapng
and gzip'd pcap give the same ADUs; --adus/--stats-json to files and to
standard output; the ADU records themselves; --spec ports, conflicts and
a pnec --module; --param; an unsupported link type; the stats' sums;
--hdr-memcap: a one-buffer pool refuses concurrent straddling heads.
"""

import gzip
import json
import os
import struct
import subprocess
import sys

sys.dont_write_bytecode = True   # keep the source tree clean

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stats_check  # noqa: E402

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)


def run(args, stdin=None):
    p = subprocess.run([REPLAY] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       input=stdin)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


# ---- building captures ---------------------------------------------------

def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b"", v6=False):
    """An Ethernet frame holding one TCP segment (checksums left zero:
    the parser doesn't verify them, like a capturing host with offload)."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    if v6:
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp) + len(payload), 6, 64,
                         bytes.fromhex(src), bytes.fromhex(dst))
        eth = b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd"
    else:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0,
                         64, 6, 0, bytes(src), bytes(dst))
        eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
    return eth + ip + tcp + payload


SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
REQ = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"


def conversation(c, s, cport, sport, v6=False):
    """Handshake, two requests (the second split in two segments), two
    responses, FINs: 4 ADUs."""
    ci, si = 1000, 5000
    f = lambda a, b, sp, dp, seq, ack, fl, p=b"": tcp_frame(a, b, sp, dp, seq, ack, fl, p, v6)
    out = [f(c, s, cport, sport, ci, 0, SYN),
           f(s, c, sport, cport, si, ci + 1, SYN | ACK),
           f(c, s, cport, sport, ci + 1, si + 1, ACK),
           f(c, s, cport, sport, ci + 1, si + 1, PSH | ACK, REQ),
           f(s, c, sport, cport, si + 1, ci + 1 + len(REQ), PSH | ACK, RESP),
           f(c, s, cport, sport, ci + 1 + len(REQ), si + 1 + len(RESP), ACK, REQ[:10]),
           f(c, s, cport, sport, ci + 11 + len(REQ), si + 1 + len(RESP), PSH | ACK, REQ[10:]),
           f(s, c, sport, cport, si + 1 + len(RESP), ci + 1 + 2 * len(REQ), PSH | ACK, RESP),
           f(c, s, cport, sport, ci + 1 + 2 * len(REQ), si + 1 + 2 * len(RESP), FIN | ACK),
           f(s, c, sport, cport, si + 1 + 2 * len(RESP), ci + 2 + 2 * len(REQ), FIN | ACK),
           f(c, s, cport, sport, ci + 2 + 2 * len(REQ), si + 2 + 2 * len(RESP), ACK)]
    return out


def frames():
    a, b = [10, 0, 0, 1], [10, 0, 0, 2]
    v6a, v6b = "20010db8" + "0" * 23 + "1", "20010db8" + "0" * 23 + "2"
    out = conversation(a, b, 40000, 80)
    out += conversation(v6a, v6b, 40001, 8080, v6=True)
    # a flow no spec claims, and an ARP-like frame
    out.append(tcp_frame(a, b, 40002, 7, 1, 0, PSH | ACK, b"echo"))
    out.append(b"\xff" * 6 + b"\x04" * 6 + b"\x08\x06" + b"\x00" * 28)
    return out


def pcap_bytes(frs, linktype=1):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for i, fr in enumerate(frs):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr
    return out


def pcapng_bytes(frs):
    def block(btype, body):
        body += b"\x00" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1))
    out += block(1, struct.pack("<HHI", 1, 0, 65535))
    for i, fr in enumerate(frs):
        ts = (1700000000 + i) * 1000000
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(fr), len(fr)) + fr)
    return out


def write(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- checks -------------------------------------------------------------------

def stats_sums(st, nlines, what):
    """Counters that must add up in any run (stats_check.py)."""
    for err in stats_check.stats_errors(st, nlines):
        check(False, "%s: %s" % (what, err))


def replay_files(cap, extra=(), name="r"):
    adus, stats = os.path.join(WORK, name + ".jsonl"), os.path.join(WORK, name + ".json")
    rc, out, err = run(list(extra) + ["--adus", adus, "--stats-json", stats, cap])
    recs, st = [], None
    if rc == 0:
        with open(adus) as f:
            recs = [json.loads(line) for line in f]
        with open(stats) as f:
            st = json.load(f)
    return rc, out, err, recs, st


def test_usage():
    for args, msg in ((["--bogus", "x.pcap"], "unrecognized option"),
                      ([], "no capture file"),
                      (["a.pcap", "b.pcap"], "more than one capture file"),
                      (["--spec", "nosuch", CAP], "no built-in spec 'nosuch'"),
                      (["--spec", "http:0", CAP], "bad port list"),
                      (["--spec", "http:80,", CAP], "bad port list"),
                      (["--spec", "http:70000", CAP], "bad port list"),
                      (["--spec", "http", "--spec", "http", CAP], "already selected"),
                      (["--spec", "./nosuch.so", CAP], "nosuch.so"),
                      (["--spec", "iscsi", "--param", "iscsi.Nope=1", CAP], "no parameter 'Nope'"),
                      (["--spec", "iscsi", "--param", "iscsi.HeaderDigest=x", CAP], "bad value"),
                      (["--spec", "iscsi", "--param", "iscsi.HeaderDigest=256", CAP], "does not fit"),
                      (["--spec", "http", "--param", "iscsi.HeaderDigest=1", CAP], "not selected"),
                      (["--param", "HeaderDigest=1", CAP], "SPEC.NAME=VALUE"),
                      (["--memcap", "12q", CAP], "--memcap"),
                      (["--hdr-memcap", "1000", CAP],
                       "--hdr-memcap 1000: expected a size of at least 16K"),
                      (["--hdr-memcap", "0", CAP], "--hdr-memcap 0: expected a size"),
                      (["--hdr-memcap", "16383", CAP], "--hdr-memcap 16383: expected"),
                      (["--hdr-memcap", "1x", CAP], "--hdr-memcap 1x: expected"),
                      (["--gap-timeout", "-1", CAP], "--gap-timeout"),
                      (["--flow-timeout", "bogus=3", CAP], "no timeout class"),
                      (["--flow-timeout", "0", CAP], "above 0"),
                      (["--max-flows", "0", CAP], "--max-flows"),
                      (["--adus", "-", "--stats-json", "-", CAP], "both go to standard output")):
        rc, out, err = run(args)
        check(rc == 2, "%s: exit 2, got %d" % (args, rc))
        check(msg in err, "%s: message %r in %r" % (args, msg, err[-300:]))
    rc, out, err = run(["--help"])
    check(rc == 0 and "--adus FILE" in out and "--hdr-memcap BYTES" in out, "--help")


def test_bad_input():
    empty = write("empty.pcap", b"")
    garbage = write("garbage.pcap", b"this is not a capture file at all\n" * 10)
    nofile = os.path.join(WORK, "no-such-file.pcap")
    for path, msg in ((nofile, "No such file"), (empty, ""), (garbage, "garbage.pcap"),
                      (WORK, "is a directory")):
        rc, out, err = run([path])
        check(rc == 1, "%s: exit 1, got %d" % (path, rc))
        check(err.startswith("pne-replay: ") and msg in err, "%s: message, got %r" % (path, err))
    # a gzip stream that is not a capture inside
    bad_gz = write("bad.pcap.gz", gzip.compress(b"not a capture" * 10))
    rc, out, err = run([bad_gz])
    check(rc == 1 and "bad.pcap.gz" in err, "gzip'd garbage: exit 1 with a message")
    # header only: no packets, a clean run
    rc, out, err, recs, st = replay_files(write("hdr.pcap", pcap_bytes([])), name="hdr")
    check(rc == 0 and st["pcap"]["packets"] == 0 and recs == [], "header-only capture")


def test_truncated(full):
    data = open(CAP, "rb").read()
    # cut inside the last record's data
    cut = write("cut.pcap", data[:len(data) - 7])
    rc, out, err, recs, st = replay_files(cut, name="cut")
    check(rc == 0, "truncated capture: exit 0, got %d (%s)" % (rc, err))
    check("warning" in err and "truncated" in err, "truncated capture: warning, got %r" % err)
    if st is not None:
        check(st["pcap"]["errors"] == 1 and st["pcap"]["truncated"] is True,
              "truncated capture: counted error")
        check(st["pcap"]["packets"] == full["pcap"]["packets"] - 1,
              "truncated capture: every packet before the cut")
        stats_sums(st, len(recs), "truncated capture")
    # cut inside the first record's header
    rc, out, err, recs, st = replay_files(write("cut2.pcap", data[:24 + 10]), name="cut2")
    check(rc == 0 and st is not None and st["pcap"]["errors"] == 1 and
          st["pcap"]["packets"] == 0 and "header" in err, "cut inside a record header: %r" % err)


def test_adus(recs, st):
    flows = sorted({r["flow"] for r in recs})
    check(flows == ["10.0.0.1:40000>10.0.0.2:80", "[2001:db8::1]:40001>[2001:db8::2]:8080"],
          "flow labels, got %s" % flows)
    want = [("c2s", "request", 0, len(REQ)), ("c2s", "request", len(REQ), len(REQ)),
            ("s2c", "response", 0, len(RESP)), ("s2c", "response", len(RESP), len(RESP))]
    for fl in flows:
        got = sorted((r["dir"], r["type"], r["off"], r["len"]) for r in recs if r["flow"] == fl)
        check(got == want, "%s: ADUs %s" % (fl, got))
    r0 = recs[0]
    check(list(r0) == ["flow", "dir", "proto", "type", "off", "len", "synced", "fields"],
          "record keys in the documented order: %s" % list(r0))
    check(r0["proto"] == "http" and r0["synced"] is True and r0["fields"]["method"] == "GET"
          and r0["fields"]["uri"] == "/a", "record fields: %s" % r0)
    check(st["flows"]["total"] == 3 and st["flows"]["tracked"] == 2 and st["flows"]["untracked"] == 1,
          "flows: 2 tracked, 1 without a spec")
    check(st["parse"]["not_ip"] == 1, "the ARP frame is counted not_ip")
    check(st["adus"]["by_proto"]["http"]["types"] == {"request": 4, "response": 4},
          "ADUs by type: %s" % st["adus"]["by_proto"])
    stats_sums(st, len(recs), "built capture")


def test_formats(recs):
    key = lambda rs: sorted((r["flow"], r["dir"], r["off"], r["len"], r["type"]) for r in rs)
    for name, data in (("ng.pcapng", pcapng_bytes(frames())),
                       ("gz.pcap.gz", gzip.compress(open(CAP, "rb").read()))):
        rc, out, err, r2, st = replay_files(write(name, data), name=name)
        check(rc == 0 and key(r2) == key(recs), "%s: same ADUs as the pcap (%d, %s)" % (name, rc, err))
    # stdin, ADUs to stdout, summary to stderr
    rc, out, err = run(["--adus", "-", "-"], stdin=open(CAP, "rb").read())
    lines = [json.loads(x) for x in out.splitlines()]
    check(rc == 0 and key(lines) == key(recs), "ADUs on stdout from stdin")
    check("ADUs: 8" in err and "cycles/packet" in err, "summary on stderr: %r" % err)
    rc, out, err = run(["--stats-json", "-", CAP])
    check(rc == 0 and json.loads(out)["adus"]["total"] == 8, "stats on stdout")
    check("packets" in err, "summary on stderr when stats go to stdout")
    rc, out, err = run(["-q", CAP])
    check(rc == 0 and out == "" and err == "", "-q is quiet")
    rc, out, err = run([CAP])
    check(rc == 0 and "examined" in out and "held peak" in out, "summary on stdout by default")


def test_specs(recs):
    # only http, and only on port 80: the IPv6 flow (8080) goes untracked
    rc, out, err, r2, st = replay_files(CAP, ["--spec", "http:80"], "p80")
    check(rc == 0 and {r["flow"] for r in r2} == {"10.0.0.1:40000>10.0.0.2:80"},
          "--spec http:80 tracks only port 80")
    # a port conflict: the first listed wins, with a warning
    rc, out, err, r2, st = replay_files(CAP, ["--spec", "tls:80", "--spec", "http"], "conflict")
    check(rc == 0 and "port 80 is claimed by tls and http" in err, "conflict warned: %r" % err)
    check(st is not None and st["specs"][0]["name"] == "tls" and st["specs"][0]["flows"] == 1,
          "conflict: tls gets port 80")
    # list
    rc, out, err = run(["--list-specs"])
    check(rc == 0 and any(l.startswith("http\t80,") for l in out.splitlines()), "--list-specs")
    rc, out, err = run(["--list-specs", "--spec", "iscsi:3261", "--param", "iscsi.HeaderDigest=1"])
    check(rc == 0 and out.startswith("iscsi\t3261\t") and "iscsi.HeaderDigest=1" in out,
          "--list-specs with --spec and --param: %r" % out)
    # a module built by pnec frames like the built-in spec
    so = os.path.join(WORK, "http_mod.so")
    p = subprocess.run([PNEC, "--module", "-o", so, os.path.join(SRC, "specs", "http.pne")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        check(False, "pnec --module failed: %s" % p.stderr.decode(errors="replace"))
        return
    rc, out, err, r2, st = replay_files(CAP, ["--spec", so + ":80,8080"], "mod")
    key = lambda rs: sorted((r["flow"], r["dir"], r["off"], r["len"], r["type"], json.dumps(r["fields"]))
                            for r in rs)
    check(rc == 0 and key(r2) == key(recs), "module: same ADUs as the built-in (%d %s)" % (rc, err))
    check(st is not None and st["specs"][0]["source"] == so + ":80,8080", "module source in stats")
    not_mod = write("not_mod.so", b"\x7fELF garbage")
    rc, out, err = run(["--spec", not_mod, CAP])
    check(rc == 2 and "not_mod.so" in err, "a broken module: exit 2 with a message")
    # a bare .so name is a file in the current directory, not a library
    p = subprocess.run([REPLAY, "-q", "--spec", "http_mod.so:80", "conv.pcap"], cwd=WORK,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0, "module by bare name: %r" % p.stderr)
    # a shared object that is not a pnec module
    libc = subprocess.run(["sh", "-c", "ldd " + REPLAY + " | awk '/libc.so/ {print $3}'"],
                          stdout=subprocess.PIPE).stdout.decode().strip()
    if libc:
        rc, out, err = run(["--spec", libc, CAP])
        check(rc == 2 and "not a pnec module" in err, "libc as a module: %r" % err)


def test_linktype():
    rc, out, err, recs, st = replay_files(write("lt.pcap", pcap_bytes(frames()[:3], linktype=147)),
                                          name="lt")
    check(rc == 0 and "link type 147" in err and st["parse"]["linktype"] == 3,
          "unsupported link type warned and counted: %r" % err)


def straddling_heads(n):
    """n connections whose request heads each straddle two segments, all
    first halves before any second half: n header buffers lent at once."""
    a, b = [10, 0, 0, 1], [10, 0, 0, 2]
    req = b"GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n"
    hands, first, second = [], [], []
    for i in range(n):
        cp = 41000 + i
        hands += [tcp_frame(a, b, cp, 80, 1000, 0, SYN),
                  tcp_frame(b, a, 80, cp, 5000, 1001, SYN | ACK),
                  tcp_frame(a, b, cp, 80, 1001, 5001, ACK)]
        first.append(tcp_frame(a, b, cp, 80, 1001, 5001, PSH | ACK, req[:20]))
        second.append(tcp_frame(a, b, cp, 80, 1021, 5001, PSH | ACK, req[20:]))
    return hands + first + second


def test_hdr_memcap():
    n = 4
    cap = write("straddle.pcap", pcap_bytes(straddling_heads(n)))
    rc, out, err, recs, st = replay_files(cap, name="straddle")
    check(rc == 0 and st is not None, "straddling heads: exit 0 (%d %s)" % (rc, err))
    if st is None:
        return
    tr = st["tracker"]
    for key in ("acked_holes", "hdr_pool_borrows", "hdr_pool_exhausted", "hdr_pool_in_use",
                "hdr_pool_peak"):
        check(key in tr, "stats tracker.%s" % key)
    check(len(recs) == n and tr.get("hdr_pool_borrows") == n and tr.get("hdr_pool_peak") == n
          and tr.get("hdr_pool_exhausted") == 0,
          "default hdr pool: %d heads, %d borrowed at once, none refused: %d ADUs, %s"
          % (n, n, len(recs), tr))
    stats_sums(st, len(recs), "straddling heads")
    # one header buffer: the first head gets it, the other three are refused
    rc, out, err, recs, st = replay_files(cap, ["--hdr-memcap", "16K"], "straddle16k")
    check(rc == 0 and st is not None, "--hdr-memcap 16K: exit 0 (%d %s)" % (rc, err))
    if st is None:
        return
    tr = st["tracker"]
    check(tr["hdr_pool_exhausted"] == n - 1 and tr["hdr_pool_peak"] == 1 and len(recs) < n,
          "--hdr-memcap 16K: %d refused, 1 lent at most, ADUs lost: %d ADUs, %s"
          % (n - 1, len(recs), tr))
    stats_sums(st, len(recs), "--hdr-memcap 16K")


def main():
    global REPLAY, PNEC, SRC, WORK, CAP
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    REPLAY, PNEC, SRC, WORK = [os.path.abspath(a) for a in sys.argv[1:5]]
    os.makedirs(WORK, exist_ok=True)
    CAP = write("conv.pcap", pcap_bytes(frames()))
    test_usage()
    test_bad_input()
    rc, out, err, recs, st = replay_files(CAP, name="full")
    check(rc == 0, "the built capture runs: %d %s" % (rc, err))
    if rc == 0:
        test_adus(recs, st)
        test_truncated(st)
        test_formats(recs)
        test_specs(recs)
    test_linktype()
    test_hdr_memcap()
    print("%d failure(s)" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
