#!/usr/bin/python3
"""Deterministic pcap impairment: the network misbehaviours a TCP
reassembler must survive, applied to a clean capture.

    pcap_impair.py [--seed N] [--reorder P] [--duplicate P]
                   [--drop-retransmit P] [--split-overlap P]
                   [--cut-first N] IN.pcap OUT.pcap

  --cut-first N        drop the first N packets (mid-stream pickup)
  --split-overlap P    split a TCP data segment into two segments that
                       overlap (the overlap carries the same bytes)
  --duplicate P        send a packet twice
  --drop-retransmit P  hold a data segment back behind 1-5 later packets,
                       as a lost segment arrives again as a retransmission
  --reorder P          swap a data segment with one of the next 3 packets
                       (data segments)

A segment is never moved behind the peer's acknowledgement of its bytes
or behind its connection's FIN or RST: the result stays a trace a real
observer between the hosts could have seen.

P is a per-packet probability (0..1); the same seed and options give
the same output. The steps run in the order listed. Only IPv4 TCP
segments that carry data and no SYN, FIN or RST are split, held back or
swapped, so every stream still starts with its handshake and ends with
its FIN/RST, and every byte keeps its sequence number: the byte streams
(tshark -z follow,tcp,raw) are unchanged. Split segments get correct
IPv4 total lengths and IPv4 and TCP checksums; packets that are only
moved or copied stay byte-identical. Timestamps are made non-decreasing
(a packet moved later takes its new neighbour's time).

Reads and writes classic pcap (microsecond or nanosecond, either byte
order) with Ethernet (optionally 802.1Q-tagged) or raw IPv4 link types.
Python 3 stdlib only. Exit status 0 on success, 2 on bad input.
"""

import argparse
import random
import struct
import sys

LINK_ETHERNET = 1
LINK_RAW = (101, 228)
MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True),
}
TCP_SYN, TCP_RST, TCP_PSH, TCP_FIN = 0x02, 0x04, 0x08, 0x01


class BadInput(Exception):
    pass


class Packet:
    """One record: timestamp in the file's units, captured bytes, and
    where the IPv4/TCP headers are (ip < 0 when it isn't IPv4 TCP)."""

    def __init__(self, sec, frac, data, orig_len, linktype):
        self.sec, self.frac, self.data, self.orig_len = sec, frac, data, orig_len
        self.ip = ip_offset(data, linktype)
        self.tcp = -1
        if self.ip >= 0 and len(data) >= self.ip + 20:
            ihl = (data[self.ip] & 0x0f) * 4
            proto = data[self.ip + 9]
            frag = struct.unpack_from(">H", data, self.ip + 6)[0]
            if (data[self.ip] >> 4 == 4 and proto == 6 and (frag & 0x3fff) == 0
                    and len(data) >= self.ip + ihl + 20 and orig_len == len(data)):
                self.tcp = self.ip + ihl

    def copy(self):
        c = Packet.__new__(Packet)
        c.__dict__.update(self.__dict__)
        return c

    def payload_len(self):
        if self.tcp < 0:
            return 0
        total = struct.unpack_from(">H", self.data, self.ip + 2)[0]
        doff = (self.data[self.tcp + 12] >> 4) * 4
        return total - (self.tcp - self.ip) - doff

    def flags(self):
        return self.data[self.tcp + 13] if self.tcp >= 0 else 0

    def movable(self):
        """A data segment without SYN/FIN/RST: may be split or moved."""
        return (self.tcp >= 0 and self.payload_len() > 0
                and not self.flags() & (TCP_SYN | TCP_FIN | TCP_RST))


def conn(p):
    """(source, destination) address and port bytes of a TCP packet."""
    d, i, t = p.data, p.ip, p.tcp
    return d[i + 12:i + 16] + d[t:t + 2], d[i + 16:i + 20] + d[t + 2:t + 4]


