#!/usr/bin/python3
"""Is a tracker's "examined" count at the minimum possible?

A tracker must look at every payload packet that carries at least one
header byte of an ADU (the bytes its spec parses, as opposed to bytes it
skips); no tracker can examine fewer. This script counts those packets
from the capture itself and compares the count with pne-replay's
"examined" counter.

  ADU boundaries  from the ADU log (pne-replay --adus): each ADU's
                  stream offset, per flow and direction.
  header bytes    from a per-protocol walk of the reassembled stream
                  (iSCSI: the 48-byte BHS plus TotalAHSLength * 4 bytes
                  of AHS, plus the header digest after the login when
                  the login negotiated HeaderDigest=CRC32C; HTTP/1.x:
                  every byte of a message but its body data -- the
                  head, and of a chunked body the chunk-size lines, the
                  CRLF after each chunk, the last chunk and trailers).
  packets         every TCP segment with payload, from the pcap; a
                  segment carries a header byte when its sequence range
                  meets a header range.

The walk (iSCSI: PDU length = BHS + AHS + padded data segment, plus
digests) is independent of PNE: every ADU of the log must start where a
PDU does, and there must be as many of each.

usage:
  min_examined.py CAPTURE --pne-replay BIN      (runs pne-replay itself)
  min_examined.py CAPTURE --adus FILE --stats FILE

Reordered captures: a payload packet that arrives before the bytes that
tell whether it can be skipped (ahead of a hole, past the end of the body
being skipped) must be kept by any tracker that reads in arrival order,
header byte or not. Header packets plus those are the causal minimum,
printed too; --causal makes it the one the exit status checks.

Exit status: 0 when examined equals the minimum (with --causal: the
causal minimum), 1 when it does not (or the ADU log disagrees with the
stream), 2 on bad input.
Only the standard library; reads pcap and pcapng, gzip'd or not
(Ethernet, VLAN, Linux SLL/SLL2, raw IP, BSD null; IPv4 and IPv6).
"""
import argparse
import bisect
import gzip
import ipaddress
import json
import os
import struct
import subprocess
import sys
import tempfile


class BadInput(Exception):
    pass


# ---- per-protocol header rules ------------------------------------------

def iscsi_pdus(stream, hd, dd):
    """Yields (offset, header bytes, PDU bytes) walking an iSCSI stream
    from offset 0. Header bytes: BHS + AHS (+ header digest). Digests
    (hd, dd: negotiated) apply once the login is over: the PDU that ends
    it (T bit set, NSG 3: full feature phase) is the last without."""
    off, ffp = 0, False
    while off + 48 <= len(stream):
        ahs = 4 * stream[off + 4]
        dsl = int.from_bytes(stream[off + 5:off + 8], "big")
        head = 48 + ahs + (4 if ffp and hd else 0)
        size = head + (dsl + 3) // 4 * 4 + (4 if ffp and dd and dsl > 0 else 0)
        yield off, head, size
        opcode, flags = stream[off] & 0x3f, stream[off + 1]
        if opcode in (0x03, 0x23) and flags & 0x80 and flags & 0x03 == 3:
            ffp = True
        off += size


def iscsi_digests(s2c):
    """HeaderDigest and DataDigest as the target's login responses
    settled them (key=value text in their data segments)."""
    keys = {}
    for off, head, size in iscsi_pdus(s2c, False, False):
        if s2c[off] & 0x3f != 0x23:
            break                          # the login is over
        dsl = int.from_bytes(s2c[off + 5:off + 8], "big")
        for kv in bytes(s2c[off + head:off + head + dsl]).split(b"\0"):
            k, _, v = kv.partition(b"=")
            keys[k] = v
    return keys.get(b"HeaderDigest") == b"CRC32C", keys.get(b"DataDigest") == b"CRC32C"


def iscsi_heads(streams):
    """{direction: {PDU start offset: [header byte ranges]}} for one
    connection."""
    hd, dd = iscsi_digests(streams["s2c"])
    return {d: {off: [(off, off + head)] for off, head, _ in iscsi_pdus(streams[d], hd, dd)}
            for d in ("c2s", "s2c")}


