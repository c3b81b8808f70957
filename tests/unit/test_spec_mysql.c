/*
 * specs/mysql.pne against byte streams built from the MySQL Source Code
 * Documentation, "Client/Server Protocol" (MySQL Packets, Connection
 * Phase, Command Phase, COM_QUERY Response), and arkime's
 * tests/pcap/mysql-allow.pcap. A packet is a 3-byte little-endian
 * payload length and a sequence id: ADU length = 4 + payload, plus the
 * continuation packets of a payload of 0xffffff bytes.
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

/*
 * Greeting, HandshakeResponse41, OK; COM_QUERY with a one-column result
 * set (column count, definition, EOF, two rows, EOF); a failing query
 * (ERR); COM_QUIT. A row whose first column is the empty string starts
 * with 0x00 but, past sequence id 2, is not taken for an OK packet.
 */
static void test_mysql_session(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* HandshakeV10: 1 + 7 + 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10 +
		 * 13 + 22 = 74 (78) */
		SH_S2C("\x4a\x00\x00\x00" "\x0a" "8.0.36\0" "\x01\x00\x00\x00"
		       "abcdefgh" "\0" "\xff\xff" "\xff" "\x02\x00" "\xff\xdf" "\x15"
		       "\0\0\0\0\0\0\0\0\0\0" "ijklmnopqrst\0" "caching_sha2_password\0"),
		/* HandshakeResponse41, seq 1: capabilities, max packet,
		 * charset, 23 filler, "root", empty auth: 38 (42) */
		SH_C2S("\x26\x00\x00\x01" "\x05\xa6\xff\x01" "\x00\x00\x00\x01" "\xff"
		       "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
		       "root\0" "\x00"),
		/* OK, seq 2: 7 (11) */
		SH_S2C("\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00"),
		/* COM_QUERY "select 1": 9 (13) */
		SH_C2S("\x09\x00\x00\x00\x03" "select 1"),
		/* column count 1, seq 1 (5); column definition, seq 2: 23
		 * (27); EOF, seq 3 (9); rows "1" (6) and "", "abcdef" (12);
		 * EOF, seq 6 (9) */
		SH_S2C("\x01\x00\x00\x01\x01"
		       "\x17\x00\x00\x02" "\x03" "def" "\0\0\0" "\x01" "1" "\0"
		       "\x0c\x3f\x00\x01\x00\x00\x00\x08\x81\x00\x00\x00\x00"
		       "\x05\x00\x00\x03\xfe\x00\x00\x02\x00"
		       "\x02\x00\x00\x04\x01" "1"
		       "\x08\x00\x00\x05\x00\x06" "abcdef"
		       "\x05\x00\x00\x06\xfe\x00\x00\x02\x00"),
		/* COM_QUERY "oops" (9); ERR 1064 "#42000" "syntax": 15 (19) */
		SH_C2S("\x05\x00\x00\x00\x03" "oops"),
		SH_S2C("\x0f\x00\x00\x01\xff\x28\x04" "#42000" "syntax"),
		/* COM_QUIT (5) */
		SH_C2S("\x01\x00\x00\x00\x01"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 42, "packet", "{\"length\":38,\"seq\":1}"),
		ADU(C2S, 42, 13, "COM_QUERY", "{\"length\":9,\"seq\":0}"),
		ADU(C2S, 55, 9, "COM_QUERY", "{\"length\":5,\"seq\":0}"),
		ADU(C2S, 64, 5, "COM_QUIT", "{\"length\":1,\"seq\":0}"),
		ADU(S2C, 0, 78, "HandshakeV10", "{\"length\":74,\"seq\":0}"),
		ADU(S2C, 78, 11, "OK", "{\"length\":7,\"seq\":2}"),
		ADU(S2C, 89, 5, "packet", "{\"length\":1,\"seq\":1}"),
		ADU(S2C, 94, 27, "packet", "{\"length\":23,\"seq\":2}"),
		ADU(S2C, 121, 9, "EOF", "{\"length\":5,\"seq\":3}"),
		ADU(S2C, 130, 6, "packet", "{\"length\":2,\"seq\":4}"),
		ADU(S2C, 136, 12, "packet", "{\"length\":8,\"seq\":5}"),
		ADU(S2C, 148, 9, "EOF", "{\"length\":5,\"seq\":6}"),
		ADU(S2C, 157, 19, "ERR", "{\"length\":15,\"seq\":1}"),
	};

	sh_check("mysql", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* Protocol::SSLRequest (32 bytes, CLIENT_SSL set): TLS follows, the
 * connection is no longer framed. */
static void test_mysql_ssl(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_S2C("\x0b\x00\x00\x00\x0a" "5.7.1\0" "\x02\x00\x00\x00"),
		/* capabilities 0x01ffae05 (CLIENT_SSL 0x800 set) */
		SH_C2S("\x20\x00\x00\x01" "\x05\xae\xff\x01" "\x00\x00\x00\x01" "\xff"
		       "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
		SH_C2S("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"),
		SH_S2C("\x16\x03\x03\x00\x04\x02\x00\x00\x00"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 36, "SSLRequest", "{\"length\":32,\"seq\":1}"),
		ADU(S2C, 0, 15, "HandshakeV10", "{\"length\":11,\"seq\":0}"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("mysql"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.status[0], PNE_IS_OPAQUE);
	assert_int_equal(res.status[1], PNE_IS_OPAQUE);
	sh_result_free(&res);
}

/*
 * Payloads of 0xffffff bytes and more: a 16 MiB - 1 + 10 byte COM_QUERY
 * (a full packet and a 10-byte one), one of exactly 16 MiB - 1 (a full
 * packet and an empty one), then COM_PING. Payloads are skipped unseen.
 */
static void test_mysql_multipacket(void **state)
{
	(void)state;
	static const struct sh_big p[] = {
		{ C2S, "\xff\xff\xff\x00\x03", 5 },
		{ C2S, NULL, 0xffffff - 1 },
		{ C2S, "\x0a\x00\x00\x01", 4 },
		{ C2S, NULL, 10 },
		{ C2S, "\xff\xff\xff\x00\x03", 5 },
		{ C2S, NULL, 0xffffff - 1 },
		{ C2S, "\x00\x00\x00\x01", 4 },
		{ C2S, "\x01\x00\x00\x00\x0e", 5 },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 4 + 0xffffff + 4 + 10, "COM_QUERY",
		  "{\"length\":16777215,\"seq\":0}"),
		ADU(C2S, 16777233, 4 + 0xffffff + 4, "COM_QUERY",
		  "{\"length\":16777215,\"seq\":0}"),
		ADU(C2S, 16777233 + 16777223, 5, "COM_PING", NULL),
	};

	sh_big_check("mysql", p, SH_NELEM(p), exp, SH_NELEM(exp));
}

/*
 * Picked up mid-stream at a packet boundary: the header has no
 * redundancy to check, so the first offset is taken and the next four
 * packets are reported unconfirmed.
 */
static void test_mysql_midstream(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e"
		       "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e"),
	};
	static const struct sh_expect exp[] = {
		UNC(C2S, 0, 5, "COM_PING", NULL),
		UNC(C2S, 5, 5, "COM_PING", NULL),
		UNC(C2S, 10, 5, "COM_PING", NULL),
		UNC(C2S, 15, 5, "COM_PING", NULL),
		ADU(C2S, 20, 5, "COM_PING", NULL),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("mysql"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs), .unsynced_start = { 1, 0 } };

	sh_check_conv(&conv, exp, SH_NELEM(exp), NULL);
}

