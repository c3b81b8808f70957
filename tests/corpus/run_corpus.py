#!/usr/bin/python3
"""Run every shipped spec over the third-party capture corpus and check
the ADUs it finds against tshark's dissectors.

For each capture of the selected protocols (listed in the corpus's
INDEX.md), every TCP stream whose server port belongs to a spec is
reassembled from tshark's per-packet fields (retransmissions and overlaps
removed, holes that are never filled turned into gap events), written as
a conversation file (format: tests/tools/pne_frame.c) and framed by
pne-frame. tshark, with its own reassembly, dissects the same capture;
for every stream and direction the harness compares the sequence of ADU
keys (protocol fields that identify each PDU, and its length) that
tshark reports with the keys read from the bytes of the ADUs pne-frame
reported. ADUs must also tile their direction: each starts where the
previous one ended, unless a gap or a resync lies between.

Where tshark cannot serve as the oracle, expectations.txt (beside this
script) says so per capture, stream and direction, with the reason and
the weaker check done instead; nothing is skipped silently.

Exit status: 0 if everything matched (or matched its expectation), 1 on
any mismatch, 2 on a usage or environment error. Python 3 stdlib only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import oracles

HERE = os.path.dirname(os.path.abspath(__file__))
DIRS = ("c2s", "s2c")


class HarnessError(Exception):
    """An environment or input problem (not a mismatch)."""


def run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if proc.returncode != 0:
        raise HarnessError("%s failed (%d): %s" % (cmd[0], proc.returncode,
                                                 proc.stderr.decode(errors="replace")[-2000:]))
    return proc.stdout.decode("utf-8", errors="replace")


# ---- corpus index --------------------------------------------------------

def index_captures(corpus):
    """The single-file captures INDEX.md lists, as paths relative to corpus."""
    path = os.path.join(corpus, "INDEX.md")
    caps = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\|\s*([^|\s]+)\s*\|", line)
            if not m or m.group(1) in ("file", "---"):
                continue
            name = m.group(1)
            if name.endswith("/"):      # a directory of captures (HTTP evader)
                continue
            if os.path.isfile(os.path.join(corpus, name)):
                caps.append(name)
            else:
                raise HarnessError("INDEX.md lists %s, which is missing" % name)
    return caps


# ---- reassembly ----------------------------------------------------------

def _unwrap(seq, ref):
    """seq (32-bit) relative to ref, as a signed distance."""
    d = (seq - ref) & 0xffffffff
    return d - (1 << 32) if d >= (1 << 31) else d


class Direction:
    def __init__(self):
        self.segs = []        # (frame, seq, payload bytes), arrival order
        self.syn_seq = None
        self.fins = []        # (frame, seq after the FIN's data)
        self.rst_frames = []


class Stream:
    """One TCP connection as seen in the capture."""

    def __init__(self, sid):
        self.sid = sid
        self.ends = {}        # endpoint -> Direction, by first appearance
        self.order = []
        self.client = None    # endpoint (addr, port)
        self.events = []      # (frame, kind, dir, value)
        self.data = {}        # dir -> bytearray of the stream (gaps zeroed)
        self.gaps = {}        # dir -> [(off, len)]
        self.unsynced = []    # dirs whose start (SYN) was not captured

    def endpoint(self, ep):
        if ep not in self.ends:
            self.ends[ep] = Direction()
            self.order.append(ep)
        return self.ends[ep]

    @property
    def server(self):
        return [e for e in self.order if e != self.client][0]

    def label(self):
        fmt = lambda e: ("[%s]:%d" if ":" in e[0] else "%s:%d") % e
        return "%s>%s" % (fmt(self.client), fmt(self.server))


def read_streams(capture):
    """Streams of capture, from tshark's per-packet TCP fields."""
    out = run(["tshark", "-n", "-r", capture, "-Y", "tcp && !icmp && !icmpv6",
               "-o", "tcp.analyze_sequence_numbers:FALSE",
               "-T", "fields", "-E", "separator=/t", "-E", "occurrence=l",
               "-e", "frame.number", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src",
               "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport",
               "-e", "tcp.seq_raw", "-e", "tcp.flags", "-e", "tcp.payload"])
    streams = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 11 or not f[1]:
            continue
        frame, sid = int(f[0]), int(f[1])
        src = (f[2] or f[3], int(f[4]))
        dst = (f[5] or f[6], int(f[7]))
        seq, flags = int(f[8]), int(f[9], 16)
        payload = bytes.fromhex(f[10].replace(":", ""))
        st = streams.setdefault(sid, Stream(sid))
        d = st.endpoint(src)
        st.endpoint(dst)
        if flags & 0x02:
            d.syn_seq = seq
            if not flags & 0x10 and st.client is None:
                st.client = src
        if payload:
            d.segs.append((frame, seq, payload))
        if flags & 0x01:
            d.fins.append((frame, seq + len(payload) + (1 if flags & 0x02 else 0)))
        if flags & 0x04:
            d.rst_frames.append(frame)
    for st in streams.values():
        if len(st.order) != 2:
            continue
        if st.client is None:    # no SYN seen: the client has the higher port
            a, b = st.order
            st.client = a if a[1] > b[1] else b
        build_events(st)
    return {sid: st for sid, st in streams.items() if len(st.order) == 2}


