#!/usr/bin/python3
"""Compare pne-replay's ADUs on a regression case with its expected log.

usage: regress.py PNE_REPLAY CASE_DIR WORKDIR

CASE_DIR holds input.pcap and expected.jsonl (tests/regress/NAME/, made
by tests/regress/make_captures.sh from tshark's dissection), and
optionally replay.args: extra pne-replay arguments, whitespace
separated (e.g. --spec iscsi --param iscsi.HeaderDigest=1).

Records are compared per flow and direction, in order. Every top-level
key an expected record has (flow, dir, proto, type, off, len, ...) must
be equal in ours; its "fields", when present, must be a subset of ours
(tshark doesn't know every field a spec reports). Keys the expected log
leaves out are not compared.

Exit status: 0 equal, 1 different, 2 a usage or environment error, 77
(ctest's skip) when expected.jsonl is empty: a case whose expectation
has not been generated yet, not a case expecting no ADU.
"""

import json
import os
import subprocess
import sys


def load(path):
    recs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    recs.append(json.loads(line))
                except ValueError as e:
                    raise SystemExit("%s:%d: %s" % (path, n, e))
    return recs


def by_stream(recs):
    out = {}
    for r in recs:
        out.setdefault((r.get("flow"), r.get("dir")), []).append(r)
    return out


def differs(want, got):
    """The first difference of one expected record, or None."""
    for k, v in want.items():
        if k == "fields":
            mine = got.get("fields", {})
            for fk, fv in v.items():
                if mine.get(fk) != fv:
                    return "field %s: expected %r, got %r" % (fk, fv, mine.get(fk))
        elif got.get(k) != v:
            return "%s: expected %r, got %r" % (k, v, got.get(k))
    return None


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    replay, case, work = sys.argv[1:4]
    name = os.path.basename(os.path.normpath(case))
    os.makedirs(work, exist_ok=True)
    expected = os.path.join(case, "expected.jsonl")
    if os.path.getsize(expected) == 0:
        print("%s: SKIP (expected.jsonl is empty)" % name)
        return 77
    out = os.path.join(work, name + ".jsonl")
    cmd = [replay, "-q", "--adus", out]
    extra = os.path.join(case, "replay.args")
    if os.path.exists(extra):
        with open(extra) as f:
            cmd += f.read().split()
    cmd.append(os.path.join(case, "input.pcap"))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        print("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode(errors="replace")))
        return 2
    want, got = by_stream(load(expected)), by_stream(load(out))
    bad = 0
    for k in sorted(set(want) | set(got), key=str):
        w, g = want.get(k, []), got.get(k, [])
        for i in range(max(len(w), len(g))):
            if i >= len(w) or i >= len(g):
                print("%s %s: expected %d ADUs, got %d; first extra: %s" % (
                    k[0], k[1], len(w), len(g), json.dumps((w if i < len(w) else g)[i])))
                bad += 1
                break
            d = differs(w[i], g[i])
            if d is not None:
                print("%s %s: ADU #%d: %s\n  expected %s\n  got      %s" % (
                    k[0], k[1], i, d, json.dumps(w[i]), json.dumps(g[i])))
                bad += 1
                break
    n = sum(len(v) for v in want.values())
    print("%s: %s (%d expected ADUs, %d streams differ)" % (name, "DIFFER" if bad else "SAME", n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
