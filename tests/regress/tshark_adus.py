#!/usr/bin/python3
"""Expected ADUs of a regression capture, in the ADU log format.

    tshark_adus.py [--known-mismatch STREAM:DIR]... CAPTURE > expected.jsonl

Writes one JSON line per HTTP message or iSCSI PDU of CAPTURE in the
format of docs/adu-log.md (flow, dir, proto, type, off, len, synced,
fields), the way pne-replay is to report them.

How the records are made:

1. tshark's TCP reassembly gives each stream's bytes per direction
   (-z follow,tcp,raw: retransmitted, duplicated and reordered segments
   already resolved), and a packet pass gives the frames' sequence
   numbers relative to the SYN (the first data byte is offset 0).
2. Each direction's bytes are cut into messages by the framing rules of
   RFC 9112 (HTTP/1.1: start line, field lines, Content-Length or chunked
   body, no body for HEAD/1xx/204/304 responses, pipelined requests
   answered in order) or RFC 7143 (iSCSI: BHS, AHS, data segment padded
   to 4, header and data digests as the Login Response negotiated). This
   gives exact offsets and lengths, which tshark's fields don't.
3. tshark's own dissectors (http, iscsi) then list the messages they
   see per stream and direction -- HTTP method and URI or status code;
   iSCSI opcode, ITT and DataSegmentLength -- and the two ordered lists
   must be equal. A difference is an error (exit status 1) unless the
   stream and direction are named with --known-mismatch, and a named one
   that does match is an error too (so the list stays true). tshark is
   wrong in one known place: its HTTP dissector takes the last request
   sent as the one a response answers, so a pipelined HEAD makes it read
   the HEAD response's Content-Length as a body and lose the messages
   after it (http-pipelined). With --dissector-may-miss (captures with
   real loss, retransmissions and reordering), a dissector that follows
   only some of a direction's messages passes when every message it
   reports is one of the framed ones, in the same order; how many it
   missed goes to stderr. Its iSCSI dissector loses PDUs that way when a
   retransmission fills a hole behind several later segments.

Records are ordered as pne-replay writes them: by the frame with which
each ADU became complete (all its bytes and the ones before it received),
then by offset. Fields follow the shipped specs: HTTP requests carry
method (cut at 16), uri (cut at 96) and content_length, responses status
and content_length (0 when the message has no Content-Length, as
specs/http.pne reports it); iSCSI PDUs carry opcode (low six bits), itt,
lun and dsl. An HTTP response ending with the connection carries
"closed": true.

Python 3 stdlib only; needs tshark on PATH.
"""

import argparse
import json
import re
import subprocess
import sys

HTTP_PORTS = {80, 591, 3128, 8000, 8008, 8080, 8088, 8888}
ISCSI_PORTS = {3260}
HEX = re.compile(r"\t?(?:[0-9a-f]{2})+")
AGG = "\x1e"    # tshark occurrence separator: appears in no field here


class Error(Exception):
    pass


def tshark(args):
    cmd = ["tshark", "-n", "-o", "tcp.desegment_tcp_streams:TRUE",
           "-o", "tcp.reassemble_out_of_order:TRUE"] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise Error("%s: %s" % (" ".join(cmd), p.stderr.decode(errors="replace").strip()))
    return p.stdout.decode("latin-1")


class Stream:
    def __init__(self, num):
        self.num = num
        self.client = None      # (ip, port)
        self.server = None
        self.isn = {}           # dir -> ISN, from the SYN
        self.segs = {"c2s": [], "s2c": []}  # (frame, seq_raw, len)
        self.data = {"c2s": b"", "s2c": b""}
        self.proto = None

    def flow(self):
        return "%s:%d>%s:%d" % (self.client[0], self.client[1],
                                self.server[0], self.server[1])


