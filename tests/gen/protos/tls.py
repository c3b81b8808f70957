"""TLS record layer (RFC 8446 5.1/5.2, RFC 5246 6.2, RFC 6520): a
handshake (ClientHello in a 0x0301 record, ServerHello, certificates split
over records, ChangeCipherSpec, Finished), then application data up to
2^14 + 2048 bytes per record, alerts, heartbeats, empty records. Every
record is one ADU named by its content type."""

import struct

from convo import C2S, S2C, payload_size, rbytes

NAMES = {20: "change_cipher_spec", 21: "alert", 22: "handshake",
	 23: "application_data", 24: "heartbeat"}
MAX_CIPHERTEXT = 16384 + 2048


def record(conv, rng, d, ctype, version, fragment):
	conv.add(d, struct.pack(">BHH", ctype, version, len(fragment)) + fragment,
		 NAMES[ctype], {"content_type": ctype, "version": version,
				"length": len(fragment)}, [(5, 5 + len(fragment))])


def handshake_msgs(conv, rng, d, version, total):
	"""Handshake messages (type, uint24 length, body) cut into records of
	at most 2^14 bytes (RFC 8446 5.1: messages may span records)."""
	data = b""
	while len(data) < total:
		n = rng.randint(0, min(3000, total))
		data += struct.pack(">B", rng.choice([1, 2, 11, 12, 14, 16, 20]))
		data += n.to_bytes(3, "big") + rbytes(rng, n)
	while data:
		n = min(len(data), rng.randint(1, 16384))
		record(conv, rng, d, 22, version, data[:n])
		data = data[n:]


def generate(conv, rng, simple):
	version = rng.choice([0x0303, 0x0303, 0x0303, 0x0302, 0x0301, 0x0300])
	hello = 0x0301 if version >= 0x0301 and rng.random() < 0.5 else version
	handshake_msgs(conv, rng, C2S, hello, rng.randint(50, 600))
	handshake_msgs(conv, rng, S2C, version, rng.choice([90, 2000, 9000, 40000]))
	record(conv, rng, S2C, 20, version, b"\x01") if rng.random() < 0.5 else None
	handshake_msgs(conv, rng, C2S, version, rng.randint(40, 300))
	record(conv, rng, C2S, 20, version, b"\x01")
	handshake_msgs(conv, rng, C2S, version, rng.randint(16, 60))
	record(conv, rng, S2C, 20, version, b"\x01")
	handshake_msgs(conv, rng, S2C, version, rng.randint(16, 60))
	# TLS 1.3 and 1.2 ciphertexts alike carry legacy version 0x0303
	for _ in range(rng.randint(0, 30)):
		d = rng.choice([C2S, S2C])
		r = rng.random()
		if r < 0.8:
			n = payload_size(rng, MAX_CIPHERTEXT)
			if rng.random() < 0.1:
				n = MAX_CIPHERTEXT
			record(conv, rng, d, 23, version, rbytes(rng, n))
		elif r < 0.9:
			record(conv, rng, d, 24, version, rbytes(rng, rng.randint(19, 200)))
		else:
			record(conv, rng, d, 21, version, bytes([1, rng.choice([0, 10, 20])]))
	if rng.random() < 0.5:
		record(conv, rng, C2S, 21, version, b"\x01\x00")      # close_notify
		record(conv, rng, S2C, 21, version, b"\x01\x00")