def _holes(intervals, start, end):
    """Parts of [start, end) that no interval covers."""
    holes, pos = [], start
    for s, e in sorted(intervals):
        if s > pos:
            holes.append((pos, min(s, end)))
        pos = max(pos, e)
        if pos >= end:
            break
    return [h for h in holes if h[1] > h[0]]


def reassemble(d):
    """In-order delivery of one direction: a list of (frame, kind, value)
    with kind 'data' (bytes), 'gap' (count) or 'close'. Overlapping bytes
    keep their first copy; holes never filled in the capture become gaps
    as soon as the stream reaches them."""
    if not d.segs:
        # Nothing to deliver; a FIN or RST still ends the direction.
        if d.fins or d.rst_frames:
            return [((d.fins or [(d.rst_frames[0], 0)])[0][0], "close", None)]
        return []
    ref = d.syn_seq + 1 if d.syn_seq is not None else d.segs[0][1]
    segs = [(fr, _unwrap(seq, ref), p) for fr, seq, p in d.segs]
    base = 0 if d.syn_seq is not None else min(s for _, s, _ in segs)
    segs = [(fr, s, p) for fr, s, p in segs if s + len(p) > base]
    end = max([s + len(p) for _, s, p in segs] + [base])
    holes = _holes([(s, s + len(p)) for _, s, p in segs], base, end)
    events, pending, nxt = [], [], base
    for i, (fr, s, p) in enumerate(segs):
        pending.append((s, p))
        progress = True
        while progress:
            progress = False
            for h in holes:
                if h[0] == nxt:
                    events.append((fr, "gap", h[1] - h[0]))
                    nxt = h[1]
                    progress = True
            for j, (ps, pp) in enumerate(pending):
                if ps <= nxt < ps + len(pp):
                    events.append((fr, "data", pp[nxt - ps:]))
                    nxt = ps + len(pp)
                    progress = True
            pending = [(ps, pp) for ps, pp in pending if ps + len(pp) > nxt]
    # A FIN or RST ends the direction once everything before it arrived.
    ends = [fr for fr, _ in d.fins[:1]] or d.rst_frames[:1]
    if ends:
        events.append((max([e[0] for e in events] + ends), "close", None))
    return events


def build_events(st):
    merged = []
    for ep in st.order:
        dname = "c2s" if ep == st.client else "s2c"
        d = st.ends[ep]
        evs = reassemble(d)
        # An RST from the other side ends this direction too.
        other = st.ends[[e for e in st.order if e != ep][0]]
        if other.rst_frames and not any(k == "close" for _, k, _ in evs):
            evs.append((max([e[0] for e in evs] + [other.rst_frames[0]]), "close", None))
        if d.syn_seq is None and d.segs:
            st.unsynced.append(dname)
        data, gaps = bytearray(), []
        for fr, kind, val in evs:
            if kind == "data":
                data += val
            elif kind == "gap":
                gaps.append((len(data), val))
                data += bytes(val)
            merged.append((fr, 0 if kind != "close" else 1, dname, kind, val))
        st.data[dname] = bytes(data)
        st.gaps[dname] = gaps
    merged.sort(key=lambda e: (e[0], e[1]))
    st.events = [(fr, dname, kind, val) for fr, _, dname, kind, val in merged]


