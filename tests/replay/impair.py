#!/usr/bin/python3
"""pne-replay on deterministically impaired regression captures.

usage: impair.py PNE_REPLAY CASE_DIR WORKDIR

CASE_DIR is a tests/regress/NAME/ folder (input.pcap, optionally
replay.args with extra pne-replay arguments). The clean capture's ADUs
are the oracle; tests/tools/pcap_impair.py makes the variants in
WORKDIR/NAME/:

  - reordered, duplicated, held back ("lost and retransmitted") and
    split into overlapping segments, each alone and all at once, with
    several seeds. Every byte stream is unchanged, so the ADU log must be
    the clean one, record for record (per flow and direction, in order;
    every key: off, len, type, synced, fields, closed).

  - cut (--cut-first N: the first N packets gone; inside handshakes, in
    message headers, in long bodies, alone and with all the impairments
    above). A direction whose SYN (or its peer's SYN-ACK, which
    acknowledges the SYN) survives keeps its offsets and all its ADUs.
    One picked up mid-stream numbers its offsets from its first data
    byte seen, in capture order (docs/adu-log.md); the script maps them
    back to the clean numbering with the TCP sequence numbers: the
    clean base is the SYN's sequence number + 1, the cut one the first
    payload (or FIN) segment's. Then, per direction:
      * every ADU reported is a clean one: same offset, length and type;
      * they are exactly the clean ADUs that start at or after the first
        byte seen, none missing: the spec resynchronises at the first
        complete message (HTTP's anchors) or the first PDU (iSCSI's
        confirm scan tries every offset);
      * the first ones are unsynced -- one after an anchor, K for
        "resync confirm K" (docs/spec-language.md) -- and the rest are
        synced, with the clean record's fields.
    impair_expect.txt (beside this script) names the streams that may
    miss ADUs after the resync, with the reason; a named stream that
    misses none is an error, so the list stays true.

Exit status 0 when every variant holds, 1 otherwise, 2 on a usage or
environment error.
"""

import json
import os
import struct
import subprocess
import sys

sys.dont_write_bytecode = True   # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import pcap_impair  # noqa: E402

ALL = ["--reorder", "0.2", "--duplicate", "0.05", "--drop-retransmit", "0.05",
       "--split-overlap", "0.2"]
HEAVY = ["--reorder", "0.5", "--duplicate", "0.3", "--drop-retransmit", "0.3",
         "--split-overlap", "0.5"]
SINGLE = [["--reorder", "0.3"], ["--duplicate", "0.2"], ["--drop-retransmit", "0.2"],
          ["--split-overlap", "0.4"]]
# How many ADUs a resynchronising direction reports unsynced, by spec
# (specs/http.pne: resync anchor; specs/iscsi.pne: resync confirm 3).
UNSYNCED_AFTER_RESYNC = {"http": 1, "iscsi": 3}
TCP_SYN, TCP_ACK = 0x02, 0x10
# What a user tells pne-replay about connections picked up after their
# negotiation (--param), per case, for cuts past the capture's first
# connection: iscsi-digest's sessions run with the HeaderDigest their
# logins agreed on (a login seen overrides it), except the first, the
# discovery session, which has none. A cut inside that one leaves the
# later sessions whole.
MIDSTREAM_ARGS = {"iscsi-digest": ["--param", "iscsi.HeaderDigest=1"]}


class Failure(Exception):
    pass


