#!/usr/bin/python3
"""dpdk-pne's tests, on DPDK virtual devices (no NIC, no hugepages).

  pmd_test.py --dpdk-pne BIN --pne-replay BIN --workdir DIR TEST [CAPTURE...]

TEST is one of:
  replay      for each capture: dpdk-pne through net_pcap (one lcore, then a
              worker lcore plus the main lcore writing the log) writes exactly
              pne-replay's ADU records, and its tx_pcap holds exactly the
              packets it received, unchanged, in order
  multi       two port pairs on two worker lcores, a capture on each: the
              ADUs are those of both pne-replay runs (each flow's in order),
              each pair forwards its capture to its other port
  no-track    --no-track forwards every packet unchanged and reports no ADU
  monitor     --mode monitor receives every packet and transmits none
  bad-args    bad arguments, missing or failing ports: a clear message and the
              documented exit status, never a hang; --hdr-memcap reaches each
              worker's tracker (a one-buffer pool refuses concurrent
              straddling heads, counted in the stats)
  bench       --bench: each pass replays the capture once from memory; track
              passes write pne-replay's ADU records once each, forward passes
              none; the report and stats count every pass (no timing)
  telemetry   a capture cut mid-connection replayed without --idle-exit: the
              /pne/* telemetry commands answer while it runs; SIGINT stops it
              cleanly with every ADU (the flushed last ones included) written,
              equal to pne-replay's
"""
import argparse
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

EAL = ["--no-pci", "--no-huge", "-m", "512", "--log-level=warning"]
RUN_TIMEOUT = 60
_runs = [0]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def read_pcap(path):
    """The frames of a pcap file (bytes each), in order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        fail(f"{path}: not a pcap file ({len(data)} bytes)")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        fail(f"{path}: unknown pcap magic {magic.hex()}")
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            fail(f"{path}: record cut short at byte {off}")
        frames.append(data[off:off + caplen])
        off += caplen
    if off != len(data):
        fail(f"{path}: {len(data) - off} trailing bytes")
    return frames


def write_pcap(path, frames, header):
    with open(path, "wb") as f:
        f.write(header)
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000,
                                len(fr), len(fr)))
            f.write(fr)


def prefix():
    _runs[0] += 1
    return f"pnetest{os.getpid()}_{_runs[0]}"


def cleanup_prefix(pfx):
    shutil.rmtree(f"/var/run/dpdk/{pfx}", ignore_errors=True)


def dpdk_cmd(args, eal, app, pfx):
    return [args.dpdk_pne] + EAL + ["--file-prefix", pfx] + eal + ["--"] + app


def run_pmd(args, eal, app, expect_rc=0):
    pfx = prefix()
    cmd = dpdk_cmd(args, eal, app, pfx)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        fail(f"hung for {RUN_TIMEOUT} s: {' '.join(cmd)}")
    finally:
        cleanup_prefix(pfx)
    if expect_rc is not None and p.returncode != expect_rc:
        fail(f"exit {p.returncode}, expected {expect_rc}: {' '.join(cmd)}\n"
             f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def replay_adus(args, capture, out):
    cmd = [args.pne_replay, "-q", "--adus", out, capture]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr}")
    with open(out, encoding="utf-8") as f:
        return f.read()


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def check_same_adus(name, got, want):
    if got == want:
        return
    g, w = got.splitlines(), want.splitlines()
    for i in range(max(len(g), len(w))):
        a = g[i] if i < len(g) else "<none>"
        b = w[i] if i < len(w) else "<none>"
        if a != b:
            fail(f"{name}: ADU record {i + 1} differs ({len(g)} vs {len(w)} records)\n"
                 f"  dpdk-pne:   {a}\n  pne-replay: {b}")
    fail(f"{name}: ADU logs differ")


def check_frames(name, got_path, want):
    got = read_pcap(got_path)
    if len(got) != len(want):
        fail(f"{name}: tx_pcap has {len(got)} frames, {len(want)} were received")
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            fail(f"{name}: tx frame {i + 1} differs from the frame received")


def stats(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def test_replay(args):
    if not args.captures:
        fail("no captures given")
    for cap in args.captures:
        name = os.path.basename(os.path.dirname(cap)) or cap
        want = replay_adus(args, cap, os.path.join(args.workdir, f"{name}.replay.jsonl"))
        frames = read_pcap(cap)
        for lcores in ("0", "0-1"):
            tag = f"{name} -l {lcores}"
            adus = os.path.join(args.workdir, f"{name}.{lcores}.jsonl")
            txp = os.path.join(args.workdir, f"{name}.{lcores}.tx.pcap")
            sj = os.path.join(args.workdir, f"{name}.{lcores}.stats.json")
            run_pmd(args, ["-l", lcores, "--vdev", f"net_pcap0,rx_pcap={cap},tx_pcap={txp}"],
                    ["--adus", adus, "--stats-json", sj, "--idle-exit", "0.3", "-q"])
            check_same_adus(tag, read_text(adus), want)
            check_frames(tag, txp, frames)
            st = stats(sj)
            if st["adus"]["total"] != len(want.splitlines()) or st["adus"]["log_dropped"]:
                fail(f"{tag}: stats adus {st['adus']}, {len(want.splitlines())} written")
            if st["ports"][0]["rx_packets"] != len(frames) or \
               st["pcap"]["packets"] != len(frames):
                fail(f"{tag}: stats count {st['ports'][0]['rx_packets']} frames, "
                     f"{len(frames)} sent")
        print(f"ok {name}: {len(want.splitlines())} ADUs, {len(frames)} frames")


def flows_of(text):
    """ADU records by flow, each flow's in order."""
    by = {}
    for line in text.splitlines():
        by.setdefault(json.loads(line)["flow"], []).append(line)
    return by


