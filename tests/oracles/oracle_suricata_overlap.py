#!/usr/bin/python3
"""oracles/suricata-overlap: pne-replay --streams against suricata-verify.

The suricata-verify TCP edge cases of the corpus (tcp-edge/sv-*.pcap,
their test.yaml under tcp-edge/oracles/sv-*/) state what suricata's
reassembly makes of overlapping, gapped and reset streams. Their rules
files are not in the corpus, so what is compared is what test.yaml
states by itself:

stream alerts (stream: 1, or pkt_src "stream (flow timeout)"): the alert's
  payload is the reassembled stream suricata inspected, with each hole
  written as "[N bytes missing]". Our direction's stream -- the .bin
  with its .gaps holes written the same way -- must be equal to it.
  In these tests suricata's stream keeps the first copy of an
  overlapped byte (its stream alerts show GOOD, not the later EVIL or
  XXX), as pne-replay's does, so these must match byte for byte.

packet alerts (stream: 0, or a "packet" member): the payload of one
  packet, matched before reassembly. The packet (base64 "packet") gives
  its sequence number, hence its stream offset; our stream must hold
  the same bytes there, unless the packet is a later overlapping copy
  whose bytes the stream did not keep (first wins): expectations.txt
  lists those.

http events (event_type http, http.status, http.length): the server's
  stream must hold one response with that status and that many body
  bytes (Content-Length framing), and the client's stream a request.

Filters about alert counts of rules (count: 0, or a count of alerts of a
signature without a payload), fileinfo and suricata's own stream-event
signatures (22100xx) name suricata internals that a stream cannot show;
they are counted as "not comparable" and printed, not silently dropped.
"""

import argparse
import base64
import glob
import json
import os
import struct
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import oracle_common as oc  # noqa: E402
import yaml                 # noqa: E402  (Debian python3-yaml)


def load_streams(sdir, rec):
    """{'c2s'|'s2c': (bytes by offset: list of int or None, render bytes)}."""
    out = {}
    for d in ("c2s", "s2c"):
        binp = oc.stream_path(sdir, rec, d)
        if not os.path.exists(binp):
            continue
        data = open(binp, "rb").read()
        gaps = []
        gp = oc.stream_path(sdir, rec, d, "gaps")
        if os.path.exists(gp):
            gaps = json.load(open(gp))
        by_off, render, pos = [], b"", 0
        for g in gaps:
            by_off += list(data[pos:g["file_off"]])
            render += data[pos:g["file_off"]]
            by_off += [None] * g["len"]
            render += b"[%d bytes missing]" % g["len"]
            pos = g["file_off"]
        by_off += list(data[pos:])
        render += data[pos:]
        out[d] = (by_off, render)
    return out


def printable(b):
    return "".join(chr(c) if 32 <= c < 127 else "." for c in b)


def frame_tcp(frame):
    """(src ip, seq, payload) of an Ethernet/VLAN/IPv4/TCP frame."""
    off, etype = 12, struct.unpack(">H", frame[12:14])[0]
    while etype in (0x8100, 0x88a8):
        off += 4
        etype = struct.unpack(">H", frame[off:off + 2])[0]
    ip = off + 2
    if etype != 0x0800:
        raise oc.Failure("packet is not IPv4")
    ihl = (frame[ip] & 15) * 4
    tot = struct.unpack(">H", frame[ip + 2:ip + 4])[0]
    src = ".".join(str(x) for x in frame[ip + 12:ip + 16])
    tcp = ip + ihl
    seq = struct.unpack(">I", frame[tcp + 4:tcp + 8])[0]
    doff = (frame[tcp + 12] >> 4) * 4
    return src, seq, frame[tcp + doff:ip + tot]


