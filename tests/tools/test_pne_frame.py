#!/usr/bin/python3
"""Checks of pne-frame itself (tests/tools/pne_frame.c): the command line,
the conversation file format and the feeding rules (a direction waiting
on the other keeps its bytes; waits are forced at the end), using the
shipped HTTP spec. usage: test_pne_frame.py PNE_FRAME WORKDIR"""

import json
import os
import subprocess
import sys

REQ1 = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
REQ2 = b"HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"

failures = []


def frame(exe, workdir, name, text, *opts):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([exe] + list(opts) + [path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def adus(out):
    return [json.loads(line) for line in out.splitlines()]


def main():
    exe, workdir = sys.argv[1], sys.argv[2]
    os.makedirs(workdir, exist_ok=True)

    # Usage errors exit 2 with a message.
    for args in ([], ["--spec"], ["--spec", "no-such-spec", "x"],
                 ["--spec", "http", "--unsynced", "both", "x"],
                 ["--spec", "http", "--param", "nosuch=1", "x"],
                 ["--spec", "http", "a", "b"]):
        p = subprocess.run([exe] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(p.returncode == 2 and p.stderr, "usage error %s: rc %d" % (args, p.returncode))

    # --list names the http spec with its ports.
    p = subprocess.run([exe, "--list"], stdout=subprocess.PIPE)
    names = {l.split("\t")[0]: l.split("\t")[1] for l in p.stdout.decode().splitlines()}
    check("http" in names and "80" in names["http"].split(","), "--list: %r" % names)

    # Malformed conversations exit 1 and name the line.
    for bad in ("c2s 4", "c2s zz", "gap c2s", "gap c2s -1", "close up", "hello"):
        rc, out, err = frame(exe, workdir, "bad.conv", "# x\n" + bad + "\n",
                             "--spec", "http")
        check(rc == 1 and "bad.conv:2:" in err, "bad line %r: rc %d, %r" % (bad, rc, err))
    p = subprocess.run([exe, "--spec", "http", os.path.join(workdir, "no-such.conv")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 1 and b"no-such.conv" in p.stderr, "missing file: rc %d" % p.returncode)

    # Pipelined GET and HEAD, the responses arriving first (as in a
    # capture taken near the server): the responses wait for the
    # requests, and HEAD's response has no body.
    conv = "s2c %s\ns2c %s\nc2s %s\nc2s %s\nclose c2s\nclose s2c\n" % (
        (RESP + b"hello").hex(), RESP.hex(), REQ1.hex(), REQ2[:5].hex() + REQ2[5:].hex())
    rc, out, err = frame(exe, workdir, "pipelined.conv", conv, "--spec", "http",
                         "--flow", "10.0.0.1:1234>10.0.0.2:80")
    got = adus(out) if rc == 0 else []
    want = [("c2s", "request", 0, len(REQ1)), ("c2s", "request", len(REQ1), len(REQ2)),
            ("s2c", "response", 0, len(RESP) + 5), ("s2c", "response", len(RESP) + 5, len(RESP))]
    check(sorted((a["dir"], a["type"], a["off"], a["len"]) for a in got) == sorted(want),
          "pipelined: %r" % [(a["dir"], a["type"], a["off"], a["len"]) for a in got])
    check(all(a["flow"] == "10.0.0.1:1234>10.0.0.2:80" and a["proto"] == "http"
              and a["synced"] is True for a in got), "pipelined: record keys %r" % got)
    s2c = [a for a in got if a["dir"] == "s2c"]
    check([a["off"] for a in s2c] == sorted(a["off"] for a in s2c), "s2c out of order")
    check("4 ADUs" in err, "summary line: %r" % err)

    # Events are delivered in file order: request/response exchanges
    # come out interleaved, not one direction after the other.
    conv = "".join("c2s %s\ns2c %s\n" % (REQ1.hex(), (RESP + b"hello").hex())
                   for _ in range(3))
    rc, out, err = frame(exe, workdir, "exchanges.conv", conv, "--spec", "http")
    got = adus(out) if rc == 0 else []
    check([a["dir"] for a in got] == ["c2s", "s2c"] * 3,
          "interleaving: %r" % [(a["dir"], a["off"]) for a in got])

    # A response whose request never comes is forced at the end and
    # still framed; one cut by the end of the file is not reported.
    conv = "s2c %s\n" % (RESP + b"hello" + RESP[:10]).hex()
    rc, out, err = frame(exe, workdir, "forced.conv", conv, "--spec", "http")
    got = adus(out) if rc == 0 else []
    check([(a["off"], a["len"]) for a in got] == [(0, len(RESP) + 5)],
          "forced: %r %r" % (got, err))

    # A bodiless response taken whole before its request arrives waits
    # with no bytes left to feed: the request must release it, and with
    # no request at all the wait is forced at the end.
    r304 = b"HTTP/1.1 304 Not Modified\r\n\r\n"
    for name, conv in (("released.conv", "s2c %s\nc2s %s\n" % (r304.hex(), REQ1.hex())),
                       ("forced-end.conv", "s2c %s\n" % r304.hex())):
        rc, out, err = frame(exe, workdir, name, conv, "--spec", "http")
        got = [(a["dir"], a["off"], a["len"]) for a in adus(out)] if rc == 0 else []
        check(("s2c", 0, len(r304)) in got, "%s: %r %r" % (name, got, err))

    # A gap inside a known-length body is absorbed; a close ends a
    # response without a length ("closed": true).
    body = b"HTTP/1.1 200 OK\r\n\r\nabc"
    conv = "c2s %s\ns2c %s\ngap s2c 3\ns2c %s\nclose s2c\n" % (
        REQ1.hex(), (RESP + b"he").hex(), b"HTTP/1.1 200 OK\r\n\r\nabc".hex())
    rc, out, err = frame(exe, workdir, "gap.conv", conv, "--spec", "http")
    got = [a for a in adus(out) if a["dir"] == "s2c"] if rc == 0 else []
    check([(a["off"], a["len"], a.get("closed", False)) for a in got] ==
          [(0, len(RESP) + 5, False), (len(RESP) + 5, len(body), True)],
          "gap/close: %r %r" % (got, err))

    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
