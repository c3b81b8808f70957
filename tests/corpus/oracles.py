"""Per-protocol oracles for run_corpus.py.

For each spec: which corpus folders hold its captures, how to ask tshark
for the PDU keys of every stream and direction (tshark(...)), and how to
read the same key from the bytes of one of our ADUs (ours(...)). A key is
a tuple of the fields that identify a PDU; where tshark gives a length
field, our side derives it from the ADU's length (not from its bytes), so
the comparison checks the boundaries themselves.
"""

import os
import subprocess
import xml.etree.ElementTree as ET

AGG = "\x1e"   # aggregator of repeated fields: never inside a field value

# Server ports the captures use that are not the specs' defaults.
CAPTURE_PORTS = {
    "http/arkime-wireshark-retrans.pcap": {4000: "http"},
    "http/zeek-http-docker-upgrade.pcap": {2375: "http"},
    "tls/zeek-tls-fragmented-handshake.pcap.gz": {4433: "tls"},
    # Stream 5 is opened from port 502 (the Modbus server side) to 4446;
    # MBAP framing is the same both ways, so frame it as Modbus too.
    "modbus/sv-modbus.pcap": {4446: "modbus"},
    # h2c with prior knowledge on port 80 (the http2 spec claims no port).
    "http2/arkime-http2-nghttp2.pcap": {80: "http2"},
}

# Spec parameters a capture needs (what was negotiated out of band).
CAPTURE_PARAMS = {}


def _tshark(path, args):
    proc = subprocess.run(["tshark", "-n", "-r", path,
                           "-o", "tcp.reassemble_out_of_order:TRUE"] + args,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise RuntimeError("tshark %s: %s" % (" ".join(args),
                                              proc.stderr.decode(errors="replace")))
    return proc.stdout.decode("utf-8", errors="replace")


def _direction(streams, sid, src):
    st = streams.get(sid)
    if st is None:
        return None
    return "c2s" if src == st.client else "s2c"


def field_rows(path, decode, ports, filt, fields, streams):
    """Yield (sid, dir, frame, [values of each field]) for frames matching
    filt, fields split at the aggregator."""
    args = []
    for p in ports if decode else []:
        args += ["-d", "tcp.port==%d,%s" % (p, decode)]
    args += ["-Y", filt, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
             "-E", "aggregator=" + AGG, "-e", "tcp.stream", "-e", "frame.number",
             "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport"]
    for f in fields:
        args += ["-e", f]
    for line in _tshark(path, args).split("\n"):
        v = line.split("\t")
        if len(v) < 5 + len(fields) or not v[0]:
            continue
        sid = int(v[0].split(AGG)[0])
        src = (v[2].split(AGG)[-1] or v[3].split(AGG)[-1], int(v[4].split(AGG)[0]))
        d = _direction(streams, sid, src)
        if d is None:
            continue
        vals = [x.split(AGG) if x else [] for x in v[5:5 + len(fields)]]
        yield sid, d, int(v[1]), vals


def _int(s):
    s = s.strip()
    if s in ("True", "true"):
        return 1
    if s in ("False", "false"):
        return 0
    return int(s, 0)


def zipped(path, decode, ports, filt, fields, streams, conv, optional=()):
    """Keys from fields that occur once per PDU: the i-th PDU of a frame is
    the tuple of the i-th value of each field. Fields in optional may be
    absent from a frame (then left out of its keys)."""
    out = {}
    for sid, d, frame, vals in field_rows(path, decode, ports, filt, fields, streams):
        present = [v for f, v in zip(fields, vals) if v or f not in optional]
        n = len(present[0]) if present else 0
        if any(len(v) != n for v in present):
            raise RuntimeError("%s frame %d: fields %s occur %s times"
                               % (path, frame, fields, [len(v) for v in vals]))
        for i in range(n):
            out.setdefault((sid, d), []).append(
                conv(d, [v[i] if v else None for v in vals]))
    return out


def u16(b, o):
    return b[o] << 8 | b[o + 1] if len(b) >= o + 2 else None


def u24(b, o):
    return b[o] << 16 | b[o + 1] << 8 | b[o + 2] if len(b) >= o + 3 else None


def u32(b, o):
    return int.from_bytes(b[o:o + 4], "big") if len(b) >= o + 4 else None


def s32(b, o):
    return int.from_bytes(b[o:o + 4], "big", signed=True) if len(b) >= o + 4 else None


def s16(b, o):
    return int.from_bytes(b[o:o + 2], "big", signed=True) if len(b) >= o + 2 else None


def head(st, d, adu, n=64):
    return st.data[d][adu["off"]:adu["off"] + min(adu["len"], n)]


class Proto:
    """folders: corpus folders whose captures are checked; extra:
    captures elsewhere that also carry this protocol."""

    def __init__(self, folders, tshark, ours, peer=None, extra=()):
        self.folders, self.tshark, self.ours = folders, tshark, ours
        self.peer, self.extra = peer, extra

    def covers(self, cap):
        return cap.split("/")[0] in self.folders or cap in self.extra


# ---- HTTP/1.x --------------------------------------------------------------

def http_tshark(path, ports, streams):
    def conv(d, v):
        if d == "c2s":
            return ("req", v[0], v[1])
        return ("resp", int(v[2]))
    out = {}
    fields = ["http.request.method", "http.request.uri", "http.response.code"]
    for sid, d, frame, vals in field_rows(path, "http", ports, "http", fields, streams):
        keys = list(zip(vals[0], vals[1])) if d == "c2s" else vals[2]
        for k in keys:
            out.setdefault((sid, d), []).append(
                ("req",) + tuple(k) if d == "c2s" else ("resp", int(k)))
    return out


def http_ours(st, d, adu):
    b = head(st, d, adu, 16384)
    line = b.split(b"\n")[0].rstrip(b"\r").decode("latin-1")
    w = line.split(" ")
    if d == "c2s" and len(w) >= 2:
        return ("req", w[0], w[1])
    if d == "s2c" and line.startswith("HTTP/") and len(w) >= 2 and w[1].isdigit():
        return ("resp", int(w[1]))
    return ("?", line[:40])


# ---- length-prefixed binary protocols ----------------------------------------

def iscsi_tshark(path, ports, streams):
    return zipped(path, "iscsi", ports, "iscsi",
                  ["iscsi.opcode", "iscsi.datasegmentlength"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1])))


