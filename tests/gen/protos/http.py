"""HTTP/1.1 (RFC 9112, RFC 9110): requests and responses, pipelined;
Content-Length and chunked bodies (extensions, trailers); HEAD, 1xx
interim, 204/304, CONNECT tunnels, Upgrade/101, close-delimited final
responses. Every message (head and body) is one ADU."""

from convo import C2S, S2C, payload_size, rbytes, token

REASONS = {100: "Continue", 102: "Processing", 103: "Early Hints", 200: "OK",
	   201: "Created", 204: "No Content", 206: "Partial Content",
	   301: "Moved Permanently", 304: "Not Modified", 400: "Bad Request",
	   404: "Not Found", 407: "Proxy Authentication Required",
	   500: "Internal Server Error", 503: "Service Unavailable"}


def ows(rng):
	return rng.choice(["", "", " ", " ", "  ", "\t", " \t"])


def field(rng, name, value, eol):
	if rng.random() < 0.2:
		name = name.lower()
	elif rng.random() < 0.05:
		name = name.upper()
	return "%s:%s%s%s%s" % (name, ows(rng), value, ows(rng), eol)


def extra_fields(rng, eol):
	out = []
	for _ in range(rng.randint(0, 6)):
		name = rng.choice(["Accept", "User-Agent", "X-Request-Id", "Cache-Control",
				   "Cookie", "Accept-Encoding", "X-" + token(rng, 1, 10)])
		out.append(field(rng, name, token(rng, 0, 40, "abcdefgh ,;=/0123456789"), eol))
	return out


def chunked_body(rng, total_hint):
	"""RFC 9112 7.1: chunks, last-chunk, trailer section, CRLF.
	Returns the bytes and the (start, end) ranges of chunk data."""
	out = bytearray()
	bodies = []
	for _ in range(rng.randint(0, 5)):
		n = rng.randint(1, max(1, total_hint)) if rng.random() < 0.8 else rng.randint(1, 16)
		size = ("%x" if rng.random() < 0.5 else "%X") % n
		if rng.random() < 0.15:
			size = "0" * rng.randint(1, 3) + size       # leading zeros
		ext = ""
		for _ in range(rng.choice([0, 0, 0, 1, 2])):
			ext += ";%s" % token(rng, 1, 8)
			if rng.random() < 0.6:
				ext += "=" + rng.choice([token(rng), '"%s"' % token(rng, 0, 10, "ab c;d")])
		out += ("%s%s\r\n" % (size, ext)).encode()
		bodies.append((len(out), len(out) + n))
		out += rbytes(rng, n) + b"\r\n"
	ext = ";last=1" if rng.random() < 0.1 else ""
	out += ("0" * rng.randint(1, 2) + ext + "\r\n").encode()
	for _ in range(rng.choice([0, 0, 0, 1, 2])):
		out += field(rng, rng.choice(["Expires", "X-Checksum", "Server-Timing"]),
			     token(rng), "\r\n").encode()
	out += b"\r\n"
	return bytes(out), bodies


def request(conv, rng, method, kind, body, eol, simple):
	"""kind: plain, connect, upgrade. body: none, cl, chunked."""
	if method == "CONNECT":
		target = "%s.example:%d" % (token(rng), rng.choice([443, 8443, 22]))
	elif method == "OPTIONS" and rng.random() < 0.3:
		target = "*"
	elif rng.random() < 0.1:
		target = "http://%s.example/%s" % (token(rng), token(rng, 0, 30))
	else:
		target = "/" + "/".join(token(rng, 0, 20) for _ in range(rng.randint(1, 8)))
		if rng.random() < 0.3:
			target += "?" + token(rng, 1, 60, "abc=&%0123")
	version = "HTTP/1.0" if rng.random() < 0.1 else "HTTP/1.1"
	head = ""
	# (not before a gap over a header: an anchor resync starts the
	# request at its method, the empty line is between messages)
	if not simple and rng.random() < 0.04:
		head += rng.choice(["\r\n", "\n"])                  # RFC 9112 2.2
	head += "%s %s %s%s" % (method, target, version, eol)
	lines = [field(rng, "Host", token(rng) + ".example", eol)] + extra_fields(rng, eol)
	cl = 0
	bodies = []
	tail = b""
	if kind == "upgrade":
		lines.append(field(rng, "Connection", "Upgrade", eol))
		lines.append(field(rng, "Upgrade", rng.choice(["websocket", "h2c", "TLS/1.2"]), eol))
	if body == "cl":
		cl = payload_size(rng, 1 << 20)
		lines.append(field(rng, "Content-Length", str(cl), eol))
		if rng.random() < 0.05:
			lines.append(field(rng, "Content-Length", str(cl), eol))  # agreeing repeat
		tail = rbytes(rng, cl)
	elif body == "chunked":
		te = rng.choice(["chunked", "chunked", "gzip, chunked", "Chunked"])
		lines.append(field(rng, "Transfer-Encoding", te, eol))
		tail, bodies = chunked_body(rng, rng.choice([10, 100, 3000]))
	rng.shuffle(lines)
	head += "".join(lines) + eol
	data = head.encode() + tail
	hl = len(head)
	if body == "cl":
		bodies = [(hl, hl + cl)]
	else:
		bodies = [(hl + s, hl + e) for s, e in bodies]
	conv.add(C2S, data, "request",
		 {"method": method, "uri": target[:96], "content_length": cl}, bodies)


