#!/usr/bin/python3
"""Make the seed corpora of fuzz_tracker and fuzz_replay (tests/fuzz_trk).

  corpus_replay/   small captures copied as they are from the third-party
                   corpus (/work/shared/corpus, see its INDEX.md for
                   origins and licences) and the first 32 KiB of two
                   regression captures (tests/regress): fuzz_replay reads
                   capture files.
  corpus_tracker/  the TCP segments of the same pcap captures rewritten
                   in fuzz_tracker's input format (tests/fuzz/
                   fuzz_tracker.c): the header picks the spec of the
                   capture's protocol, each segment becomes records of at
                   most 255 payload bytes at the same place in sequence
                   space, relative to the fuzzer's own ISNs. Two caps
                   variants each: roomy caps with no consumers, and the
                   smallest caps with payload and body consumers on.

usage: make_seeds.py [--corpus DIR]     (run from anywhere; rewrites both)
Only the standard library.
"""
import argparse
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# (corpus file, spec): small captures, one or more per protocol.
CAPTURES = [
    ("bgp/ndpi-BGP_redist.pcap", "bgp"),
    ("dns-tcp/sv-dns-tcp-multirequest-buffer.pcap", "dns"),
    ("dns-tcp/tcpdump-dns_tcp.pcap", "dns"),
    ("dns-tcp/sv-dns-tcp-ts-gap.pcap", "dns"),
    ("http/arkime-http-500-head.pcap", "http"),
    ("http/sv-http-chunked-head.pcap", "http"),
    ("http/zeek-http-entity_gap2.pcap", "http"),
    ("http/zeek-http-x-gzip.pcap", "http"),
    ("http/zeek-http-get-gzip.pcap", "http"),
    ("http/zeek-http-interleaved-entity.pcap", "http"),
    ("http/zeek-http-get_nosyn.pcap", "http"),
    ("http/sv-http-gap-simple.pcap", "http"),
    ("kafka/arkime-kafka.pcap", "kafka"),
    ("modbus/sv-modbus.pcap", "modbus"),
    ("mqtt/zeek-mqtt.pcap", "mqtt"),
    ("mysql/arkime-mysql-allow.pcap", "mysql"),
    ("pgsql/sv-pgsql-simple-query-rollback.pcap", "pgsql"),
    ("redis/tcpdump-resp_2_inline.pcap", "redis"),
    ("redis/zeek-redis-pipelining-example.pcap", "redis"),
    ("smb2/zeek-smb2-multiple-pdus.pcap", "smb2"),
    ("tcp-edge/sv-eve-overlap-payload-01.pcap", "http"),
    ("tcp-edge/zeek-tcp-handshake-reorder.pcap", "http"),
    ("tcp-edge/zeek-tcp-retransmit-fast009.pcap", "http"),
    ("tcp-edge/sv-eve-payload-05-tcp-data-gap.pcap", "http"),
    ("tcp-edge/sv-bug-3286-02-linux-evasion.pcap", "http"),
    ("tls/zeek-tls1.2.pcap", "tls"),
]
REGRESS = [("iscsi-rw", "iscsi"), ("http-chunked", "http")]
REGRESS_CUT = 32 << 10

NFLOWS = 3
SYN = 0x02


