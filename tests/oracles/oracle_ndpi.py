#!/usr/bin/python3
"""oracles/ndpi: pne-replay --flows counts against nDPI's own results.

nDPI's test suite keeps, per capture, ndpiReader's expected output
(tests/cfgs/default/result/CAPTURE.out), copied into the corpus as
<category>/oracles/ndpi-<stem>/<capture>.out. Each flow line reads

    N  TCP A:pa <-> B:pb [proto: ...]...[P1 pkts/B1 bytes <-> P2 pkts/B2 bytes]...

('->' when B sent nothing), where P1/B1 count what A sent and P2/B2 what
B sent: every packet of the flow (SYN, pure ACKs and retransmissions
included) and the frame's length on the wire (pcap's orig_len, link
header included: ndpi-memcached's 6 client packets are 411 bytes of
frames, 327 of IP). pne-replay's per-direction "pkts" and "wire_bytes"
count the same, so they must be equal.

nDPI keys a flow by its five-tuple alone; pne-replay starts a new record
when a SYN reopens a closed four-tuple, so records of one four-tuple are
summed before comparing. nDPI's A side is the sender of the first packet
it saw, not necessarily pne-replay's client: counts are compared per
endpoint. Every TCP flow of every nDPI result file is compared, and
every TCP flow pne-replay reports must be one of them.
"""

import argparse
import glob
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oracle_common as oc  # noqa: E402

FLOW_RE = re.compile(r"^\s*\d+\s+TCP\s+(\S+)\s+(<->|->)\s+(\S+)\s+(.*)$")
COUNT_RE = re.compile(r"\[(\d+) pkts/(\d+) bytes (?:<->|->) (\d+) pkts/(\d+) bytes\]")


def endpoint(s):
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def parse_ndpi(path):
    """{frozenset(endpoints): {endpoint: (pkts, bytes)}} of the TCP flows."""
    flows = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = FLOW_RE.match(line)
            if not m:
                continue
            c = COUNT_RE.search(m.group(4))
            if not c:
                raise oc.Failure("%s: no packet counts in %r" % (path, line[:120]))
            a, b = endpoint(m.group(1)), endpoint(m.group(3))
            key = frozenset((a, b))
            if key in flows:
                raise oc.Failure("%s: flow %s <-> %s listed twice" % (path, a, b))
            flows[key] = {a: (int(c.group(1)), int(c.group(2))),
                          b: (int(c.group(3)), int(c.group(4)))}
    return flows


def ours_by_tuple(recs):
    """Per four-tuple: {endpoint: [pkts, wire_bytes]} summed over records."""
    out = {}
    for r in recs:
        c, s = oc.split_label(r["flow"])
        per = out.setdefault(frozenset((c, s)), {c: [0, 0], s: [0, 0]})
        for ep, d in ((c, "c2s"), (s, "s2c")):
            per[ep][0] += r[d]["pkts"]
            per[ep][1] += r[d]["wire_bytes"]
    return out


def capture_of(corpus, oracle_dir):
    """ndpi-1kxun/1kxun.pcap.out -> http/ndpi-1kxun.pcap (same folder)."""
    cat = os.path.dirname(os.path.dirname(oracle_dir))
    stem = os.path.basename(oracle_dir)
    hits = [p for p in glob.glob(os.path.join(cat, stem + ".*"))
            if os.path.isfile(p)]
    if len(hits) != 1:
        raise oc.Failure("%s: expected one capture %s.* in %s, found %r"
                         % (oracle_dir, stem, cat, hits))
    return hits[0]


def fmt(ep):
    return "%s:%d" % ep


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    oc.args_common(ap)
    a = ap.parse_args()
    rep = oc.Report("ndpi", a.verbose)
    outs = sorted(glob.glob(os.path.join(a.corpus, "*", "oracles", "ndpi-*", "*.out")))
    if not outs:
        raise oc.Failure("no nDPI result files under %s" % a.corpus)
    for out in outs:
        cap = capture_of(a.corpus, os.path.dirname(out))
        rel = os.path.relpath(cap, a.corpus)
        theirs = parse_ndpi(out)
        recs, _ = oc.replay(a.pne_replay, cap, a.workdir)
        ours = ours_by_tuple(recs)
        for key in sorted(set(theirs) | set(ours), key=lambda k: sorted(k)):
            eps = sorted(key)
            label = "%s-%s" % (fmt(eps[0]), fmt(eps[1]))
            if key not in ours:
                rep.check(rel, label, "present", "absent", "present")
                continue
            if key not in theirs:
                rep.check(rel, label, "present", "present", "absent")
                continue
            for ep in eps:
                rep.check(rel, label, "pkts:" + fmt(ep), ours[key][ep][0], theirs[key][ep][0])
                rep.check(rel, label, "bytes:" + fmt(ep), ours[key][ep][1],
                          theirs[key][ep][1])
    return rep.finish()


if __name__ == "__main__":
    oc.main_wrap(main)