# HTTP/1.x (RFC 9112): a message's header bytes are all of its bytes but
# its body data -- start line and field lines, and of a chunked body the
# chunk-size lines, the CRLF after each chunk's data, the last chunk and
# the trailer section (a spec must read those to find the message's
# end). Body data (Content-Length bytes, chunk data, a body read until
# the connection closes) can be skipped.

def http_line_end(data, pos):
    """Offset just past the line starting at POS (LF or CRLF), or None."""
    nl = data.find(b"\n", pos)
    return None if nl < 0 else nl + 1


def http_head(data, pos):
    """(field lines, offset past the empty line) of the head at POS, or
    None when incomplete. Empty lines before the start line belong to it."""
    while data.startswith(b"\r\n", pos) or data.startswith(b"\n", pos):
        pos += 2 if data[pos] == 13 else 1
    lines = []
    while True:
        end = http_line_end(data, pos)
        if end is None:
            return None
        line = bytes(data[pos:end]).rstrip(b"\r\n")
        pos = end
        if not line:
            return (lines, pos) if lines else None
        lines.append(line)


def http_framing(lines):
    """(Content-Length or None, Transfer-Encoding value or None)."""
    cl, te = None, None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            cl = int(value.split(b",")[0])
        elif name == b"transfer-encoding":
            te = value if te is None else te + b", " + value
    return cl, te


def http_chunked(data, pos, ranges):
    """Walks a chunked body at POS, adding its header ranges; returns
    its end, or None when incomplete."""
    while True:
        start = pos
        while data.startswith(b"\r\n", pos) or data.startswith(b"\n", pos):
            pos += 2 if data[pos] == 13 else 1
        end = http_line_end(data, pos)
        if end is None:
            return None
        word = bytes(data[pos:end]).split(b";")[0].strip()
        size = int(word, 16)
        ranges.append((start, end))
        pos = end
        if size == 0:
            break
        pos += size                        # chunk data: skippable
        end = http_line_end(data, pos)     # its CRLF
        if end is None:
            return None
        ranges.append((pos, end))
        pos = end
    while True:                            # trailer section, empty line
        end = http_line_end(data, pos)
        if end is None:
            return None
        ranges.append((pos, end))
        line = bytes(data[pos:end]).rstrip(b"\r\n")
        pos = end
        if not line:
            return pos


def http_body(data, pos, cl, te, request, ranges):
    """End of the body at POS (len(data) for one read until close), or
    None when incomplete."""
    if te is not None:
        if te.endswith(b"chunked") or (not request and b"chunked" in te):
            return http_chunked(data, pos, ranges)
        return None if request else len(data)
    if cl is not None:
        return pos + cl if pos + cl <= len(data) else None
    return pos if request else len(data)


def http_heads(streams):
    """{direction: {message start offset: [header byte ranges]}}."""
    out = {"c2s": {}, "s2c": {}}
    req, pos, kinds = streams["c2s"], 0, []
    while pos < len(req):
        head = http_head(req, pos)
        if head is None:
            break
        lines, end = head
        cl, te = http_framing(lines)
        ranges = [(pos, end)]
        body_end = http_body(req, end, cl, te, True, ranges)
        if body_end is None:
            break
        out["c2s"][pos] = ranges
        method = lines[0].split(b" ")[0]
        kinds.append(method)
        pos = body_end
        if method == b"CONNECT" or any(l.lower().startswith(b"upgrade:") for l in lines):
            break                          # what follows is not HTTP/1
    resp, pos = streams["s2c"], 0
    while pos < len(resp):
        head = http_head(resp, pos)
        if head is None:
            break
        lines, end = head
        status = int(lines[0].split(b" ")[1])
        ranges = [(pos, end)]
        body_end, stop = end, status == 101
        if status >= 200:
            method = kinds.pop(0) if kinds else b""
            if method == b"CONNECT" and status < 300:
                stop = True
            elif method != b"HEAD" and status not in (204, 304):
                cl, te = http_framing(lines)
                body_end = http_body(resp, end, cl, te, False, ranges)
        if body_end is None:
            break
        out["s2c"][pos] = ranges
        pos = body_end
        if stop:
            break
    return out


