"""MQTT 3.1.1 / 5.0 control packets (OASIS MQTT 3.1.1 section 2.2, 5.0
section 2.1): fixed header with the packet type and the flags of table
2.2 (PUBLISH: DUP, QoS 0-2, RETAIN), Remaining Length as a 1-4 byte
variable byte integer, then variable header and payload. Every packet is
one ADU named by its type."""

import struct

from convo import C2S, S2C, payload_size, rbytes, token

NAMES = {1: "CONNECT", 2: "CONNACK", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC",
	 6: "PUBREL", 7: "PUBCOMP", 8: "SUBSCRIBE", 9: "SUBACK", 10: "UNSUBSCRIBE",
	 11: "UNSUBACK", 12: "PINGREQ", 13: "PINGRESP", 14: "DISCONNECT", 15: "AUTH"}


def varint(n):
	out = b""
	while True:
		b = n % 128
		n //= 128
		out += bytes([b | (0x80 if n else 0)])
		if not n:
			return out


def mstr(s):
	s = s.encode() if isinstance(s, str) else s
	return struct.pack(">H", len(s)) + s


def packet(conv, rng, d, ptype, flags, rest, looked=0):
	"""looked: leading bytes of rest a framer reads (CONNECT's protocol
	name and level, which tell 3.1.1 from 5.0)."""
	hdr = bytes([(ptype << 4) | flags]) + varint(len(rest))
	conv.add(d, hdr + rest, NAMES[ptype],
		 {"packet_type": ptype, "flags": flags, "remaining_length": len(rest)},
		 [(len(hdr) + looked, len(hdr) + len(rest))])


def publish(conv, rng, d, v5):
	qos = rng.choice([0, 0, 1, 2])
	flags = (qos << 1) | int(rng.random() < 0.2) | (int(qos and rng.random() < 0.1) << 3)
	var = mstr("/".join(token(rng, 1, 10) for _ in range(rng.randint(1, 5))))
	if qos:
		var += struct.pack(">H", rng.randint(1, 65535))
	if v5:
		var += b"\0"                                  # no properties
	r = rng.random()
	if r < 0.01:
		n = 2097152 + rng.randint(0, 5000)            # a 4-byte Remaining Length
	else:
		n = payload_size(rng, 1 << 20)
	packet(conv, rng, d, 3, flags, var + rbytes(rng, n))
	return qos


def generate(conv, rng, simple):
	v5 = rng.random() < 0.4
	level = 5 if v5 else 4
	connect = mstr("MQTT") + bytes([level, 0x02]) + struct.pack(">H", 60)
	if v5:
		connect += b"\0"
	connect += mstr(token(rng, 1, 23))
	packet(conv, rng, C2S, 1, 0, connect, looked=7)
	packet(conv, rng, S2C, 2, 0, b"\0\0" + (b"\0" if v5 else b""), looked=1)
	for _ in range(rng.randint(0, 25)):
		r = rng.random()
		if r < 0.5:
			d = rng.choice([C2S, S2C])
			o = S2C if d == C2S else C2S
			qos = publish(conv, rng, d, v5)
			pid = struct.pack(">H", rng.randint(1, 65535))
			if qos == 1:
				packet(conv, rng, o, 4, 0, pid)
			elif qos == 2:
				packet(conv, rng, o, 5, 0, pid)
				packet(conv, rng, d, 6, 2, pid)
				packet(conv, rng, o, 7, 0, pid + (b"\0" if v5 and rng.random() < 0.5 else b""))
		elif r < 0.65:
			n = rng.randint(1, rng.choice([3, 300]))
			topics = b"".join(mstr(token(rng, 1, 30)) + bytes([rng.randint(0, 2)])
					  for _ in range(n))
			pid = struct.pack(">H", rng.randint(1, 65535))
			packet(conv, rng, C2S, 8, 2, pid + (b"\0" if v5 else b"") + topics)
			packet(conv, rng, S2C, 9, 0, pid + (b"\0" if v5 else b"") +
			       bytes(rng.choice([0, 1, 2, 0x80]) for _ in range(n)))
		elif r < 0.75:
			pid = struct.pack(">H", rng.randint(1, 65535))
			packet(conv, rng, C2S, 10, 2, pid + mstr(token(rng)))
			packet(conv, rng, S2C, 11, 0, pid)
		elif r < 0.92:
			packet(conv, rng, C2S, 12, 0, b"")
			packet(conv, rng, S2C, 13, 0, b"")
		elif v5:
			packet(conv, rng, rng.choice([C2S, S2C]), 15, 0,
			       bytes([0x18]) + varint(5) + b"\x15" + mstr("ab"))
	if rng.random() < 0.6:
		packet(conv, rng, C2S, 14, 0, b"\0\0" if v5 and rng.random() < 0.5 else b"")
