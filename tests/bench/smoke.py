#!/usr/bin/python3
"""Smoke test of the scaling benchmark's tools (bench/README.md):
gen_trace's traces are what it says they are, and bench_scale counts
them as pne-replay does. No timing is checked.

  smoke.py --gen-trace BIN --bench-scale BIN --pne-replay BIN
           --min-examined SCRIPT --workdir DIR

For HTTP and iSCSI, clean and reordered (5 %), a small trace:
  - the same arguments give the same bytes (deterministic);
  - pne-replay finds exactly the ADUs gen_trace framed, all synced, and
    examines exactly gen_trace's min_examined on the clean trace;
  - bench/min_examined.py, with its own protocol walk, agrees: at the
    minimum (clean) or at the causal minimum (reordered);
  - bench_scale (one worker and two) reports the same connections,
    ADUs and examined packets.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

CASES = [
    ("http", ["--flows", "40", "--adus", "3", "--adu-size", "20000"], 0),
    ("http", ["--flows", "40", "--adus", "3", "--adu-size", "20000", "--ooo", "5"], 5),
    ("iscsi", ["--flows", "40", "--adus", "3", "--adu-size", "9000"], 0),
    ("iscsi", ["--flows", "30", "--concurrent", "7", "--adus", "2", "--adu-size", "4096",
               "--ooo", "5"], 5),
]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("FAIL: %s exited %d\n%s%s" % (" ".join(cmd), r.returncode,
                                                        r.stdout, r.stderr))
    return r.stdout


def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def one_case(opts, n, proto, args, ooo):
    pcap = os.path.join(opts.workdir, "gen%d.pcap" % n)
    gen = [opts.gen_trace, "--proto", proto] + args
    meta = json.loads(run(gen + ["-o", pcap]))
    digest = sha(pcap)
    run(gen + ["-o", pcap + ".again"])
    check(sha(pcap + ".again") == digest, "case %d: gen_trace is not deterministic" % n)
    check(meta["adus"] == meta["flows"] * (2 * meta["adus_per_flow"] +
                                           (2 if proto == "iscsi" else 0)),
          "case %d: ADU count %d" % (n, meta["adus"]))
    check((meta["swaps"] > 0) == (ooo > 0), "case %d: swaps %d" % (n, meta["swaps"]))

    stats_path = os.path.join(opts.workdir, "stats%d.json" % n)
    adus_path = os.path.join(opts.workdir, "adus%d.jsonl" % n)
    run([opts.pne_replay, "-q", "--stats-json", stats_path, "--adus", adus_path, pcap])
    with open(stats_path) as f:
        trk = json.load(f)["tracker"]
    with open(adus_path) as f:
        adus = [json.loads(line) for line in f if line.strip()]
    check(len(adus) == meta["adus"], "case %d: pne-replay %d ADUs, gen_trace %d"
          % (n, len(adus), meta["adus"]))
    check(all(a["synced"] and a["proto"] == proto for a in adus),
          "case %d: an ADU unsynced or of another protocol" % n)
    check(trk["payload_packets"] == meta["payload_frames"],
          "case %d: payload packets %d vs %d" % (n, trk["payload_packets"],
                                                 meta["payload_frames"]))
    if ooo == 0:
        check(trk["examined"] == meta["min_examined"],
              "case %d: examined %d, minimum %d" % (n, trk["examined"], meta["min_examined"]))
    else:
        check(trk["examined"] >= meta["min_examined"], "case %d: below the minimum" % n)
    mx = [opts.python, opts.min_examined, pcap, "--adus", adus_path, "--stats", stats_path]
    out = run(mx + (["--causal"] if ooo else []))
    check("with a header byte (minimum) %d " % meta["min_examined"] in out,
          "case %d: min_examined.py disagrees with gen_trace:\n%s" % (n, out))

    for workers in ("1", "2"):
        out = run([opts.bench_scale, "--rounds", "1", "--workers", workers, pcap])
        m = re.search(r"per round (\d+) connections \((\d+) at once at most\), (\d+) ADUs, "
                      r"(\d+) of (\d+) payload packets examined", out)
        check(m is not None, "case %d: bench_scale output:\n%s" % (n, out))
        conns, peak, badus, bexam, bpay = map(int, m.groups())
        check(conns == meta["flows"] and badus == meta["adus"] and
              bexam == trk["examined"] and bpay == meta["payload_frames"],
              "case %d, %s worker(s): bench_scale counts %s" % (n, workers, m.groups()))
        # closed connections stay in the flow table for the closing
        # timeout, so the peak lies between the two
        check(meta["concurrent"] <= peak <= meta["flows"] or workers == "2",
              "case %d: peak connections %d, gen_trace ran %d at once"
              % (n, peak, meta["concurrent"]))
        check("cycles/packet" in out and "bytes per connection" in out,
              "case %d: bench_scale output:\n%s" % (n, out))
    print("ok: case %d (%s %s): %d frames, %d ADUs, examined %d (minimum %d)"
          % (n, proto, " ".join(args), meta["frames"], meta["adus"], trk["examined"],
             meta["min_examined"]))


def main():
    ap = argparse.ArgumentParser()
    for a in ("--gen-trace", "--bench-scale", "--pne-replay", "--min-examined", "--workdir"):
        ap.add_argument(a, required=True)
    ap.add_argument("--python", default=sys.executable)
    opts = ap.parse_args()
    os.makedirs(opts.workdir, exist_ok=True)
    for n, (proto, args, ooo) in enumerate(CASES):
        one_case(opts, n, proto, args, ooo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