def iscsi_ours(st, d, adu):
    b = head(st, d, adu, 8)
    return (b[0] & 0x3f if b else None, u24(b, 5))


def dns_tshark(path, ports, streams):
    return zipped(path, "dns", ports, "dns",
                  ["dns.id", "dns.flags.response", "dns.length"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1]), _int(v[2])))


def dns_ours(st, d, adu):
    b = head(st, d, adu, 8)
    return (u16(b, 2), b[4] >> 7 if len(b) > 4 else None, adu["len"] - 2)


def tls_tshark(path, ports, streams):
    return zipped(path, "tls", ports, "tls",
                  ["tls.record.content_type", "tls.record.length"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1])))


def tls_ours(st, d, adu):
    b = head(st, d, adu, 8)
    return (b[0] if b else None, adu["len"] - 5)


H2_MAGIC = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def http2_tshark(path, ports, streams):
    out = {}
    fields = ["http2.magic", "http2.type", "http2.length", "http2.streamid"]
    for sid, d, frame, vals in field_rows(path, None, ports, "http2", fields, streams):
        keys = out.setdefault((sid, d), [])
        if vals[0]:
            keys.append(("magic",))
        if not len(vals[1]) == len(vals[2]) == len(vals[3]):
            raise RuntimeError("%s frame %d: http2 fields misaligned" % (path, frame))
        for t, n, s in zip(vals[1], vals[2], vals[3]):
            keys.append((_int(t), _int(n), _int(s)))
    return out


def http2_ours(st, d, adu):
    b = head(st, d, adu, 32)
    if b.startswith(H2_MAGIC[:len(b)]) and adu["len"] == len(H2_MAGIC):
        return ("magic",)
    return (b[3] if len(b) > 3 else None, adu["len"] - 9,
            u32(b, 5) & 0x7fffffff if len(b) >= 9 else None)


def mqtt_tshark(path, ports, streams):
    return zipped(path, "mqtt", ports, "mqtt", ["mqtt.msgtype", "mqtt.len"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1])))


def mqtt_ours(st, d, adu):
    b = head(st, d, adu, 8)
    n = 1
    while n < len(b) and b[n] & 0x80:
        n += 1
    return (b[0] >> 4 if b else None, adu["len"] - n - 1)


def kafka_tshark(path, ports, streams):
    def conv(d, v):
        if d == "c2s":
            return (_int(v[0]), _int(v[1]), _int(v[2]))
        return (_int(v[0]), _int(v[2]))
    return zipped(path, "kafka", ports, "kafka",
                  ["kafka.len", "kafka.request_key", "kafka.correlation_id"], streams,
                  conv, optional=("kafka.request_key",))


def kafka_ours(st, d, adu):
    b = head(st, d, adu, 16)
    if d == "c2s":
        return (adu["len"] - 4, s16(b, 4), s32(b, 8))
    return (adu["len"] - 4, s32(b, 4))