def empty_pcap(path, header):
    with open(path, "wb") as f:
        f.write(header)


def test_multi(args):
    if len(args.captures) < 2:
        fail("multi needs two captures")
    c1, c2 = args.captures[:2]
    with open(c1, "rb") as f:
        header = f.read(24)
    empty = os.path.join(args.workdir, "empty.pcap")
    empty_pcap(empty, header)
    want = replay_adus(args, c1, os.path.join(args.workdir, "m1.jsonl")) + \
        replay_adus(args, c2, os.path.join(args.workdir, "m2.jsonl"))
    adus = os.path.join(args.workdir, "multi.jsonl")
    sj = os.path.join(args.workdir, "multi.stats.json")
    tx = [os.path.join(args.workdir, f"multi.tx{i}.pcap") for i in range(4)]
    rx = [c1, empty, c2, empty]
    # three lcores on any machine (CI has two cores): 1 and 2 share CPU 1
    eal = ["--lcores", "0@0,1@1,2@1"]
    for i in range(4):
        eal += ["--vdev", f"net_pcap{i},rx_pcap={rx[i]},tx_pcap={tx[i]}"]
    run_pmd(args, eal, ["--ports", "0:1,2:3", "--adus", adus, "--stats-json", sj,
                        "--idle-exit", "0.3", "-q"])
    got = read_text(adus)
    if flows_of(got) != flows_of(want):
        fail(f"multi: ADUs by flow differ from pne-replay's ({len(got.splitlines())} vs "
             f"{len(want.splitlines())} records)")
    check_frames("multi port 1", tx[1], read_pcap(c1))
    check_frames("multi port 3", tx[3], read_pcap(c2))
    for i in (0, 2):
        check_frames(f"multi port {i}", tx[i], [])
    st = stats(sj)
    if len(st["workers"]) != 2 or any(w["queues"] != 2 or w["rx_packets"] == 0
                                      for w in st["workers"]):
        fail(f"multi: expected 2 workers polling 2 queues each: {st['workers']}")
    print(f"ok multi: {len(got.splitlines())} ADUs over 2 workers")


def test_no_track(args):
    cap = args.captures[0]
    txp = os.path.join(args.workdir, "notrack.tx.pcap")
    sj = os.path.join(args.workdir, "notrack.stats.json")
    run_pmd(args, ["-l", "0", "--vdev", f"net_pcap0,rx_pcap={cap},tx_pcap={txp}"],
            ["--no-track", "--stats-json", sj, "--idle-exit", "0.3", "-q"])
    frames = read_pcap(cap)
    check_frames("no-track", txp, frames)
    st = stats(sj)
    if st["tracking"] or st["adus"]["total"] != 0 or st["tcp"]["segments"] != 0:
        fail(f"no-track: something was tracked: {st['adus']} {st['tcp']}")
    if st["ports"][0]["tx_packets"] != len(frames):
        fail(f"no-track: {st['ports'][0]['tx_packets']} sent of {len(frames)}")
    print(f"ok no-track: {len(frames)} frames forwarded untouched")


