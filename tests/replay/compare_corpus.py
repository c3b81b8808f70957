#!/usr/bin/python3
"""Check pne-replay against the corpus harness, capture by capture.

For every capture of the corpus (INDEX.md), the corpus harness
(tests/corpus/run_corpus.py, imported, not changed) reassembles each TCP
stream from tshark's per-packet fields and frames it with pne-frame;
pne-replay reads the same capture with libpcap and its own packet
parser, flow table and stream tracker. Both pick the spec by the
server's port (the harness's per-capture extra ports in
tests/corpus/oracles.py are passed to pne-replay as --spec NAME:PORTS).

Per flow label and direction, the two (off, len, type) sequences must be
equal. Two differences are by design and not failures:
  - pne-replay closes every flow at the end of the capture, so a
    direction the capture never closes may end with ADUs that ran until
    close ("closed": true); pne-frame, given no close, reports none;
  - expectations.txt (beside this script) lists the streams where the
    two reassemblies legitimately differ, with the reason.

Exit status: 0 all equal, 1 a difference, 2 an environment error.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True   # keep the source tree clean
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "corpus"))
sys.path.insert(0, HERE)

import oracles      # noqa: E402
import run_corpus   # noqa: E402
import stats_check  # noqa: E402


def load_expectations(path):
    """(capture, label, dir) -> (check, reason, line number)."""
    exps = {}
    if not os.path.exists(path):
        return exps
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 4)
            if len(parts) < 5 or parts[2] not in ("c2s", "s2c"):
                raise run_corpus.HarnessError(
                    "%s:%d: expected CAPTURE FLOW DIR CHECK REASON" % (path, n))
            exps[(parts[0], parts[1], parts[2])] = [parts[3], parts[4], n, False]
    return exps


def replay_args(cap, ports):
    """--spec options reproducing the harness's choice of spec by port."""
    extra = oracles.CAPTURE_PORTS.get(cap, {})
    if not extra:
        return []
    names = []
    for spec in extra.values():         # specs with extra ports first:
        if spec not in names:           # the first listed wins a port
            names.append(spec)
    for spec in sorted(set(ports.values())):
        if spec not in names:
            names.append(spec)
    args = []
    for spec in names:
        plist = sorted({p for p, s in ports.items() if s == spec} |
                       {p for p, s in extra.items() if s == spec})
        args += ["--spec", spec + (":" + ",".join(map(str, plist)) if plist else "")]
    return args


def param_args(cap, used):
    """The capture's spec parameters (oracles.CAPTURE_PARAMS, NAME=VALUE
    as pne-frame takes them) as --param SPEC.NAME=VALUE for every spec
    the capture's streams use."""
    out = []
    for p in oracles.CAPTURE_PARAMS.get(cap, []):
        name = p.split("=")[0]
        for spec in ([None] if "." in name else sorted(used)):
            out += ["--param", p if spec is None else "%s.%s" % (spec, p)]
    return out


def run_replay(args, cap, ports, used, workdir, tag):
    out = os.path.join(workdir, tag + ".adus.jsonl")
    stats = os.path.join(workdir, tag + ".stats.json")
    cmd = [args.pne_replay, "-q", "--adus", out, "--stats-json", stats]
    cmd += replay_args(cap, ports)
    cmd += param_args(cap, used)
    cmd.append(os.path.join(args.corpus, cap))
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise run_corpus.HarnessError("%s: exit %d: %s" % (
            " ".join(cmd), proc.returncode, proc.stderr.decode(errors="replace")[-1000:]))
    recs = []
    with open(out, encoding="utf-8") as f:
        for line in f:
            recs.append(json.loads(line))
    with open(stats, encoding="utf-8") as f:
        st = json.load(f)
    return recs, st