def can_pass(p, q):
    """Whether packet P may come after packet Q, which came before it or
    is moved ahead of it: not when Q acknowledges P's own bytes (or its
    FIN), which a receiver can only do after P arrived -- tshark, like a
    real observer, would then take P's bytes as missing -- and not when
    Q is its connection's FIN or RST and P carries data."""
    if p.tcp < 0 or q.tcp < 0:
        return True
    if (p.payload_len() > 0 and q.flags() & (TCP_FIN | TCP_RST)
            and sorted(conn(p)) == sorted(conn(q))):
        return False
    src, dst = conn(p)
    if conn(q) != (dst, src) or not q.data[q.tcp + 13] & 0x10:
        return True
    length = p.payload_len() + (1 if p.flags() & (TCP_SYN | TCP_FIN) else 0)
    if length == 0:
        return True
    end = (struct.unpack_from(">I", p.data, p.tcp + 4)[0] + length) & 0xffffffff
    ack = struct.unpack_from(">I", q.data, q.tcp + 8)[0]
    return ((ack - end) & 0xffffffff) >= 0x80000000


def ip_offset(data, linktype):
    if linktype in LINK_RAW:
        return 0
    if linktype != LINK_ETHERNET or len(data) < 14:
        return -1
    off, etype = 12, struct.unpack_from(">H", data, 12)[0]
    while etype in (0x8100, 0x88a8) and len(data) >= off + 6:
        off += 4
        etype = struct.unpack_from(">H", data, off)[0]
    return off + 2 if etype == 0x0800 else -1