def test_monitor(args):
    cap = args.captures[0]
    sj = os.path.join(args.workdir, "monitor.stats.json")
    adus = os.path.join(args.workdir, "monitor.jsonl")
    want = replay_adus(args, cap, os.path.join(args.workdir, "monitor.replay.jsonl"))
    run_pmd(args, ["-l", "0-1", "--vdev", f"net_pcap0,rx_pcap={cap}"],
            ["--mode", "monitor", "--adus", adus, "--stats-json", sj,
             "--idle-exit", "0.3", "-q"])
    check_same_adus("monitor", read_text(adus), want)
    st = stats(sj)
    port = st["ports"][0]
    if port["rx_packets"] != len(read_pcap(cap)) or port["tx_packets"] != 0:
        fail(f"monitor: port counts {port}")
    print("ok monitor")


def test_bad_args(args):
    cap = args.captures[0]
    txp = os.path.join(args.workdir, "bad.tx.pcap")
    pcap_dev = f"net_pcap0,rx_pcap={cap},tx_pcap={txp}"
    missing = os.path.join(args.workdir, "no-such.pcap")
    cases = [
        # (EAL args, app args, exit status, message part)
        ([], ["--bogus"], 2, "unrecognized option"),
        ([], ["--mode", "sideways"], 2, "--mode sideways: expected inline or monitor"),
        ([], ["--ports", "0:x"], 2, "--ports 0:x: expected"),
        ([], ["--ports", "0:0,0"], 2, "port 0 appears twice"),
        ([], ["--spec", "nosuchproto"], 2, "no built-in spec 'nosuchproto'"),
        ([], ["--param", "http.nosuch=1"], 2, "has no parameter 'nosuch'"),
        ([], ["--idle-exit", "-1"], 2, "--idle-exit -1: expected seconds"),
        ([], ["--max-flows", "0"], 2, "--max-flows 0"),
        ([], ["--hdr-memcap", "1000"], 2, "--hdr-memcap 1000: expected a size of at least 16K"),
        ([], ["--hdr-memcap", "0"], 2, "--hdr-memcap 0: expected a size"),
        ([], ["--memcap", "12q"], 2, "--memcap 12q: expected a size above 0"),
        ([], ["--flow-timeout", "bogus=3"], 2, "no timeout class 'bogus'"),
        ([], ["--queues", "lots"], 2, "--queues lots"),
        ([], ["stray"], 2, "unexpected argument 'stray'"),
        ([], ["--no-track", "--spec", "http"], 2, "--no-track tracks nothing"),
        ([], ["--adus", "/nonexistent-dir/a.jsonl"], 1, "/nonexistent-dir/a.jsonl"),
        # no port at all
        (["-l", "0"], ["--idle-exit", "1"], 1, "no Ethernet port"),
        # a port that does not exist
        (["-l", "0", "--vdev", pcap_dev], ["--ports", "0:3"], 2, "no port 3"),
        # a vdev that cannot be created
        (["-l", "0", "--vdev", f"net_pcap0,rx_pcap={missing}"], [], 1,
         f"--vdev net_pcap0,rx_pcap={missing}: the device did not start"),
        (["-l", "0", "--vdev", "net_af_packet0,iface=pnenosuchif0"], [], 1,
         "--vdev net_af_packet0,iface=pnenosuchif0: the device did not start"),
        # too little memory for the ports' buffers
        (["-l", "0", "-m", "16", "--vdev", pcap_dev], [], 1, "mbuf pool"),
        # EAL arguments the EAL refuses
        (["-l", "0", "--no-such-eal-option"], [], 1, "EAL initialisation failed"),
    ]
    for eal, app, rc, msg in cases:
        p = run_pmd(args, eal, app, expect_rc=rc)
        if msg not in p.stderr:
            fail(f"{eal} -- {app}: message lacks '{msg}':\n{p.stderr}")
        if "Traceback" in p.stderr or "Segmentation" in p.stderr:
            fail(f"{eal} -- {app}: crashed:\n{p.stderr}")
    # help: ours, exit 0, no EAL started
    for argv in (["--", "--help"], ["--help"], ["--", "-h"]):
        p = subprocess.run([args.dpdk_pne] + argv, capture_output=True, text=True,
                           timeout=RUN_TIMEOUT)
        if p.returncode != 0 or "usage: dpdk-pne" not in p.stdout or "EAL:" in p.stderr or \
           "--hdr-memcap BYTES" not in p.stdout:
            fail(f"{argv}: exit {p.returncode}, stdout {p.stdout[:200]!r}")
    p = subprocess.run([args.dpdk_pne, "--", "--list-specs"], capture_output=True,
                       text=True, timeout=RUN_TIMEOUT)
    if p.returncode != 0 or not p.stdout.startswith(("bgp\t", "dns\t")) or \
       "\nhttp\t" not in p.stdout:
        fail(f"--list-specs: exit {p.returncode}: {p.stdout[:200]!r}")
    check_hdr_memcap(args)
    print(f"ok bad-args: {len(cases)} cases")


