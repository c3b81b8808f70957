"""iSCSI (RFC 7143): a login (one or two stages, digest negotiation in
the key=value text) or a flow whose digests are given as parameters, then
Full Feature Phase PDUs with AHS, padded data segments, header and data
digests. Every PDU is one ADU named by its opcode."""

import struct

from convo import C2S, S2C, payload_size, rbytes, token

INITIATOR = {0x00: "nop_out", 0x01: "scsi_command", 0x02: "task_mgmt",
	     0x03: "login_request", 0x04: "text_request", 0x05: "data_out",
	     0x06: "logout_request", 0x10: "snack", 0x1c: "vendor_request",
	     0x1d: "vendor_request", 0x1e: "vendor_request"}
TARGET = {0x20: "nop_in", 0x21: "scsi_response", 0x22: "task_mgmt_response",
	  0x23: "login_response", 0x24: "text_response", 0x25: "data_in",
	  0x26: "logout_response", 0x31: "r2t", 0x32: "async_message",
	  0x3c: "vendor_response", 0x3d: "vendor_response",
	  0x3e: "vendor_response", 0x3f: "reject"}


def pad4(n):
	return (n + 3) & ~3


def pdu(conv, rng, d, opcode, data=b"", ahs_words=0, hd=False, dd=False,
	immediate=False, b1=None, lun=None, itt=None, status_class=0):
	"""RFC 7143 11.2: BHS, AHS, HeaderDigest, data + padding, DataDigest."""
	b0 = opcode | (0x40 if immediate else 0)
	if b1 is None:
		b1 = 0x80 if rng.random() < 0.7 else 0x00
	if opcode in (0x00, 0x02, 0x06, 0x10, 0x20, 0x21, 0x22, 0x26, 0x31, 0x32, 0x3f):
		b1 |= 0x80          # byte 1 is "1" then reserved bits or a function
	lun = rng.getrandbits(64) if lun is None else lun
	itt = rng.getrandbits(32) if itt is None else itt
	bhs = bytearray(rbytes(rng, 48))
	bhs[0] = b0
	bhs[1] = b1
	bhs[4] = ahs_words
	bhs[5:8] = len(data).to_bytes(3, "big")
	bhs[8:16] = lun.to_bytes(8, "big")
	bhs[16:20] = itt.to_bytes(4, "big")
	if opcode == 0x23:
		bhs[36] = status_class
	out = bytes(bhs)
	ahs = b""
	left = ahs_words * 4
	while left:
		# AHS: AHSLength (2), AHSType (1), specific; padded to 4
		n = min(left, 4 * rng.randint(1, max(1, left // 4)))
		ahs += struct.pack(">HB", n - 3, rng.choice([1, 2])) + rbytes(rng, n - 3)
		left -= n
	out += ahs
	if hd:
		out += rbytes(rng, 4)
	start = len(out)
	out += data + b"\0" * (pad4(len(data)) - len(data))
	if dd and data:
		out += rbytes(rng, 4)
	name = (INITIATOR if d == C2S else TARGET)[opcode]
	bodies = [(48, 48 + len(ahs))] if ahs else []
	if opcode != 0x23:
		bodies.append((start, start + len(data)))
	conv.add(d, out, name, {"opcode": opcode, "itt": itt, "lun": lun,
				"dsl": len(data)}, bodies)


def text(pairs):
	return b"".join(("%s=%s" % kv).encode() + b"\0" for kv in pairs)


def login(conv, rng):
	"""RFC 7143 6.1, 13.1: returns the negotiated (HeaderDigest,
	DataDigest) and whether the login succeeded."""
	isid = rng.getrandbits(48) << 16
	itt = rng.getrandbits(32)
	hd = dd = False
	stages = [(0, 1), (1, 3)] if rng.random() < 0.5 else [(1, 3)]
	for csg, nsg in stages:
		offer = [("InitiatorName", "iqn.2024-01.example:" + token(rng))]
		answer = [("TargetPortalGroupTag", "1")]
		if csg == 0:
			offer += [("AuthMethod", "None"), ("SessionType", "Normal")]
			answer += [("AuthMethod", "None")]
		else:
			offer += [("HeaderDigest", "CRC32C,None"), ("DataDigest", "CRC32C,None"),
				  ("MaxRecvDataSegmentLength", "262144")]
			hd = rng.random() < 0.5
			dd = rng.random() < 0.5
			if rng.random() < 0.8:
				answer.append(("HeaderDigest", "CRC32C" if hd else "None"))
			else:
				hd = False       # key not answered: the default, None
			if rng.random() < 0.8:
				answer.append(("DataDigest", "CRC32C" if dd else "None"))
			else:
				dd = False
			answer.append(("MaxRecvDataSegmentLength", "65536"))
		rng.shuffle(answer)
		flags = 0x80 | (csg << 2) | nsg
		pdu(conv, rng, C2S, 0x03, text(offer), immediate=True, b1=flags,
		    lun=isid, itt=itt)
		fail = rng.random() < 0.03
		pdu(conv, rng, S2C, 0x23, text(answer), b1=flags, lun=isid, itt=itt,
		    status_class=2 if fail else 0)
		if fail:
			return hd, dd, False
	return hd, dd, True


def data_len(rng):
	return payload_size(rng, 1 << 20)


def generate(conv, rng, simple):
	conv.gap_ok = False              # until the login is over
	if rng.random() < 0.75:
		hd, dd, ok = login(conv, rng)
		if not ok:
			return
	else:
		# picked up after the login: the user tells the digests
		hd = rng.random() < 0.5
		dd = rng.random() < 0.5
		conv.params = {"HeaderDigest": int(hd), "DataDigest": int(dd)}
	conv.mark_gap_from()
	conv.gap_ok = True
	kw = {"hd": hd, "dd": dd}
	for _ in range(rng.randint(1, 12)):
		r = rng.random()
		itt = rng.getrandbits(32)
		lun = rng.getrandbits(16) << 48
		if r < 0.35:
			# a READ: command (extended CDB in an AHS sometimes), Data-In, response
			pdu(conv, rng, C2S, 0x01, ahs_words=rng.choice([0, 0, 0, 1, 5]),
			    lun=lun, itt=itt, **kw)
			for _ in range(rng.randint(0, 3)):
				pdu(conv, rng, S2C, 0x25, rbytes(rng, data_len(rng)), lun=lun,
				    itt=itt, **kw)
			pdu(conv, rng, S2C, 0x21, rbytes(rng, rng.choice([0, 0, 18, 22])),
			    lun=lun, itt=itt, **kw)
		elif r < 0.6:
			# a WRITE: immediate data, R2T, Data-Out, response
			pdu(conv, rng, C2S, 0x01, rbytes(rng, rng.choice([0, data_len(rng)])),
			    lun=lun, itt=itt, **kw)
			for _ in range(rng.randint(0, 2)):
				pdu(conv, rng, S2C, 0x31, lun=lun, itt=itt, **kw)
				for _ in range(rng.randint(1, 3)):
					pdu(conv, rng, C2S, 0x05, rbytes(rng, data_len(rng)),
					    lun=lun, itt=itt, **kw)
			pdu(conv, rng, S2C, 0x21, lun=lun, itt=itt, **kw)
		elif r < 0.7:
			pdu(conv, rng, C2S, 0x00, rbytes(rng, rng.choice([0, 1, 7, 64])),
			    immediate=True, itt=itt, **kw)
			pdu(conv, rng, S2C, 0x20, rbytes(rng, rng.choice([0, 3, 64])), itt=itt, **kw)
		elif r < 0.78:
			pdu(conv, rng, C2S, 0x04, text([("SendTargets", "All")]), itt=itt, **kw)
			pdu(conv, rng, S2C, 0x24, text([("TargetName", "iqn.x:" + token(rng))] *
							rng.randint(1, 40)), itt=itt, **kw)
		elif r < 0.84:
			pdu(conv, rng, C2S, 0x02, immediate=True, itt=itt, **kw)
			pdu(conv, rng, S2C, 0x22, itt=itt, **kw)
		elif r < 0.88:
			pdu(conv, rng, C2S, 0x10, itt=itt, **kw)
		elif r < 0.92:
			pdu(conv, rng, S2C, 0x32, rbytes(rng, rng.choice([0, 18])), **kw)
		elif r < 0.95:
			pdu(conv, rng, C2S, rng.choice([0x1c, 0x1d, 0x1e]),
			    rbytes(rng, rng.randint(0, 100)), itt=itt, **kw)
			pdu(conv, rng, S2C, rng.choice([0x3c, 0x3d, 0x3e]),
			    rbytes(rng, rng.randint(0, 100)), itt=itt, **kw)
		else:
			# Reject carries the rejected PDU's BHS as its data
			pdu(conv, rng, C2S, 0x01, lun=lun, itt=itt, **kw)
			pdu(conv, rng, S2C, 0x3f, rbytes(rng, 48), itt=0xffffffff, **kw)
	if rng.random() < 0.5:
		itt = rng.getrandbits(32)
		pdu(conv, rng, C2S, 0x06, immediate=True, itt=itt, **kw)
		pdu(conv, rng, S2C, 0x26, itt=itt, **kw)
