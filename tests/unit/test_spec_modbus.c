/*
 * specs/modbus.pne against byte streams built from the MODBUS Messaging
 * on TCP/IP Implementation Guide V1.0b (3.1.3, MBAP header) and the
 * MODBUS Application Protocol Specification V1.1b3 (function codes,
 * exception responses), and suricata-verify's tests/modbus/modbus.pcap.
 * ADU length = 6 + the MBAP length.
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

/*
 * Read Holding Registers, Write Multiple Registers, an exception
 * response, and a frame of the largest length (254: unit id and a PDU of
 * 253 bytes).
 */
static void test_modbus_frames(void **state)
{
	(void)state;
	static uint8_t big[6 + 254];
	const struct sh_msg msgs[] = {
		/* tid 1: read 3 holding registers at 0x006b (12) */
		SH_C2S("\x00\x01\x00\x00\x00\x06\x01\x03\x00\x6b\x00\x03"
		       /* tid 2: write 2 registers at 1, 4 bytes (17), split */
		       "\x00\x02\x00\x00\x00\x0b\x01\x10\x00"),
		SH_C2S("\x01\x00\x02\x04\x00\x0a\x01\x02"
		       /* tid 3: read coil 0xffff (12) */
		       "\x00\x03\x00\x00\x00\x06\x01\x01\xff\xff\x00\x01"),
		/* tid 1: 6 bytes of registers (15); tid 2 echo (12) */
		SH_S2C("\x00\x01\x00\x00\x00\x09\x01\x03\x06\x02\x2b\x00\x00\x00\x64"
		       "\x00\x02\x00\x00\x00\x06\x01\x10\x00\x01\x00\x02"),
		/* tid 3: exception 0x81, code 2 (illegal data address) (9) */
		SH_S2C("\x00\x03\x00\x00\x00\x03\x01\x81\x02"),
		{ S2C, big, sizeof(big) },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 12, "read_holding_registers",
		    "{\"transaction_id\":1,\"length\":6,\"unit_id\":1,\"function\":3,\"exception\":0}"),
		ADU(C2S, 12, 17, "write_multiple_registers",
		    "{\"transaction_id\":2,\"length\":11,\"unit_id\":1,\"function\":16,\"exception\":0}"),
		ADU(C2S, 29, 12, "read_coils", "\"transaction_id\":3,"),
		ADU(S2C, 0, 15, "read_holding_registers", "\"length\":9,"),
		ADU(S2C, 15, 12, "write_multiple_registers", "\"length\":6,"),
		ADU(S2C, 27, 9, "exception",
		    "{\"transaction_id\":3,\"length\":3,\"unit_id\":1,\"function\":129,\"exception\":1}"),
		ADU(S2C, 36, 260, "read_file_record",
		    "{\"transaction_id\":4,\"length\":254,\"unit_id\":255,\"function\":20,\"exception\":0}"),
	};

	memset(big, 0x33, sizeof(big));
	memcpy(big, "\x00\x04\x00\x00\x00\xfe\xff\x14", 8);
	sh_check("modbus", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * Invalid MBAP headers: protocol identifier 1, length 255 (over the 254
 * maximum), function code 0. Each fails the leading test, so the scan
 * restarts at its second byte; every candidate offset inside a bad frame
 * fails the protocol identifier test, and resync confirms three frames
 * from the next one.
 */
static void test_modbus_resync(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x04\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01"    /* 0..12 */
		       "\x00\x05\x00\x01\x00\x06\x01\x03\x00\x00\x00\x01"),  /* pid 1 */
		SH_C2S("\x00\x06\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01"    /* 24 */
		       "\x00\x07\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01"    /* 36 */
		       "\x00\x08\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01"    /* 48 */
		       "\x00\x09\x00\x00\x00\x06\x01\x03\x00\x00\x00\x01"),  /* 60 */
		SH_S2C("\x00\x01\x00\x00\x00\xff\x01\x03"                    /* 0..8 */
		       "\x00\x01\x00\x00\x00\x05\x01\x03\x02\x00\x07"        /* 8 */
		       "\x00\x02\x00\x00\x00\x05\x01\x03\x02\x00\x07"        /* 19 */
		       "\x00\x03\x00\x00\x00\x05\x01\x03\x02\x00\x07"        /* 30 */
		       "\x00\x04\x00\x00\x00\x05\x01\x03\x02\x00\x07"),      /* 41 */
		SH_S2C("\x00\x05\x00\x00\x00\x02\x01\x00"                    /* 52..60 */
		       "\x00\x06\x00\x00\x00\x05\x01\x03\x02\x00\x07"        /* 60 */
		       "\x00\x07\x00\x00\x00\x05\x01\x03\x02\x00\x07"        /* 71 */
		       "\x00\x08\x00\x00\x00\x05\x01\x03\x02\x00\x07"        /* 82 */
		       "\x00\x09\x00\x00\x00\x05\x01\x03\x02\x00\x07"),      /* 93 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 12, "read_holding_registers", "\"transaction_id\":4,"),
		UNC(C2S, 24, 12, "read_holding_registers", "\"transaction_id\":6,"),
		UNC(C2S, 36, 12, "read_holding_registers", "\"transaction_id\":7,"),
		UNC(C2S, 48, 12, "read_holding_registers", "\"transaction_id\":8,"),
		ADU(C2S, 60, 12, "read_holding_registers", "\"transaction_id\":9,"),
		UNC(S2C, 8, 11, "read_holding_registers", "\"transaction_id\":1,"),
		UNC(S2C, 19, 11, "read_holding_registers", "\"transaction_id\":2,"),
		UNC(S2C, 30, 11, "read_holding_registers", "\"transaction_id\":3,"),
		ADU(S2C, 41, 11, "read_holding_registers", "\"transaction_id\":4,"),
		UNC(S2C, 60, 11, "read_holding_registers", "\"transaction_id\":6,"),
		UNC(S2C, 71, 11, "read_holding_registers", "\"transaction_id\":7,"),
		UNC(S2C, 82, 11, "read_holding_registers", "\"transaction_id\":8,"),
		ADU(S2C, 93, 11, "read_holding_registers", "\"transaction_id\":9,"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("modbus"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 3);
	assert_int_equal(res.stats.resyncs, 3);
	sh_result_free(&res);
}

/* Picked up mid-stream, three bytes before a frame: the candidates
 * there fail the protocol identifier test. */
static void test_modbus_midstream(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_S2C("\x02\x00\x07"
		       "\x00\x01\x00\x00\x00\x05\x01\x03\x02\x00\x07"
		       "\x00\x02\x00\x00\x00\x05\x01\x03\x02\x00\x07"),
	};
	static const struct sh_expect exp[] = {
		UNC(S2C, 3, 11, "read_holding_registers", "\"transaction_id\":1,"),
		UNC(S2C, 14, 11, "read_holding_registers", "\"transaction_id\":2,"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("modbus"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs), .unsynced_start = { 0, 1 } };

	sh_check_conv(&conv, exp, SH_NELEM(exp), NULL);
}

/*
 * suricata-verify's tests/modbus/modbus.pcap, TCP stream 1, as tshark's
 * "follow,tcp,raw" shows it: Diagnostics requests answered by
 * exceptions (0x88) and echoes, Report Server ID. The expected list
 * follows tshark's mbtcp.trans_id, mbtcp.len, mbtcp.unit_id,
 * modbus.func_code and modbus.exception_code.
 */
static void test_modbus_suricata_capture(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x04\x00\x00"),   /* 12 */
		SH_S2C("\x00\x00\x00\x00\x00\x03\x0a\x88\x0b"),   /* 9 */
		SH_C2S("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x04\x00\x00"),   /* 12 */
		SH_S2C("\x00\x00\x00\x00\x00\x03\x0a\x88\x0b"),   /* 9 */
		SH_C2S("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x04\x00\x00"),   /* 12 */
		SH_S2C("\x00\x00\x00\x00\x00\x03\x0a\x88\x0b"),   /* 9 */
		SH_C2S("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x01\x00\x00"),   /* 12 */
		SH_S2C("\x00\x00\x00\x00\x00\x03\x0a\x88\x0b"),   /* 9 */
		SH_C2S("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x01\x00\x00"),   /* 12 */
		SH_S2C("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x01\x00\x00"),   /* 12 */
		SH_C2S("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x01\x00\x00"),   /* 12 */
		SH_S2C("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x01\x00\x00"),   /* 12 */
		SH_C2S("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x0a\x00\x00"),   /* 12 */
		SH_S2C("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x0a\x00\x00"),   /* 12 */
		SH_C2S("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x0a\x00\x00"),   /* 12 */
		SH_S2C("\x00\x00\x00\x00\x00\x06\x0a\x08\x00\x0a\x00\x00"),   /* 12 */
		SH_C2S("\x00\x00\x00\x00\x00\x02\x0a\x11"),   /* 8 */
		SH_S2C("\x00\x00\x00\x00\x00\x15\x0a\x11\x12\x00\xff\x57\x69\x6e\x67\x70"
		       "\x61\x74\x68\x20\x4c\x69\x6d\x69\x74\x65\x64"),   /* 27 */
		SH_C2S("\x00\x00\x00\x00\x00\x02\x0a\x11"),   /* 8 */
		SH_S2C("\x00\x00\x00\x00\x00\x15\x0a\x11\x12\x00\xff\x57\x69\x6e\x67\x70"
		       "\x61\x74\x68\x20\x4c\x69\x6d\x69\x74\x65\x64"),   /* 27 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(C2S, 12, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(C2S, 24, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(C2S, 36, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(C2S, 48, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(C2S, 60, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(C2S, 72, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(C2S, 84, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(C2S, 96, 8, "report_server_id",
		    "{\"transaction_id\":0,\"length\":2,\"unit_id\":10,\"function\":17,\"exception\":0}"),
		ADU(C2S, 104, 8, "report_server_id",
		    "{\"transaction_id\":0,\"length\":2,\"unit_id\":10,\"function\":17,\"exception\":0}"),
		ADU(S2C, 0, 9, "exception",
		    "{\"transaction_id\":0,\"length\":3,\"unit_id\":10,\"function\":136,\"exception\":1}"),
		ADU(S2C, 9, 9, "exception",
		    "{\"transaction_id\":0,\"length\":3,\"unit_id\":10,\"function\":136,\"exception\":1}"),
		ADU(S2C, 18, 9, "exception",
		    "{\"transaction_id\":0,\"length\":3,\"unit_id\":10,\"function\":136,\"exception\":1}"),
		ADU(S2C, 27, 9, "exception",
		    "{\"transaction_id\":0,\"length\":3,\"unit_id\":10,\"function\":136,\"exception\":1}"),
		ADU(S2C, 36, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(S2C, 48, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(S2C, 60, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(S2C, 72, 12, "diagnostics",
		    "{\"transaction_id\":0,\"length\":6,\"unit_id\":10,\"function\":8,\"exception\":0}"),
		ADU(S2C, 84, 27, "report_server_id",
		    "{\"transaction_id\":0,\"length\":21,\"unit_id\":10,\"function\":17,\"exception\":0}"),
		ADU(S2C, 111, 27, "report_server_id",
		    "{\"transaction_id\":0,\"length\":21,\"unit_id\":10,\"function\":17,\"exception\":0}"),
	};

	sh_check("modbus", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modbus_frames),
		cmocka_unit_test(test_modbus_resync),
		cmocka_unit_test(test_modbus_midstream),
		cmocka_unit_test(test_modbus_suricata_capture),
	};

	return cmocka_run_group_tests_name("spec_modbus", tests, NULL, NULL);
}