def check_hdr_memcap(args):
    """n connections whose request heads each straddle two segments, all
    first halves first: n header buffers lent at once by default; with
    --hdr-memcap 16K (one buffer per worker) n - 1 are refused."""
    n = 4
    req = b"GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n"
    c, s = "10.9.0.1", "10.9.0.2"
    hands, first, second = [], [], []
    for i in range(n):
        cp = 41000 + i
        hands += [tcp_frame(c, s, cp, 80, 1000, 0, 0x02),
                  tcp_frame(s, c, 80, cp, 5000, 1001, 0x12),
                  tcp_frame(c, s, cp, 80, 1001, 5001, 0x10)]
        first.append(tcp_frame(c, s, cp, 80, 1001, 5001, 0x18, req[:20]))
        second.append(tcp_frame(c, s, cp, 80, 1021, 5001, 0x18, req[20:]))
    with open(args.captures[0], "rb") as f:
        header = f.read(24)
    cap = os.path.join(args.workdir, "straddle.pcap")
    write_pcap(cap, hands + first + second, header)
    sj = os.path.join(args.workdir, "straddle.stats.json")
    for extra, refused, lent in (([], 0, n), (["--hdr-memcap", "16K"], n - 1, 1)):
        run_pmd(args, ["-l", "0", "--vdev", f"net_pcap0,rx_pcap={cap}"],
                ["--mode", "monitor", "--stats-json", sj, "--idle-exit", "0.3", "-q"] + extra)
        tr = stats(sj)["tracker"]
        if "acked_holes" not in tr or tr.get("hdr_pool_exhausted") != refused or \
           tr.get("hdr_pool_peak") != lent or tr.get("hdr_pool_in_use") != 0:
            fail(f"{extra}: expected {refused} header buffers refused, {lent} lent at "
                 f"once: {tr}")
    print(f"ok --hdr-memcap: {n} straddling heads, {n - 1} refused by a one-buffer pool")


