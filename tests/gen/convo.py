"""Conversation model for the generated-stream tests (tests/gen/).

A protocol generator (tests/gen/protos/*.py) builds a Conversation: the
messages of both directions in causal order, each with the ADUs the
protocol's own specification says it holds (direction, offset, length,
type, a few key fields) and the byte ranges of its opaque payload (bytes a
framer never needs to look at: a gap there must be absorbed).
"""

import random

C2S, S2C = "c2s", "s2c"
DIRS = (C2S, S2C)


class Adu:
	"""One expected ADU; off is in its direction's stream."""

	def __init__(self, d, off, length, typ, fields, bodies, closed, nested=()):
		self.dir = d
		# absolute (start, end) of values nested in it that a resync
		# may take for ADUs (Redis aggregates), synced or not
		self.nested = list(nested)
		self.off = off
		self.len = length
		self.type = typ
		self.fields = fields
		self.bodies = bodies    # absolute (start, end) opaque payload ranges
		self.closed = closed

	def describe(self):
		s = "%s off=%d len=%d type=%s" % (self.dir, self.off, self.len, self.type)
		if self.fields:
			s += " fields=%s" % (self.fields,)
		if self.closed:
			s += " closed"
		return s


class Message:
	"""Bytes of one direction that may only start once `need` bytes of
	the other direction went by (everything before it in causal order)."""

	def __init__(self, d, start, data, need):
		self.dir = d
		self.start = start
		self.data = data
		self.need = need


class Conversation:
	def __init__(self, rng):
		self.rng = rng
		self.msgs = []
		self.adus = {C2S: [], S2C: []}
		self.size = {C2S: 0, S2C: 0}
		self.params = {}
		# Index of the first ADU of each direction that a gap over a
		# header may hit: the handshakes before it set up state the
		# other direction depends on.
		self.gap_from = {C2S: 0, S2C: 0}
		# False when a gap over a header may legitimately change the
		# framing of the other direction (cross-direction state).
		self.gap_ok = True
		self.opaque = False

	def _append(self, d, data):
		other = S2C if d == C2S else C2S
		start = self.size[d]
		self.msgs.append(Message(d, start, bytes(data), self.size[other]))
		self.size[d] += len(data)
		return start

	def add(self, d, data, typ, fields=None, bodies=(), closed=False, nested=()):
		"""Append one ADU. bodies: (start, end) ranges relative to data
		holding opaque payload; nested: (start, end) ranges of values
		inside it that are indistinguishable from ADUs (the protocol
		has no marker of nesting), which a resync may frame as ADUs."""
		start = self._append(d, data)
		adu = Adu(d, start, len(data), typ, dict(fields or {}),
			  [(start + s, start + e) for s, e in bodies if e > s],
			  closed, [(start + s, start + e) for s, e in nested])
		self.adus[d].append(adu)
		return adu

	def raw(self, d, data):
		"""Bytes that are not framed (after an opaque switch)."""
		if data:
			self._append(d, data)

	def mark_gap_from(self):
		"""ADUs added from now on may be hit by a gap over a header."""
		for d in DIRS:
			self.gap_from[d] = len(self.adus[d])

	def stream(self, d):
		return b"".join(m.data for m in self.msgs if m.dir == d)


def payload_size(rng, cap, big=True):
	"""A payload size: mostly small, sometimes medium, rarely up to
	~1 MiB (bounded by cap)."""
	r = rng.random()
	if r < 0.10:
		n = 0
	elif r < 0.70:
		n = rng.randint(1, 200)
	elif r < 0.93:
		n = rng.randint(200, 4000)
	elif r < 0.995 or not big:
		n = rng.randint(4000, 70000)
	else:
		n = rng.randint(70000, 1 << 20)
	return min(n, cap)


def rbytes(rng, n):
	return rng.randbytes(n)


def token(rng, lo=1, hi=12, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
	return "".join(rng.choices(alphabet, k=rng.randint(lo, hi)))


def new_rng(seed, proto):
	return random.Random("%s/%d" % (proto, seed))
