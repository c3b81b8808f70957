#!/usr/bin/python3
"""Send a batch of pipelined HTTP/1.1 requests on one connection.

curl does not pipeline, so make_captures.sh uses this for
http-pipelined.pcap: every request of a batch goes out in one send()
before any response is read; the last request of the last batch says
"Connection: close" and the responses are read until the server closes.

Usage: pipeline.py HOST PORT POSTFILE
"""
import socket
import sys


def req(method, uri, host, body=None, close=False, extra=()):
    lines = ["%s %s HTTP/1.1" % (method, uri), "Host: %s" % host,
         "User-Agent: pne-regress-pipeline/1"]
    lines.extend(extra)
    if body is not None:
        lines.append("Content-Type: application/octet-stream")
        lines.append("Content-Length: %d" % len(body))
    if close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return head + (body or b"")


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    with open(sys.argv[3], "rb") as f:
        body = f.read()
    hp = "%s" % host
    batch1 = b"".join([
        req("GET", "/1k.bin", hp),
        req("HEAD", "/100k.bin", hp),
        req("GET", "/no-such-file", hp),
        req("POST", "/post/pipelined", hp, body=body),
        req("GET", "/dyn/pipelined", hp),
        req("GET", "/100k.bin", hp, extra=["Range: bytes=100-1123"]),
    ])
    batch2 = b"".join([
        req("GET", "/text.txt", hp),
        req("OPTIONS", "*", hp),
        req("GET", "/1k.bin?last", hp, close=True),
    ])
    s = socket.create_connection((host, port), timeout=10)
    try:
        s.sendall(batch1)
        # Half of the responses may be under way when the second batch
        # goes out: requests keep arriving while responses flow.
        got = s.recv(4096)
        total = len(got)
        s.sendall(batch2)
        while True:
            got = s.recv(65536)
            if not got:
                break
            total += len(got)
    finally:
        s.close()
    print("pipeline: %d response bytes" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