def read_packets(pcap):
    out = tshark(["-r", pcap, "-Y", "tcp", "-T", "fields", "-E", "separator=\t",
                  "-e", "frame.number", "-e", "tcp.stream", "-e", "ip.src",
                  "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport",
                  "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
                  "-e", "tcp.seq_raw", "-e", "tcp.len"])
    streams = {}
    for line in out.split("\n"):
        f = line.split("\t")
        if len(f) < 10 or not f[1]:
            continue
        frame, num = int(f[0]), int(f[1])
        src, dst = (f[2], int(f[3])), (f[4], int(f[5]))
        syn, ack = f[6] in ("1", "True"), f[7] in ("1", "True")
        seq, length = int(f[8]), int(f[9])
        s = streams.setdefault(num, Stream(num))
        if s.client is None:
            if syn and ack:
                s.client, s.server = dst, src
            elif syn or src[1] > dst[1]:
                s.client, s.server = src, dst
            else:
                s.client, s.server = dst, src
        d = "c2s" if src == s.client else "s2c"
        if syn:
            s.isn[d] = seq
        if length > 0:
            s.segs[d].append((frame, seq, length))
    for s in streams.values():
        port = s.server[1]
        s.proto = "http" if port in HTTP_PORTS else "iscsi" if port in ISCSI_PORTS else None
    return streams


def read_bytes(pcap, streams):
    nums = sorted(n for n, s in streams.items() if s.proto)
    if not nums:
        return
    args = ["-r", pcap, "-q"]
    for n in nums:
        args += ["-z", "follow,tcp,raw,%d" % n]
    cur, node0, chunks = None, None, None

    def flush():
        if cur is not None:
            s = streams[cur]
            first = "c2s" if node0 == s.client else "s2c"
            other = "s2c" if first == "c2s" else "c2s"
            s.data[first] = b"".join(chunks[0])
            s.data[other] = b"".join(chunks[1])

    for line in tshark(args).split("\n"):
        if line.startswith("Filter: tcp.stream eq "):
            flush()
            cur, chunks = int(line.split()[-1]), ([], [])
        elif line.startswith("Node 0: "):
            host, port = line[8:].rsplit(":", 1)
            node0 = (host.strip("[]"), int(port))
        elif cur is not None and HEX.fullmatch(line):
            side = 1 if line.startswith("\t") else 0
            chunks[side].append(bytes.fromhex(line.strip()))
    flush()


def completion_frames(stream, d, ends):
    """Frame number by which each end offset in ENDS (sorted) was
    received with every byte before it."""
    isn = stream.isn.get(d)
    segs = stream.segs[d]
    if isn is None:
        raise Error("stream %d %s: no SYN; mid-stream captures are not supported" % (stream.num, d))
    have = []   # sorted, merged [start, end) intervals
    high = 0    # contiguous bytes from offset 0
    out, i = [], 0
    for frame, seq, length in segs:
        off = (seq - isn - 1) % (1 << 32)
        have.append((off, off + length))
        have.sort()
        merged = []
        for a, b in have:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        have = merged
        if have[0][0] == 0:
            high = have[0][1]
        while i < len(ends) and ends[i] <= high:
            out.append(frame)
            i += 1
    if i < len(ends):
        raise Error("stream %d %s: bytes up to %d never all received" % (stream.num, d, ends[i]))
    return out


# ---- HTTP/1.1 (RFC 9112) ----

def http_lines(data, pos):
    """Field lines from POS up to and including the empty line: returns
    (lines, end) or None when the head is incomplete."""
    lines = []
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            return None
        line = data[pos:nl]
        if line.endswith(b"\r"):
            line = line[:-1]
        pos = nl + 1
        if not line:
            return lines, pos
        lines.append(line)


def http_fields(lines):
    cl, te, upgrade = None, None, False
    for line in lines:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip()
        if name == b"content-length":
            cl = int(value)
        elif name == b"transfer-encoding":
            te = value.lower()
        elif name == b"upgrade":
            upgrade = True
    return cl, te, upgrade


def http_chunked(data, pos):
    """End of a chunked body starting at POS, or None if incomplete."""
    while True:
        nl = data.find(b"\r\n", pos)
        if nl < 0:
            return None
        size = int(data[pos:nl].split(b";")[0].strip(), 16)
        pos = nl + 2
        if size == 0:
            break
        if data[pos + size:pos + size + 2] != b"\r\n":
            raise Error("chunk data not followed by CRLF at %d" % (pos + size))
        pos += size + 2
    trailer = http_lines(data, pos)
    return None if trailer is None else trailer[1]


