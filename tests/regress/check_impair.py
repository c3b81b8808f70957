#!/usr/bin/python3
"""Check tests/tools/pcap_impair.py on the regression captures.

    check_impair.py [--tshark TSHARK] --workdir DIR CAPTURE...

Each capture is impaired with every step at once (reordering,
duplicates, delayed "retransmitted" segments, overlapping splits) and
with --cut-first; tshark's reassembly of every TCP stream
(-z follow,tcp,raw) must then give the same bytes per direction as the
original (for --cut-first: a suffix of them), and the impaired capture
must have really changed (packets moved, split and copied). Streams are
matched by their endpoints, not tshark's stream numbers.
Exit status 0 when all hold, 1 otherwise, 2 on an environment error.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
IMPAIR = os.path.join(HERE, "..", "tools", "pcap_impair.py")
HEX = re.compile(r"\t?(?:[0-9a-f]{2})+")
FULL = ["--seed", "7", "--reorder", "0.2", "--duplicate", "0.05",
        "--drop-retransmit", "0.05", "--split-overlap", "0.2"]


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                               p.stderr.decode(errors="replace").strip()))
    return p.stdout.decode("latin-1")


def streams(tshark, pcap):
    """{(node0, node1): (bytes from node0, bytes from node1)} and the
    number of packets tshark counts as out of order or retransmitted."""
    out = run([tshark, "-n", "-r", pcap, "-T", "fields", "-e", "tcp.stream",
               "-e", "tcp.analysis.out_of_order", "-e", "tcp.analysis.retransmission"])
    nums, odd = set(), 0
    for line in out.split("\n"):
        f = line.split("\t")
        if f[0]:
            nums.add(int(f[0]))
            odd += any(f[1:])
    cmd = [tshark, "-n", "-r", pcap, "-q"]
    for n in sorted(nums):
        cmd += ["-z", "follow,tcp,raw,%d" % n]
    res, key, parts = {}, None, None
    nodes = {}
    for line in run(cmd).split("\n"):
        if line.startswith("Filter: "):
            key, parts = None, ([], [])
        elif line.startswith("Node 0: ") or line.startswith("Node 1: "):
            nodes[line[5]] = line[8:]
            if line[5] == "1":
                key = (nodes["0"], nodes["1"])
                res[key] = parts
        elif parts is not None and HEX.fullmatch(line):
            parts[1 if line.startswith("\t") else 0].append(line.strip())
    return {k: tuple(bytes.fromhex("".join(p)) for p in v) for k, v in res.items()}, odd


def compare(name, orig, imp, suffix):
    bad = []
    for key, (a0, a1) in orig.items():
        got = imp.get(key) or imp.get((key[1], key[0]))
        if got is None:
            if suffix:
                continue    # every packet of the stream was cut
            bad.append("%s: stream %s>%s missing" % (name, key[0], key[1]))
            continue
        if key not in imp:
            got = (got[1], got[0])
        for d, (want, have) in enumerate(zip((a0, a1), got)):
            ok = want.endswith(have) if suffix else want == have
            if not ok:
                bad.append("%s: stream %s>%s direction %d: %d bytes, want %s%d" %
                           (name, key[0], key[1], d, len(have),
                            "a suffix of " if suffix else "", len(want)))
    if len(imp) > len(orig):
        bad.append("%s: %d streams, the original has %d" % (name, len(imp), len(orig)))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("captures", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    failures = []
    try:
        for cap in args.captures:
            name = os.path.basename(os.path.dirname(os.path.abspath(cap)))
            orig, odd0 = streams(args.tshark, cap)
            full = os.path.join(args.workdir, name + "-impaired.pcap")
            cut = os.path.join(args.workdir, name + "-cut.pcap")
            run([sys.executable, IMPAIR] + FULL + [cap, full])
            run([sys.executable, IMPAIR, "--cut-first", "5", cap, cut])
            imp, odd1 = streams(args.tshark, full)
            bad = compare(name + " (impaired)", orig, imp, False)
            if odd1 <= odd0:
                bad.append("%s: impairing changed nothing tshark notices (%d out-of-order or "
                           "retransmitted packets, original %d)" % (name, odd1, odd0))
            bad += compare(name + " (cut)", orig, streams(args.tshark, cut)[0], True)
            print("%s: %d streams, %d packets out of order or retransmitted after impairing: %s"
                  % (name, len(orig), odd1, "FAIL" if bad else "ok"))
            failures += bad
    except (RuntimeError, OSError) as e:
        sys.stderr.write("check_impair: %s\n" % e)
        return 2
    for b in failures:
        sys.stderr.write("check_impair: %s\n" % b)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
