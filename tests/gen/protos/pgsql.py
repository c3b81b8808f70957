"""PostgreSQL frontend/backend protocol 3.0 (PostgreSQL documentation,
"Frontend/Backend Protocol": Message Flow, Message Formats): SSLRequest /
GSSENCRequest answered by one byte ('N' goes on in clear, 'S' switches to
TLS), CancelRequest, StartupMessage, trust / MD5 / SASL authentication,
ParameterStatus, BackendKeyData, simple and extended query cycles, COPY
in and out, notices and notifications, Terminate. Every message is one
ADU named by its type."""

import struct

from convo import C2S, S2C, payload_size, rbytes, token

FRONT = {"B": "Bind", "C": "Close", "d": "CopyData", "c": "CopyDone", "f": "CopyFail",
	 "D": "Describe", "E": "Execute", "H": "Flush", "F": "FunctionCall",
	 "p": "PasswordMessage", "P": "Parse", "Q": "Query", "S": "Sync", "X": "Terminate"}
BACK = {"R": "Authentication", "K": "BackendKeyData", "2": "BindComplete",
	"3": "CloseComplete", "C": "CommandComplete", "d": "CopyData", "c": "CopyDone",
	"G": "CopyInResponse", "H": "CopyOutResponse", "W": "CopyBothResponse",
	"D": "DataRow", "I": "EmptyQueryResponse", "E": "ErrorResponse",
	"V": "FunctionCallResponse", "v": "NegotiateProtocolVersion", "n": "NoData",
	"N": "NoticeResponse", "A": "NotificationResponse", "t": "ParameterDescription",
	"S": "ParameterStatus", "1": "ParseComplete", "s": "PortalSuspended",
	"Z": "ReadyForQuery", "T": "RowDescription"}


def cstr(s):
	return (s if isinstance(s, bytes) else s.encode()) + b"\0"


def msg(conv, d, t, body):
	length = 4 + len(body)
	name = (FRONT if d == C2S else BACK)[t]
	conv.add(d, t.encode() + struct.pack(">I", length) + body, name,
		 {"length": length}, [(5, 5 + len(body))])


def fe(conv, t, body=b""):
	msg(conv, C2S, t, body)


def be(conv, t, body=b""):
	msg(conv, S2C, t, body)


def startup_packet(conv, code, body, name):
	length = 8 + len(body)
	conv.add(C2S, struct.pack(">II", length, code) + body, name, {"length": length},
		 [(8, length)])


def fields_msg(rng):
	out = b""
	for code in "SVCMRL":
		out += code.encode() + cstr(token(rng, 1, 40, "abcdef 0123"))
	return out + b"\0"


def row_description(rng, n):
	out = struct.pack(">H", n)
	for _ in range(n):
		out += cstr(token(rng)) + struct.pack(">IHIhih", 0, 0, 25, -1, -1, 0)
	return out


def data_row(rng, n):
	out = struct.pack(">H", n)
	for _ in range(n):
		if rng.random() < 0.1:
			out += struct.pack(">i", -1)
		else:
			v = rbytes(rng, payload_size(rng, 1 << 18, False))
			out += struct.pack(">I", len(v)) + v
	return out


def ready(conv, rng):
	be(conv, "Z", rng.choice([b"I", b"T", b"E"]))


