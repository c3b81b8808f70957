"""DNS over TCP (RFC 1035 4.1, 4.2.2; RFC 7766): two-byte length prefix,
12-byte header, questions and resource records (A, AAAA, TXT, MX, CNAME),
pipelined queries, responses out of order, opcodes QUERY, STATUS, NOTIFY,
UPDATE. Every length-prefixed message is one ADU, named by QR."""

import struct

from convo import C2S, S2C, rbytes, token


def name(rng):
	if rng.random() < 0.1:
		return b"\0"                                    # the root
	out = b""
	for _ in range(rng.randint(1, 4)):
		label = token(rng, 1, rng.choice([10, 63])).encode()
		out += bytes([len(label)]) + label
	if rng.random() < 0.2:
		return out + b"\xc0\x0c"                        # compression pointer
	return out + b"\0"


def rr(rng):
	rtype = rng.choice([1, 28, 16, 15, 5])
	if rtype == 1:
		rdata = rbytes(rng, 4)
	elif rtype == 28:
		rdata = rbytes(rng, 16)
	elif rtype == 16:
		rdata = b""
		for _ in range(rng.randint(1, rng.choice([2, 2, 40, 250]))):
			n = rng.randint(0, 255)
			rdata += bytes([n]) + rbytes(rng, n)
	elif rtype == 15:
		rdata = struct.pack(">H", rng.randint(0, 50)) + name(rng)
	else:
		rdata = name(rng)
	rdata = rdata[:65535 - 512]
	return name(rng) + struct.pack(">HHIH", rtype, 1, rng.getrandbits(31),
				       len(rdata)) + rdata


def message(conv, rng, d, qr, mid, opcode):
	qd = 1 if opcode != 2 else 0
	an = rng.choice([0, 1, 2, 5, 30, 200 if rng.random() < 0.1 else 8]) if qr else 0
	ns = rng.choice([0, 0, 1, 4]) if qr else 0
	ar = rng.choice([0, 1])
	if opcode == 5:                  # UPDATE: zone, prerequisites, updates
		an, ns = rng.randint(0, 3), rng.randint(1, 5)
	aa = int(qr and rng.random() < 0.5)
	tc = 0
	rd = int(rng.random() < 0.8)
	ra = int(qr and rng.random() < 0.8)
	rcode = rng.choice([0, 0, 0, 2, 3, 5]) if qr else 0
	flags = (qr << 15) | (opcode << 11) | (aa << 10) | (tc << 9) | (rd << 8) | \
		(ra << 7) | rcode
	body = b""
	for _ in range(qd):
		body += name(rng) + struct.pack(">HH", rng.choice([1, 28, 16, 255]), 1)
	n_an = n_ns = n_ar = 0
	for count, which in ((an, "an"), (ns, "ns"), (ar, "ar")):
		for _ in range(count):
			r = rr(rng)
			if len(body) + len(r) > 65535 - 12:
				break
			body += r
			if which == "an":
				n_an += 1
			elif which == "ns":
				n_ns += 1
			else:
				n_ar += 1
	hdr = struct.pack(">HHHHHH", mid, flags, qd, n_an, n_ns, n_ar)
	msg = hdr + body
	fields = {"id": mid, "qr": qr, "opcode": opcode, "aa": aa, "tc": tc, "rd": rd,
		  "ra": ra, "rcode": rcode, "qdcount": qd, "ancount": n_an,
		  "nscount": n_ns, "arcount": n_ar}
	conv.add(d, struct.pack(">H", len(msg)) + msg, "response" if qr else "query",
		 fields, [(14, 2 + len(msg))])


def generate(conv, rng, simple):
	pending = []
	for _ in range(rng.randint(1, 25)):
		if pending and rng.random() < 0.5:
			# answer one of the pending queries, in any order (RFC 7766 6.2.1.1)
			mid, opcode = pending.pop(rng.randrange(len(pending)))
			message(conv, rng, S2C, 1, mid, opcode)
		else:
			mid = rng.getrandbits(16)
			opcode = rng.choice([0, 0, 0, 0, 2, 4, 5])
			message(conv, rng, C2S, 0, mid, opcode)
			pending.append((mid, opcode))
	for mid, opcode in pending:
		message(conv, rng, S2C, 1, mid, opcode)
	if rng.random() < 0.2:
		# a NOTIFY from the server side (RFC 1996 over a shared connection)
		message(conv, rng, S2C, 0, rng.getrandbits(16), 4)