def http_requests(data):
    out, pos = [], 0
    while pos < len(data):
        start = pos
        while data.startswith(b"\r\n", pos) or data.startswith(b"\n", pos):
            pos += 2 if data[pos] == 13 else 1
        head = http_lines(data, pos)
        if head is None or not head[0]:
            break
        lines, pos = head
        words = lines[0].split(b" ")
        method, uri = words[0], words[1] if len(words) > 1 else b""
        cl, te, upgrade = http_fields(lines[1:])
        if te is not None:
            if te != b"chunked":
                raise Error("request with Transfer-Encoding %r" % te)
            pos = http_chunked(data, pos)
        elif cl is not None:
            pos = pos + cl if pos + cl <= len(data) else None
        if pos is None:
            break
        kind = "head" if method == b"HEAD" else "connect" if method == b"CONNECT" else \
            "upgrade" if upgrade else ""
        out.append({"type": "request", "off": start, "len": pos - start, "kind": kind,
                    "fields": {"method": method.decode("latin-1")[:16],
                               "uri": uri.decode("latin-1")[:96],
                               "content_length": cl or 0}})
        if kind in ("connect", "upgrade"):
            break   # what follows depends on the response; none here
    return out


def http_responses(data, requests):
    out, pos, pending = [], 0, [r["kind"] for r in requests]
    while pos < len(data):
        start = pos
        head = http_lines(data, pos)
        if head is None or not head[0]:
            break
        lines, pos = head
        status = int(lines[0].split(b" ")[1])
        cl, te, _ = http_fields(lines[1:])
        closed = False
        if status >= 200:
            kind = pending.pop(0) if pending else ""
            if kind == "head" or status in (204, 304):
                pass
            elif kind == "connect" and status < 300:
                break
            elif te is not None:
                if te == b"chunked":
                    pos = http_chunked(data, pos)
                else:
                    pos, closed = len(data), True
            elif cl is not None:
                pos = pos + cl if pos + cl <= len(data) else None
            else:
                pos, closed = len(data), True
        if pos is None:
            break
        rec = {"type": "response", "off": start, "len": pos - start,
               "fields": {"status": status, "content_length": cl or 0}}
        if closed:
            rec["closed"] = True
        out.append(rec)
        if status == 101:
            break
    return out


# ---- iSCSI (RFC 7143) ----

ISCSI_TYPES = {
    0x00: "nop_out", 0x01: "scsi_command", 0x02: "task_mgmt", 0x03: "login_request",
    0x04: "text_request", 0x05: "data_out", 0x06: "logout_request", 0x10: "snack",
    0x20: "nop_in", 0x21: "scsi_response", 0x22: "task_mgmt_response",
    0x23: "login_response", 0x24: "text_response", 0x25: "data_in",
    0x26: "logout_response", 0x31: "r2t", 0x32: "async_message", 0x3f: "reject",
}


def iscsi_pdus(data, d, digests):
    """PDUs of one direction. DIGESTS is updated from Login Responses
    (target side, framed first): [header, data]."""
    out, pos = [], 0
    while pos + 48 <= len(data):
        bhs = data[pos:pos + 48]
        op = bhs[0] & 0x3f
        ahs, dsl = bhs[4], int.from_bytes(bhs[5:8], "big")
        is_login = op in (0x03, 0x23)
        hd, dd = (False, False) if is_login else digests
        length = 48 + 4 * ahs + (4 if hd else 0) + ((dsl + 3) & ~3) + (4 if dsl and dd else 0)
        if pos + length > len(data):
            break
        if op == 0x23:
            text = data[pos + 48 + 4 * ahs:pos + 48 + 4 * ahs + dsl]
            for kv in text.split(b"\0"):
                k, _, v = kv.partition(b"=")
                if k == b"HeaderDigest":
                    digests[0] = v == b"CRC32C"
                elif k == b"DataDigest":
                    digests[1] = v == b"CRC32C"
        default = "vendor_request" if d == "c2s" else "vendor_response"
        out.append({"type": ISCSI_TYPES.get(op, default), "off": pos, "len": length,
                    "fields": {"opcode": op, "itt": int.from_bytes(bhs[16:20], "big"),
                               "lun": int.from_bytes(bhs[8:16], "big"), "dsl": dsl}})
        pos += length
    return out


# ---- tshark's dissectors, for the cross-check ----