def read_pcap(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 24 or raw[:4] not in MAGICS:
        raise BadInput("%s: not a classic pcap file (pcapng is not supported)" % path)
    endian, nano = MAGICS[raw[:4]]
    linktype = struct.unpack_from(endian + "I", raw, 20)[0] & 0x0fffffff
    pkts, pos = [], 24
    while pos < len(raw):
        if pos + 16 > len(raw):
            raise BadInput("%s: truncated record header at byte %d" % (path, pos))
        sec, frac, incl, orig = struct.unpack_from(endian + "IIII", raw, pos)
        pos += 16
        if pos + incl > len(raw):
            raise BadInput("%s: truncated packet at byte %d" % (path, pos))
        pkts.append(Packet(sec, frac, raw[pos:pos + incl], orig, linktype))
        pos += incl
    return raw[:24], endian, nano, linktype, pkts


def write_pcap(path, header, endian, pkts):
    with open(path, "wb") as f:
        f.write(header)
        for p in pkts:
            f.write(struct.pack(endian + "IIII", p.sec, p.frac, len(p.data), p.orig_len))
            f.write(p.data)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def build_segment(p, linktype, start, end, seq_add, flags):
    """A copy of P carrying payload bytes [start, end) at seq + seq_add,
    with FLAGS and fresh lengths and checksums."""
    d = p.data
    ihl = p.tcp - p.ip
    doff = (d[p.tcp + 12] >> 4) * 4
    body = p.tcp + doff
    ip = bytearray(d[p.ip:p.tcp])
    tcp = bytearray(d[p.tcp:body])
    payload = d[body + start:body + end]
    total = ihl + doff + len(payload)
    struct.pack_into(">H", ip, 2, total)
    struct.pack_into(">H", ip, 10, 0)
    struct.pack_into(">H", ip, 10, csum(bytes(ip)))
    seq = (struct.unpack_from(">I", tcp, 4)[0] + seq_add) & 0xffffffff
    struct.pack_into(">I", tcp, 4, seq)
    tcp[13] = flags
    struct.pack_into(">H", tcp, 16, 0)
    pseudo = ip[12:20] + struct.pack(">BBH", 0, 6, doff + len(payload))
    struct.pack_into(">H", tcp, 16, csum(bytes(pseudo) + bytes(tcp) + payload))
    # Ethernet padding of the original (short frames) is not kept.
    data = d[:p.ip] + bytes(ip) + bytes(tcp) + payload
    return Packet(p.sec, p.frac, data, len(data), linktype)


def split_overlap(rng, pkts, prob, linktype):
    out = []
    for p in pkts:
        n = p.payload_len()
        if p.movable() and n >= 2 and rng.random() < prob:
            # first part [0, a), second [b, n) with b < a: bytes [b, a)
            # travel twice, identical.
            a = rng.randint(1, n - 1) if n > 2 else 1
            b = rng.randint(max(0, a - 64), a - 1)
            if n == 2:
                a, b = 2, 1
            fl = p.flags()
            out.append(build_segment(p, linktype, 0, a, 0, fl & ~TCP_PSH))
            out.append(build_segment(p, linktype, b, n, b, fl))
        else:
            out.append(p)
    return out


def duplicate(rng, pkts, prob):
    out = []
    for p in pkts:
        out.append(p)
        if rng.random() < prob:
            out.append(p.copy())
    return out


def delay(rng, pkts, prob):
    """Hold movable packets back behind 1-5 later ones."""
    out = list(pkts)
    i = 0
    while i < len(out):
        if out[i].movable() and rng.random() < prob:
            k = rng.randint(1, 5)
            j = i
            while j + 1 < len(out) and j - i < k and can_pass(out[i], out[j + 1]):
                j += 1
            if j > i:
                p = out.pop(i)
                out.insert(j, p)
                i += 1  # the packet now at i has not been looked at yet
                continue
        i += 1
    return out


def reorder(rng, pkts, prob):
    out = list(pkts)
    for i in range(len(out)):
        if out[i].movable() and rng.random() < prob:
            # out[i] goes behind out[i+1..j], out[j] ahead of out[i..j-1]
            cands = []
            for j in range(i + 1, min(i + 4, len(out))):
                if not can_pass(out[i], out[j]):
                    break
                if out[j].movable() and all(can_pass(out[k], out[j]) for k in range(i + 1, j)):
                    cands.append(j)
            if cands:
                j = rng.choice(cands)
                out[i], out[j] = out[j], out[i]
    return out


def monotonic(pkts, nano):
    unit = 1000000000 if nano else 1000000
    prev = 0
    for p in pkts:
        t = p.sec * unit + p.frac
        if t < prev:
            t = prev
            p.sec, p.frac = divmod(t, unit)
        prev = t


def probability(s):
    v = float(s)
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError("probability must be within 0..1")
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reorder", type=probability, default=0.0, metavar="P")
    ap.add_argument("--duplicate", type=probability, default=0.0, metavar="P")
    ap.add_argument("--drop-retransmit", type=probability, default=0.0, metavar="P")
    ap.add_argument("--split-overlap", type=probability, default=0.0, metavar="P")
    ap.add_argument("--cut-first", type=int, default=0, metavar="N")
    ap.add_argument("input")
    ap.add_argument("output")
    args = ap.parse_args(argv)
    if args.cut_first < 0:
        ap.error("--cut-first must not be negative")
    try:
        header, endian, nano, linktype, pkts = read_pcap(args.input)
    except (OSError, BadInput) as e:
        sys.stderr.write("pcap_impair: %s\n" % e)
        return 2
    # One generator per step, so enabling one step does not change the
    # choices another makes.
    rngs = [random.Random("%d:%s" % (args.seed, step))
            for step in ("split", "dup", "delay", "reorder")]
    pkts = pkts[args.cut_first:]
    if args.split_overlap:
        pkts = split_overlap(rngs[0], pkts, args.split_overlap, linktype)
    if args.duplicate:
        pkts = duplicate(rngs[1], pkts, args.duplicate)
    if args.drop_retransmit:
        pkts = delay(rngs[2], pkts, args.drop_retransmit)
    if args.reorder:
        pkts = reorder(rngs[3], pkts, args.reorder)
    monotonic(pkts, nano)
    try:
        write_pcap(args.output, header, endian, pkts)
    except OSError as e:
        sys.stderr.write("pcap_impair: %s\n" % e)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