/*
 * arkime's tests/pcap/mysql-allow.pcap, as tshark's "follow,tcp,raw"
 * shows it: greeting (tshark mysql.packet_length 91), login request (82),
 * OK (7), COM_QUERY (33) and its result set: column count (1), one
 * column definition (39), EOF (5), one row (9), EOF (5).
 */
static void test_mysql_arkime_capture(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_S2C("\x5b\x00\x00\x00\x0a\x35\x2e\x35\x2e\x33\x35\x2d\x30\x75\x62\x75"
		       "\x6e\x74\x75\x30\x2e\x31\x32\x2e\x30\x34\x2e\x32\x00\x98\x00\x00"
		       "\x00\x5d\x45\x21\x72\x3c\x75\x58\x38\x00\xff\xf7\x08\x02\x00\x0f"
		       "\x80\x15\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x4f\x66\x32\x63"
		       "\x21\x74\x49\x4d\x29\x22\x6e\x27\x00\x6d\x79\x73\x71\x6c\x5f\x6e"
		       "\x61\x74\x69\x76\x65\x5f\x70\x61\x73\x73\x77\x6f\x72\x64\x00"),   /* 95 */
		SH_C2S("\x52\x00\x00\x01\x05\xa6\x0f\x00\x00\x00\x00\x01\x21\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x75\x73\x65\x72\x31\x30\x00\x14\x55\xee\x72\xf0"
		       "\xc6\x69\x4c\xbb\x3a\x10\x4e\xb9\x7f\x8e\xe3\x2a\x6a\x91\xf8\xb1"
		       "\x6d\x79\x73\x71\x6c\x5f\x6e\x61\x74\x69\x76\x65\x5f\x70\x61\x73"
		       "\x73\x77\x6f\x72\x64\x00"),   /* 86 */
		SH_S2C("\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00"),   /* 11 */
		SH_C2S("\x21\x00\x00\x00\x03\x73\x65\x6c\x65\x63\x74\x20\x40\x40\x76\x65"
		       "\x72\x73\x69\x6f\x6e\x5f\x63\x6f\x6d\x6d\x65\x6e\x74\x20\x6c\x69"
		       "\x6d\x69\x74\x20\x31"),   /* 37 */
		SH_S2C("\x01\x00\x00\x01\x01\x27\x00\x00\x02\x03\x64\x65\x66\x00\x00\x00"
		       "\x11\x40\x40\x76\x65\x72\x73\x69\x6f\x6e\x5f\x63\x6f\x6d\x6d\x65"
		       "\x6e\x74\x00\x0c\x21\x00\x18\x00\x00\x00\xfd\x00\x00\x1f\x00\x00"
		       "\x05\x00\x00\x03\xfe\x00\x00\x02\x00\x09\x00\x00\x04\x08\x28\x55"
		       "\x62\x75\x6e\x74\x75\x29\x05\x00\x00\x05\xfe\x00\x00\x02\x00"),   /* 79 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 86, "packet", "{\"length\":82,\"seq\":1}"),
		ADU(C2S, 86, 37, "COM_QUERY", "{\"length\":33,\"seq\":0}"),
		ADU(S2C, 0, 95, "HandshakeV10", "{\"length\":91,\"seq\":0}"),
		ADU(S2C, 95, 11, "OK", "{\"length\":7,\"seq\":2}"),
		ADU(S2C, 106, 5, "packet", "{\"length\":1,\"seq\":1}"),
		ADU(S2C, 111, 43, "packet", "{\"length\":39,\"seq\":2}"),
		ADU(S2C, 154, 9, "EOF", "{\"length\":5,\"seq\":3}"),
		ADU(S2C, 163, 13, "packet", "{\"length\":9,\"seq\":4}"),
		ADU(S2C, 176, 9, "EOF", "{\"length\":5,\"seq\":5}"),
	};

	sh_check("mysql", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * A result set of 300 rows: sequence ids wrap past 255, so rows come
 * at sequence ids 0, 1 and 2 again. They stay rows ("packet") whatever
 * their first byte -- a row at seq 0 whose first column is 10 bytes long
 * starts with 0x0a like HandshakeV10, one whose first column is empty
 * starts with 0x00 like OK -- because the response is known to be in its
 * rows until the EOF. The OK of the next command is named again.
 */
#define WR_ROWS 300

static void test_mysql_wrapped_rows(void **state)
{
	static const char head[] =
		"\x01\x00\x00\x01\x01"                               /* 5 */
		"\x17\x00\x00\x02" "\x03" "def" "\0\0\0" "\x01" "1" "\0"
		"\x0c\x3f\x00\x01\x00\x00\x00\x08\x81\x00\x00\x00\x00" /* 27 */
		"\x05\x00\x00\x03\xfe\x00\x00\x02\x00";              /* 9 */
	static const char ok[] = "\x07\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00";
	struct sh_expect *exp = calloc(WR_ROWS + 7, sizeof(*exp));
	uint8_t *buf = malloc(sizeof(head) + WR_ROWS * 15 + 9 + sizeof(ok));
	struct sh_msg msgs[3];
	size_t n = 0, off = 0, e = 2;  /* the list is c2s first */

	(void)state;
	assert_non_null(exp);
	assert_non_null(buf);
	memcpy(buf, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	exp[e++] = (struct sh_expect)ADU(S2C, 0, 5, "packet", NULL);
	exp[e++] = (struct sh_expect)ADU(S2C, 5, 27, "packet", NULL);
	exp[e++] = (struct sh_expect)ADU(S2C, 32, 9, "EOF", NULL);
	for (unsigned r = 0; r < WR_ROWS; r++) {
		uint8_t seq = (uint8_t)(4 + r);
		static const uint8_t ten[] = "\x0a" "0123456789";          /* 11 */
		static const uint8_t empty[] = "\x00\x06" "abcdef" "\x00";  /* 9 */
		static const uint8_t one[] = "\x01" "1";                   /* 2 */
		const uint8_t *row = seq == 0 ? ten : seq <= 2 ? empty : one;
		size_t len = seq == 0 ? 11 : seq <= 2 ? 9 : 2;

		off = n;
		buf[n++] = (uint8_t)len;
		buf[n++] = 0;
		buf[n++] = 0;
		buf[n++] = seq;
		memcpy(buf + n, row, len);
		n += len;
		exp[e++] = (struct sh_expect)ADU(S2C, off, 4 + len, "packet", NULL);
	}
	off = n;
	memcpy(buf + n, "\x05\x00\x00\x30\xfe\x00\x00\x02\x00", 9);   /* seq 48 */
	n += 9;
	exp[e++] = (struct sh_expect)ADU(S2C, off, 9, "EOF", "{\"length\":5,\"seq\":48}");
	off = n;
	memcpy(buf + n, ok, sizeof(ok) - 1);
	n += sizeof(ok) - 1;
	exp[e++] = (struct sh_expect)ADU(S2C, off, 11, "OK", NULL);
	exp[0] = (struct sh_expect)ADU(C2S, 0, 13, "COM_QUERY", NULL);
	exp[1] = (struct sh_expect)ADU(C2S, 13, 5, "COM_PING", NULL);
	msgs[0] = (struct sh_msg)SH_C2S("\x09\x00\x00\x00\x03" "select 1");
	msgs[1] = (struct sh_msg){ S2C, buf, n - 11 };
	msgs[2] = (struct sh_msg){ S2C, buf + n - 11, 11 };
	{
		/* the OK answers a COM_PING sent after the result set */
		struct sh_msg all[4] = { msgs[0], msgs[1], SH_C2S("\x01\x00\x00\x00\x0e"),
					 msgs[2] };
		struct sh_conv conv = { .spec = pne_builtin_spec("mysql"), .msgs = all,
					.nmsgs = 4 };

		sh_check_conv(&conv, exp, e, NULL);
	}
	free(buf);
	free(exp);
}

/*
 * Resync window: picked up mid-stream on the header 00 00 02 10 (a
 * payload of 131072 bytes, sequence id 0x10) followed by COM_PINGs. The
 * first offset passes the header test, but its length is over the
 * resync window (64 KiB + 4), so it is rejected before its payload is
 * skipped and the scan goes on from its second byte -- the pings are
 * found instead of swallowed. The offsets inside the bad header fail:
 * 00 02 10 01 is over the window too, 02 10 01 00 and 10 01 00 00 would
 * be COM_SLEEP, which a resync candidate can't be.
 */
static void test_mysql_resync_window(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x00\x02\x10"
		       "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e"
		       "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e"),
	};
	static const struct sh_expect exp[] = {
		UNC(C2S, 4, 5, "COM_PING", NULL),
		UNC(C2S, 9, 5, "COM_PING", NULL),
		UNC(C2S, 14, 5, "COM_PING", NULL),
		UNC(C2S, 19, 5, "COM_PING", NULL),
		ADU(C2S, 24, 5, "COM_PING", NULL),
		ADU(C2S, 29, 5, "COM_PING", NULL),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("mysql"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs), .unsynced_start = { 1, 0 } };

	sh_check_conv(&conv, exp, SH_NELEM(exp), NULL);
}

