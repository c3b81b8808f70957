"""WebSocket (RFC 6455 4.1, 4.2.2, 5.1-5.5, 11.8): the opening handshake
(an HTTP/1.1 Upgrade GET and its 101 answer, or a refusal), then frames:
client frames masked, server frames not; 7-bit, 16-bit and 64-bit payload
lengths; fragmented messages (continuation frames) with control frames
(ping, pong) between fragments; RSV1 with permessage-deflate; close
frames. The handshakes and every frame are ADUs."""

import struct

from convo import C2S, S2C, payload_size, rbytes, token

NAMES = {0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}
ZERO = {"fin": 0, "opcode": 0, "masked": 0, "payload_len": 0}


def frame(conv, rng, d, fin, opcode, payload, rsv=0):
	masked = d == C2S
	n = len(payload)
	head = bytes([(fin << 7) | (rsv << 4) | opcode])
	mbit = 0x80 if masked else 0
	if n < 126:
		head += bytes([mbit | n])
	elif n < 65536:
		head += bytes([mbit | 126]) + struct.pack(">H", n)
	else:
		head += bytes([mbit | 127]) + struct.pack(">Q", n)
	if masked:
		key = rbytes(rng, 4)
		head += key
		payload = bytes(b ^ key[i & 3] for i, b in enumerate(payload)) if n < 4096 else \
			rbytes(rng, n)                   # masked random is random
	conv.add(d, head + payload, NAMES[opcode],
		 {"fin": fin, "opcode": opcode, "masked": int(masked), "payload_len": n},
		 # the masking key is not needed to frame: opaque too
		 [(len(head) - (4 if masked else 0), len(head) + n)])


def control(conv, rng, d):
	op = rng.choice([9, 10])
	frame(conv, rng, d, 1, op, rbytes(rng, rng.choice([0, 4, 125])))


def message(conv, rng, d, deflate):
	op = rng.choice([1, 2])
	nfrag = rng.choice([1, 1, 1, 2, 3])
	for i in range(nfrag):
		n = payload_size(rng, 1 << 20)
		if rng.random() < 0.1:
			n = rng.choice([125, 126, 65535, 65536])
		rsv = 4 if deflate and i == 0 and rng.random() < 0.5 else 0
		frame(conv, rng, d, int(i == nfrag - 1), op if i == 0 else 0, rbytes(rng, n), rsv)
		if i < nfrag - 1 and rng.random() < 0.3:
			control(conv, rng, d)


def generate(conv, rng, simple):
	conv.gap_ok = False
	deflate = rng.random() < 0.3
	req = "GET /%s HTTP/1.1\r\nHost: %s.example\r\nUpgrade: websocket\r\n" \
		"Connection: Upgrade\r\nSec-WebSocket-Key: %s==\r\n" \
		"Sec-WebSocket-Version: 13\r\n" % (token(rng, 0, 20), token(rng), token(rng, 22, 22))
	if deflate:
		req += "Sec-WebSocket-Extensions: permessage-deflate\r\n"
	if rng.random() < 0.5:
		req += "Origin: http://%s.example\r\n" % token(rng)
	conv.add(C2S, (req + "\r\n").encode(), "handshake", ZERO)
	if rng.random() < 0.05:
		body = b"forbidden"
		conv.add(S2C, b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\n", "handshake", ZERO)
		conv.opaque = True
		conv.raw(S2C, body)
		return
	resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" \
		"Connection: Upgrade\r\nSec-WebSocket-Accept: %s=\r\n" % token(rng, 27, 27)
	if deflate:
		resp += "Sec-WebSocket-Extensions: permessage-deflate\r\n"
	conv.add(S2C, (resp + "\r\n").encode(), "handshake", ZERO)
	conv.mark_gap_from()
	conv.gap_ok = True
	for _ in range(rng.randint(0, 20)):
		d = rng.choice([C2S, S2C])
		if rng.random() < 0.8:
			message(conv, rng, d, deflate)
		else:
			control(conv, rng, d)
			if rng.random() < 0.5:
				control(conv, rng, S2C if d == C2S else C2S)
	if rng.random() < 0.5:
		d = rng.choice([C2S, S2C])
		o = S2C if d == C2S else C2S
		frame(conv, rng, d, 1, 8, struct.pack(">H", 1000) + token(rng, 0, 20).encode())
		frame(conv, rng, o, 1, 8, struct.pack(">H", 1000))