RULES = {"iscsi": iscsi_heads, "http": http_heads}


# ---- pcap ---------------------------------------------------------------

def open_capture(path):
    f = open(path, "rb")
    if f.read(2) == b"\x1f\x8b":
        f.close()
        return gzip.open(path, "rb")
    f.seek(0)
    return f


def read_pcap(path):
    """Yields (linktype, frame bytes) for each record."""
    with open_capture(path) as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            raise BadInput("%s: not a pcap file" % path)
        magic = hdr[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            endian = ">"
        elif magic == b"\x0a\x0d\x0d\x0a":
            yield from read_pcapng(f, hdr, path)
            return
        else:
            raise BadInput("%s: not a pcap file" % path)
        linktype = struct.unpack(endian + "I", hdr[20:24])[0] & 0x0fffffff
        rec = struct.Struct(endian + "IIII")
        while True:
            h = f.read(16)
            if len(h) < 16:
                return
            _, _, caplen, _ = rec.unpack(h)
            data = f.read(caplen)
            if len(data) < caplen:
                return
            yield linktype, data


def read_pcapng(f, first, path):
    """Yields (linktype, frame bytes) of a pcapng file whose first 24
    bytes (the start of its Section Header Block) are in first."""
    buf = first
    links = []
    endian = "<"
    while True:
        if len(buf) < 8:
            buf += f.read(8 - len(buf))
            if len(buf) < 8:
                return
        if buf[:4] == b"\x0a\x0d\x0d\x0a":  # a section: its own byte order
            buf += f.read(max(0, 12 - len(buf)))
            endian = "<" if buf[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        btype, blen = struct.unpack(endian + "II", buf[:8])
        if blen < 12 or blen % 4:
            raise BadInput("%s: malformed pcapng block" % path)
        body = buf[8:] + f.read(blen - len(buf))
        buf = b""
        if len(body) < blen - 8:
            return
        body = body[:blen - 12]
        if btype == 1:                     # Interface Description
            links.append(struct.unpack(endian + "H", body[:2])[0])
        elif btype == 6:                   # Enhanced Packet
            iface, _, _, caplen, _ = struct.unpack(endian + "IIIII", body[:20])
            if iface >= len(links):
                raise BadInput("%s: packet of an undeclared interface" % path)
            yield links[iface], body[20:20 + caplen]
        elif btype == 3 and links:         # Simple Packet
            yield links[0], body[4:]


def network_layer(linktype, p):
    """(ethertype-like protocol, offset of the IP header) or None."""
    if linktype == 1:                      # Ethernet
        off, et = 14, int.from_bytes(p[12:14], "big")
        while et in (0x8100, 0x88a8) and len(p) >= off + 4:
            et = int.from_bytes(p[off + 2:off + 4], "big")
            off += 4
        return et, off
    if linktype == 113:                    # Linux SLL
        return int.from_bytes(p[14:16], "big"), 16
    if linktype == 276:                    # Linux SLL2
        return int.from_bytes(p[0:2], "big"), 20
    if linktype in (101, 12, 14):          # raw IP
        return (0x86dd if p and p[0] >> 4 == 6 else 0x0800), 0
    if linktype == 0:                      # BSD null
        fam = int.from_bytes(p[0:4], "little")
        return (0x86dd if fam in (10, 24, 28, 30) else 0x0800), 4
    raise BadInput("link type %d is not supported" % linktype)


def tcp_segments(path):
    """Yields (src, sport, dst, dport, seq, flags, payload length)."""
    for linktype, p in read_pcap(path):
        nl = network_layer(linktype, p)
        if nl is None:
            continue
        et, o = nl
        if et == 0x0800 and len(p) >= o + 20:
            ihl = (p[o] & 0x0f) * 4
            total = int.from_bytes(p[o + 2:o + 4], "big")
            if p[o + 9] != 6 or int.from_bytes(p[o + 6:o + 8], "big") & 0x3fff:
                continue                   # not TCP, or a fragment
            src = ipaddress.ip_address(p[o + 12:o + 16])
            dst = ipaddress.ip_address(p[o + 16:o + 20])
            t, end = o + ihl, min(len(p), o + total)
        elif et == 0x86dd and len(p) >= o + 40:
            if p[o + 6] != 6:
                continue                   # extension headers: not here
            src = ipaddress.ip_address(p[o + 8:o + 24])
            dst = ipaddress.ip_address(p[o + 24:o + 40])
            t = o + 40
            end = min(len(p), t + int.from_bytes(p[o + 4:o + 6], "big"))
        else:
            continue
        if end < t + 20:
            continue
        sport, dport, seq = struct.unpack(">HHI", p[t:t + 8])
        doff = (p[t + 12] >> 4) * 4
        flags = p[t + 13]
        yield src, sport, dst, dport, seq, flags, p[t + doff:end]


def endpoint(ip, port):
    return ("[%s]:%d" if ip.version == 6 else "%s:%d") % (ip, port)


# ---- streams ------------------------------------------------------------

class Direction:
    """One direction's stream: base sequence number, bytes, segments."""

    def __init__(self):
        self.base = None
        self.top = 0            # highest stream offset seen (unwrapping)
        self.data = bytearray()
        self.segs = []          # (offset, length) of each payload segment

    def offset(self, seq):
        rel = (seq - self.base) & 0xffffffff
        # the candidate rel + k * 2^32 nearest the highest offset seen
        k = max(0, round((self.top - rel) / 2 ** 32))
        return rel + k * 2 ** 32

    def add(self, seq, flags, payload):
        if flags & 0x02:                   # SYN: offset 0 is the next byte
            if self.base is None:
                self.base = (seq + 1) & 0xffffffff
            seq = (seq + 1) & 0xffffffff
        if not payload:
            return
        if self.base is None:              # picked up mid-stream
            self.base = seq
        off = self.offset(seq)
        end = off + len(payload)
        self.top = max(self.top, end)
        if end > len(self.data):
            self.data.extend(bytes(end - len(self.data)))
        self.data[off:end] = payload
        self.segs.append((off, len(payload)))


def load_streams(path):
    """{(client, server): {"c2s": Direction, "s2c": Direction}}, keyed by
    the "client>server" endpoints of the ADU log; the client is the SYN's
    sender (else the side with the higher port)."""
    flows, order = {}, {}
    for src, sport, dst, dport, seq, flags, payload in tcp_segments(path):
        a, b = endpoint(src, sport), endpoint(dst, dport)
        key = (a, b) if (a, b) in order else (b, a) if (b, a) in order else None
        if key is None:
            if flags & 0x12 == 0x02 or (flags & 0x02 == 0 and sport > dport):
                key = (a, b)
            else:
                key = (b, a)
            order[key] = True
            flows[key] = {"c2s": Direction(), "s2c": Direction()}
        d = "c2s" if (a, b) == key else "s2c"
        flows[key][d].add(seq, flags, payload)
    return flows


# ---- the comparison -----------------------------------------------------

def read_adus(path):
    adus = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                a = json.loads(line)
                adus.setdefault((a["flow"], a["dir"]), []).append(a)
    return adus


def minimum(capture, adu_path):
    """(payload packets, packets with a header byte, packets without one
    that a tracker must keep, problems). The third: payload packets that
    arrive out of order, beyond what the stream so far lets a tracker
    know it may skip -- they may still hold a header, so any tracker that
    reads the stream in arrival order has to copy them aside (PNE counts
    those as examined: see "causal minimum" in bench/README.md)."""
    flows = load_streams(capture)
    adus = read_adus(adu_path)
    payload = sum(len(d.segs) for f in flows.values() for d in f.values())
    must, held, problems = 0, 0, []
    for (flow, dname), recs in sorted(adus.items()):
        client, server = flow.split(">")
        if (client, server) not in flows:
            problems.append("%s: flow not in the capture" % flow)
            continue
        proto = recs[0]["proto"]
        if proto not in RULES:
            problems.append("%s: no header rule for %s" % (flow, proto))
            continue
        conn = flows[(client, server)]
        heads = RULES[proto]({k: v.data for k, v in conn.items()})[dname]
        d = conn[dname]
        starts = sorted(a["off"] for a in recs)
        ranges, found = [], 0
        for off in starts:
            if off not in heads:
                problems.append("%s %s: ADU at %d is not where a PDU starts"
                                % (flow, dname, off))
                continue
            ranges.extend(heads[off])
            found += 1
        if found == len(starts) and len(heads) != len(starts):
            problems.append("%s %s: %d ADUs, but %d PDUs in the stream"
                            % (flow, dname, len(starts), len(heads)))
        lo = [r[0] for r in ranges]
        nxt, beyond = 0, []            # in-order prefix; intervals past it
        for off, n in d.segs:
            # the last header starting before the segment's end
            i = bisect.bisect_left(lo, off + n) - 1
            if i >= 0 and ranges[i][1] > off:
                must += 1
            elif off > nxt and off + n > skip_end(lo, ranges, nxt, len(d.data)):
                held += 1
            nxt = advance(nxt, beyond, off, off + n)
    return payload, must, held, problems


def skip_end(lo, ranges, nxt, end):
    """How far a tracker that has the stream up to NXT knows it may pass
    over unread: to the next header when NXT is in body data, else
    nowhere (NXT inside a header, or before the first one)."""
    j = bisect.bisect_right(lo, nxt) - 1
    if j < 0 or ranges[j][1] > nxt:
        return nxt
    return lo[j + 1] if j + 1 < len(lo) else end


def advance(nxt, beyond, a, b):
    """The in-order prefix after [a, b) arrives (beyond: the intervals
    received past it, kept unmerged)."""
    if a > nxt:
        beyond.append((a, b))
        return nxt
    nxt = max(nxt, b)
    moved = True
    while moved and beyond:
        moved = False
        for k, (x, y) in enumerate(beyond):
            if x <= nxt:
                nxt = max(nxt, y)
                del beyond[k]
                moved = True
                break
    return nxt


def run_replay(binary, capture, workdir):
    adus = os.path.join(workdir, "adus.jsonl")
    stats = os.path.join(workdir, "stats.json")
    subprocess.run([binary, "-q", "--adus", adus, "--stats-json", stats, capture],
                   check=True)
    return adus, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("capture")
    ap.add_argument("--pne-replay", help="run this pne-replay for the ADU log and stats")
    ap.add_argument("--adus", help="ADU log (pne-replay --adus)")
    ap.add_argument("--stats", help="pne-replay --stats-json output")
    ap.add_argument("--causal", action="store_true",
                    help="exit 0 when examined equals the causal minimum (header "
                         "packets plus the out-of-order packets a tracker must keep)")
    opts = ap.parse_args()
    if not opts.pne_replay and not (opts.adus and opts.stats):
        ap.error("give --pne-replay, or both --adus and --stats")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            adus, stats = opts.adus, opts.stats
            if opts.pne_replay:
                adus, stats = run_replay(opts.pne_replay, opts.capture, tmp)
            payload, must, held, problems = minimum(opts.capture, adus)
            with open(stats) as f:
                tracker = json.load(f)["tracker"]
    except (BadInput, OSError, ValueError, KeyError, subprocess.CalledProcessError) as e:
        print("min_examined: %s" % e, file=sys.stderr)
        return 2
    examined = tracker["examined"]
    pct = (lambda n: 100.0 * n / payload if payload else 0.0)
    print("capture                      %s" % opts.capture)
    print("payload packets              %d (pne-replay: %d)"
          % (payload, tracker["payload_packets"]))
    print("with a header byte (minimum) %d (%.2f%%)" % (must, pct(must)))
    print("out of order, kept unread    %d" % held)
    print("causal minimum               %d (%.2f%%)" % (must + held, pct(must + held)))
    print("examined by pne-replay       %d (%.2f%%)" % (examined, pct(examined)))
    for p in problems:
        print("problem: %s" % p)
    ok = examined == must and payload == tracker["payload_packets"] and not problems
    print("at the minimum: %s" % ("yes" if ok else "no"))
    if opts.causal:
        ok = examined == must + held and payload == tracker["payload_packets"] \
            and not problems
        print("at the causal minimum: %s" % ("yes" if ok else "no"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
