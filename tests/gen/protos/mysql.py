"""MySQL client/server protocol (MySQL Source Code Documentation,
"Client/Server Protocol": MySQL Packets, Connection Phase, Command Phase,
Text and Binary Resultsets): HandshakeV10, HandshakeResponse41 or an
SSLRequest (then TLS), auth switch, commands (COM_QUERY, COM_PING,
COM_STMT_*, COM_INIT_DB, COM_FIELD_LIST, COM_STATISTICS, LOAD DATA LOCAL),
OK / ERR / EOF packets, result sets whose sequence ids wrap past 255, and
payloads of 16 MiB - 1 or more split into several packets. Every logical
packet is one ADU; client commands are named by their command byte,
server packets by what they are (OK is only named so at sequence id 1 or
2, the convention of mysql.pne's documentation)."""

import struct

from convo import C2S, S2C, payload_size, rbytes, token

FULL = 0xffffff
COM = ["COM_SLEEP", "COM_QUIT", "COM_INIT_DB", "COM_QUERY", "COM_FIELD_LIST",
       "COM_CREATE_DB", "COM_DROP_DB", "COM_REFRESH", "COM_SHUTDOWN", "COM_STATISTICS",
       "COM_PROCESS_INFO", "COM_CONNECT", "COM_PROCESS_KILL", "COM_DEBUG", "COM_PING",
       "COM_TIME", "COM_DELAYED_INSERT", "COM_CHANGE_USER", "COM_BINLOG_DUMP",
       "COM_TABLE_DUMP", "COM_CONNECT_OUT", "COM_REGISTER_SLAVE", "COM_STMT_PREPARE",
       "COM_STMT_EXECUTE", "COM_STMT_SEND_LONG_DATA", "COM_STMT_CLOSE", "COM_STMT_RESET",
       "COM_SET_OPTION", "COM_STMT_FETCH", "COM_DAEMON", "COM_BINLOG_DUMP_GTID",
       "COM_RESET_CONNECTION", "COM_CLONE"]


class Seq:
	def __init__(self):
		self.n = 0

	def next(self):
		v = self.n
		self.n = (self.n + 1) & 0xff
		return v


def logical(conv, d, seq, payload, typ, skip_first=1):
	"""A payload as packets of at most FULL bytes; a payload that is a
	multiple of FULL ends with an empty packet."""
	out = b""
	bodies = []
	pos = 0
	first_seq = seq.next()
	s = first_seq
	while True:
		n = min(FULL, len(payload) - pos)
		out += n.to_bytes(3, "little") + bytes([s])
		skip = skip_first if pos == 0 else 0
		bodies.append((len(out) + min(skip, n), len(out) + n))
		out += payload[pos:pos + n]
		pos += n
		if n < FULL:
			break
		s = seq.next()
	conv.add(d, out, typ, {"length": min(len(payload), FULL), "seq": first_seq}, bodies)


def lenenc(n):
	if n < 251:
		return bytes([n])
	if n < 1 << 16:
		return b"\xfc" + struct.pack("<H", n)
	if n < 1 << 24:
		return b"\xfd" + n.to_bytes(3, "little")
	return b"\xfe" + struct.pack("<Q", n)


def lstr(b):
	return lenenc(len(b)) + b


def ok(conv, rng, seq):
	payload = b"\x00" + lenenc(rng.choice([0, 1, 300, 70000])) + lenenc(rng.randint(0, 5)) + \
		struct.pack("<HH", 2, rng.randint(0, 3))
	if rng.random() < 0.3:
		payload += lstr(token(rng, 0, 80).encode())
	name = "OK" if seq.n in (1, 2) else "packet"
	logical(conv, S2C, seq, payload, name)


def err(conv, rng, seq):
	payload = b"\xff" + struct.pack("<H", rng.choice([1045, 1064, 1146])) + b"#42000" + \
		token(rng, 0, 100, "abc def").encode()
	logical(conv, S2C, seq, payload, "ERR")


def eof(conv, rng, seq):
	logical(conv, S2C, seq, b"\xfe" + struct.pack("<HH", 0, 2), "EOF")


def resultset(conv, rng, seq, deprecate_eof):
	ncols = rng.choice([1, 2, 3, 10, 30])
	logical(conv, S2C, seq, lenenc(ncols), "packet")
	for _ in range(ncols):
		coldef = lstr(b"def") + lstr(b"db") + lstr(b"t") + lstr(b"t") + \
			lstr(token(rng).encode()) + lstr(b"c") + b"\x0c" + \
			struct.pack("<HIBHB", 33, 255, 253, 0, 0) + b"\0\0"
		logical(conv, S2C, seq, coldef, "packet")
	if not deprecate_eof:
		eof(conv, rng, seq)
	nrows = rng.choice([0, 1, 5, 40, 300])
	big = conv.big and rng.random() < 0.3
	for r in range(nrows):
		row = b""
		for _ in range(ncols):
			if rng.random() < 0.1:
				row += b"\xfb"                           # NULL
			else:
				row += lstr(rbytes(rng, payload_size(rng, 1 << 16, False)
						   if nrows < 50 else rng.randint(0, 20)))
		if big and r == 0:
			# a row of 16 MiB - 1 or more: packets up to a short one
			row = lstr(rbytes(rng, FULL + rng.choice([-4, 0, 1, 100]) - 4))
		logical(conv, S2C, seq, row, "packet", skip_first=0)
	if deprecate_eof:
		# an OK packet with the 0xfe header ends the result set; the
		# documented test for EOF is 0xfe in a packet under 9 bytes
		term = b"\xfe" + lenenc(0) + lenenc(0) + struct.pack("<HH", 2, 0)
		if rng.random() < 0.5:
			term += lstr(b"x" * rng.randint(0, 10))
		logical(conv, S2C, seq, term, "EOF" if len(term) < 9 else "packet")
	else:
		eof(conv, rng, seq)


