"""Modbus/TCP (MODBUS Messaging on TCP/IP Implementation Guide V1.0b 3.1.3;
MODBUS Application Protocol V1.1b3 sections 4.1, 6, 7): MBAP header
(transaction id, protocol id 0, length, unit id), then a PDU of at most
253 bytes; requests and normal or exception responses, pipelined.
Every MBAP frame is one ADU named by its function code."""

import struct

from convo import C2S, S2C, rbytes

NAMES = {1: "read_coils", 2: "read_discrete_inputs", 3: "read_holding_registers",
	 4: "read_input_registers", 5: "write_single_coil", 6: "write_single_register",
	 7: "read_exception_status", 8: "diagnostics", 11: "get_comm_event_counter",
	 12: "get_comm_event_log", 15: "write_multiple_coils",
	 16: "write_multiple_registers", 17: "report_server_id", 20: "read_file_record",
	 21: "write_file_record", 22: "mask_write_register",
	 23: "read_write_multiple_registers", 24: "read_fifo_queue",
	 43: "encapsulated_interface_transport"}


def name(fc):
	if fc >= 0x81:
		return "exception"
	return NAMES.get(fc, "function")


def frame(conv, rng, d, tid, unit, pdu):
	assert 1 <= len(pdu) <= 253
	length = len(pdu) + 1
	conv.add(d, struct.pack(">HHHB", tid, 0, length, unit) + pdu, name(pdu[0]),
		 {"transaction_id": tid, "length": length, "unit_id": unit,
		  "function": pdu[0], "exception": pdu[0] >> 7}, [(8, 7 + len(pdu))])


def exchange(conv, rng, tid, unit):
	"""A request and its response PDUs (application protocol section 6)."""
	fc = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 11, 15, 16, 17, 22, 23, 24, 43,
			 65, 100, 110])
	if fc in (1, 2):
		q = rng.randint(1, 2000)
		req = struct.pack(">BHH", fc, rng.getrandbits(16), q)
		n = (q + 7) // 8
		resp = struct.pack(">BB", fc, n) + rbytes(rng, n)
	elif fc in (3, 4):
		q = rng.randint(1, 125)
		req = struct.pack(">BHH", fc, rng.getrandbits(16), q)
		resp = struct.pack(">BB", fc, 2 * q) + rbytes(rng, 2 * q)
	elif fc in (5, 6):
		req = struct.pack(">BHH", fc, rng.getrandbits(16), rng.getrandbits(16))
		resp = req
	elif fc == 7:
		req, resp = b"\x07", b"\x07" + rbytes(rng, 1)
	elif fc == 8:
		req = struct.pack(">BH", 8, 0) + rbytes(rng, 2 * rng.randint(1, 100))
		resp = req
	elif fc == 11:
		req, resp = b"\x0b", b"\x0b" + rbytes(rng, 4)
	elif fc == 15:
		q = rng.randint(1, 1968)
		n = (q + 7) // 8
		req = struct.pack(">BHHB", 15, rng.getrandbits(16), q, n) + rbytes(rng, n)
		resp = req[:5]
	elif fc == 16:
		q = rng.randint(1, 123)
		req = struct.pack(">BHHB", 16, rng.getrandbits(16), q, 2 * q) + rbytes(rng, 2 * q)
		resp = req[:5]
	elif fc == 17:
		req = b"\x11"
		n = rng.randint(2, 251)
		resp = struct.pack(">BB", 17, n) + rbytes(rng, n)
	elif fc == 22:
		req = b"\x16" + rbytes(rng, 6)
		resp = req
	elif fc == 23:
		rq, wq = rng.randint(1, 125), rng.randint(1, 121)
		req = struct.pack(">BHHHHB", 23, 0, rq, 1, wq, 2 * wq) + rbytes(rng, 2 * wq)
		resp = struct.pack(">BB", 23, 2 * rq) + rbytes(rng, 2 * rq)
	elif fc == 24:
		req = b"\x18" + rbytes(rng, 2)
		n = rng.randint(0, 31)
		resp = struct.pack(">BHH", 24, 2 * n + 2, n) + rbytes(rng, 2 * n)
	elif fc == 43:
		req = b"\x2b\x0e\x01\x00"
		resp = b"\x2b\x0e\x01\x01\x00\x00" + bytes([1, 0, 5]) + b"vendr"
	else:                                    # user-defined function codes
		req = bytes([fc]) + rbytes(rng, rng.randint(0, 252))
		resp = bytes([fc]) + rbytes(rng, rng.randint(0, 252))
	if rng.random() < 0.15:
		resp = bytes([fc | 0x80, rng.choice([1, 2, 3, 4, 6, 0x0b])])
	return req, resp


def generate(conv, rng, simple):
	tid = rng.getrandbits(16)
	pending = []
	for _ in range(rng.randint(1, 40)):
		if pending and rng.random() < 0.5:
			t, unit, resp = pending.pop(0)
			frame(conv, rng, S2C, t, unit, resp)
			continue
		unit = rng.choice([0, 1, 0xff, rng.getrandbits(8)])
		req, resp = exchange(conv, rng, tid, unit)
		frame(conv, rng, C2S, tid, unit, req)
		pending.append((tid, unit, resp))
		tid = (tid + 1) & 0xffff
	for t, unit, resp in pending:
		frame(conv, rng, S2C, t, unit, resp)
