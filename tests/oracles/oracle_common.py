"""Shared pieces of the peer-oracle tests (tests/oracles/).

Each test runs pne-replay over corpus captures and compares what it
reports (--flows records, --streams files) with a peer tool's own
expected output, copied into the corpus beside the capture
(<category>/oracles/<capture stem>/).

Every comparison either matches or is listed in expectations.txt
(beside this file) with the reason: a line is
    TEST CAPTURE FLOW WHAT REASON...
and means "in TEST, for CAPTURE and FLOW (a flow label, or '*'), the
comparison WHAT differs from the peer, for REASON". An expectation that
no comparison used fails the run, so the list stays true; a listed
comparison that starts to match fails too (the reason has gone away:
remove the line).
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    pass


def args_common(ap):
    ap.add_argument("--pne-replay", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")


def replay(tool, capture, workdir, extra=(), streams=False):
    """Run pne-replay on capture; returns (flow records, streams dir)."""
    os.makedirs(workdir, exist_ok=True)
    name = os.path.basename(capture)
    flows = os.path.join(workdir, name + ".flows.jsonl")
    sdir = os.path.join(workdir, name + ".streams")
    stats = os.path.join(workdir, name + ".stats.json")
    cmd = [tool, "-q", "--no-progress", "--flows", flows, "--stats-json", stats]
    if streams:
        if os.path.isdir(sdir):
            for f in os.listdir(sdir):
                os.unlink(os.path.join(sdir, f))
        os.makedirs(sdir, exist_ok=True)
        cmd += ["--streams", sdir]
    cmd += list(extra) + [capture]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=120)
    if res.returncode != 0:
        raise Failure("%s: exit %d: %s" % (" ".join(cmd), res.returncode,
                                          res.stderr.decode(errors="replace")))
    with open(flows, encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    with open(stats, encoding="utf-8") as f:
        consistent(capture, recs, json.load(f), sdir if streams else None)
    return recs, sdir


def consistent(capture, recs, st, sdir):
    """The records add up to the run's counters, and the stream files to
    the records: a record that lost a byte or a gap can't match a peer
    by accident."""
    dirs = [r[d] for r in recs for d in ("c2s", "s2c")]
    tracked = [d for d in dirs if d["stream_bytes"] is not None]
    sums = {
        "records = flows.total": (len(recs), st["flows"]["total"]),
        "pkts = segments in flows": (sum(d["pkts"] for d in dirs),
                                     st["tcp"]["segments"] - st["tcp"]["no_flow_packets"]),
        "stream_bytes = tracker.payload_bytes": (sum(d["stream_bytes"] for d in tracked),
                                                 st["tracker"]["payload_bytes"]),
        "gaps = tracker.gaps": (sum(d["gaps"] for d in tracked), st["tracker"]["gaps"]),
        "gap_bytes = tracker.gap_bytes": (sum(d["gap_bytes"] for d in tracked),
                                          st["tracker"]["gap_bytes"]),
        "resyncs = tracker.resyncs": (sum(d["resyncs"] for d in tracked),
                                      st["tracker"]["resyncs"]),
        "adus = adus.total": (sum(d["adus"] for d in tracked), st["adus"]["total"]),
    }
    for what, (a, b) in sums.items():
        if a != b:
            raise Failure("%s: flow records don't add up: %s: %d != %d"
                          % (capture, what, a, b))
    if sdir is None:
        return
    for r in recs:
        if r["spec"] is None:
            continue
        for d in ("c2s", "s2c"):
            p = stream_path(sdir, r, d)
            have = os.path.getsize(p) if os.path.exists(p) else 0
            if have != r[d]["stream_bytes"]:
                raise Failure("%s: %s has %d bytes, its record %d"
                              % (capture, p, have, r[d]["stream_bytes"]))


def stream_path(sdir, rec, d, ext="bin"):
    """The --streams file of a record's direction (it may not exist)."""
    return os.path.join(sdir, "%s_%s.%s" % (rec["streams"], d, ext))


def split_label(label):
    """'C:pc>S:ps' -> ((C, pc), (S, ps)); IPv6 addresses in brackets."""
    def ep(s):
        host, port = s.rsplit(":", 1)
        return host.strip("[]"), int(port)
    c, s = label.split(">")
    return ep(c), ep(s)


class Expectations:
    def __init__(self, test):
        self.test = test
        self.items = {}
        path = os.path.join(HERE, "expectations.txt")
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split(None, 4)
                if len(parts) < 5:
                    raise Failure("%s:%d: expected TEST CAPTURE FLOW WHAT REASON"
                                  % (path, n))
                if parts[0] != test:
                    continue
                key = (parts[1], parts[2], parts[3])
                self.items[key] = {"reason": parts[4], "line": n, "used": False}

    def lookup(self, capture, flow, what):
        for key in ((capture, flow, what), (capture, "*", what)):
            if key in self.items:
                return self.items[key]
        return None


class Report:
    """Collects comparisons: ok, expected difference, or failure."""

    def __init__(self, test, verbose=False):
        self.exp = Expectations(test)
        self.verbose = verbose
        self.ok = 0
        self.expected = 0
        self.failures = []

    def check(self, capture, flow, what, ours, theirs, equal=None):
        same = (ours == theirs) if equal is None else equal
        e = self.exp.lookup(capture, flow, what)
        if same:
            if e is not None and e["reason"] and (capture, flow, what) in self.exp.items:
                self.failures.append("%s %s %s: matches now, but expectations.txt:%d "
                                     "says it differs (%s)" % (capture, flow, what,
                                                               e["line"], e["reason"]))
                e["used"] = True
                return
            self.ok += 1
            if self.verbose:
                print("ok   %s %s %s: %r" % (capture, flow, what, ours))
            return
        if e is not None:
            e["used"] = True
            self.expected += 1
            print("exp  %s %s %s: ours %r, peer %r (%s)" % (capture, flow, what, ours,
                                                          theirs, e["reason"]))
            return
        self.failures.append("%s %s %s: ours %r, peer %r" % (capture, flow, what, ours,
                                                            theirs))

    def fail(self, msg):
        self.failures.append(msg)

    def finish(self):
        for key, e in sorted(self.exp.items.items()):
            if not e["used"]:
                self.failures.append("expectations.txt:%d (%s) matched no comparison: "
                                     "remove it" % (e["line"], " ".join(key)))
        for f in self.failures:
            print("FAIL " + f)
        print("%s: %d comparisons match, %d differ as expected, %d failures"
              % (self.exp.test, self.ok, self.expected, len(self.failures)))
        return 1 if self.failures else 0


def main_wrap(fn):
    try:
        sys.exit(fn())
    except Failure as e:
        print("ERROR: %s" % e)
        sys.exit(2)