def redis_tshark(path, ports, streams):
    """tshark's RESP dissector has no per-message fields: take the
    top-level items of each RESP layer from PDML (type byte, size)."""
    args = []
    for p in ports:
        args += ["-d", "tcp.port==%d,resp" % p]
    xml = _tshark(path, args + ["-Y", "resp", "-T", "pdml"])
    out = {}
    for pkt in ET.fromstring(xml).iter("packet"):
        f = {}
        for proto in pkt.findall("proto"):
            for fld in proto.iter("field"):
                f.setdefault(fld.get("name"), fld.get("show"))
        sid = int(f["tcp.stream"])
        src = (f.get("ip.src") or f.get("ipv6.src"), int(f["tcp.srcport"]))
        d = _direction(streams, sid, src)
        if d is None:
            continue
        for proto in pkt.findall("proto"):
            if proto.get("name") != "resp":
                continue
            for item in proto.findall("field"):
                c = RESP_TYPES.get(item.get("name"), item.get("name"))
                if c == "*":
                    # an array's size covers only its header when its
                    # elements were reassembled: key it by element count
                    n = [x.get("show") for x in item.findall("field")
                         if x.get("name") == "resp.array.length"]
                    key = (c, int(n[0]) if n else None)
                else:
                    key = (c, int(item.get("size")))
                out.setdefault((sid, d), []).append(key)
    return out


RESP_TYPES = {"resp.array": "*", "resp.bulk_string": "$", "resp.string": "+",
              "resp.simple_string": "+", "resp.error": "-", "resp.integer": ":",
              "resp.fragment": "inline"}


def redis_ours(st, d, adu):
    b = head(st, d, adu, 32)
    c = chr(b[0]) if b else None
    if c == "*":
        line = b.split(b"\r\n")[0][1:]
        return (c, int(line) if line.lstrip(b"-").isdigit() else line)
    return (c if c in ("+", "-", ":", "$") else "inline", adu["len"])


PGSQL_FE = {"Q": "Simple query", "X": "Termination", "P": "Parse",
            "B": "Bind", "E": "Execute", "S": "Sync", "D": "Describe", "C": "Close",
            "H": "Flush", "F": "Function call", "d": "Copy data",
            "c": "Copy completion", "f": "Copy failure"}
PGSQL_BE = {"R": "Authentication request", "S": "Parameter status",
            "K": "Backend key data", "Z": "Ready for query", "C": "Command completion",
            "N": "Notice", "E": "Error", "T": "Row description", "D": "Data row",
            "I": "Empty query", "1": "Parse completion", "2": "Bind completion",
            "3": "Close completion", "n": "No data", "t": "Parameter description",
            "s": "Portal suspended", "G": "Copy in response", "H": "Copy out response",
            "A": "Notification", "V": "Function call response", "d": "Copy data",
            "c": "Copy completion"}


def pgsql_tshark(path, ports, streams):
    def conv(d, v):
        t = v[0]
        if t in ("SSL request", "Startup message", "Cancel request", "GSSENC request"):
            t = "untyped"
        elif t.startswith("SASL") or t == "Password message":
            t = "p"
        else:
            table = PGSQL_FE if d == "c2s" else PGSQL_BE
            t = next((k for k, name in table.items() if name == t), t)
        return (t, _int(v[1]))
    out = zipped(path, "pgsql", ports, "pgsql", ["pgsql.type", "pgsql.length"],
                 streams, conv)
    # tshark 4.0 does not dissect the server's one-byte answer ('S' or
    # 'N') to an SSLRequest: put it back where the protocol has it.
    for (sid, d), keys in list(out.items()):
        if d == "c2s" and keys[:1] == [("untyped", 8)]:
            out.setdefault((sid, "s2c"), []).insert(0, ("ssl-answer", 1))
    return out


def pgsql_ours(st, d, adu):
    b = head(st, d, adu, 1)
    if d == "s2c" and adu["off"] == 0 and adu["len"] == 1 and b in (b"S", b"N"):
        return ("ssl-answer", 1)
    if d == "c2s" and b and b[0] == 0:
        return ("untyped", adu["len"])
    return (chr(b[0]) if b else None, adu["len"] - 1)


def mysql_tshark(path, ports, streams):
    return zipped(path, "mysql", ports, "mysql",
                  ["mysql.packet_length", "mysql.packet_number"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1])))


def mysql_ours(st, d, adu):
    b = head(st, d, adu, 4)
    return (adu["len"] - 4, b[3] if len(b) > 3 else None)


def smb2_tshark(path, ports, streams):
    return zipped(path, "nbss", ports, "nbss", ["nbss.type", "nbss.length"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1])))


def smb2_ours(st, d, adu):
    b = head(st, d, adu, 4)
    return (b[0] if b else None, adu["len"] - 4)


def modbus_tshark(path, ports, streams):
    return zipped(path, "mbtcp", ports, "mbtcp",
                  ["mbtcp.trans_id", "mbtcp.len", "modbus.func_code"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1]), _int(v[2])))


