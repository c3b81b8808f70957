/*
 * specs/bgp.pne against byte streams built from RFC 4271 (4.1 header,
 * 4.2 OPEN, 4.3 UPDATE, 4.4 KEEPALIVE, 4.5 NOTIFICATION), RFC 2918
 * (ROUTE-REFRESH), RFC 8654 (extended messages) and RFC 9072 (extended
 * optional parameters length), and arkime's cloudshark-bgp-md5.pcap.
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

/* The 16-octet marker of all ones. */
#define MARKER "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
#define KEEPALIVE MARKER "\x00\x13\x04"

/* The JSON of a message without OPEN or NOTIFICATION fields. */
#define PLAIN(t, l) "{\"type\":" #t ",\"length\":" #l ",\"version\":0,\"my_as\":0," \
	"\"hold_time\":0,\"bgp_id\":0,\"error_code\":0,\"error_subcode\":0}"

/*
 * OPEN with a multiprotocol capability, UPDATE announcing
 * 198.51.100.0/24, KEEPALIVE, ROUTE-REFRESH, NOTIFICATION Cease /
 * Administrative Shutdown with a shutdown communication (RFC 8203), and
 * a 5000-octet UPDATE (RFC 8654).
 */
static void test_bgp_session(void **state)
{
	(void)state;
	static uint8_t ext[5000];
	const struct sh_msg msgs[] = {
		/* OPEN: version 4, AS 65001, hold 90, id 192.0.2.1,
		 * 8 octets of parameters: 19 + 10 + 8 = 37 */
		SH_C2S(MARKER "\x00\x25\x01" "\x04\xfd\xe9\x00\x5a\xc0\x00\x02\x01\x08"
		       "\x02\x06\x01\x04\x00\x01\x00\x01"),
		/* OPEN: AS 65002, hold 180, id 192.0.2.2, no parameters (29);
		 * KEEPALIVE (19) */
		SH_S2C(MARKER "\x00\x1d\x01" "\x04\xfd\xea\x00\xb4\xc0\x00\x02\x02\x00"
		       KEEPALIVE),
		/* KEEPALIVE (19); UPDATE: no withdrawn routes, 20 octets of
		 * ORIGIN, AS_PATH, NEXT_HOP, NLRI /24: 19 + 4 + 20 + 4 = 47 */
		SH_C2S(KEEPALIVE
		       MARKER "\x00\x2f\x02" "\x00\x00\x00\x14"
		       "\x40\x01\x01\x00" "\x40\x02\x06\x02\x01\x00\x00\xfd\xe9"
		       "\x40\x03\x04\xc0\x00\x02\x01" "\x18\xc6\x33\x64"
		       /* ROUTE-REFRESH IPv4 unicast (23), split */
		       MARKER "\x00\x17"),
		SH_C2S("\x05\x00\x01\x00\x01"),
		{ S2C, ext, sizeof(ext) },
		/* NOTIFICATION 6/2, "bye": 19 + 2 + 4 = 25 */
		SH_C2S(MARKER "\x00\x19\x03" "\x06\x02" "\x03" "bye"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 37, "OPEN",
		    "{\"type\":1,\"length\":37,\"version\":4,\"my_as\":65001,"
		    "\"hold_time\":90,\"bgp_id\":3221225985,\"error_code\":0,"
		    "\"error_subcode\":0}"),
		ADU(C2S, 37, 19, "KEEPALIVE", PLAIN(4, 19)),
		ADU(C2S, 56, 47, "UPDATE", PLAIN(2, 47)),
		ADU(C2S, 103, 23, "ROUTE-REFRESH", PLAIN(5, 23)),
		ADU(C2S, 126, 25, "NOTIFICATION",
		    "{\"type\":3,\"length\":25,\"version\":0,\"my_as\":0,"
		    "\"hold_time\":0,\"bgp_id\":0,\"error_code\":6,"
		    "\"error_subcode\":2}"),
		ADU(S2C, 0, 29, "OPEN", "\"my_as\":65002,\"hold_time\":180,\"bgp_id\":3221225986,"),
		ADU(S2C, 29, 19, "KEEPALIVE", NULL),
		ADU(S2C, 48, 5000, "UPDATE", PLAIN(2, 5000)),
	};

	memset(ext, 0, sizeof(ext));
	memcpy(ext, MARKER "\x13\x88\x02", 19);
	sh_check("bgp", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * An OPEN whose Non-Ext OP Len is 255 (RFC 9072: the real length, 2
 * octets, follows an extended type of 255) but whose parameters are
 * shorter than 255 octets.
 */
static void test_bgp_extended_opt_params(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* 19 + 10 + 1 (type 255) + 2 (length 11) + 11 = 43 */
		SH_C2S(MARKER "\x00\x2b\x01" "\x04\x5b\xa0\x00\xb4\x0a\x00\x00\x01\xff"
		       "\xff\x00\x0b" "\x02\x00\x09\x41\x04\x00\x01\x00\x00\x02\x00"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 43, "OPEN", "\"my_as\":23456,"),
	};

	sh_check("bgp", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * A message of unknown type 9 followed by twenty 0xff octets right
 * before a marker: an anchor on the marker would match too early; the
 * confirm test also checks the length and type after it. On the server
 * side, a KEEPALIVE of length 20 (must be 19).
 */
static void test_bgp_resync(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S(MARKER "\x00\x25\x01" "\x04\xfd\xe9\x00\x5a\xc0\x00\x02\x01\x08"
		       "\x02\x06\x01\x04\x00\x01\x00\x01"),              /* 0..37 */
		SH_C2S(MARKER "\x00\x13\x09"),                        /* 37..56 */
		SH_C2S("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),   /* 56..76 */
		SH_C2S(KEEPALIVE KEEPALIVE KEEPALIVE),                /* 76..133 */
		SH_S2C(MARKER "\x00\x14\x04" "\x00"),                 /* 0..20 */
		SH_S2C(KEEPALIVE KEEPALIVE KEEPALIVE),                /* 20..77 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 37, "OPEN", NULL),
		UNC(C2S, 76, 19, "KEEPALIVE", NULL),
		UNC(C2S, 95, 19, "KEEPALIVE", NULL),
		ADU(C2S, 114, 19, "KEEPALIVE", NULL),
		UNC(S2C, 20, 19, "KEEPALIVE", NULL),
		UNC(S2C, 39, 19, "KEEPALIVE", NULL),
		ADU(S2C, 58, 19, "KEEPALIVE", NULL),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("bgp"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 2);
	assert_int_equal(res.stats.resyncs, 2);
	sh_result_free(&res);
}

/*
 * arkime's tests/pcap/cloudshark-bgp-md5.pcap (TCP-MD5 signed), as
 * tshark's "follow,tcp,raw" shows it: OPENs from AS 65100 (10.0.0.1)
 * and AS 65200 (10.0.0.2), hold time 180, then KEEPALIVEs (tshark:
 * bgp.type 1, bgp.length 45; bgp.type 4, bgp.length 19).
 */
static void test_bgp_arkime_capture(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x2d\x01\x04\xfe\x4c\x00\xb4\x0a\x00\x00\x01\x10\x02\x06\x01"
		       "\x04\x00\x01\x00\x01\x02\x02\x80\x00\x02\x02\x02\x00"),   /* 45 */
		SH_S2C("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x2d\x01\x04\xfe\xb0\x00\xb4\x0a\x00\x00\x02\x10\x02\x06\x01"
		       "\x04\x00\x01\x00\x01\x02\x02\x80\x00\x02\x02\x02\x00"),   /* 45 */
		SH_S2C("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x13\x04"),   /* 19 */
		SH_C2S("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x13\x04"),   /* 19 */
		SH_S2C("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x13\x04"),   /* 19 */
		SH_C2S("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x13\x04"),   /* 19 */
		SH_S2C("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x13\x04"),   /* 19 */
		SH_C2S("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x13\x04"),   /* 19 */
		SH_S2C("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x13\x04"),   /* 19 */
		SH_C2S("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       "\x00\x13\x04"),   /* 19 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 45, "OPEN",
		    "{\"type\":1,\"length\":45,\"version\":4,\"my_as\":65100,"
		    "\"hold_time\":180,\"bgp_id\":167772161,\"error_code\":0,"
		    "\"error_subcode\":0}"),
		ADU(C2S, 45, 19, "KEEPALIVE", PLAIN(4, 19)),
		ADU(C2S, 64, 19, "KEEPALIVE", PLAIN(4, 19)),
		ADU(C2S, 83, 19, "KEEPALIVE", PLAIN(4, 19)),
		ADU(C2S, 102, 19, "KEEPALIVE", PLAIN(4, 19)),
		ADU(S2C, 0, 45, "OPEN",
		    "{\"type\":1,\"length\":45,\"version\":4,\"my_as\":65200,"
		    "\"hold_time\":180,\"bgp_id\":167772162,\"error_code\":0,"
		    "\"error_subcode\":0}"),
		ADU(S2C, 45, 19, "KEEPALIVE", PLAIN(4, 19)),
		ADU(S2C, 64, 19, "KEEPALIVE", PLAIN(4, 19)),
		ADU(S2C, 83, 19, "KEEPALIVE", PLAIN(4, 19)),
		ADU(S2C, 102, 19, "KEEPALIVE", PLAIN(4, 19)),
	};

	sh_check("bgp", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bgp_session),
		cmocka_unit_test(test_bgp_extended_opt_params),
		cmocka_unit_test(test_bgp_resync),
		cmocka_unit_test(test_bgp_arkime_capture),
	};

	return cmocka_run_group_tests_name("spec_bgp", tests, NULL, NULL);
}