def variants(npackets):
    """(name, pcap_impair arguments, cut or not) of every variant."""
    out = []
    for seed in (1, 2):
        for opts in SINGLE:
            out.append(("%s-s%d" % (opts[0][2:], seed), ["--seed", str(seed)] + opts, False))
    for seed in (1, 2, 3, 4):
        out.append(("all-s%d" % seed, ["--seed", str(seed)] + ALL, False))
    out.append(("heavy-s5", ["--seed", "5"] + HEAVY, False))
    cuts = {1, 2, 3, 4, 5, 7}   # inside the first handshake and just after it
    for pct in (10, 25, 40, 50, 65, 80):
        cuts.add(npackets * pct // 100)
    for n in sorted(c for c in cuts if 0 < c < npackets):
        out.append(("cut%d" % n, ["--cut-first", str(n)], True))
    for n, seed in ((3, 6), (npackets // 3, 7), (npackets // 2, 8)):
        if 0 < n < npackets:
            out.append(("cut%d-all-s%d" % (n, seed),
                        ["--cut-first", str(n), "--seed", str(seed)] + ALL, True))
    return out


def replay(pne_replay, extra, pcap, out):
    cmd = [pne_replay, "-q", "--adus", out] + extra + [pcap]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                               p.stderr.decode(errors="replace")))
    streams = {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            streams.setdefault((r["flow"], r["dir"]), []).append(r)
    return streams


def endpoint(s):
    """'10.0.0.1:80' -> (address bytes, port bytes), as pcap_impair.conn()."""
    host, port = s.rsplit(":", 1)
    return bytes(int(x) for x in host.split(".")) + struct.pack(">H", int(port))


def sender(flow, d):
    """The (source, destination) endpoints of direction d of a flow label."""
    client, server = (endpoint(x) for x in flow.split(">"))
    return (client, server) if d == "c2s" else (server, client)


def seq_ack(p):
    return struct.unpack_from(">II", p.data, p.tcp + 4)


def bases(pcap, cut):
    """(source, destination) -> (sequence number of the direction's first
    stream byte as pne-replay numbers it, picked up mid-stream): ISN + 1
    from a SYN, or from the ACK of the peer's SYN-ACK; in a cut capture
    without either, the first payload or FIN segment's sequence number
    (capture order), mid-stream."""
    pkts = pcap_impair.read_pcap(pcap)[4]
    syn, synack_ack, first = {}, {}, {}
    for p in pkts:
        if p.tcp < 0:
            continue
        c, flags = pcap_impair.conn(p), p.flags()
        seq, ack = seq_ack(p)
        if flags & TCP_SYN:
            if c in syn and syn[c] != (seq + 1) & 0xffffffff:
                raise RuntimeError("%s: a four-tuple reused; the oracle can't map it" % pcap)
            syn.setdefault(c, (seq + 1) & 0xffffffff)
            if flags & TCP_ACK:
                synack_ack.setdefault((c[1], c[0]), ack)
        elif p.payload_len() > 0 or flags & 0x01:
            first.setdefault(c, seq)
    out = {k: (v, True) for k, v in first.items()} if cut else {}
    out.update((k, (v, False)) for k, v in synack_ack.items())
    out.update((k, (v, False)) for k, v in syn.items())
    return out


def resynced_from(flow, d, clean_base, cut_base):
    """The clean offset of the cut run's offset 0, and whether the
    direction was picked up mid-stream."""
    k = sender(flow, d)
    if k not in clean_base or k not in cut_base:
        raise Failure("%s %s: no sequence base in the pcap" % (flow, d))
    return (cut_base[k][0] - clean_base[k][0]) & 0xffffffff, cut_base[k][1]


def first_conn(pcap):
    for p in pcap_impair.read_pcap(pcap)[4]:
        if p.tcp >= 0:
            return sorted(pcap_impair.conn(p))
    return None


def past_first(clean, cut):
    """Whether the cut capture starts past the clean one's first connection."""
    return first_conn(cut) != first_conn(clean)


def check_equal(clean, got):
    for k in sorted(set(clean) | set(got)):
        c, g = clean.get(k, []), got.get(k, [])
        for i in range(max(len(c), len(g))):
            if i >= len(c) or i >= len(g) or c[i] != g[i]:
                raise Failure("%s %s: ADU #%d: clean %s, impaired %s (%d and %d ADUs)" % (
                    k[0], k[1], i, json.dumps(c[i]) if i < len(c) else "none",
                    json.dumps(g[i]) if i < len(g) else "none", len(c), len(g)))


def check_cut(clean, got, clean_base, cut_base, lenient):
    """lenient: the streams allowed to miss ADUs after the resync
    (impair_expect.txt); each must miss some."""
    for k in sorted(got):
        flow, d = k
        shift = resynced_from(flow, d, clean_base, cut_base)[0]
        if k not in clean:
            raise Failure("%s %s: ADUs on a stream the clean run has none on" % k)
        by_off = {a["off"]: a for a in clean[k]}
        for a in got[k]:
            want = by_off.get(a["off"] + shift)
            if want is None or (want["len"], want["type"]) != (a["len"], a["type"]):
                raise Failure("%s %s: %s (clean offset %d) is no clean ADU" % (
                    flow, d, json.dumps(a), a["off"] + shift))
    for k in sorted(clean):
        flow, d = k
        if sender(flow, d) not in cut_base:
            continue            # the cut took the whole connection
        shift, mid = resynced_from(flow, d, clean_base, cut_base)
        want = [a for a in clean[k] if a["off"] >= shift]
        g = got.get(k, [])
        complete = [(a["off"] + shift, a["len"]) for a in g] == [(a["off"], a["len"]) for a in want]
        if k in lenient:
            if complete:
                raise Failure("%s %s: complete: its impair_expect.txt line no longer applies" % k)
            continue
        if not complete:
            have = {a["off"] + shift for a in g}
            miss = [a for a in want if a["off"] not in have]
            raise Failure("%s %s: from clean offset %d: %d clean ADUs, %d reported; first missing %s" % (
                flow, d, shift, len(want), len(g), json.dumps(miss[0]) if miss else "none"))
        unsynced = 0 if not mid else UNSYNCED_AFTER_RESYNC.get(want[0]["proto"], 1) if want else 0
        for i, (a, w) in enumerate(zip(g, want)):
            if i < unsynced:
                if a["synced"]:
                    raise Failure("%s %s: %s synced before the resync is confirmed" % (
                        flow, d, json.dumps(a)))
                continue
            mine = dict(a, off=a["off"] + shift)
            if mine != w:
                raise Failure("%s %s: after the resync %s, clean %s" % (
                    flow, d, json.dumps(a), json.dumps(w)))


def load_expect(path, case):
    """variant -> {(flow, dir)}: this case's lines of impair_expect.txt."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 5)
            if len(parts) < 6 or parts[3] not in ("c2s", "s2c") or parts[4] != "incomplete":
                raise RuntimeError("%s:%d: expected CASE VARIANT FLOW DIR incomplete REASON" % (path, n))
            if parts[0] == case:
                out.setdefault(parts[1], set()).add((parts[2], parts[3]))
    return out


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    pne_replay, case, work = sys.argv[1:4]
    name = os.path.basename(os.path.normpath(case))
    work = os.path.join(work, name)
    os.makedirs(work, exist_ok=True)
    src = os.path.join(case, "input.pcap")
    extra = []
    if os.path.exists(os.path.join(case, "replay.args")):
        with open(os.path.join(case, "replay.args")) as f:
            extra = f.read().split()
    try:
        npackets = len(pcap_impair.read_pcap(src)[4])
        clean = replay(pne_replay, extra, src, os.path.join(work, "clean.jsonl"))
        clean_base = bases(src, False)
        expect = load_expect(os.path.join(HERE, "impair_expect.txt"), name)
    except (OSError, RuntimeError, pcap_impair.BadInput) as e:
        print("%s: %s" % (name, e))
        return 2
    nadus = sum(len(v) for v in clean.values())
    bad = 0
    for vname, args, cut in variants(npackets):
        pcap = os.path.join(work, vname + ".pcap")
        try:
            if pcap_impair.main(args + [src, pcap]) != 0:
                raise RuntimeError("pcap_impair.py %s failed" % " ".join(args))
            more = MIDSTREAM_ARGS.get(name, []) if cut and past_first(src, pcap) else []
            got = replay(pne_replay, extra + more, pcap, os.path.join(work, vname + ".jsonl"))
            if cut:
                check_cut(clean, got, clean_base, bases(pcap, True), expect.pop(vname, set()))
            else:
                check_equal(clean, got)
        except Failure as e:
            print("%s %s (pcap_impair.py %s): %s" % (name, vname, " ".join(args), e))
            bad += 1
            continue
        except (OSError, RuntimeError, pcap_impair.BadInput) as e:
            print("%s %s: %s" % (name, vname, e))
            return 2
        os.remove(pcap)         # keep the failing ones only
    for vname in sorted(expect):
        print("%s: impair_expect.txt names variant %s, which is not run" % (name, vname))
        bad += 1
    n = len(variants(npackets))
    print("%s: %d/%d impaired variants give the clean capture's %d ADUs" % (
        name, n - bad, n, nadus))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