def write_conversation(st, path):
    with open(path, "w") as f:
        f.write("# stream %d %s\n" % (st.sid, st.label()))
        for fr, dname, kind, val in st.events:
            if kind == "data":
                f.write("%s %s\n" % (dname, val.hex()))
            elif kind == "gap":
                f.write("gap %s %d\n" % (dname, val))
            else:
                f.write("close %s\n" % dname)


# ---- our side -------------------------------------------------------------

def pne_frame(args, st, spec, params, workdir, tag):
    conv = os.path.join(workdir, "%s.s%d.conv" % (tag, st.sid))
    write_conversation(st, conv)
    cmd = [args.pne_frame, "--spec", spec, "--flow", st.label()]
    for p in params:
        cmd += ["--param", p]
    for dname in st.unsynced:
        cmd += ["--unsynced", dname]
    cmd.append(conv)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise HarnessError("%s: %s" % (" ".join(cmd), proc.stderr.decode(errors="replace")))
    adus = {"c2s": [], "s2c": []}
    for line in proc.stdout.decode().splitlines():
        rec = json.loads(line)
        for k in ("flow", "dir", "proto", "type", "off", "len", "synced", "fields"):
            if k not in rec:
                raise HarnessError("pne-frame record without %r: %s" % (k, line))
        adus[rec["dir"]].append(rec)
    return adus, proc.stderr.decode(errors="replace").strip()


def tiling_errors(adus, st, dname):
    """ADUs of a direction must follow each other without holes, except
    across a gap or while unsynchronised, and stay inside the stream."""
    errs, pos = [], 0
    gaps = st.gaps[dname]
    total = len(st.data[dname])
    for i, a in enumerate(adus):
        if a["off"] != pos and a["synced"] and pos <= a["off"]:
            skipped_gap = any(pos <= g[0] + g[1] and g[0] <= a["off"] for g in gaps)
            prev_unsynced = i > 0 and not adus[i - 1]["synced"]
            if not skipped_gap and not prev_unsynced:
                errs.append("ADU %d starts at %d, previous ended at %d" % (i, a["off"], pos))
        if a["off"] < pos:
            errs.append("ADU %d at %d overlaps the previous one (ended at %d)"
                        % (i, a["off"], pos))
        if a["off"] + a["len"] > total:
            errs.append("ADU %d [%d, +%d) runs past the stream's %d bytes"
                        % (i, a["off"], a["len"], total))
        pos = a["off"] + a["len"]
    return errs


# ---- expectations ---------------------------------------------------------

class Expectation:
    def __init__(self, capture, stream, dname, check, reason, lineno):
        self.capture, self.stream, self.dir = capture, stream, dname
        self.check, self.reason, self.lineno = check, reason, lineno
        self.used = False

    def applies(self, capture, sid, dname):
        return (self.capture == capture and self.stream in ("*", str(sid))
                and self.dir in ("*", dname))


CHECKS = ("prefix", "ours-extra-tail", "tshark-extra-tail", "count", "keys", "none")


def key_text(key):
    """A key as written in expectations.txt: fields joined by '/'."""
    return "/".join(str(x) for x in key)


def load_expectations(path):
    exps = []
    if not os.path.exists(path):
        return exps
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 4)
            if len(parts) < 5:
                raise HarnessError("%s:%d: expected CAPTURE STREAM DIR CHECK REASON" % (path, n))
            cap, sid, dname, check, reason = parts
            kind = check.split("=")[0]
            if kind not in CHECKS or dname not in ("c2s", "s2c", "*"):
                raise HarnessError("%s:%d: unknown check or direction" % (path, n))
            exps.append(Expectation(cap, sid, dname, check, reason, n))
    return exps


