"""HTTP/2 with prior knowledge (RFC 9113 3.4, 4.1, 6; RFC 7838 ALTSVC,
RFC 8336 ORIGIN, RFC 9218 PRIORITY_UPDATE): the client preface, SETTINGS
exchanges (SETTINGS_MAX_FRAME_SIZE raising the peer's frame size limit
once sent), HEADERS + CONTINUATION, padded DATA, PRIORITY, RST_STREAM,
PING, GOAWAY, WINDOW_UPDATE, PUSH_PROMISE, extension and unknown frame
types. The preface and every frame is one ADU named by its type."""

import struct

from convo import C2S, S2C, payload_size, rbytes

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
NAMES = {0: "DATA", 1: "HEADERS", 2: "PRIORITY", 3: "RST_STREAM", 4: "SETTINGS",
	 5: "PUSH_PROMISE", 6: "PING", 7: "GOAWAY", 8: "WINDOW_UPDATE",
	 9: "CONTINUATION", 0xa: "ALTSVC", 0xc: "ORIGIN", 0x10: "PRIORITY_UPDATE"}


def frame(conv, d, ftype, flags, stream, payload):
	n = len(payload)
	conv.add(d, n.to_bytes(3, "big") + struct.pack(">BBI", ftype, flags, stream) + payload,
		 NAMES.get(ftype, "unknown"),
		 {"type": ftype, "flags": flags, "stream_id": stream, "length": n},
		 [] if ftype == 4 else [(9, 9 + n)])


def settings(conv, rng, d, max_frame):
	entries = []
	for ident in rng.sample([1, 2, 3, 4, 6, 8, 9, 0x99], rng.randint(0, 4)):
		val = rng.getrandbits(31) if ident != 2 else rng.randint(0, 1)
		entries.append(struct.pack(">HI", ident, val))
	if max_frame:
		entries.insert(rng.randint(0, len(entries)), struct.pack(">HI", 5, max_frame))
	frame(conv, d, 4, 0, 0, b"".join(entries))


class Side:
	def __init__(self, d, limit):
		self.d = d
		self.limit = limit       # the peer's SETTINGS_MAX_FRAME_SIZE


def some_frame(conv, rng, side, streams):
	d = side.d
	stream = rng.choice(streams)
	r = rng.random()
	if r < 0.35:
		n = min(payload_size(rng, 1 << 20), side.limit)
		if rng.random() < 0.2 and n > 0:
			pad = rng.randint(0, min(255, n - 1))
			payload = bytes([pad]) + rbytes(rng, n - 1 - pad) + b"\0" * pad
			frame(conv, d, 0, 0x8 | rng.choice([0, 1]), stream, payload)
		else:
			frame(conv, d, 0, rng.choice([0, 1]), stream, rbytes(rng, n))
	elif r < 0.55:
		block = rbytes(rng, min(side.limit, rng.choice([3, 40, 300, 20000])))
		cont = rng.random() < 0.2
		flags = (0 if cont else 0x4) | rng.choice([0, 1])
		if rng.random() < 0.2:
			flags |= 0x20
			block = struct.pack(">IB", rng.getrandbits(31), rng.getrandbits(8)) + block
			block = block[:side.limit]
		frame(conv, d, 1, flags, stream, block)
		if cont:
			for i in range(rng.randint(1, 3)):
				frame(conv, d, 9, 0x4 if i == 2 else 0, stream,
				      rbytes(rng, rng.randint(0, min(side.limit, 5000))))
			frame(conv, d, 9, 0x4, stream, rbytes(rng, rng.randint(0, 100)))
	elif r < 0.6:
		frame(conv, d, 2, 0, stream, rbytes(rng, 5))
	elif r < 0.65:
		frame(conv, d, 3, 0, stream, struct.pack(">I", rng.choice([0, 1, 2, 7, 8])))
	elif r < 0.72:
		frame(conv, d, 6, rng.choice([0, 1]), 0, rbytes(rng, 8))
	elif r < 0.82:
		frame(conv, d, 8, 0, rng.choice([0, stream]), struct.pack(">I", rng.getrandbits(31)))
	elif r < 0.87 and d == S2C:
		promised = rng.randrange(2, 1 << 31, 2)
		frame(conv, d, 5, 0x4, stream, struct.pack(">I", promised) +
		      rbytes(rng, min(side.limit - 4, rng.randint(0, 300))))
	elif r < 0.9:
		frame(conv, d, 4, 0, 0, struct.pack(">HI", 4, rng.getrandbits(31)))
	elif r < 0.93:
		frame(conv, d, 0xa, 0, rng.choice([0, stream]), b"\0\0" + b'h2=":443"')
	elif r < 0.95:
		frame(conv, d, 0xc, 0, 0, b"\0\x13https://example.com")
	elif r < 0.97:
		frame(conv, d, 0x10, 0, 0, struct.pack(">I", stream) + b"u=1")
	else:
		t = rng.choice([0xb, 0xd, 0xe, 0x11, 0x20, 0xfa, 0xff])
		frame(conv, d, t, rng.getrandbits(8), rng.getrandbits(31),
		      rbytes(rng, min(side.limit, rng.randint(0, 2000))))


def generate(conv, rng, simple):
	conv.gap_ok = False
	conv.add(C2S, PREFACE, "preface", {"type": 0, "flags": 0, "stream_id": 0, "length": 0})
	# each side's SETTINGS_MAX_FRAME_SIZE bounds what the other sends
	c_max = rng.choice([0, 0, 16384, 32768, 1 << 20, 16777215])
	s_max = rng.choice([0, 0, 16384, 65536, 1 << 20])
	settings(conv, rng, C2S, c_max)
	settings(conv, rng, S2C, s_max)
	frame(conv, S2C, 4, 1, 0, b"")                    # ACK
	frame(conv, C2S, 4, 1, 0, b"")
	client = Side(C2S, max(16384, s_max))
	server = Side(S2C, max(16384, c_max))
	conv.mark_gap_from()
	conv.gap_ok = True
	streams = [1]
	for _ in range(rng.randint(0, 30)):
		if rng.random() < 0.2:
			streams.append(streams[-1] + 2)
		side = client if rng.random() < 0.5 else server
		some_frame(conv, rng, side, streams)
	if rng.random() < 0.4:
		frame(conv, rng.choice([C2S, S2C]), 7, 0, 0,
		      struct.pack(">II", streams[-1], rng.choice([0, 1, 2])) +
		      rbytes(rng, rng.randint(0, 50)))