def frame_side(args, cap, ports, workdir, tag):
    """(label, dir) -> ADU records, the directions the capture closes and
    the specs used."""
    path = os.path.join(args.corpus, cap)
    extra = oracles.CAPTURE_PORTS.get(cap, {})
    params = oracles.CAPTURE_PARAMS.get(cap, [])
    adus, closed, used = {}, set(), set()
    for sid, st in sorted(run_corpus.read_streams(path).items()):
        spec = extra.get(st.server[1]) or ports.get(st.server[1])
        if spec is None:
            continue
        used.add(spec)
        got, _ = run_corpus.pne_frame(args, st, spec, params, workdir, tag)
        for d in run_corpus.DIRS:
            adus.setdefault((st.label(), d), []).extend(got[d])
            if any(k == "close" and dn == d for _, dn, k, _ in st.events):
                closed.add((st.label(), d))
    return adus, closed, used


def key(a):
    return (a["off"], a["len"], a["type"])


def check_capture(args, cap, ports, exps):
    tag = cap.replace("/", "_")
    frame, closed, used = frame_side(args, cap, ports, args.workdir, tag)
    recs, stats = run_replay(args, cap, ports, used, args.workdir, tag)
    mine = {}
    for a in recs:
        mine.setdefault((a["flow"], a["dir"]), []).append(a)
    diffs, notes = [], []
    for k in sorted(set(frame) | set(mine)):
        want = [key(a) for a in frame.get(k, [])]
        got_recs = mine.get(k, [])
        if k not in closed:
            while got_recs and got_recs[-1].get("closed") and len(got_recs) > len(want):
                notes.append("%s %s: trailing until-close ADU at EOF" % k)
                got_recs = got_recs[:-1]
        got = [key(a) for a in got_recs]
        exp = exps.get((cap, k[0], k[1]))
        if want == got:
            if exp is not None:
                diffs.append("%s %s: equal, but expectations.txt:%d says %s" % (
                    k[0], k[1], exp[2], exp[0]))
            continue
        if exp is not None:
            exp[3] = True
            if exp[0] == "differ":
                notes.append("%s %s: differs (expectations.txt:%d)" % (k[0], k[1], exp[2]))
                continue
        for i in range(max(len(want), len(got))):
            w = want[i] if i < len(want) else None
            g = got[i] if i < len(got) else None
            if w != g:
                diffs.append("%s %s: #%d harness %s, replay %s (harness %d ADUs, replay %d)"
                             % (k[0], k[1], i, w, g, len(want), len(got)))
                break
    nfr = sum(len(v) for v in frame.values())
    # the replay's own counters must add up and agree with its log
    diffs += ["stats: " + e for e in stats_check.stats_errors(stats, len(recs))]
    return diffs, notes, nfr, len(recs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pne-replay", required=True)
    ap.add_argument("--pne-frame", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--capture", action="append")
    ap.add_argument("--expectations", default=os.path.join(HERE, "expectations.txt"))
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    t0 = time.time()
    os.makedirs(args.workdir, exist_ok=True)
    try:
        caps = run_corpus.index_captures(args.corpus)
        ports, _ = run_corpus.spec_ports(args.pne_frame)
        exps = load_expectations(args.expectations)
    except (run_corpus.HarnessError, OSError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    if args.capture:
        caps = [c for c in caps if c in args.capture]
    ok, failed_env = True, False
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = {c: ex.submit(check_capture, args, c, ports, exps) for c in caps}
        for cap in caps:
            try:
                diffs, notes, nfr, nre = futs[cap].result()
            except (run_corpus.HarnessError, OSError, ValueError) as e:
                print("%s  ERROR\n    %s" % (cap, e))
                ok, failed_env = False, True
                continue
            verdict = "DIFFER" if diffs else "SAME"
            print("%s  %s  (harness %d ADUs, replay %d)" % (cap, verdict, nfr, nre))
            for line in diffs + (notes if args.verbose else []):
                print("    " + line)
            ok &= not diffs
    for (cap, label, d), exp in exps.items():
        if not exp[3] and (not args.capture or cap in args.capture):
            print("stale expectation (expectations.txt:%d): %s %s %s" % (exp[2], cap, label, d))
            ok = False
    print("%d captures in %.1fs" % (len(caps), time.time() - t0))
    return 0 if ok else (2 if failed_env else 1)


if __name__ == "__main__":
    sys.exit(main())