def modbus_ours(st, d, adu):
    b = head(st, d, adu, 8)
    return (u16(b, 0), adu["len"] - 6, b[7] & 0x7f if len(b) > 7 else None)


def rpc_tshark(path, ports, streams):
    return zipped(path, "rpc", ports, "rpc",
                  ["rpc.lastfrag", "rpc.fraglen", "rpc.xid"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1]), _int(v[2])))


def rpc_ours(st, d, adu):
    b = head(st, d, adu, 8)
    return (b[0] >> 7 if b else None, adu["len"] - 4, u32(b, 4))


def bgp_tshark(path, ports, streams):
    return zipped(path, "bgp", ports, "bgp", ["bgp.type", "bgp.length"], streams,
                  lambda d, v: (_int(v[0]), _int(v[1])))


def bgp_ours(st, d, adu):
    b = head(st, d, adu, 19)
    return (b[18] if len(b) > 18 else None, adu["len"])


PROTOCOLS = {
    "http": Proto(("http", "tcp-edge"), http_tshark, http_ours,
                  lambda *a: http_peer_check(*a)),
    "iscsi": Proto(("iscsi",), iscsi_tshark, iscsi_ours),
    "dns": Proto(("dns-tcp",), dns_tshark, dns_ours),
    "tls": Proto(("tls",), tls_tshark, tls_ours,
                 extra=("http/ndpi-1kxun.pcap", "http/tcpreplay-test.pcap")),
    "http2": Proto(("http2",), http2_tshark, http2_ours),
    "mqtt": Proto(("mqtt",), mqtt_tshark, mqtt_ours),
    "kafka": Proto(("kafka",), kafka_tshark, kafka_ours),
    "redis": Proto(("redis",), redis_tshark, redis_ours),
    "pgsql": Proto(("pgsql",), pgsql_tshark, pgsql_ours),
    "mysql": Proto(("mysql",), mysql_tshark, mysql_ours),
    "smb2": Proto(("smb2",), smb2_tshark, smb2_ours),
    "modbus": Proto(("modbus",), modbus_tshark, modbus_ours),
    "rpc": Proto(("rpc-nfs",), rpc_tshark, rpc_ours),
    "bgp": Proto(("bgp",), bgp_tshark, bgp_ours),
}


# ---- peer oracles: a second opinion where one is easy to read ------------------

def _zeek_rows(path):
    """Rows of a zeek TSV log as dicts, from its #fields header (or, in a
    btest .cut file, the first non-comment line)."""
    fields, rows = None, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields\t"):
                fields = line.split("\t")[1:]
            elif line.startswith("#"):
                continue
            elif fields is None:
                fields = line.split("\t")
            else:
                rows.append(dict(zip(fields, line.split("\t"))))
    return rows


def _subsequence(small, big):
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def http_peer_check(corpus, cap, streams, ours, excused):
    """zeek's http.log: per connection (by client port), the requests
    zeek logged must appear in our request ADUs in order, and the status
    codes in our final responses. A subsequence, not equality: zeek logs
    a transaction per request it could pair, and lines it could not parse
    with '-'."""
    stem = cap.split("/")[-1].split(".pcap")[0]
    base = os.path.join(corpus, cap.split("/")[0], "oracles", stem)
    logs = [os.path.join(base, n) for n in ("http.log", "http.log.cut")
            if os.path.exists(os.path.join(base, n))]
    diffs = []
    for log in logs:
        rows = _zeek_rows(log)
        if not rows or "id.orig_p" not in rows[0]:
            continue
        for sid, st in streams.items():
            mine = [r for r in rows if r["id.orig_p"] == str(st.client[1])]
            reqs = [("req", r["method"], "" if r["uri"] == "(empty)" else r["uri"])
                    for r in mine if r["method"] != "-"]
            # zeek logs status 0 for a reply it could not parse
            codes = [("resp", int(r["status_code"])) for r in mine
                     if r["status_code"] not in ("-", "", "0")]
            if (sid, "c2s") in excused:
                reqs = []
            if (sid, "s2c") in excused:
                codes = []
            got_req = ours.get((sid, "c2s"), [])
            got_resp = [k for k in ours.get((sid, "s2c"), [])
                        if k[0] == "resp" and k[1] >= 200 or k == ("resp", 101)]
            if not _subsequence(reqs, got_req):
                diffs.append("stream %d: zeek %s requests %.300r not all in ours %.300r"
                             % (sid, os.path.basename(log), reqs, got_req))
            if not _subsequence(codes, got_resp):
                diffs.append("stream %d: zeek %s status codes %.300r not all in ours %.300r"
                             % (sid, os.path.basename(log), codes, got_resp))
    return diffs, len(logs) > 0
