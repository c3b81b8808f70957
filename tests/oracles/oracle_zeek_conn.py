#!/usr/bin/python3
"""oracles/zeek-conn: pne-replay --flows against zeek's conn.log baselines.

Zeek's btest baselines (copied into the corpus as
<category>/oracles/zeek-<stem>/conn*.log*) give, per TCP connection:

  orig_bytes, resp_bytes  bytes of each direction's sequence space: from
                          the first to the highest sequence number seen,
                          holes included (a lost byte still counts);
  missed_bytes            bytes of the holes, both directions together;
  orig_pkts, resp_pkts    every packet of the direction;
  orig_ip_bytes, ...      their IP datagram bytes (header included);
  duration                last packet time - first packet time;
  history                 letters, upper case for the originator.

pne-replay's records give, per direction, stream_bytes (bytes the tracker
delivered) and gap_bytes (bytes of holes it declared lost): their sum is
the direction's sequence space, so orig_bytes == stream_bytes +
gap_bytes and missed_bytes == the gap_bytes of both directions. Packets,
IP bytes and duration are compared as they are. For the history, the
letters pne-replay keeps (S H A D F R T G, docs/pne-replay.md) are
compared as a set: zeek repeats some letters (T, G) as their counts grow
and adds others (^ for a flipped connection, W, C, I, Q) that pne-replay
does not keep.

Zeek's originator is the connection's initiator as zeek saw it; the
fields are compared per endpoint, so an originator that is pne-replay's
server (a flipped connection) is compared with its s2c side.
"""

import argparse
import glob
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oracle_common as oc  # noqa: E402

# The baselines whose capture is not the one named by their folder.
# zeek's core/tcp retransmit-fast009 btest also runs wikipedia.pcap and
# keeps its conn.log as conn-2.log: its ten connections are exactly the
# ten of http/zeek-wikipedia.pcap (same addresses, ports and counts).
CAPTURE_OF = {
    "tcp-edge/oracles/zeek-tcp-retransmit-fast009/conn-2.log": "http/zeek-wikipedia.pcap",
}

HISTORY_LETTERS = set("SHADFRTG")

# zeek's service names that differ from our spec names
SPEC_OF_SERVICE = {"postgresql": "pgsql"}


def read_log(path):
    """The TCP rows of a zeek log (TSV with #fields, or a cut table)."""
    fields, rows = None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("###") or not line:
                continue
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
                continue
            if line.startswith("#"):
                continue
            if fields is None:        # a zeek-cut table: first row names
                fields = line.split("\t")
                continue
            row = dict(zip(fields, line.split("\t")))
            if row.get("proto", "tcp") == "tcp":
                rows.append(row)
    return fields or [], rows


def history_set(h, flip):
    s = set()
    for ch in h:
        if ch.upper() in HISTORY_LETTERS:
            s.add(ch.swapcase() if flip else ch)
    return "".join(sorted(s))


def compare(rep, rel, row, rec):
    orig = (row["id.orig_h"], int(row["id.orig_p"]))
    c, s = oc.split_label(rec["flow"])
    flip = orig != c
    od, rd = ("s2c", "c2s") if flip else ("c2s", "s2c")
    label = rec["flow"]

    def field(name, ours):
        v = row.get(name)
        if v is None or v == "-":   # not in this baseline, or unset by zeek
            return
        rep.check(rel, label, name, ours, int(v))

    field("orig_bytes", rec[od]["stream_bytes"] + rec[od]["gap_bytes"])
    field("resp_bytes", rec[rd]["stream_bytes"] + rec[rd]["gap_bytes"])
    field("missed_bytes", rec[od]["gap_bytes"] + rec[rd]["gap_bytes"])
    field("orig_pkts", rec[od]["pkts"])
    field("resp_pkts", rec[rd]["pkts"])
    field("orig_ip_bytes", rec[od]["ip_bytes"])
    field("resp_ip_bytes", rec[rd]["ip_bytes"])
    if row.get("duration", "-") != "-":
        ours = (rec["last_ts_ns"] - rec["first_ts_ns"]) / 1e9
        rep.check(rel, label, "duration", round(ours, 6), float(row["duration"]),
                  equal=abs(ours - float(row["duration"])) < 1.5e-6)
    if row.get("service", "-") != "-":
        rep.check(rel, label, "service", rec["spec"],
                  SPEC_OF_SERVICE.get(row["service"], row["service"]))
    if row.get("history", "-") != "-":
        rep.check(rel, label, "history", history_set(rec["history"], False),
                  history_set(row["history"], flip))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    oc.args_common(ap)
    a = ap.parse_args()
    rep = oc.Report("zeek-conn", a.verbose)
    logs = sorted(glob.glob(os.path.join(a.corpus, "*", "oracles", "zeek-*", "conn*")))
    for log in logs:
        logrel = os.path.relpath(log, a.corpus)
        fields, rows = read_log(log)
        if "orig_bytes" not in fields:
            print("note %s: only columns %s: connections and service compared"
                  % (logrel, ",".join(fields)))
        if logrel in CAPTURE_OF:
            cap = os.path.join(a.corpus, CAPTURE_OF[logrel])
        else:
            folder = os.path.dirname(log)
            cat = os.path.dirname(os.path.dirname(folder))
            hits = glob.glob(os.path.join(cat, os.path.basename(folder) + ".*"))
            if len(hits) != 1:
                raise oc.Failure("%s: no single capture for it: %r" % (logrel, hits))
            cap = hits[0]
        rel = os.path.relpath(cap, a.corpus)
        recs, _ = oc.replay(a.pne_replay, cap, a.workdir)
        ours = {}
        for r in recs:
            ours.setdefault(frozenset(oc.split_label(r["flow"])), []).append(r)
        theirs = {}
        for row in rows:
            key = frozenset(((row["id.orig_h"], int(row["id.orig_p"])),
                             (row["id.resp_h"], int(row["id.resp_p"]))))
            theirs.setdefault(key, []).append(row)
        for key in sorted(set(ours) | set(theirs), key=lambda k: sorted(k)):
            o, t = ours.get(key, []), theirs.get(key, [])
            name = "-".join("%s:%d" % ep for ep in sorted(key))
            rep.check(rel, name, "connections", len(o), len(t))
            if len(o) != len(t):
                continue
            o.sort(key=lambda r: r["first_ts_ns"])
            for rec, row in zip(o, t):
                compare(rep, rel, row, rec)
    if not logs:
        raise oc.Failure("no zeek conn logs under %s" % a.corpus)
    return rep.finish()


if __name__ == "__main__":
    oc.main_wrap(main)
