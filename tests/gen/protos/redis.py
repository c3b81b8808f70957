"""Redis RESP2/RESP3 (redis.io "Redis serialization protocol
specification", redis-specifications protocol/RESP3.md, "Inline
commands"): commands as arrays of bulk strings, inline commands, replies of
every RESP2/RESP3 type (nested aggregates, null bulk and null array, maps,
sets, pushes, attributes, verbatim strings, blob errors, big numbers).
Every top-level value is one ADU; reported: the number of values in it
(nested ones included) and a command's name."""

from convo import C2S, S2C, payload_size, rbytes, token

REPLY_NAMES = {"+": "simple_string", "-": "error", ":": "integer", "$": "bulk_string",
	       "*": "array", "_": "null", ",": "double", "#": "boolean",
	       "!": "blob_error", "=": "verbatim_string", "(": "big_number", "%": "map",
	       "~": "set", ">": "push", "|": "attribute"}


class Value:
	"""Encoded bytes, number of values, opaque (start, end) ranges, and
	the (start, end) ranges of the values nested in it."""

	def __init__(self, data=b"", count=0, bodies=None):
		self.data = data
		self.count = count
		self.bodies = bodies or []
		self.nested = []

	def add(self, other):
		base = len(self.data)
		self.data += other.data
		self.count += other.count
		self.bodies += [(base + s, base + e) for s, e in other.bodies]
		self.nested += [(base + s, base + e) for s, e in other.nested]
		if other.count == 1 or other.nested:
			self.nested.append((base, base + len(other.data)))


def bulk(prefix, payload):
	head = ("%s%d\r\n" % (prefix, len(payload))).encode()
	return Value(head + payload + b"\r\n", 1, [(len(head), len(head) + len(payload))])


def line(prefix, text):
	return Value(("%s%s\r\n" % (prefix, text)).encode(), 1)


def scalar(rng, resp3, depth):
	kinds = "+-:$$" + ("_,#!=(" if resp3 else "")
	k = rng.choice(kinds)
	if k == "+":
		return line("+", rng.choice(["OK", "PONG", "QUEUED", token(rng, 0, 40, "ab c")]))
	if k == "-":
		return line("-", "ERR " + token(rng, 0, 60, "abc def"))
	if k == ":":
		return line(":", str(rng.randint(-(1 << 63), (1 << 63) - 1)))
	if k == "$":
		if rng.random() < 0.15:
			return line("$", "-1")                          # RESP2 null bulk
		return bulk("$", rbytes(rng, payload_size(rng, 1 << 20, depth == 0)))
	if k == "_":
		return line("_", "")
	if k == ",":
		return line(",", rng.choice(["1.23", "-0.5", "inf", "-inf", "nan", "10", "1e-3"]))
	if k == "#":
		return line("#", rng.choice("tf"))
	if k == "!":
		return bulk("!", b"SYNTAX " + rbytes(rng, rng.randint(0, 100)))
	if k == "=":
		return bulk("=", b"txt:" + rbytes(rng, rng.randint(0, 300)))
	return line("(", "-" * rng.randint(0, 1) + str(rng.getrandbits(rng.randint(1, 300))))


def value(rng, resp3, depth):
	if depth >= 4 or rng.random() < 0.45 + 0.15 * depth:
		return scalar(rng, resp3, depth)
	kinds = "**" + ("%~>|" if resp3 else "")
	k = rng.choice(kinds)
	if k == "*" and rng.random() < 0.1:
		return line("*", "-1")                                  # RESP2 null array
	n = rng.choice([0, 1, 2, 3, 5, rng.randint(6, 60) if depth == 0 else 4])
	if k == "|":
		# an attribute, then the value it annotates
		v = line("|", str(n))
		for _ in range(2 * n):
			v.add(value(rng, resp3, depth + 1))
		v.add(value(rng, resp3, depth + 1))
		return v
	v = line(k, str(n))
	for _ in range(2 * n if k == "%" else n):
		v.add(value(rng, resp3, depth + 1))
	return v


def command(conv, rng):
	name = rng.choice([b"GET", b"SET", b"HSET", b"LPUSH", b"MGET", b"PING", b"hello",
			   b"CLIENT", b"x" * 62, b"y" * 63, b""])
	nargs = rng.choice([0, 1, 2, 3, rng.randint(4, 40)])
	args = [bulk("$", rbytes(rng, payload_size(rng, 1 << 20) if i < 3 else
				 rng.randint(0, 30)))
		for i in range(nargs)]
	v = line("*", str(1 + len(args)))
	v.add(bulk("$", name))
	for a in args:
		v.add(a)
	fields = {"elements": v.count}
	if 1 <= len(name) <= 62:
		fields["command"] = name.decode()
	conv.add(C2S, v.data, "command", fields,
		 [b for b in v.bodies if b[0] > len(name) + 20])


def generate(conv, rng, simple):
	resp3 = rng.random() < 0.5
	if resp3:
		v = line("*", "2")
		v.add(bulk("$", b"HELLO"))
		v.add(bulk("$", b"3"))
		conv.add(C2S, v.data, "command", {"elements": 3, "command": "HELLO"})
	for _ in range(rng.randint(1, 25)):
		if rng.random() < 0.15:
			words = [rng.choice(["PING", "get", "SET", "info"])] + \
				[token(rng, 1, 20) for _ in range(rng.randint(0, 5))]
			eol = rng.choice(["\r\n", "\n"])
			conv.add(C2S, (" ".join(words) + eol).encode(), "inline",
				 {"elements": 1, "command": ""})
		else:
			command(conv, rng)
		if rng.random() < 0.1 and resp3:
			# out-of-band push (pub/sub message)
			v = line(">", "3")
			v.add(bulk("$", b"message"))
			v.add(bulk("$", b"chan"))
			v.add(bulk("$", rbytes(rng, rng.randint(0, 500))))
			conv.add(S2C, v.data, "push", {"elements": v.count}, v.bodies)
		v = value(rng, resp3, 0)
		# a resync inside an aggregate frames its remaining elements
		# as top-level values: nested value boundaries, not ADU ones
		conv.add(S2C, v.data, REPLY_NAMES[chr(v.data[0])], {"elements": v.count}, v.bodies,
			 nested=v.nested)