def telemetry(sock_path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(10)
    s.connect(sock_path)
    json.loads(s.recv(16384).decode())   # the greeting
    s.send(cmd.encode())
    reply = json.loads(s.recv(65536).decode())
    s.close()
    return reply[cmd.split(",")[0]]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    """An Ethernet/IPv4/TCP frame with correct checksums."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0, 64, 6,
                     0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ip + tcp + payload


def open_connection_frames():
    """An HTTP/1.0 exchange whose response runs until the connection
    closes -- and it never does: that ADU is reported only when the
    connection is ended by the flush (end of input, shutdown)."""
    c, s, cp, sp = "10.9.0.1", "10.9.0.2", 40000, 80
    ci, si = 1000, 5000
    req = b"GET /open HTTP/1.0\r\nHost: x\r\n\r\n"
    resp = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 300
    syn, ack, psh = 0x02, 0x10, 0x08
    return [
        tcp_frame(c, s, cp, sp, ci, 0, syn),
        tcp_frame(s, c, sp, cp, si, ci + 1, syn | ack),
        tcp_frame(c, s, cp, sp, ci + 1, si + 1, ack),
        tcp_frame(c, s, cp, sp, ci + 1, si + 1, psh | ack, req),
        tcp_frame(s, c, sp, cp, si + 1, ci + 1 + len(req), psh | ack, resp),
        tcp_frame(c, s, cp, sp, ci + 1 + len(req), si + 1 + len(resp), ack),
    ]


def test_telemetry(args):
    cap = args.captures[0]
    frames = read_pcap(cap)
    with open(cap, "rb") as f:
        header = f.read(24)
    # the capture, then a connection left open: its last ADU comes only
    # from the flush at SIGINT
    cut = os.path.join(args.workdir, "cut.pcap")
    keep = frames + open_connection_frames()
    write_pcap(cut, keep, header)
    want = replay_adus(args, cut, os.path.join(args.workdir, "cut.replay.jsonl"))
    adus = os.path.join(args.workdir, "cut.jsonl")
    sj = os.path.join(args.workdir, "cut.stats.json")
    txp = os.path.join(args.workdir, "cut.tx.pcap")
    pfx = prefix()
    cmd = dpdk_cmd(args, ["-l", "0-1", "--vdev", f"net_pcap0,rx_pcap={cut},tx_pcap={txp}"],
                   ["--adus", adus, "--stats-json", sj, "-q"], pfx)
    sock_path = f"/var/run/dpdk/{pfx}/dpdk_telemetry.v2"
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        st = None
        while time.time() < deadline:
            if p.poll() is not None:
                fail(f"dpdk-pne exited early ({p.returncode}): {p.stderr.read()}")
            try:
                st = telemetry(sock_path, "/pne/stats")
                # null until dpdk-pne registers its commands, after the EAL
                if st is not None and st["rx_packets"] == len(keep) and st["packets"] == len(keep):
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        else:
            fail(f"telemetry never showed {len(keep)} packets: {st}")
        time.sleep(0.3)   # pipeline counters are refreshed every 100 ms
        st = telemetry(sock_path, "/pne/stats")
        for key in ("tx_packets", "flows", "adus", "adus_logged", "adus_log_dropped"):
            if key not in st:
                fail(f"/pne/stats lacks {key}: {st}")
        if st["flows"] < 1:
            fail(f"/pne/stats: the cut connection is not open: {st}")
        if telemetry(sock_path, "/pne/workers") != [0]:
            fail("/pne/workers: expected [0]")
        w = telemetry(sock_path, "/pne/workers,0")
        if w["rx_packets"] != len(keep):
            fail(f"/pne/workers,0: {w}")
        port = telemetry(sock_path, "/pne/ports,0")
        if port["rx_packets"] != len(keep) or port["name"] != "net_pcap0":
            fail(f"/pne/ports,0: {port}")
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        fail("no clean stop within 60 s of SIGINT")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        cleanup_prefix(pfx)
    if p.returncode != 0:
        fail(f"exit {p.returncode} after SIGINT: {err}")
    got = read_text(adus)
    check_same_adus("SIGINT flush", got, want)
    if len(want.splitlines()) <= st["adus"] or '"closed":true' not in want:
        fail(f"the open connection gave no ADU at the flush ({st['adus']} before, "
             f"{len(want.splitlines())} in all): the test proves nothing")
    check_frames("SIGINT tx", txp, keep)
    final = stats(sj)
    if final["adus"]["total"] != len(want.splitlines()):
        fail(f"final stats: {final['adus']}")
    print(f"ok telemetry + SIGINT: {st['adus']} ADUs live, {len(want.splitlines())} after "
          "the flush")


def bench_report(text):
    """The --bench report: its pass rows and mode rows."""
    passes = [l.split() for l in text.splitlines()
              if l.startswith("pass ") and not l.startswith("pass round")]
    modes = {l.split()[1]: l.split() for l in text.splitlines()
             if l.startswith("mode ") and not l.startswith("mode     passes")}
    return passes, modes


def test_bench(args):
    """--bench: every pass replays the capture once from memory, a track
    pass finds what pne-replay finds (the flush between passes makes each
    start with no connection), a forward pass tracks nothing. No timing."""
    for cap in args.captures:
        name = os.path.basename(os.path.dirname(cap)) or cap
        want = replay_adus(args, cap, os.path.join(args.workdir, f"{name}.replay.jsonl"))
        nwant = len(want.splitlines())
        frames = len(read_pcap(cap))
        for lcores, loops, modes in (("0", 1, "track"), ("0-1", 2, "track"),
                                     ("0-1", 3, "forward,track"), ("0", 2, "track,forward")):
            tag = f"{name} -l {lcores} --bench :{loops} {modes}"
            adus = os.path.join(args.workdir, f"{name}.bench.jsonl")
            sj = os.path.join(args.workdir, f"{name}.bench.stats.json")
            p = run_pmd(args, ["-l", lcores], ["--bench", f"{cap}:{loops}", "--bench-modes",
                                               modes, "--adus", adus, "--stats-json", sj, "-q"])
            ntrack = loops * modes.split(",").count("track")
            # one worker, passes in order: pne-replay's records once per pass
            check_same_adus(tag, read_text(adus), want * ntrack)
            passes, rows = bench_report(p.stdout)
            if len(passes) != loops * len(modes.split(",")):
                fail(f"{tag}: {len(passes)} passes reported:\n{p.stdout}")
            for r in passes:
                # pass ROUND MODE packets cycles cyc/pkt pipe/pkt flush adus examined
                if int(r[3]) != frames or int(r[8]) != (nwant if r[2] == "track" else 0):
                    fail(f"{tag}: pass {r}: expected {frames} packets, "
                         f"{nwant if r[2] == 'track' else 0} ADUs")
                if int(r[4]) <= 0:
                    fail(f"{tag}: pass {r}: no cycles counted")
            for m in set(modes.split(",")):
                if m not in rows or int(rows[m][2]) != loops:
                    fail(f"{tag}: mode row {m}: {rows.get(m)}")
            if ("forward" in rows) != ("overhead track/forward" in p.stdout):
                fail(f"{tag}: overhead line:\n{p.stdout}")
            st = stats(sj)
            npass = len(passes)
            if st["ports"][0]["rx_packets"] != npass * frames or \
               st["ports"][0]["tx_packets"] != npass * frames:
                fail(f"{tag}: port counts {st['ports'][0]}, {npass} x {frames} expected")
            if st["adus"]["total"] != ntrack * nwant or st["pcap"]["packets"] != ntrack * frames:
                fail(f"{tag}: stats {st['adus']} {st['pcap']}: {ntrack} x {nwant} ADUs, "
                     f"{ntrack} x {frames} frames tracked expected")
        # forwarding only: --no-track, the forward passes alone
        p = run_pmd(args, ["-l", "0"], ["--bench", f"{cap}:2", "--no-track", "-q"])
        passes, rows = bench_report(p.stdout)
        if [r[2] for r in passes] != ["forward", "forward"] or \
           any(int(r[3]) != frames for r in passes) or "track" in rows:
            fail(f"{name} --no-track --bench: {p.stdout}")
        print(f"ok bench {name}: {frames} frames, {nwant} ADUs per track pass")
    missing = os.path.join(args.workdir, "no-such.pcap")
    cap = args.captures[0]
    for eal, app, rc, msg in (
            ([], ["--bench", cap, "--ports", "0"], 2, "--bench replays from its own ring"),
            ([], ["--bench", cap, "--mode", "monitor"], 2, "--bench replays from its own ring"),
            ([], ["--bench", f"{cap}:0"], 2, "expected LOOPS from 1"),
            ([], ["--bench", cap, "--bench-modes", "forward,sideways"], 2,
             "--bench-modes forward,sideways: expected"),
            ([], ["--bench", cap, "--bench-modes", "track,forward,track"], 2,
             "--bench-modes track,forward,track: expected"),
            ([], ["--bench-modes", "track"], 2, "--bench-modes without --bench"),
            ([], ["--bench", cap, "--no-track", "--bench-modes", "track"], 2,
             "--no-track tracks nothing"),
            (["-l", "0"], ["--bench", missing], 1, missing),
            (["-l", "0"], ["--bench", cap, "--bench-modes", "track"], 0, "")):
        p = run_pmd(args, eal, app, expect_rc=rc)
        if msg not in p.stderr:
            fail(f"{eal} -- {app}: message lacks '{msg}':\n{p.stderr}")
    print("ok bench bad arguments")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpdk-pne", required=True)
    ap.add_argument("--pne-replay", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("test", choices=["replay", "multi", "no-track", "monitor", "bad-args",
                                     "telemetry", "bench"])
    ap.add_argument("captures", nargs="*")
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    {"replay": test_replay, "multi": test_multi, "no-track": test_no_track,
     "monitor": test_monitor, "bad-args": test_bad_args,
     "telemetry": test_telemetry, "bench": test_bench}[args.test](args)


if __name__ == "__main__":
    main()
