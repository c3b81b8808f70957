/*
 * specs/dns.pne against DNS over TCP conversations (RFC 1035 4.2.2,
 * RFC 7766): several length-prefixed messages per segment, messages
 * split across segments, out-of-order responses, and resync.
 */
#include "spec_harness.h"

#define L(s) (sizeof(s) - 1)

/* Queries and responses of suricata-verify dns-tcp-multirequest-buffer:
 * "0.google.com" A, id 0..; the answers are NXDOMAIN with an SOA. */
#define Q(n) "\x00\x1e" "\x00" n "\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" \
	"\x01" "0" "\x06google\x03" "com\x00\x00\x01\x00\x01"
#define R(n) "\x00\x50" "\x00" n "\x81\x83\x00\x01\x00\x00\x00\x01\x00\x00" \
	"\x01" "0" "\x06google\x03" "com\x00\x00\x01\x00\x01" \
	"\xc0\x0e\x00\x06\x00\x01\x00\x00\x00\x3c\x00\x26" \
	"\x03ns2\xc0\x0e\x09" "dns-admin\xc0\x0e\x08\x2d\x36\xed\x00\x00\x03\x84" \
	"\x00\x00\x03\x84\x00\x00\x07\x08\x00\x00\x00\x3c"

#define QF(id) "{\"id\":" #id ",\"qr\":0,\"opcode\":0,\"aa\":0,\"tc\":0,\"rd\":1,\"ra\":0," \
	"\"rcode\":0,\"qdcount\":1,\"ancount\":0,\"nscount\":0,\"arcount\":0}"
#define RF(id) "{\"id\":" #id ",\"qr\":1,\"opcode\":0,\"aa\":0,\"tc\":0,\"rd\":1,\"ra\":1," \
	"\"rcode\":3,\"qdcount\":1,\"ancount\":0,\"nscount\":1,\"arcount\":0}"