def compare(expected, got, exp):
    """Compare two key lists; returns a list of diff lines (empty: pass).
    exp (or None) relaxes the comparison as documented in expectations.txt."""
    check = exp.check if exp else "exact"
    if check == "none":
        return []
    if check.startswith("prefix="):
        n = int(check.split("=")[1])
        diffs = []
        if len(expected) < n or len(got) < n:
            diffs.append("expected at least %d ADUs on both sides, tshark %d, pne %d"
                         % (n, len(expected), len(got)))
        for i in range(min(n, len(expected), len(got))):
            if expected[i] != got[i]:
                diffs.append("#%d: tshark %s, pne %s" % (i, short(expected[i]), short(got[i])))
                break
        return diffs
    if check.startswith("count="):
        n = int(check.split("=")[1])
        return [] if len(got) == n else ["expected %d ADUs, pne has %d" % (n, len(got))]
    if check.startswith("keys="):
        want = check.split("=", 1)[1].split(",")
        have = [key_text(k) for k in got]
        return [] if have == want else ["expected keys %s, pne %s"
                                        % (short(want, 300), short(have, 300))]
    if check.startswith("ours-extra-tail="):
        n = int(check.split("=")[1])
        if len(got) == len(expected) + n and got[:len(expected)] == expected:
            return []
        return ["expected tshark's %d ADUs followed by %d more of ours; got %d"
                % (len(expected), n, len(got))] + seq_diff(expected, got[:len(expected)])
    if check.startswith("tshark-extra-tail="):
        n = int(check.split("=")[1])
        if len(expected) == len(got) + n and expected[:len(got)] == got:
            return []
        return ["expected our %d ADUs followed by %d more of tshark's; tshark has %d"
                % (len(got), n, len(expected))] + seq_diff(expected[:len(got)], got)
    return seq_diff(expected, got)


def short(x, n=160):
    """repr cut to n characters, for diff lines."""
    r = repr(x)
    return r if len(r) <= n else r[:n] + "...(%d chars)" % len(r)


def seq_diff(expected, got):
    for i in range(min(len(expected), len(got))):
        if expected[i] != got[i]:
            ctx = "" if i == 0 else " (after %s)" % short(expected[i - 1])
            return ["#%d: tshark %s, pne %s%s" % (i, short(expected[i]), short(got[i]), ctx)]
    if len(expected) != len(got):
        i = min(len(expected), len(got))
        extra = expected[i:i + 3] if len(expected) > len(got) else got[i:i + 3]
        who = "tshark" if len(expected) > len(got) else "pne"
        return ["count: tshark %d, pne %d; first extra (%s) at #%d: %s"
                % (len(expected), len(got), who, i, short(extra, 400))]
    return []


# ---- main loop ------------------------------------------------------------

def spec_ports(pne_frame_bin):
    """(server port -> spec, set of spec names) of the built-in specs."""
    out = run([pne_frame_bin, "--list"])
    ports, names = {}, set()
    for line in out.splitlines():
        name, plist = line.split("\t")[:2]
        names.add(name)
        for p in filter(None, plist.split(",")):
            ports.setdefault(int(p), name)
    return ports, names