def response(conv, rng, status, body, eol, cl_value=None, te=None, closed=False):
	"""body: none (the head alone), cl, chunked, close."""
	version = "HTTP/1.0" if rng.random() < 0.1 else "HTTP/1.1"
	reason = REASONS.get(status, "Whatever")
	if rng.random() < 0.05:
		reason = ""
	head = "%s %d %s%s" % (version, status, reason, eol)
	lines = extra_fields(rng, eol)
	if rng.random() < 0.5:
		lines.append(field(rng, "Date", "Mon, 01 Jan 2024 00:00:00 GMT", eol))
	cl = 0
	tail = b""
	bodies = []
	if cl_value is not None:
		cl = cl_value
		lines.append(field(rng, "Content-Length", str(cl), eol))
	if te is not None:
		lines.append(field(rng, "Transfer-Encoding", te, eol))
	if body == "cl":
		tail = rbytes(rng, cl)
		bodies = [(0, cl)]
	elif body == "chunked":
		tail, bodies = chunked_body(rng, rng.choice([10, 100, 3000, 20000]))
	elif body == "close":
		n = payload_size(rng, 1 << 20)
		tail = rbytes(rng, n)
	if status == 103:
		lines.append(field(rng, "Link", "</style.css>; rel=preload", eol))
	rng.shuffle(lines)
	head += "".join(lines) + eol
	hl = len(head)
	conv.add(S2C, head.encode() + tail, "response",
		 {"status": status, "content_length": cl},
		 [(hl + s, hl + e) for s, e in bodies], closed=closed)


def generate(conv, rng, simple):
	# The expectations here are RFC 9112's: frame with the spec's strict
	# mode (its default is as lenient as browsers, see specs/http.pne).
	conv.params["Strict"] = 1
	eol = "\n" if rng.random() < 0.1 else "\r\n"
	nbatches = rng.randint(1, 6)
	for b in range(nbatches):
		last_batch = b == nbatches - 1
		reqs = []
		for _ in range(rng.randint(1, 4)):
			if simple:
				method = rng.choice(["GET", "POST", "PUT", "DELETE", "OPTIONS",
						     "PATCH", "TRACE"])
				kind = "plain"
			else:
				method = rng.choice(["GET", "GET", "POST", "PUT", "HEAD", "HEAD",
						     "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"])
				kind = "connect" if method == "CONNECT" else \
					("upgrade" if method == "GET" and rng.random() < 0.1 else "plain")
			if method in ("POST", "PUT", "PATCH"):
				body = rng.choice(["cl", "cl", "chunked"])
			elif method in ("GET", "DELETE", "OPTIONS") and kind == "plain":
				body = rng.choice(["none", "none", "none", "cl"])
			else:
				body = "none"
			request(conv, rng, method, kind, body, eol, simple)
			reqs.append((method, kind))
			if kind != "plain":
				break
		for i, (method, kind) in enumerate(reqs):
			final = last_batch and i == len(reqs) - 1
			for _ in range(rng.choice([0, 0, 0, 1, 2])):
				response(conv, rng, rng.choice([100, 102, 103]), "none", eol)
			if kind == "connect":
				if rng.random() < 0.6:
					response(conv, rng, 200, "none", eol)
					conv.opaque = True
					conv.raw(C2S, rbytes(rng, rng.randint(0, 3000)))
					conv.raw(S2C, rbytes(rng, rng.randint(0, 3000)))
					return
				n = payload_size(rng, 3000)
				response(conv, rng, 407, "cl", eol, cl_value=n)
				continue
			if kind == "upgrade" and rng.random() < 0.6:
				response(conv, rng, 101, "none", eol)
				conv.opaque = True
				conv.raw(S2C, rbytes(rng, rng.randint(0, 3000)))
				conv.raw(C2S, rbytes(rng, rng.randint(0, 3000)))
				return
			r = rng.random()
			if method == "HEAD":
				# RFC 9112 6.3 rule 1: the fields describe the GET's body
				if rng.random() < 0.7:
					response(conv, rng, 200, "none", eol,
						 cl_value=payload_size(rng, 1 << 30))
				else:
					response(conv, rng, 200, "none", eol, te="chunked")
			elif r < 0.08:
				response(conv, rng, 204, "none", eol)
			elif r < 0.15:
				response(conv, rng, 304, "none", eol,
					 cl_value=rng.choice([None, payload_size(rng, 1 << 20)]))
			elif final and r < 0.25:
				# rule 8, and rule 4 with a non-chunked final coding
				te = rng.choice([None, None, "gzip", "chunked, gzip"])
				response(conv, rng, 200, "close", eol, te=te, closed=True)
				return
			elif r < 0.6:
				status = rng.choice([200, 200, 201, 206, 301, 404, 500, 503])
				response(conv, rng, status, "cl", eol, cl_value=payload_size(rng, 1 << 20))
			else:
				response(conv, rng, rng.choice([200, 200, 404]), "chunked", eol,
					 te=rng.choice(["chunked", "gzip, chunked", "chunked"]))