static void test_several_per_segment(void **state)
{
	/* 2 + 30 bytes per query, 2 + 80 per response */
	const struct sh_msg msgs[] = {
		SH_C2S(Q("\x00") Q("\x01") Q("\x02")),
		SH_C2S(Q("\x03")),
		SH_S2C(R("\x00")),
		SH_S2C(R("\x02") R("\x01")),  /* RFC 7766 6.2.1.1: any order */
		SH_S2C(R("\x03")),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 32, "query", QF(0)),
		SH_EXP(PNE_C2S, 32, 32, "query", QF(1)),
		SH_EXP(PNE_C2S, 64, 32, "query", QF(2)),
		SH_EXP(PNE_C2S, 96, 32, "query", QF(3)),
		SH_EXP(PNE_S2C, 0, 82, "response", RF(0)),
		SH_EXP(PNE_S2C, 82, 82, "response", RF(2)),
		SH_EXP(PNE_S2C, 164, 82, "response", RF(1)),
		SH_EXP(PNE_S2C, 246, 82, "response", RF(3)),
	};

	(void)state;
	assert_int_equal(L(Q("\x00")), 32);
	assert_int_equal(L(R("\x00")), 82);
	sh_check("dns", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* NOTIFY (RFC 1996, opcode 4) and UPDATE (RFC 2136, opcode 5) with an
 * authoritative, truncated-bit response; a message split one byte into
 * its length prefix. */
#define NOTIFY "\x00\x1d" "\xbe\xef\x20\x00\x00\x01\x00\x00\x00\x00\x00\x00" \
	"\x07" "example\x03" "com\x00\x00\x06\x00\x01"
#define NOTIFY_ACK "\x00\x1d" "\xbe\xef\xa4\x00\x00\x01\x00\x00\x00\x00\x00\x00" \
	"\x07" "example\x03" "com\x00\x00\x06\x00\x01"
/* UPDATE: zone example.com SOA, one prerequisite-less add of a TXT */
#define UPDATE "\x00\x2d" "\x12\x34\x28\x00\x00\x01\x00\x00\x00\x01\x00\x00" \
	"\x07" "example\x03" "com\x00\x00\x06\x00\x01" \
	"\xc0\x0c\x00\x10\x00\x01\x00\x00\x0e\x10\x00\x04\x03" "abc"
#define UPDATE_REFUSED "\x00\x0c" "\x12\x34\xaa\x05\x00\x00\x00\x00\x00\x00\x00\x00"

static void test_notify_update(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("\x00"),
		SH_C2S("\x1d" "\xbe\xef\x20\x00\x00\x01\x00\x00\x00\x00\x00\x00"
		       "\x07" "example\x03" "com\x00\x00\x06\x00\x01" UPDATE),
		SH_S2C(NOTIFY_ACK UPDATE_REFUSED),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 31, "query",
		  "{\"id\":48879,\"qr\":0,\"opcode\":4,\"aa\":0,\"tc\":0,\"rd\":0,\"ra\":0,"
		  "\"rcode\":0,\"qdcount\":1,\"ancount\":0,\"nscount\":0,\"arcount\":0}"),
		SH_EXP(PNE_C2S, 31, 47, "query",
		  "{\"id\":4660,\"qr\":0,\"opcode\":5,\"aa\":0,\"tc\":0,\"rd\":0,\"ra\":0,"
		  "\"rcode\":0,\"qdcount\":1,\"ancount\":0,\"nscount\":1,\"arcount\":0}"),
		SH_EXP(PNE_S2C, 0, 31, "response",
		  "{\"id\":48879,\"qr\":1,\"opcode\":4,\"aa\":1,\"tc\":0,\"rd\":0,\"ra\":0,"
		  "\"rcode\":0,\"qdcount\":1,\"ancount\":0,\"nscount\":0,\"arcount\":0}"),
		SH_EXP(PNE_S2C, 31, 14, "response",
		  "{\"id\":4660,\"qr\":1,\"opcode\":5,\"aa\":0,\"tc\":1,\"rd\":0,\"ra\":0,"
		  "\"rcode\":5,\"qdcount\":0,\"ancount\":0,\"nscount\":0,\"arcount\":0}"),
	};

	(void)state;
	assert_int_equal(L(NOTIFY), 31);
	assert_int_equal(L(UPDATE), 47);
	assert_int_equal(L(UPDATE_REFUSED), 14);
	sh_check("dns", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * An unassigned opcode (3) makes a message invalid. resync confirm 3
 * then tests candidate offsets; the bytes are chosen so that every
 * candidate inside the broken message, or straddling it and the next
 * one, fails (opcode 15 or 3, a zero length, counts that don't fit), so
 * the scan lands on the next real message wherever it starts, and three
 * messages in a row must parse before they count as synchronised.
 */
static void test_resync(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("\x00\x0c\x00\x01\x98\xff\xff\xff\xff\xff\x00\x00\xff\xff"
		       "\x00\x1e\xff\xf8\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
		       "\x01" "0" "\x06google\x03" "com\x00\x00\x01\x00\x01" Q("\x08")),
		SH_C2S(Q("\x09") Q("\x0a")),
		SH_S2C("\x00\x0c\x00\x01\x98\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		       R("\x07") R("\x08") R("\x09")),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 14, 32, "query", QF(65528), 1),
		SH_EXP(PNE_C2S, 46, 32, "query", QF(8), 1),
		SH_EXP(PNE_C2S, 78, 32, "query", QF(9), 1),
		SH_EXP(PNE_C2S, 110, 32, "query", QF(10)),
		SH_EXP(PNE_S2C, 14, 82, "response", RF(7), 1),
		SH_EXP(PNE_S2C, 96, 82, "response", RF(8), 1),
		SH_EXP(PNE_S2C, 178, 82, "response", RF(9), 1),
	};
	struct sh_conv conv = { pne_builtin_spec("dns"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 2);
	sh_result_free(&res);
}

/* A query cut short by the end of the connection is not an ADU. */
static void test_truncated_at_close(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(Q("\x01") "\x00\x1e\x00\x02\x01"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 32, "query", QF(1)),
	};
	struct sh_conv conv = { pne_builtin_spec("dns"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.partial, 1);
	sh_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_several_per_segment),
		cmocka_unit_test(test_notify_update),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_truncated_at_close),
	};

	return cmocka_run_group_tests_name("spec_dns", tests, NULL, NULL);
}