def isns(cap):
    """{src ip: ISN} from the capture's SYNs (tshark)."""
    res = subprocess.run(["tshark", "-r", cap, "-Y", "tcp.flags.syn==1", "-T", "fields",
                          "-e", "ip.src", "-e", "tcp.seq_raw"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    out = {}
    for line in res.stdout.decode().splitlines():
        src, seq = line.split("\t")
        out.setdefault(src, int(seq))
    return out


def check_alert(rep, rel, cap, m, streams, label, client):
    sid = m.get("alert.signature_id")
    what = "sid%s" % sid
    want = None
    if "payload" in m:
        want = base64.b64decode(m["payload"])
    if "packet" in m:
        src, seq, payload = frame_tcp(base64.b64decode(m["packet"]))
        if want is not None and payload != want:
            raise oc.Failure("%s %s: the packet's payload is not the alert's" % (rel, what))
        d = "c2s" if src == client[0] else "s2c"
        off = (seq - (isns(cap)[src] + 1)) & 0xffffffff
        by_off = streams.get(d, ([], b""))[0]
        ours = by_off[off:off + len(payload)]
        rep.check(rel, label, what + ":packet@%d" % off,
                  printable([c if c is not None else 0x3f for c in ours]),
                  printable(payload))
        return True
    if m.get("stream") == 1 or "stream" in str(m.get("pkt_src", "")):
        renders = {d: s[1] for d, s in streams.items()}
        if want is not None:
            hit = [d for d, r in renders.items() if r == want]
            rep.check(rel, label, what + ":stream", hit[0] if hit else
                      {d: printable(r) for d, r in renders.items()},
                      printable(want), equal=bool(hit))
        else:
            want_p = m["payload_printable"]
            hit = [d for d, r in renders.items() if printable(r) == want_p]
            rep.check(rel, label, what + ":stream", hit[0] if hit else
                      {d: printable(r) for d, r in renders.items()},
                      want_p, equal=bool(hit))
        return True
    if "payload_printable" in m and m.get("stream") == 0:
        # a packet alert with only its payload: some packet of the stream
        # must carry it at its offset; the stream is checked to hold it
        want_p = m["payload_printable"]
        hit = [d for d, s in streams.items() if want_p in printable(s[1])]
        rep.check(rel, label, what + ":packet-bytes", bool(hit), True)
        return True
    return False


def check_http(rep, rel, m, streams, label):
    s2c = streams.get("s2c", ([], b""))[1]
    c2s = streams.get("c2s", ([], b""))[1]
    head, sep, body = s2c.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/") and sep else None
    clen = None
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            clen = int(v.strip())
    if "http.status" in m:
        rep.check(rel, label, "http.status", status, m["http.status"])
    if "http.length" in m:
        rep.check(rel, label, "http.length", min(len(body), clen or 0), m["http.length"])
    rep.check(rel, label, "http.request", c2s.split(b" ")[0] in
              (b"GET", b"POST", b"HEAD", b"PUT"), True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    oc.args_common(ap)
    a = ap.parse_args()
    rep = oc.Report("suricata-overlap", a.verbose)
    tests = sorted(glob.glob(os.path.join(a.corpus, "tcp-edge", "oracles", "sv-*", "test.yaml")))
    if not tests:
        raise oc.Failure("no suricata-verify tests under %s/tcp-edge" % a.corpus)
    for ty in tests:
        stem = os.path.basename(os.path.dirname(ty))
        cap = os.path.join(a.corpus, "tcp-edge", stem + ".pcap")
        rel = os.path.relpath(cap, a.corpus)
        # port 8080 carries no spec by default: http is asked for, so the
        # flow is tracked (the spec doesn't change the stream)
        recs, sdir = oc.replay(a.pne_replay, cap, a.workdir, streams=True,
                               extra=["--spec", "http:80,8080"])
        data = [r for r in recs if r["c2s"]["payload_pkts"] or r["s2c"]["payload_pkts"]]
        rep.check(rel, "*", "data-connections", len(data), 1)
        if len(data) != 1:
            continue
        label = data[0]["flow"]
        client = oc.split_label(label)[0]
        streams = load_streams(sdir, data[0])
        spec = yaml.safe_load(open(ty))
        for chk in spec.get("checks", []):
            m = chk.get("filter", {}).get("match", {})
            et = m.get("event_type")
            done = False
            if et == "alert":
                done = check_alert(rep, rel, cap, m, streams, label, client)
            elif et == "http":
                check_http(rep, rel, m, streams, label)
                done = True
            if not done:
                print("n/c  %s: not comparable with a stream: %s" % (rel, json.dumps(chk)))
    return rep.finish()


if __name__ == "__main__":
    oc.main_wrap(main)