def check_capture(args, cap, proto, ports, exps, workdir, report):
    conf = oracles.PROTOCOLS[proto]
    path = os.path.join(args.corpus, cap)
    extra = oracles.CAPTURE_PORTS.get(cap, {})
    streams = read_streams(path)
    mine = {}
    for sid, st in sorted(streams.items()):
        port = st.server[1]
        spec = extra.get(port) or ports.get(port)
        if spec == proto:
            mine[sid] = st
    tag = re.sub(r"[^A-Za-z0-9_.-]", "_", cap)
    if not mine:
        report.append((cap, "NO-STREAMS", ["no stream of %s (server ports %s)" % (
            proto, sorted({st.server[1] for st in streams.values()}))]))
        return False
    expected = conf.tshark(path, sorted({st.server[1] for st in mine.values()}), mine)
    params = oracles.CAPTURE_PARAMS.get(cap, [])
    diffs, notes = [], []
    nadus = 0
    keys = {}
    for sid, st in sorted(mine.items()):
        adus, summary = pne_frame(args, st, proto, params, workdir, tag)
        if args.verbose:
            print("  stream %d: %s" % (sid, summary))
        for dname in DIRS:
            got = [conf.ours(st, dname, a) for a in adus[dname]]
            keys[(sid, dname)] = got
            nadus += len(got)
            want = expected.get((sid, dname), [])
            exp = None
            for e in exps:
                if e.applies(cap, sid, dname):
                    exp, e.used = e, True
                    break
            d = compare(want, got, exp)
            d += tiling_errors(adus[dname], st, dname)
            if exp is not None and exp.check != "none" and not d:
                notes.append("stream %d %s: %s (expectations.txt:%d)" % (
                    sid, dname, exp.check, exp.lineno))
            elif exp is not None and exp.check == "none":
                notes.append("stream %d %s: not compared (expectations.txt:%d)" % (
                    sid, dname, exp.lineno))
            for line in d:
                diffs.append("stream %d %s %s: %s" % (sid, dname, st.label(), line))
    if conf.peer is not None:
        # A stream under an expectation is judged by it alone: its reason
        # explains why the PDU list differs, which holds for peers too.
        excused = {k for k in keys if any(e.applies(cap, k[0], k[1]) for e in exps)}
        peer_diffs, had_peer = conf.peer(args.corpus, cap, mine,
                                         {k: v for k, v in keys.items()
                                          if k not in excused}, excused)
        diffs += ["peer oracle: " + d for d in peer_diffs]
        if had_peer and not peer_diffs:
            notes.append("peer oracle (zeek) agrees")
    if diffs:
        report.append((cap, "MISMATCH", diffs))
        return False
    relaxed = any("expectations.txt" in n for n in notes)
    report.append((cap, "MATCH*" if relaxed else "MATCH", ["%d streams, %d ADUs" % (
        len(mine), nadus)] + notes))
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pne-frame", required=True, help="path of the pne-frame binary")
    ap.add_argument("--corpus", required=True, help="the corpus folder (with INDEX.md)")
    ap.add_argument("--proto", action="append", required=True,
                    help="spec to check (repeatable), or 'all'")
    ap.add_argument("--workdir", help="folder for conversation files (default: a temp dir)")
    ap.add_argument("--expectations", default=os.path.join(HERE, "expectations.txt"))
    ap.add_argument("--capture", action="append", help="only this capture (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    t0 = time.time()
    try:
        caps = index_captures(args.corpus)
        ports, shipped = spec_ports(args.pne_frame)
        exps = load_expectations(args.expectations)
    except (HarnessError, OSError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    protos = sorted(oracles.PROTOCOLS) if "all" in args.proto else args.proto
    for p in protos:
        if p not in oracles.PROTOCOLS:
            print("error: no oracle for protocol %s" % p, file=sys.stderr)
            return 2
        if p not in shipped:
            print("error: spec %s is not built into %s" % (p, args.pne_frame),
                  file=sys.stderr)
            return 2
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)
        tmp, workdir = None, args.workdir
    else:
        tmp = tempfile.TemporaryDirectory(prefix="pne-corpus-")
        workdir = tmp.name

    report, ok, failed_env = [], True, False
    for proto in protos:
        for cap in caps:
            if not oracles.PROTOCOLS[proto].covers(cap):
                continue
            if args.capture and cap not in args.capture:
                continue
            try:
                ok &= check_capture(args, cap, proto, ports, exps, workdir, report)
            except HarnessError as e:
                report.append((cap, "ERROR", [str(e)]))
                ok, failed_env = False, True
    width = max([len(c) for c, _, _ in report] + [10])
    for cap, verdict, lines in report:
        print("%-*s  %s" % (width, cap, verdict))
        for line in lines[:args.verbose and 1000 or 12]:
            print("    " + line)
        if len(lines) > 12 and not args.verbose:
            print("    ... %d more" % (len(lines) - 12))
    unused = [e for e in exps if not e.used and
              any(oracles.PROTOCOLS[p].covers(e.capture) for p in protos)
              and (not args.capture or e.capture in args.capture)]
    for e in unused:
        print("stale expectation (expectations.txt:%d): %s stream %s %s" % (
            e.lineno, e.capture, e.stream, e.dir))
        ok = False
    n = sum(1 for _, v, _ in report if v.startswith("MATCH"))
    print("%d/%d captures match (%s) in %.1fs" % (n, len(report), ",".join(protos),
                                                  time.time() - t0))
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else (2 if failed_env and n == 0 else 1)


if __name__ == "__main__":
    sys.exit(main())
