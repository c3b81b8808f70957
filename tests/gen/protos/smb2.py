"""SMB2/SMB3 over TCP ([MS-SMB2] 2.1 direct TCP transport, 2.2.1 SMB2
header, 2.2.41 TRANSFORM_HEADER, 2.2.42 COMPRESSION_TRANSFORM_HEADER;
[MS-CIFS] 2.2.3.1 SMB1 header; RFC 1002 4.3 NetBIOS session service on
port 139): an SMB1 multi-protocol NEGOTIATE, SMB2 requests and responses
(sync and async headers, compounded chains), encrypted and compressed
messages, NBSS session request/responses and keepalives. Every NBSS
message is one ADU named by the (first) SMB2 command."""

import struct

from convo import C2S, S2C, payload_size, rbytes

COMMANDS = ["NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT",
	    "CREATE", "CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL",
	    "ECHO", "QUERY_DIRECTORY", "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO",
	    "OPLOCK_BREAK", "SERVER_TO_CLIENT_NOTIFICATION"]


def nbss(conv, rng, d, ntype, payload, typ, fields, bodies):
	conv.add(d, struct.pack(">B", ntype) + len(payload).to_bytes(3, "big") + payload,
		 typ, dict(fields, length=len(payload)),
		 [(4 + s, 4 + e) for s, e in bodies])


def smb2_header(rng, cmd, msgid, status, next_cmd, response):
	flags = 0x1 if response else 0
	if rng.random() < 0.1:
		flags |= 0x2                                        # async
	if next_cmd and rng.random() < 0.5:
		flags |= 0x4                                        # related operations
	return (b"\xfeSMB" + struct.pack("<HHIHHIIQ", 64, rng.randint(0, 8), status, cmd,
					    rng.randint(0, 256), flags, next_cmd, msgid) +
		rbytes(rng, 8) + struct.pack("<Q", rng.getrandbits(64)) + rbytes(rng, 16))


def smb2_message(conv, rng, d, msgid, response):
	"""One NBSS message: an SMB2 PDU, or a compounded chain of them
	([MS-SMB2] 3.2.4.1.4: each but the last 8-byte aligned)."""
	n = rng.choice([1, 1, 1, 1, 2, 3])
	out = b""
	first = None
	for i in range(n):
		cmd = rng.randint(0, 19) if rng.random() < 0.9 else rng.choice([5, 8, 9, 16])
		status = 0 if not response or rng.random() < 0.7 else \
			rng.choice([0xc0000022, 0x80000005, 0x00000103, 0xc0000016])
		body = rbytes(rng, max(2, payload_size(rng, 1 << 20 if n == 1 else 3000)))
		if i < n - 1:
			body += b"\0" * (-(64 + len(body)) % 8)
			nxt = 64 + len(body)
		else:
			nxt = 0
		out += smb2_header(rng, cmd, msgid + i, status, nxt, response) + body
		if first is None:
			first = (cmd, status, nxt)
	cmd, status, nxt = first
	nbss(conv, rng, d, 0, out, COMMANDS[cmd],
	     {"command": cmd, "message_id": msgid, "status": status, "compounded": int(nxt != 0)},
	     [(64, 64 + len(out) - 64)] if n == 1 else [])
	return n


def smb1_negotiate(conv, rng, d, response):
	mid = rng.getrandbits(16)
	status = 0
	hdr = b"\xffSMB" + struct.pack("<BIBH", 0x72, status, 0x18, 0xc853) + \
		rbytes(rng, 12) + struct.pack("<HHHH", 0, rng.getrandbits(16), 0, mid)
	if response:
		body = rbytes(rng, rng.randint(1, 200))
	else:
		dialects = b"".join(b"\x02" + s + b"\0" for s in
				    (b"NT LM 0.12", b"SMB 2.002", b"SMB 2.???"))
		body = b"\0" + struct.pack("<H", len(dialects)) + dialects
	nbss(conv, rng, d, 0, hdr + body, "SMB1",
	     {"command": 0x72, "message_id": mid, "status": status}, [(32, 32 + len(body))])


def transform(conv, rng, d):
	n = payload_size(rng, 1 << 20)
	hdr = b"\xfdSMB" + rbytes(rng, 16) + rbytes(rng, 16) + struct.pack("<IHHQ", n, 0, 1,
									 rng.getrandbits(64))
	nbss(conv, rng, d, 0, hdr + rbytes(rng, n), "SMB3_TRANSFORM", {},
	     [(52, 52 + n)])


def compressed(conv, rng, d):
	n = payload_size(rng, 1 << 20)
	hdr = b"\xfcSMB" + struct.pack("<IHHI", n * 2 + 64, rng.choice([1, 2, 3]), 0, 0)
	payload = hdr + rbytes(rng, max(n, 16))
	# the payload starts at 16, but smb2.pne gathers 32 bytes of every SMB
	# message before it knows the protocol id: a gap in bytes 16..31 loses
	# sync (reported), so only bytes past 32 count as opaque here
	nbss(conv, rng, d, 0, payload, "SMB3_COMPRESSED", {}, [(32, len(payload))])


def nb_name(rng):
	# RFC 1001 14.1 first-level encoding: 32 letters A-P, length 32
	return b"\x20" + bytes(0x41 + (rng.getrandbits(4)) for _ in range(32)) + b"\0"


def generate(conv, rng, simple):
	if rng.random() < 0.3:
		# port 139: NetBIOS session request first
		names = nb_name(rng) + nb_name(rng)
		nbss(conv, rng, C2S, 0x81, names, "NBSS_SESSION_REQUEST", {}, [])
		r = rng.random()
		if r < 0.1:
			nbss(conv, rng, S2C, 0x83, b"\x82", "NBSS_NEGATIVE_RESPONSE", {}, [])
			return
		if r < 0.15:
			nbss(conv, rng, S2C, 0x84, rbytes(rng, 6), "NBSS_RETARGET_RESPONSE", {}, [])
			return
		nbss(conv, rng, S2C, 0x82, b"", "NBSS_POSITIVE_RESPONSE", {}, [])
	if rng.random() < 0.4:
		smb1_negotiate(conv, rng, C2S, False)
		if rng.random() < 0.3:
			smb1_negotiate(conv, rng, S2C, True)
	msgid = 0
	for _ in range(rng.randint(1, 15)):
		r = rng.random()
		if r < 0.8:
			n = smb2_message(conv, rng, C2S, msgid, False)
			smb2_message(conv, rng, S2C, msgid, True)
			msgid += n
		elif r < 0.88:
			transform(conv, rng, C2S)
			transform(conv, rng, S2C)
		elif r < 0.94:
			compressed(conv, rng, rng.choice([C2S, S2C]))
		else:
			nbss(conv, rng, rng.choice([C2S, S2C]), 0x85, b"", "NBSS_KEEPALIVE", {}, [])
