#!/usr/bin/python3
"""One lost segment, deterministically: the "with one loss" variant of a
capture (bench/README.md, "dpdk-pne cost per packet").

    one_loss.py [--after N | --drop] IN.pcap OUT.pcap

The lost segment is the middle one (by position in the file) of the data
segments of the busiest direction (most payload bytes) of the capture:
IPv4 or IPv6 TCP, payload, no SYN, FIN or RST. As an observer placed
after the lossy link sees a loss that TCP repairs, the segment goes
missing at its place and arrives again after the next N data segments of
the same direction (--after, default 3: a fast retransmit after three
duplicate ACKs), byte-identical. --drop removes it for good instead: a
hole the tracker must give up on. Every other packet is left as it is,
timestamps included (the retransmission takes the time of the packet it
follows). Prints which packet was moved. Classic pcap, either byte order,
microsecond or nanosecond; Ethernet with optional 802.1Q tags. Exit 0,
or 2 on bad input.
"""
import argparse
import struct
import sys


def die(msg):
    print("one_loss.py: " + msg, file=sys.stderr)
    sys.exit(2)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        die(f"{path}: not a pcap file")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        die(f"{path}: not a classic pcap file (magic {magic.hex()})")
    if struct.unpack(e + "I", data[20:24])[0] != 1:
        die(f"{path}: link type is not Ethernet")
    recs, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        if off + 16 + caplen > len(data):
            die(f"{path}: record cut short at byte {off}")
        recs.append((data[off:off + 16], data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return data[:24], recs


def tcp_data(frame):
    """(direction key, payload length) of a data segment, else None."""
    off, etype = 14, struct.unpack("!H", frame[12:14])[0] if len(frame) >= 14 else 0
    while etype in (0x8100, 0x88a8) and len(frame) >= off + 4:
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    if etype == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0f) * 4
        if frame[off + 9] != 6 or struct.unpack("!H", frame[off + 6:off + 8])[0] & 0x3fff:
            return None
        iplen = struct.unpack("!H", frame[off + 2:off + 4])[0]
        src, dst, l4, l4len = frame[off + 12:off + 16], frame[off + 16:off + 20], off + ihl, \
            iplen - ihl
    elif etype == 0x86dd and len(frame) >= off + 40:
        if frame[off + 6] != 6:
            return None
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        l4, l4len = off + 40, struct.unpack("!H", frame[off + 4:off + 6])[0]
    else:
        return None
    if len(frame) < l4 + 20:
        return None
    flags = frame[l4 + 13]
    paylen = l4len - (frame[l4 + 12] >> 4) * 4
    if flags & 0x07 or paylen <= 0:   # FIN, SYN, RST
        return None
    return (src, frame[l4:l4 + 2], dst, frame[l4 + 2:l4 + 4]), paylen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--after", type=int, default=3,
                   help="data segments of the direction before the retransmission (3)")
    g.add_argument("--drop", action="store_true", help="lose the segment for good")
    ap.add_argument("input")
    ap.add_argument("output")
    o = ap.parse_args()
    if o.after < 1:
        die("--after takes 1 or more")
    header, recs = read_pcap(o.input)
    segs, volume = [], {}
    for i, (_, frame) in enumerate(recs):
        d = tcp_data(frame)
        if d is not None:
            segs.append((i, d[0]))
            volume[d[0]] = volume.get(d[0], 0) + d[1]
    if not volume:
        die(f"{o.input}: no TCP data segment")
    busiest = max(volume, key=lambda k: (volume[k], k))
    dir_segs = [i for i, k in segs if k == busiest]
    lost = dir_segs[len(dir_segs) // 2]
    later = [i for i in dir_segs if i > lost]
    out = [r for i, r in enumerate(recs) if i != lost]
    if o.drop:
        where = "dropped"
    elif len(later) < o.after:
        die(f"{o.input}: fewer than {o.after} data segments after the lost one")
    else:
        anchor = later[o.after - 1]
        hdr = recs[anchor][0][:8] + recs[lost][0][8:]   # the anchor's time
        # out lacks the lost record, so the anchor is out[anchor - 1]:
        # the retransmission goes right after it
        out.insert(anchor, (hdr, recs[lost][1]))
        where = f"retransmitted after packet {anchor + 1}"
    with open(o.output, "wb") as f:
        f.write(header)
        for h, fr in out:
            f.write(h)
            f.write(fr)
    print(f"packet {lost + 1} of {len(recs)} ({len(dir_segs)} data segments in the busiest "
          f"direction) lost, {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