def query_cycle(conv, rng):
	r = rng.random()
	ncols = rng.randint(1, 6)
	if r < 0.4:
		fe(conv, "Q", cstr("SELECT " + token(rng, 1, 200, "abc, *()=")))
		if rng.random() < 0.1:
			be(conv, "I")
		elif rng.random() < 0.1:
			be(conv, "E", fields_msg(rng))
		else:
			be(conv, "T", row_description(rng, ncols))
			for _ in range(rng.choice([0, 1, 3, 20])):
				be(conv, "D", data_row(rng, ncols))
			be(conv, "C", cstr("SELECT 3"))
		if rng.random() < 0.1:
			be(conv, "N", fields_msg(rng))
		ready(conv, rng)
	elif r < 0.7:
		fe(conv, "P", cstr("") + cstr("SELECT $1") + struct.pack(">HI", 1, 23))
		fe(conv, "B", cstr("") + cstr("") + struct.pack(">HHHIHH", 1, 0, 1, 4, 1, 0)[:-2]
		   + rbytes(rng, 0))
		fe(conv, "D", b"P" + cstr(""))
		fe(conv, "E", cstr("") + struct.pack(">I", rng.choice([0, 10])))
		if rng.random() < 0.3:
			fe(conv, "H")
		fe(conv, "S")
		be(conv, "1")
		be(conv, "2")
		if rng.random() < 0.3:
			be(conv, "n")
		else:
			be(conv, "T", row_description(rng, ncols))
		for _ in range(rng.choice([0, 2, 10])):
			be(conv, "D", data_row(rng, ncols))
		if rng.random() < 0.2:
			be(conv, "s")
		else:
			be(conv, "C", cstr("SELECT 2"))
		ready(conv, rng)
		if rng.random() < 0.3:
			fe(conv, "C", b"S" + cstr("stmt"))
			fe(conv, "S")
			be(conv, "3")
			ready(conv, rng)
	elif r < 0.8:
		fe(conv, "Q", cstr("COPY t FROM STDIN"))
		be(conv, "G", struct.pack(">BH", 0, 2) + struct.pack(">HH", 0, 0))
		for _ in range(rng.randint(0, 5)):
			fe(conv, "d", rbytes(rng, payload_size(rng, 1 << 20)))
		if rng.random() < 0.1:
			fe(conv, "f", cstr("aborted"))
			be(conv, "E", fields_msg(rng))
		else:
			fe(conv, "c")
			be(conv, "C", cstr("COPY 5"))
		ready(conv, rng)
	elif r < 0.9:
		fe(conv, "Q", cstr("COPY t TO STDOUT"))
		be(conv, "H", struct.pack(">BH", 0, 1) + struct.pack(">H", 0))
		for _ in range(rng.randint(0, 5)):
			be(conv, "d", rbytes(rng, payload_size(rng, 1 << 20)))
		be(conv, "c")
		be(conv, "C", cstr("COPY 5"))
		ready(conv, rng)
	elif r < 0.95:
		fe(conv, "F", struct.pack(">IHHHI", 1598, 1, 1, 1, 4) + rbytes(rng, 4) +
		   struct.pack(">H", 1))
		be(conv, "V", struct.pack(">I", 4) + rbytes(rng, 4))
		ready(conv, rng)
	else:
		fe(conv, "Q", cstr("LISTEN x"))
		be(conv, "C", cstr("LISTEN"))
		ready(conv, rng)
		be(conv, "A", struct.pack(">I", rng.getrandbits(31)) + cstr("x") + cstr("payload"))


def generate(conv, rng, simple):
	conv.gap_ok = False              # until the start-up is over
	r = rng.random()
	if r < 0.05:
		startup_packet(conv, 80877102, rbytes(rng, 8), "CancelRequest")
		return
	if r < 0.35:
		gss = rng.random() < 0.3
		code = 80877104 if gss else 80877103
		name = "GSSENCRequest" if gss else "SSLRequest"
		startup_packet(conv, code, b"", name)
		if not simple and rng.random() < 0.3:
			answer = b"G" if gss else b"S"
			conv.add(S2C, answer, "GSSENCResponse" if gss else "SSLResponse", {})
			conv.opaque = True
			conv.raw(C2S, b"\x16\x03\x01" + rbytes(rng, rng.randint(0, 600)))
			conv.raw(S2C, b"\x16\x03\x03" + rbytes(rng, rng.randint(0, 3000)))
			return
		conv.add(S2C, b"N", "GSSENCResponse" if gss else "SSLResponse", {})
	version = rng.choice([196608, 196608, 196610])
	params = cstr("user") + cstr(token(rng)) + cstr("database") + cstr(token(rng))
	if rng.random() < 0.3:
		params += cstr("application_name") + cstr(token(rng, 0, 30))
	startup_packet(conv, version, params + b"\0", "StartupMessage")
	if version != 196608 and rng.random() < 0.5:
		be(conv, "v", struct.pack(">II", 196608, 0))
	a = rng.random()
	if a < 0.3:
		be(conv, "R", struct.pack(">I", 5) + rbytes(rng, 4))
		fe(conv, "p", cstr("md5" + token(rng, 32, 32, "0123456789abcdef")))
	elif a < 0.6:
		be(conv, "R", struct.pack(">I", 10) + cstr("SCRAM-SHA-256") + b"\0")
		fe(conv, "p", cstr("SCRAM-SHA-256") + struct.pack(">I", 32) + rbytes(rng, 32))
		be(conv, "R", struct.pack(">I", 11) + rbytes(rng, 80))
		fe(conv, "p", rbytes(rng, 100))
		be(conv, "R", struct.pack(">I", 12) + rbytes(rng, 50))
	elif a < 0.65:
		be(conv, "E", fields_msg(rng))
		return
	be(conv, "R", struct.pack(">I", 0))
	for _ in range(rng.randint(0, 14)):
		be(conv, "S", cstr(token(rng)) + cstr(token(rng, 0, 30)))
	be(conv, "K", rbytes(rng, 8))
	ready(conv, rng)
	conv.mark_gap_from()
	conv.gap_ok = True
	for _ in range(rng.randint(0, 12)):
		query_cycle(conv, rng)
	if rng.random() < 0.7:
		fe(conv, "X")