def read_pcap(data):
    """Yields (ts_ms, frame, linktype) of a classic pcap file."""
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    link = struct.unpack(end + "I", data[20:24])[0] & 0xffff
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, cap, _ = struct.unpack(end + "IIII", data[pos:pos + 16])
        pos += 16
        if pos + cap > len(data):
            return
        ms = sec * 1000 + (frac // 1000000 if nano else frac // 1000)
        yield ms, data[pos:pos + cap], link
        pos += cap


def ip_offset(frame, link):
    """Offset of the IP header, or None."""
    if link == 1:
        off, etype = 14, struct.unpack(">H", frame[12:14])[0] if len(frame) >= 14 else 0
        while etype in (0x8100, 0x88a8) and len(frame) >= off + 4:
            etype = struct.unpack(">H", frame[off + 2:off + 4])[0]
            off += 4
        return off if etype in (0x0800, 0x86dd) else None
    if link == 113:
        return 16
    if link == 276:
        return 20
    if link in (12, 14, 101, 228, 229):
        return 0
    if link in (0, 108):
        return 4
    return None


def tcp_segment(frame, link):
    """((src, sport), (dst, dport), seq, flags, payload) or None."""
    off = ip_offset(frame, link)
    if off is None or len(frame) < off + 20:
        return None
    ver = frame[off] >> 4
    if ver == 4:
        ihl = (frame[off] & 15) * 4
        total = struct.unpack(">H", frame[off + 2:off + 4])[0] or len(frame) - off
        if frame[off + 9] != 6 or ihl < 20:
            return None
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        l4, end = off + ihl, min(len(frame), off + total)
    elif ver == 6 and len(frame) >= off + 40:
        if frame[off + 6] != 6:
            return None
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        plen = struct.unpack(">H", frame[off + 4:off + 6])[0]
        l4, end = off + 40, min(len(frame), off + 40 + plen)
    else:
        return None
    if end < l4 + 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", frame[l4:l4 + 8])
    doff = (frame[l4 + 12] >> 4) * 4
    if doff < 20 or l4 + doff > end:
        return None
    return (src, sport), (dst, dport), seq, frame[l4 + 13], frame[l4 + doff:end]


class Flow:
    def __init__(self, index, seed, first):
        self.index = index
        self.client = first
        self.fisn = [(seed << 24) + 0x00fff000 * (index + 1) & 0xffffffff, 0]
        self.fisn[1] = self.fisn[0] ^ 0x5a5a5a5a
        self.cursor = list(self.fisn)
        self.risn = [None, None]   # real sequence number of stream offset -1


def s32(v):
    v &= 0xffffffff
    return v - (1 << 32) if v >= 1 << 31 else v


def record(flow, d, flags, fseq, payload, step):
    """One record (and its payload) at fuzzer sequence number fseq, or
    None when fseq is too far from both the cursor and the ISN."""
    if flags & SYN:
        head = flow.index | d << 2
        delta = 0
    else:
        delta = s32(fseq - flow.cursor[d])
        head = flow.index | d << 2
        if not -32768 <= delta <= 32767:
            rel = (fseq - flow.fisn[d]) & 0xffffffff
            if rel > 0xffff:
                return None
            head |= 0x40
            delta = s32(rel << 16) >> 16
    rec = bytes([head, flags]) + struct.pack(">h", delta) + bytes([len(payload), step])
    # the C side's cursor rule, so later deltas line up
    seq = (flow.fisn[d] + (delta % 4 if delta >= 0 else -((-delta) % 4))) & 0xffffffff \
        if flags & SYN else fseq
    if s32(seq + len(payload) - flow.cursor[d]) > 0:
        flow.cursor[d] = (seq + len(payload) + (1 if flags & SYN else 0)) & 0xffffffff
    return rec + payload


def tracker_program(data, spec_index, caps, consumers, seed=0x11):
    out = bytearray([spec_index, caps, consumers, seed])
    flows, last_ms = {}, None
    for ms, frame, link in read_pcap(data):
        seg = tcp_segment(frame, link)
        if seg is None:
            continue
        a, b, seq, flags, payload = seg
        key = (min(a, b), max(a, b))
        if key not in flows:
            if len(flows) == NFLOWS:
                continue
            flows[key] = Flow(len(flows), seed, a)
        flow = flows[key]
        d = 0 if a == flow.client else 1
        if flow.risn[d] is None:
            flow.risn[d] = seq if flags & SYN else (seq - 1) & 0xffffffff
        step = 0 if last_ms is None else max(0, min(255, ms - last_ms))
        last_ms = ms
        fseq = (flow.fisn[d] + seq - flow.risn[d]) & 0xffffffff
        if flags & SYN:
            rec = record(flow, d, flags, fseq, b"", step)
            if rec:
                out += rec
            fseq = (fseq + 1) & 0xffffffff
            flags &= ~SYN & 0xff
            if not payload:
                continue
        pieces = [payload[i:i + 255] for i in range(0, len(payload), 255)] or [b""]
        for n, piece in enumerate(pieces):
            # FIN and RST go with the last piece only
            f = flags if n == len(pieces) - 1 else flags & ~0x05 & 0xff
            rec = record(flow, d, f, fseq, piece, step if n == 0 else 0)
            if rec:
                out += rec
            fseq = (fseq + len(piece)) & 0xffffffff
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="/work/shared/corpus")
    args = ap.parse_args()
    specs = sorted(f[:-4] for f in os.listdir(os.path.join(ROOT, "specs")) if f.endswith(".pne"))
    rdir, tdir = os.path.join(HERE, "corpus_replay"), os.path.join(HERE, "corpus_tracker")
    for d in (rdir, tdir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    inputs = []
    for path, spec in CAPTURES:
        src = os.path.join(args.corpus, path)
        if not os.path.exists(src):
            print("missing %s: skipped" % src, file=sys.stderr)
            continue
        name = path.replace("/", "-")
        with open(src, "rb") as f:
            data = f.read()
        inputs.append((name, data, spec))
    for case, spec in REGRESS:
        with open(os.path.join(ROOT, "tests/regress", case, "input.pcap"), "rb") as f:
            inputs.append(("regress-%s-32k.pcap" % case, f.read()[:REGRESS_CUT], spec))
    for name, data, spec in inputs:
        with open(os.path.join(rdir, name), "wb") as f:
            f.write(data)
        base = name.rsplit(".", 1)[0]
        # roomy caps, no consumers / smallest caps, gap timeout, all
        # consumers (payload both ways, bodies both ways, every ADU)
        for tag, caps, cons in (("roomy", 0x3f, 0x00), ("tight", 0x40, 0xff)):
            prog = tracker_program(data, specs.index(spec), caps, cons)
            with open(os.path.join(tdir, "%s-%s.bin" % (base, tag)), "wb") as f:
                f.write(prog[:65536])
    print("%d captures, %d tracker programs" % (len(os.listdir(rdir)), len(os.listdir(tdir))))


if __name__ == "__main__":
    main()
