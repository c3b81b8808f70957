"""BGP-4 (RFC 4271 4.1-4.5, RFC 7313 ROUTE-REFRESH, RFC 8654 Extended
Messages, RFC 6793 four-octet AS, RFC 9072 extended optional parameters
length): OPEN with capabilities, KEEPALIVE, UPDATE (withdrawn routes, path
attributes, NLRI), NOTIFICATION, ROUTE-REFRESH. Every message is one ADU
named by its type."""

import struct

from convo import C2S, S2C, rbytes

MARKER = b"\xff" * 16
NAMES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}


def message(conv, rng, d, mtype, body, fields=None, hdr=0):
	length = 19 + len(body)
	f = {"type": mtype, "length": length}
	f.update(fields or {})
	conv.add(d, MARKER + struct.pack(">HB", length, mtype) + body, NAMES[mtype], f,
		 [(19 + hdr, length)])


def prefixes(rng, n, budget):
	"""At most n whole prefixes (length byte, then the significant
	octets) in at most budget bytes."""
	out = b""
	for _ in range(n):
		plen = rng.randint(0, 32)
		p = bytes([plen]) + rbytes(rng, (plen + 7) // 8)
		if len(out) + len(p) > budget:
			break
		out += p
	return out


def open_msg(conv, rng, d, extended):
	caps = b""
	caps += b"\x01\x04\x00\x01\x00\x01"                      # multiprotocol IPv4 unicast
	caps += b"\x02\x00"                                       # route refresh
	asn4 = rng.getrandbits(32)
	caps += b"\x41\x04" + struct.pack(">I", asn4)             # four-octet AS
	if extended:
		caps += b"\x06\x00"                               # extended message
	for _ in range(rng.randint(0, 3)):
		v = rbytes(rng, rng.randint(0, 20))
		caps += bytes([rng.choice([64, 69, 70, 73]), len(v)]) + v
	params = b"\x02" + bytes([len(caps)]) + caps
	my_as = 23456 if asn4 > 0xffff else asn4 & 0xffff
	hold = rng.choice([0, 3, 90, 180, 65535])
	bgp_id = rng.getrandbits(32)
	if rng.random() < 0.1:
		# RFC 9072: non-ext length 255, type 255, 2-byte extended length
		opt = b"\xff\xff" + struct.pack(">H", len(params) + 1) + b"\x02" + \
			struct.pack(">H", len(caps)) + caps
		body = struct.pack(">BHHIB", 4, my_as, hold, bgp_id, 255) + opt[1:]
	else:
		body = struct.pack(">BHHIB", 4, my_as, hold, bgp_id, len(params)) + params
	message(conv, rng, d, 1, body, {"version": 4, "my_as": my_as, "hold_time": hold,
					"bgp_id": bgp_id}, hdr=10)


def update(conv, rng, d, extended):
	limit = (65535 if extended else 4096) - 23
	withdrawn = prefixes(rng, rng.choice([0, 0, 1, 10, 300]), limit // 3)
	attrs = b"\x40\x01\x01\x00"                               # ORIGIN IGP
	path = struct.pack(">BB", 2, 3) + rbytes(rng, 12)
	attrs += b"\x50\x02" + struct.pack(">H", len(path)) + path  # AS_PATH, extended length
	attrs += b"\x40\x03\x04" + rbytes(rng, 4)                  # NEXT_HOP
	for _ in range(rng.choice([0, 1, 3])):
		v = rbytes(rng, rng.randint(0, 200))
		attrs += b"\xd0" + bytes([rng.choice([8, 16, 32])]) + struct.pack(">H", len(v)) + v
	nlri = prefixes(rng, rng.choice([0, 1, 5, 50, 1000, 9000 if rng.random() < 0.2 else 100]),
			limit - len(withdrawn) - len(attrs))
	body = struct.pack(">H", len(withdrawn)) + withdrawn + \
		struct.pack(">H", len(attrs)) + attrs + nlri
	message(conv, rng, d, 2, body)


def generate(conv, rng, simple):
	ext = rng.random() < 0.3
	open_msg(conv, rng, C2S, ext)
	open_msg(conv, rng, S2C, ext)
	message(conv, rng, S2C, 4, b"")
	message(conv, rng, C2S, 4, b"")
	for _ in range(rng.randint(0, 30)):
		d = rng.choice([C2S, S2C])
		r = rng.random()
		if r < 0.6:
			update(conv, rng, d, ext)
		elif r < 0.85:
			message(conv, rng, d, 4, b"")
		else:
			message(conv, rng, d, 5, struct.pack(">HBB", 1, rng.choice([0, 1, 2]), 1))
	if rng.random() < 0.3:
		code, sub = rng.choice([(6, 2), (6, 4), (4, 0), (1, 2), (3, 1), (2, 2)])
		data = rbytes(rng, rng.choice([0, 2, 30]))
		message(conv, rng, rng.choice([C2S, S2C]), 3, bytes([code, sub]) + data,
			{"error_code": code, "error_subcode": sub}, hdr=2)