def dissector_keys(pcap):
    out = tshark(["-r", pcap, "-T", "fields", "-E", "separator=\t",
                  "-E", "occurrence=a", "-E", "aggregator=" + AGG,
                  "-e", "tcp.stream", "-e", "tcp.srcport",
                  "-e", "http.request.method", "-e", "http.request.uri",
                  "-e", "http.response.code",
                  "-e", "iscsi.opcode", "-e", "iscsi.initiatortasktag",
                  "-e", "iscsi.datasegmentlength"])
    keys = {}
    for line in out.split("\n"):
        f = line.split("\t")
        if len(f) < 8 or not f[0]:
            continue
        num, sport = int(f[0]), int(f[1])
        k = keys.setdefault((num, sport), [])
        split = [x.split(AGG) if x else [] for x in f[2:]]
        meth, uri, code, op, itt, dsl = split
        for m, u in zip(meth, uri):
            k.append(("request", m, u))
        for c in code:
            k.append(("response", int(c)))
        for o, t, n in zip(op, itt, dsl):
            k.append(("pdu", int(o, 0) & 0x3f, int(t, 0), int(n, 0)))
    return keys


def our_key(proto, rec):
    f = rec["fields"]
    if proto == "http":
        if rec["type"] == "request":
            return ("request", f["method"], f["uri"])
        return ("response", f["status"])
    return ("pdu", f["opcode"], f["itt"], f["dsl"])


def subsequence(short, full):
    """Whether SHORT is FULL with some elements left out."""
    it = iter(full)
    return all(any(x == y for y in it) for x in short)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("capture")
    ap.add_argument("--known-mismatch", action="append", default=[], metavar="STREAM:DIR",
                    help="tshark's dissector is known to differ here (e.g. 0:s2c)")
    ap.add_argument("--dissector-may-miss", action="store_true",
                    help="accept a dissector that reports only some of the framed "
                         "messages, in order")
    args = ap.parse_args()
    try:
        streams = read_packets(args.capture)
        read_bytes(args.capture, streams)
        keys = dissector_keys(args.capture)
    except (Error, OSError) as e:
        sys.stderr.write("tshark_adus: %s\n" % e)
        return 2
    known = set(args.known_mismatch)
    records, status = [], 0
    for num in sorted(streams):
        s = streams[num]
        if not s.proto:
            continue
        try:
            if s.proto == "http":
                adus = {"c2s": http_requests(s.data["c2s"])}
                adus["s2c"] = http_responses(s.data["s2c"], adus["c2s"])
            else:
                digests = [False, False]
                adus = {"s2c": iscsi_pdus(s.data["s2c"], "s2c", digests)}
                adus["c2s"] = iscsi_pdus(s.data["c2s"], "c2s", digests)
            for d in ("c2s", "s2c"):
                frames = completion_frames(s, d, [a["off"] + a["len"] for a in adus[d]])
                port = (s.client if d == "c2s" else s.server)[1]
                ours = [our_key(s.proto, a) for a in adus[d]]
                theirs = keys.get((num, port), [])
                name = "%d:%s" % (num, d)
                if ours != theirs and args.dissector_may_miss and subsequence(theirs, ours):
                    sys.stderr.write("tshark_adus: %s: stream %s: tshark's dissector followed %d "
                                     "of %d messages\n" % (args.capture, name, len(theirs),
                                                            len(ours)))
                elif ours != theirs and name not in known:
                    i = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b),
                             min(len(ours), len(theirs)))
                    sys.stderr.write("tshark_adus: %s: stream %s: tshark's dissector differs at "
                                     "message %d: tshark %s, framing %s (%d vs %d messages)\n" %
                                     (args.capture, name, i,
                                      theirs[i] if i < len(theirs) else "-",
                                      ours[i] if i < len(ours) else "-",
                                      len(theirs), len(ours)))
                    status = 1
                elif ours == theirs and name in known:
                    sys.stderr.write("tshark_adus: %s: stream %s: listed as a known mismatch "
                                     "but tshark agrees\n" % (args.capture, name))
                    status = 1
                known.discard(name)
                for a, fr in zip(adus[d], frames):
                    rec = {"flow": s.flow(), "dir": d, "proto": s.proto, "type": a["type"],
                           "off": a["off"], "len": a["len"], "synced": True,
                           "fields": a["fields"]}
                    if a.get("closed"):
                        rec["closed"] = True
                    records.append((fr, num, a["off"], rec))
        except (Error, ValueError, IndexError) as e:
            sys.stderr.write("tshark_adus: %s: stream %d: %s\n" % (args.capture, num, e))
            return 2
    for name in sorted(known):
        sys.stderr.write("tshark_adus: %s: known mismatch %s: no such stream\n" % (args.capture, name))
        status = 1
    records.sort(key=lambda r: r[:3])
    for r in records:
        sys.stdout.write(json.dumps(r[3], separators=(",", ":")) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
