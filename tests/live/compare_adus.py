#!/usr/bin/python3
"""Compare dpdk-pne's ADU log with an oracle, for tests/live/live.sh.

    compare_adus.py oracle EXPECTED.jsonl GOT.jsonl
    compare_adus.py same ONE.jsonl TWO.jsonl

oracle: EXPECTED is tshark_adus.py's dissection of a capture taken where
        every byte dpdk-pne saw also passed (the server's veth). The two
        logs must hold the same flows and, per flow and direction, the
        same records in the same order: flow, dir, proto, type, off, len,
        synced, closed, and every field the oracle gives (a spec may
        report more fields than tshark knows: a subset check, as
        tests/replay/regress.py does). How the two directions of a flow
        interleave is not compared: the ADU log orders them by when they
        completed at dpdk-pne, tshark_adus.py by the capture's frames.
same:   two dpdk-pne logs of the same deterministic workload, run with
        different worker counts. Client ports (and so flow names) differ
        between runs, so each connection is reduced to its client and
        server addresses, its server port and its two directions'
        record sequences (everything but the flow name, in order); the
        two logs must hold the same multiset of such connections. Request
        URIs that differ per connection make the match one to one.

Both modes also check that every line of GOT (or of both logs) is a JSON
object with the keys docs/adu-log.md requires, and that no record is
unsynced (nothing here is picked up mid-stream or lost for good).

Exit status 0 when equal, 1 when not (the differences are printed), 2
for unreadable input.
"""

import collections
import json
import sys

REQUIRED = {"flow": str, "dir": str, "proto": str, "type": str, "off": int,
            "len": int, "synced": bool, "fields": dict}
MAX_SHOWN = 10


class Bad(Exception):
    pass


def load(path):
    recs = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                try:
                    r = json.loads(line)
                except ValueError as e:
                    raise Bad("%s:%d: not JSON: %s" % (path, n, e))
                if not isinstance(r, dict):
                    raise Bad("%s:%d: not an object" % (path, n))
                for k, t in REQUIRED.items():
                    if not isinstance(r.get(k), t):
                        raise Bad("%s:%d: key %r missing or not %s" % (path, n, k, t.__name__))
                if r["dir"] not in ("c2s", "s2c"):
                    raise Bad("%s:%d: dir %r" % (path, n, r["dir"]))
                recs.append(r)
    except OSError as e:
        raise Bad(str(e))
    return recs


def by_stream(recs):
    out = collections.OrderedDict()
    for r in recs:
        out.setdefault((r["flow"], r["dir"]), []).append(r)
    return out


def differs(want, got):
    """The first difference between an oracle record and ours, or None."""
    for k in ("flow", "dir", "proto", "type", "off", "len", "synced"):
        if want.get(k) != got.get(k):
            return "%s: expected %r, got %r" % (k, want.get(k), got.get(k))
    if bool(want.get("closed")) != bool(got.get("closed")):
        return "closed: expected %r, got %r" % (bool(want.get("closed")), bool(got.get("closed")))
    for fk, fv in want["fields"].items():
        if got["fields"].get(fk) != fv:
            return "field %s: expected %r, got %r" % (fk, fv, got["fields"].get(fk))
    return None


def unsynced(name, recs):
    bad = [r for r in recs if not r["synced"]]
    for r in bad[:MAX_SHOWN]:
        print("%s: unsynced ADU: %s" % (name, json.dumps(r)))
    return len(bad)


def oracle(exp_path, got_path):
    want, got = load(exp_path), load(got_path)
    problems = unsynced(got_path, got)
    ws, gs = by_stream(want), by_stream(got)
    wflows = {k[0] for k in ws}
    gflows = {k[0] for k in gs}
    for f in sorted(wflows - gflows)[:MAX_SHOWN]:
        print("flow %s: in the oracle, not in dpdk-pne's log" % f)
    for f in sorted(gflows - wflows)[:MAX_SHOWN]:
        print("flow %s: in dpdk-pne's log, not in the oracle" % f)
    problems += len(wflows ^ gflows)
    for k in sorted(set(ws) | set(gs)):
        if k[0] not in wflows or k[0] not in gflows:
            continue
        w, g = ws.get(k, []), gs.get(k, [])
        for i in range(max(len(w), len(g))):
            if i >= len(w) or i >= len(g):
                print("%s %s: expected %d ADUs, got %d; first extra: %s" % (
                    k[0], k[1], len(w), len(g), json.dumps((w if i < len(w) else g)[i])))
                problems += 1
                break
            d = differs(w[i], g[i])
            if d is not None:
                print("%s %s: ADU #%d: %s\n  expected %s\n  got      %s" % (
                    k[0], k[1], i, d, json.dumps(w[i]), json.dumps(g[i])))
                problems += 1
                break
    print("oracle: %d ADUs in %d flows expected, %d ADUs in %d flows logged: %s" % (
        len(want), len(wflows), len(got), len(gflows), "DIFFER" if problems else "SAME"))
    if not want:
        print("oracle: the capture yielded no ADU at all")
        problems += 1
    return problems


def connections(recs):
    """Counter of normalised connections: ports of the client dropped."""
    flows = collections.OrderedDict()
    for r in recs:
        c = flows.setdefault(r["flow"], {"c2s": [], "s2c": []})
        rest = {k: v for k, v in r.items() if k not in ("flow", "dir")}
        c[r["dir"]].append(json.dumps(rest, sort_keys=True))
    out = collections.Counter()
    for flow, dirs in flows.items():
        client, server = flow.split(">")
        key = (client.rsplit(":", 1)[0], server, tuple(dirs["c2s"]), tuple(dirs["s2c"]))
        out[key] += 1
    return out


def describe(key):
    first = json.loads(key[2][0]) if key[2] else {}
    return "%s>%s, %d+%d ADUs, first request %s" % (
        key[0], key[1], len(key[2]), len(key[3]),
        json.dumps(first.get("fields", {}), sort_keys=True))


def same(one_path, two_path):
    one, two = load(one_path), load(two_path)
    problems = unsynced(one_path, one) + unsynced(two_path, two)
    c1, c2 = connections(one), connections(two)
    only1, only2 = c1 - c2, c2 - c1
    for k, n in list(only1.items())[:MAX_SHOWN]:
        print("only in %s (x%d): %s" % (one_path, n, describe(k)))
    for k, n in list(only2.items())[:MAX_SHOWN]:
        print("only in %s (x%d): %s" % (two_path, n, describe(k)))
    problems += sum(only1.values()) + sum(only2.values())
    print("same: %d ADUs in %d connections vs %d ADUs in %d connections: %s" % (
        len(one), sum(c1.values()), len(two), sum(c2.values()),
        "DIFFER" if problems else "SAME"))
    if not one:
        print("same: no ADU at all")
        problems += 1
    return problems


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("oracle", "same"):
        sys.stderr.write(__doc__)
        return 2
    try:
        fn = oracle if sys.argv[1] == "oracle" else same
        return 1 if fn(sys.argv[2], sys.argv[3]) else 0
    except Bad as e:
        print("compare_adus: %s" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main())