/*
 * Zero-filled data (a BLOB of zeros) reads as empty packets with sequence
 * id 0: not resync candidates, in either direction; and a server packet
 * at sequence id 0 (the last byte of a packet and the next one's length)
 * isn't one either, nor a candidate chain whose sequence ids don't follow.
 */
static void test_mysql_resync_zeros(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
		       "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e"
		       "\x01\x00\x00\x00\x0e" "\x01\x00\x00\x00\x0e"),
		/* zeros, then rows at sequence ids 7, 8, 9, 10, 11 */
		SH_S2C("\0\0\0\0\0\0\0\0\0\0\0"
		       "\x02\x00\x00\x07\x01" "a" "\x02\x00\x00\x08\x01" "b"
		       "\x02\x00\x00\x09\x01" "c" "\x02\x00\x00\x0a\x01" "d"
		       "\x02\x00\x00\x0b\x01" "e"),
	};
	static const struct sh_expect exp[] = {
		UNC(C2S, 16, 5, "COM_PING", NULL),
		UNC(C2S, 21, 5, "COM_PING", NULL),
		UNC(C2S, 26, 5, "COM_PING", NULL),
		UNC(C2S, 31, 5, "COM_PING", NULL),
		ADU(C2S, 36, 5, "COM_PING", NULL),
		UNC(S2C, 11, 6, "packet", "{\"length\":2,\"seq\":7}"),
		UNC(S2C, 17, 6, "packet", NULL),
		UNC(S2C, 23, 6, "packet", NULL),
		UNC(S2C, 29, 6, "packet", NULL),
		ADU(S2C, 35, 6, "packet", "{\"length\":2,\"seq\":11}"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("mysql"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs), .unsynced_start = { 1, 1 } };

	sh_check_conv(&conv, exp, SH_NELEM(exp), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mysql_session),
		cmocka_unit_test(test_mysql_ssl),
		cmocka_unit_test(test_mysql_multipacket),
		cmocka_unit_test(test_mysql_midstream),
		cmocka_unit_test(test_mysql_arkime_capture),
		cmocka_unit_test(test_mysql_wrapped_rows),
		cmocka_unit_test(test_mysql_resync_window),
		cmocka_unit_test(test_mysql_resync_zeros),
	};

	return cmocka_run_group_tests_name("spec_mysql", tests, NULL, NULL);
}
