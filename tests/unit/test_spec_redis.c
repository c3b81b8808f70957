/*
 * specs/redis.pne against byte streams built from the Redis protocol
 * specification (RESP2, the RESP3 additions, inline commands) and two
 * real conversations: zeek's redis/pipelining-example.pcap and tcpdump's
 * resp_2_inline.pcap. One ADU per top-level value; "elements" counts the
 * values it holds, nested ones included.
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

/* Commands as arrays of bulk strings; RESP2 replies of every type. */
static void test_redis_resp2(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* SET key value: 4 + 4 + 5 + 4 + 5 + 4 + 7 = 33 */
		SH_C2S("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"),
		SH_S2C("+OK\r\n"),                                   /* 0..5 */
		/* GET key (22), GET missing (26), split inside a bulk */
		SH_C2S("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*2\r\n$3\r\nGET\r\n$7\r\nmi"),
		SH_C2S("ssing\r\n"),
		SH_S2C("$5\r\nvalue\r\n"                             /* 5..16 */
		       "$-1\r\n"),                                   /* 16..21 */
		/* LRANGE l 0 -1: 4 + 4 + 8 + 4 + 3 + 4 + 3 + 4 + 4 = 38 */
		SH_C2S("*4\r\n$6\r\nLRANGE\r\n$1\r\nl\r\n$1\r\n0\r\n$2\r\n-1\r\n"),
		/* nested: [[1, 2], nil]: 4 + 4 + 4 + 4 + 5 = 21 */
		SH_S2C("*2\r\n*2\r\n:1\r\n:2\r\n$-1\r\n"),           /* 21..42 */
		SH_S2C("*0\r\n"                                      /* 42..46 */
		       "*-1\r\n"                                     /* 46..51 */
		       ":-1000\r\n"                                  /* 51..59 */
		       "-ERR unknown command\r\n"                    /* 59..81 */
		       "$0\r\n\r\n"),                                /* 81..87 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 33, "command", "{\"command\":\"SET\",\"elements\":4}"),
		ADU(C2S, 33, 22, "command", "{\"command\":\"GET\",\"elements\":3}"),
		ADU(C2S, 55, 26, "command", "{\"command\":\"GET\",\"elements\":3}"),
		ADU(C2S, 81, 38, "command", "{\"command\":\"LRANGE\",\"elements\":5}"),
		ADU(S2C, 0, 5, "simple_string", "{\"elements\":1}"),
		ADU(S2C, 5, 11, "bulk_string", "{\"elements\":1}"),
		ADU(S2C, 16, 5, "bulk_string", "{\"elements\":1}"),
		ADU(S2C, 21, 21, "array", "{\"elements\":5}"),
		ADU(S2C, 42, 4, "array", "{\"elements\":1}"),
		ADU(S2C, 46, 5, "array", "{\"elements\":1}"),
		ADU(S2C, 51, 8, "integer", NULL),
		ADU(S2C, 59, 22, "error", NULL),
		ADU(S2C, 81, 6, "bulk_string", NULL),
	};

	sh_check("redis", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* RESP3 (HELLO 3): map, attribute, set, push, null, double, boolean,
 * big number, blob error, verbatim string. */
static void test_redis_resp3(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* HELLO 3: 4 + 4 + 7 + 4 + 3 = 22 */
		SH_C2S("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n"),
		SH_S2C("%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n"  /* 0..33 */
		       "|1\r\n+ttl\r\n:3600\r\n$2\r\nhi\r\n"           /* 33..58 */
		       "~2\r\n:1\r\n:2\r\n"                           /* 58..70 */
		       ">2\r\n+message\r\n+hi\r\n"                    /* 70..89 */
		       "_\r\n"                                        /* 89..92 */
		       ",3.14\r\n"                                    /* 92..99 */
		       "#t\r\n"                                       /* 99..103 */
		       "(3492890328409238509324850943850943825024385\r\n" /* 103..149 */
		       "!21\r\nSYNTAX invalid syntax\r\n"             /* 149..177 */
		       "=15\r\ntxt:Some string\r\n"),                 /* 177..199 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 22, "command", "{\"command\":\"HELLO\",\"elements\":3}"),
		ADU(S2C, 0, 33, "map", "{\"elements\":5}"),
		ADU(S2C, 33, 25, "attribute", "{\"elements\":4}"),
		ADU(S2C, 58, 12, "set", "{\"elements\":3}"),
		ADU(S2C, 70, 19, "push", "{\"elements\":3}"),
		ADU(S2C, 89, 3, "null", "{\"elements\":1}"),
		ADU(S2C, 92, 7, "double", NULL),
		ADU(S2C, 99, 4, "boolean", NULL),
		ADU(S2C, 103, 46, "big_number", NULL),
		ADU(S2C, 149, 28, "blob_error", NULL),
		ADU(S2C, 177, 22, "verbatim_string", "{\"elements\":1}"),
	};

	sh_check("redis", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * A command whose first bulk string is over 62 bytes is framed without a
 * name; a 300-byte value is skipped; a 63-byte name is not reported.
 */
static void test_redis_long_bulk(void **state)
{
	(void)state;
	static uint8_t set[4 + 4 + 5 + 4 + 5 + 6 + 302];
	static uint8_t odd[4 + 5 + 65];
	const struct sh_msg msgs[] = {
		{ C2S, set, sizeof(set) },
		{ C2S, odd, sizeof(odd) },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 330, "command", "{\"command\":\"SET\",\"elements\":4}"),
		ADU(C2S, 330, 74, "command", "{\"command\":\"\",\"elements\":2}"),
	};

	memset(set, 'v', sizeof(set));
	memcpy(set, "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$300\r\n", 28);
	memcpy(set + sizeof(set) - 2, "\r\n", 2);
	memset(odd, 'X', sizeof(odd));
	memcpy(odd, "*1\r\n$63\r\n", 9);
	memcpy(odd + sizeof(odd) - 2, "\r\n", 2);
	sh_check("redis", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * A bulk string whose length is wrong (3 for "PINGX": no CRLF where one
 * must be), a reply starting with '?', a length that is not a number.
 * Each makes its direction invalid; resync confirms two values starting
 * with a valid type byte.
 */
static void test_redis_resync(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("*1\r\n$4\r\nPING\r\n"                        /* 0..14 */
		       "*1\r\n$3\r\nPINGX\r\n"),                     /* 14..29, bad */
		SH_C2S("*1\r\n$4\r\nPING\r\n"                        /* 29..43 */
		       "*1\r\n$4\r\nPING\r\n"                        /* 43..57 */
		       "*1\r\n$4\r\nPING\r\n"),                      /* 57..71 */
		SH_S2C("+PONG\r\n"                                   /* 0..7 */
		       "?foo\r\n"                                    /* 7..13, bad */
		       "+PONG\r\n"                                   /* 13..20 */
		       "$x\r\n"                                      /* 20..24, bad */
		       "+PONG\r\n+PONG\r\n+PONG\r\n"),               /* 24..45 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 14, "command", "\"command\":\"PING\""),
		UNC(C2S, 29, 14, "command", "\"command\":\"PING\""),
		UNC(C2S, 43, 14, "command", "\"command\":\"PING\""),
		ADU(C2S, 57, 14, "command", "\"command\":\"PING\""),
		ADU(S2C, 0, 7, "simple_string", NULL),
		UNC(S2C, 13, 7, "simple_string", NULL),
		UNC(S2C, 24, 7, "simple_string", NULL),
		UNC(S2C, 31, 7, "simple_string", NULL),
		ADU(S2C, 38, 7, "simple_string", NULL),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("redis"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 3);
	sh_result_free(&res);
}

/* zeek's redis/pipelining-example.pcap: three inline PINGs, three PONGs. */
static void test_redis_zeek_pipelining(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x50\x49\x4e\x47\x0d\x0a\x50\x49\x4e\x47\x0d\x0a\x50\x49\x4e\x47"
		       "\x0d\x0a"),
		SH_S2C("\x2b\x50\x4f\x4e\x47\x0d\x0a\x2b\x50\x4f\x4e\x47\x0d\x0a\x2b\x50"
		       "\x4f\x4e\x47\x0d\x0a"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 6, "inline", "{\"command\":\"\",\"elements\":1}"),
		ADU(C2S, 6, 6, "inline", NULL),
		ADU(C2S, 12, 6, "inline", NULL),
		ADU(S2C, 0, 7, "simple_string", "{\"elements\":1}"),
		ADU(S2C, 7, 7, "simple_string", NULL),
		ADU(S2C, 14, 7, "simple_string", NULL),
	};

	sh_check("redis", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * tcpdump's tests/resp_2_inline.pcap: inline commands, and the server's
 * replies in one 1288-byte stretch, including LRANGE's array of 174
 * one-byte bulk strings (the letters below, as captured).
 */
static void test_redis_tcpdump_inline(void **state)
{
	(void)state;
	static const char letters[] =
		"sidersidersidersidersidersidersidersidersidersidersidersid"
		"ersidersidersidersidersidersidersidersiderirsidersiderside"
		"rsidersidersidersiderdrsidersidersidersidersiderisiersider";
	static const char head[] = "+OK\r\n:2\r\n+OK\r\n$5\r\nredis\r\n"
		":170\r\n:171\r\n:172\r\n:173\r\n:174\r\n*174\r\n";
	static char replies[1288];
	static const struct sh_msg msgs[] = {
		SH_C2S("set test 1\r\n"),
		SH_C2S("incr test\r\nset test2 redis\r\nget test2\r\n"
		       "lpush test3 r\r\nlpush test3 e\r\nlpush test3 d\r\n"
		       "lpush test3 i\r\nlpush test3 s\r\nlrange test3 0 -1\r\n"
		       "del test4\r\n"),
		SH_C2S("get test4\r\n"),
		{ S2C, replies, sizeof(replies) },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 12, "inline", "{\"command\":\"\",\"elements\":1}"),
		ADU(C2S, 12, 11, "inline", NULL),
		ADU(C2S, 23, 17, "inline", NULL),
		ADU(C2S, 40, 11, "inline", NULL),
		ADU(C2S, 51, 15, "inline", NULL),
		ADU(C2S, 66, 15, "inline", NULL),
		ADU(C2S, 81, 15, "inline", NULL),
		ADU(C2S, 96, 15, "inline", NULL),
		ADU(C2S, 111, 15, "inline", NULL),
		ADU(C2S, 126, 19, "inline", NULL),
		ADU(C2S, 145, 11, "inline", NULL),
		ADU(C2S, 156, 11, "inline", NULL),
		ADU(S2C, 0, 5, "simple_string", NULL),
		ADU(S2C, 5, 4, "integer", NULL),
		ADU(S2C, 9, 5, "simple_string", NULL),
		ADU(S2C, 14, 11, "bulk_string", NULL),
		ADU(S2C, 25, 6, "integer", NULL),
		ADU(S2C, 31, 6, "integer", NULL),
		ADU(S2C, 37, 6, "integer", NULL),
		ADU(S2C, 43, 6, "integer", NULL),
		ADU(S2C, 49, 6, "integer", NULL),
		/* "*174\r\n" + 174 * "$1\r\nX\r\n" */
		ADU(S2C, 55, 6 + 174 * 7, "array", "{\"elements\":175}"),
		ADU(S2C, 1279, 4, "integer", NULL),
		ADU(S2C, 1283, 5, "bulk_string", NULL),
	};
	size_t n = sizeof(head) - 1;

	memcpy(replies, head, n);
	for (size_t i = 0; i < 174; i++) {
		memcpy(replies + n, "$1\r\nX\r\n", 7);
		replies[n + 4] = letters[i];
		n += 7;
	}
	memcpy(replies + n, ":0\r\n$-1\r\n", 9);
	assert_int_equal(n + 9, sizeof(replies));
	sh_check("redis", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * An inline command is any line that starts with a letter, as text and
 * random bytes do: picked up mid-stream in such lines, the resync skips
 * them and confirms on arrays; once synced, inline commands are framed
 * again.
 */
static void test_redis_resync_no_inline(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("ue x\nyz w\n"                                  /* 10 */
		       "*1\r\n$4\r\nPING\r\n" "*1\r\n$4\r\nPING\r\n"     /* 14 each */
		       "*1\r\n$4\r\nPING\r\n" "PING\r\n"),
	};
	static const struct sh_expect exp[] = {
		UNC(C2S, 10, 14, "command", "\"command\":\"PING\""),
		UNC(C2S, 24, 14, "command", NULL),
		ADU(C2S, 38, 14, "command", NULL),
		ADU(C2S, 52, 6, "inline", NULL),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("redis"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs), .unsynced_start = { 1, 0 } };

	sh_check_conv(&conv, exp, SH_NELEM(exp), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redis_resp2),
		cmocka_unit_test(test_redis_resp3),
		cmocka_unit_test(test_redis_long_bulk),
		cmocka_unit_test(test_redis_resync),
		cmocka_unit_test(test_redis_zeek_pipelining),
		cmocka_unit_test(test_redis_tcpdump_inline),
		cmocka_unit_test(test_redis_resync_no_inline),
	};

	return cmocka_run_group_tests_name("spec_redis", tests, NULL, NULL);
}
