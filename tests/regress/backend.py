#!/usr/bin/python3
"""Tiny HTTP/1.0 origin behind nginx for make_captures.sh.

nginx proxies POST bodies and "dynamic" GETs here, which is how the
captures get bodies nginx has really read (before it answers) and
responses nginx must send chunked (the origin sends no Content-Length
and closes, so nginx cannot know the length in advance).

  POST /post/NAME, /upload/NAME  answer with the body's length and SHA-256
  GET  /dyn/NAME                 a close-delimited body in a few pieces

Usage: backend.py ADDRESS PORT
"""
import hashlib
import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server_version = "pne-regress-backend"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def date_time_string(self, timestamp=None):
        # nginx replaces Date anyway; keep the origin's output fixed.
        return "Thu, 01 Jan 2024 00:00:00 GMT"

    def do_POST(self):
        if not (self.path.startswith("/post/") or self.path.startswith("/upload/")):
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length > 0 else b""
        reply = ("path %s\nreceived %d bytes\nsha256 %s\n" %
             (self.path, len(body), hashlib.sha256(body).hexdigest())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        if not self.path.startswith("/dyn/"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.flush()
        # Pieces with pauses between them: nginx (proxy_buffering off)
        # passes each on as its own chunk.
        for i in range(4):
            line = ("piece %d of %s: %s\n" % (i, self.path, "x" * (100 * (i + 1)))).encode()
            self.wfile.write(line)
            self.wfile.flush()
            time.sleep(0.05)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    srv = http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), Handler)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
