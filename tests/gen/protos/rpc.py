"""ONC RPC over TCP (RFC 5531 sections 9 and 11): record marking
(fragments with a last-fragment bit and a 31-bit length), CALL messages
(rpcvers 2, NFS, mount, portmapper, NLM programs, AUTH_NONE/AUTH_SYS
credentials) and REPLY messages (accepted, denied), split into several
fragments sometimes. Every record is one ADU named by msg_type."""

import struct

from convo import C2S, S2C, payload_size, rbytes, token

PROGRAMS = [(100003, 3), (100003, 4), (100005, 3), (100000, 2), (100021, 4)]


def opaque_auth(rng):
	if rng.random() < 0.5:
		return struct.pack(">II", 0, 0)                  # AUTH_NONE
	machine = token(rng, 1, 20).encode()
	body = struct.pack(">II", rng.getrandbits(32), len(machine)) + machine + \
		b"\0" * (-len(machine) % 4)
	gids = [rng.getrandbits(32) for _ in range(rng.randint(0, 16))]
	body += struct.pack(">II", rng.getrandbits(16), rng.getrandbits(16))
	body += struct.pack(">I", len(gids)) + b"".join(struct.pack(">I", g) for g in gids)
	return struct.pack(">II", 1, len(body)) + body       # AUTH_SYS


def record(conv, rng, d, msg, typ, fields, head):
	"""Cuts msg into fragments; the first holds at least head bytes."""
	cuts = []
	if rng.random() < 0.25 and len(msg) > head:
		for _ in range(rng.randint(1, 5)):
			cuts.append(rng.randint(head, len(msg)))
	cuts = sorted(set(cuts + [len(msg)]))
	if rng.random() < 0.1:
		cuts.append(len(msg))                            # an empty last fragment
	out = b""
	bodies = []
	prev = 0
	for i, c in enumerate(cuts):
		last = i == len(cuts) - 1
		out += struct.pack(">I", (0x80000000 if last else 0) | (c - prev))
		s = len(out) + (head if i == 0 else 0)
		out += msg[prev:c]
		bodies.append((s, len(out)))
		prev = c
	fields = dict(fields, fragments=len(cuts))
	conv.add(d, out, typ, fields, bodies)


def call(conv, rng, d, xid):
	prog, vers = rng.choice(PROGRAMS)
	proc = rng.randint(0, 22)
	hdr = struct.pack(">IIIIII", xid, 0, 2, prog, vers, proc)
	msg = hdr + opaque_auth(rng) + struct.pack(">II", 0, 0) + \
		rbytes(rng, payload_size(rng, 1 << 20) & ~3)
	record(conv, rng, d, msg, "CALL", {"xid": xid, "msg_type": 0, "program": prog,
					   "version": vers, "procedure": proc}, 24)


def reply(conv, rng, d, xid):
	if rng.random() < 0.1:
		msg = struct.pack(">IIII", xid, 1, 1, rng.choice([0, 1]))   # MSG_DENIED
		msg += struct.pack(">II", 2, 4) if msg[-1] == 0 else struct.pack(">I", 1)
	else:
		msg = struct.pack(">III", xid, 1, 0) + struct.pack(">II", 0, 0) + \
			struct.pack(">I", rng.choice([0, 0, 0, 1, 2, 3])) + \
			rbytes(rng, payload_size(rng, 1 << 20) & ~3)
	record(conv, rng, d, msg, "REPLY", {"xid": xid, "msg_type": 1}, 12)


def generate(conv, rng, simple):
	xid = rng.getrandbits(32)
	pending = []
	for _ in range(rng.randint(1, 20)):
		if pending and rng.random() < 0.5:
			reply(conv, rng, S2C, pending.pop(rng.randrange(len(pending))))
			continue
		xid = (xid + 1) & 0xffffffff
		call(conv, rng, C2S, xid)
		pending.append(xid)
		if rng.random() < 0.05:
			# an NFSv4.1 callback on the same connection (RFC 8881 2.10.3.1)
			cb = rng.getrandbits(32)
			prog = rng.getrandbits(32) | 0x40000000
			msg = struct.pack(">IIIIII", cb, 0, 2, prog, 1, 1) + struct.pack(">IIII", 0, 0, 0, 0)
			record(conv, rng, S2C, msg, "CALL", {"xid": cb, "msg_type": 0, "program": prog,
							     "version": 1, "procedure": 1}, 24)
			reply(conv, rng, C2S, cb)
	for x in pending:
		reply(conv, rng, S2C, x)