def command(conv, rng, deprecate_eof):
	seq = Seq()
	r = rng.random()
	if r < 0.5:
		sql = token(rng, 5, 300, "SELECT abc,*()").encode()
		if conv.big and rng.random() < 0.3:
			sql = b"INSERT " + b"x" * (FULL - 8 + rng.choice([0, 1, 7, 5000]))
		logical(conv, C2S, seq, b"\x03" + sql, "COM_QUERY")
		x = rng.random()
		if x < 0.3:
			ok(conv, rng, seq)
		elif x < 0.4:
			err(conv, rng, seq)
		elif x < 0.45:
			# LOAD DATA LOCAL INFILE: the client sends the file, then an empty packet
			logical(conv, S2C, seq, b"\xfb" + b"/tmp/data.csv", "packet")
			for _ in range(rng.randint(0, 4)):
				logical(conv, C2S, seq, rbytes(rng, payload_size(rng, 1 << 20)), "packet",
					skip_first=0)
			logical(conv, C2S, seq, b"", "packet")
			ok(conv, rng, seq)
		else:
			resultset(conv, rng, seq, deprecate_eof)
	elif r < 0.6:
		logical(conv, C2S, seq, b"\x0e", "COM_PING")
		ok(conv, rng, seq)
	elif r < 0.65:
		logical(conv, C2S, seq, b"\x02" + token(rng).encode(), "COM_INIT_DB")
		ok(conv, rng, seq)
	elif r < 0.7:
		logical(conv, C2S, seq, b"\x09", "COM_STATISTICS")
		logical(conv, S2C, seq, b"Uptime: 12  Threads: 1", "packet")
	elif r < 0.85:
		logical(conv, C2S, seq, b"\x16" + b"SELECT ?", "COM_STMT_PREPARE")
		stmt = struct.pack("<BIHHBH", 0, rng.getrandbits(32), 1, 1, 0, 0)
		logical(conv, S2C, seq, stmt, "OK")                # COM_STMT_PREPARE_OK, status 0x00
		logical(conv, S2C, seq, lstr(b"def") + b"\0" * 20, "packet")
		if not deprecate_eof:
			eof(conv, rng, seq)
		logical(conv, S2C, seq, lstr(b"def") + b"\0" * 20, "packet")
		if not deprecate_eof:
			eof(conv, rng, seq)
		seq = Seq()
		logical(conv, C2S, seq, b"\x17" + rbytes(rng, rng.randint(9, 60)), "COM_STMT_EXECUTE")
		ok(conv, rng, seq)
		seq = Seq()
		logical(conv, C2S, seq, b"\x19" + rbytes(rng, 4), "COM_STMT_CLOSE")   # no response
	elif r < 0.9:
		logical(conv, C2S, seq, b"\x04" + b"t\0", "COM_FIELD_LIST")
		for _ in range(rng.randint(0, 4)):
			logical(conv, S2C, seq, lstr(b"def") + b"\x01" * 30, "packet")
		eof(conv, rng, seq)
	else:
		logical(conv, C2S, seq, b"\x1f", "COM_RESET_CONNECTION")
		ok(conv, rng, seq)


def generate(conv, rng, simple):
	conv.gap_ok = False              # the SSLRequest is in the connection phase
	# payloads of 16 MiB - 1 or more, in a few conversations only (time)
	conv.big = rng.random() < 0.015
	seq = Seq()
	hs = b"\x0a" + b"8.0.36\0" + struct.pack("<I", rng.getrandbits(32)) + rbytes(rng, 8) + \
		b"\0" + struct.pack("<HBHHB", 0xffff, 255, 2, 0xdfff, 21) + b"\0" * 10 + \
		rbytes(rng, 12) + b"\0" + b"caching_sha2_password\0"
	logical(conv, S2C, seq, hs, "HandshakeV10")
	deprecate_eof = rng.random() < 0.5
	caps = 0x000fa685 | (0x01000000 if deprecate_eof else 0)
	if not simple and rng.random() < 0.15:
		ssl = struct.pack("<IIB", caps | 0x800, 1 << 24, 255) + b"\0" * 23
		# the capability flags tell that TLS follows: not opaque
		logical(conv, C2S, seq, ssl, "SSLRequest", skip_first=4)
		conv.opaque = True
		conv.raw(C2S, b"\x16\x03\x01" + rbytes(rng, rng.randint(0, 500)))
		conv.raw(S2C, b"\x16\x03\x03" + rbytes(rng, rng.randint(0, 3000)))
		return
	resp = struct.pack("<IIB", caps, 1 << 24, 255) + b"\0" * 23 + \
		token(rng, 1, 16).encode() + b"\0" + lstr(rbytes(rng, 32)) + b"db\0" + \
		b"caching_sha2_password\0"
	logical(conv, C2S, seq, resp, "packet")
	if rng.random() < 0.3:
		logical(conv, S2C, seq, b"\xfe" + b"mysql_native_password\0" + rbytes(rng, 20), "packet")
		logical(conv, C2S, seq, rbytes(rng, 20), "packet", skip_first=0)
	if rng.random() < 0.05:
		err(conv, rng, seq)
		return
	ok(conv, rng, seq)
	conv.mark_gap_from()
	conv.gap_ok = True
	for _ in range(rng.randint(0, 15)):
		command(conv, rng, deprecate_eof)
	if rng.random() < 0.5:
		logical(conv, C2S, Seq(), b"\x01", "COM_QUIT")
