/*
 * specs/http2.pne against HTTP/2 connections (RFC 9113): the client
 * preface and the first frames of arkime's http2-nghttp2.pcap (h2c with
 * prior knowledge), hand-built frames of every type, and resync after a
 * frame that breaks a section 6 size rule.
 */
#include "spec_harness.h"

#define L(s) (sizeof(s) - 1)

#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

/* nghttp2's first client frames (corpus bytes 24-114): SETTINGS with two
 * settings, then PRIORITY frames on streams 3, 5, 7, 9, 11. */
#define NG_SETTINGS "\x00\x00\x0c\x04\x00\x00\x00\x00\x00" \
	"\x00\x03\x00\x00\x00\x64\x00\x04\x00\x00\xff\xff"
#define NG_PRIO(s, dep, w) "\x00\x00\x05\x02\x00\x00\x00\x00" s "\x00\x00\x00" dep w
/* nghttp2's server: SETTINGS (4 settings), SETTINGS ACK */
#define NG_S_SETTINGS "\x00\x00\x18\x04\x00\x00\x00\x00\x00" \
	"\x00\x03\x00\x00\x00\x64\x00\x04\x00\x10\x00\x00\x00\x08\x00\x00" \
	"\x00\x01\x00\x01\x00\x00\x20\x00"
#define SETTINGS_ACK "\x00\x00\x00\x04\x01\x00\x00\x00\x00"

#define F(t, f, s, l) "{\"type\":" #t ",\"flags\":" #f ",\"stream_id\":" #s ",\"length\":" #l "}"

static void test_preface_and_frames(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(PREFACE NG_SETTINGS NG_PRIO("\x03", "\x00", "\xc8")
		       NG_PRIO("\x05", "\x00", "\x64") NG_PRIO("\x07", "\x00", "\x00")
		       NG_PRIO("\x09", "\x07", "\x00") NG_PRIO("\x0b", "\x03", "\x00")
		       /* HEADERS END_HEADERS|END_STREAM on 13: 4 bytes of HPACK */
		       "\x00\x00\x04\x01\x05\x00\x00\x00\x0d" "\x82\x84\x86\x41"),
		SH_S2C(NG_S_SETTINGS SETTINGS_ACK
		       /* PUSH_PROMISE END_HEADERS on 13 promising 2 */
		       "\x00\x00\x05\x05\x04\x00\x00\x00\x0d" "\x00\x00\x00\x02\x82"
		       /* HEADERS on 13, then DATA END_STREAM split */
		       "\x00\x00\x02\x01\x04\x00\x00\x00\x0d" "\x88\x5f"
		       "\x00\x00\x0a\x00\x01\x00\x00\x00\x0d" "0123"),
		SH_S2C("456789"),
		SH_C2S(SETTINGS_ACK
		       /* WINDOW_UPDATE on 0, RST_STREAM on 2, PING */
		       "\x00\x00\x04\x08\x00\x00\x00\x00\x00" "\x00\x01\x00\x00"
		       "\x00\x00\x04\x03\x00\x00\x00\x00\x02" "\x00\x00\x00\x08"
		       "\x00\x00\x08\x06\x00\x00\x00\x00\x00" "pingpong"),
		SH_S2C(/* PING ACK, a frame of unknown type 0xb (ignored by
			* receivers, framed here), GOAWAY */
		       "\x00\x00\x08\x06\x01\x00\x00\x00\x00" "pingpong"
		       "\x00\x00\x03\x0b\x00\x00\x00\x00\x00" "abc"
		       "\x00\x00\x08\x07\x00\x00\x00\x00\x00" "\x00\x00\x00\x0d\x00\x00\x00\x00"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 24, "preface", F(0, 0, 0, 0)),
		SH_EXP(PNE_C2S, 24, 21, "SETTINGS", F(4, 0, 0, 12)),
		SH_EXP(PNE_C2S, 45, 14, "PRIORITY", F(2, 0, 3, 5)),
		SH_EXP(PNE_C2S, 59, 14, "PRIORITY", F(2, 0, 5, 5)),
		SH_EXP(PNE_C2S, 73, 14, "PRIORITY", F(2, 0, 7, 5)),
		SH_EXP(PNE_C2S, 87, 14, "PRIORITY", F(2, 0, 9, 5)),
		SH_EXP(PNE_C2S, 101, 14, "PRIORITY", F(2, 0, 11, 5)),
		SH_EXP(PNE_C2S, 115, 13, "HEADERS", F(1, 5, 13, 4)),
		SH_EXP(PNE_C2S, 128, 9, "SETTINGS", F(4, 1, 0, 0)),
		SH_EXP(PNE_C2S, 137, 13, "WINDOW_UPDATE", F(8, 0, 0, 4)),
		SH_EXP(PNE_C2S, 150, 13, "RST_STREAM", F(3, 0, 2, 4)),
		SH_EXP(PNE_C2S, 163, 17, "PING", F(6, 0, 0, 8)),
		SH_EXP(PNE_S2C, 0, 33, "SETTINGS", F(4, 0, 0, 24)),
		SH_EXP(PNE_S2C, 33, 9, "SETTINGS", F(4, 1, 0, 0)),
		SH_EXP(PNE_S2C, 42, 14, "PUSH_PROMISE", F(5, 4, 13, 5)),
		SH_EXP(PNE_S2C, 56, 11, "HEADERS", F(1, 4, 13, 2)),
		SH_EXP(PNE_S2C, 67, 19, "DATA", F(0, 1, 13, 10)),
		SH_EXP(PNE_S2C, 86, 17, "PING", F(6, 1, 0, 8)),
		SH_EXP(PNE_S2C, 103, 12, "unknown", F(11, 0, 0, 3)),
		SH_EXP(PNE_S2C, 115, 17, "GOAWAY", F(7, 0, 0, 8)),
	};

	(void)state;
	assert_int_equal(L(PREFACE), 24);
	assert_int_equal(L(NG_SETTINGS), 21);
	assert_int_equal(L(NG_S_SETTINGS), 33);
	sh_check("http2", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* A large HEADERS continued by CONTINUATION, and DATA with padding
 * (the Pad Length is part of the payload: the frame length covers it). */
static void test_continuation_and_padding(void **state)
{
	static uint8_t c2s[24 + 9 + 300 + 9 + 40];
	static uint8_t s2c[9 + 20];
	const struct sh_msg msgs[] = {
		{ PNE_C2S, c2s, sizeof(c2s) },
		{ PNE_S2C, s2c, sizeof(s2c) },
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 24, "preface", NULL),
		SH_EXP(PNE_C2S, 24, 309, "HEADERS", F(1, 1, 1, 300)),
		SH_EXP(PNE_C2S, 333, 49, "CONTINUATION", F(9, 4, 1, 40)),
		SH_EXP(PNE_S2C, 0, 29, "DATA", F(0, 9, 1, 20)),
	};

	(void)state;
	memcpy(c2s, PREFACE, 24);
	memcpy(c2s + 24, "\x00\x01\x2c\x01\x01\x00\x00\x00\x01", 9);   /* 300, END_STREAM */
	memset(c2s + 33, 0x41, 300);
	memcpy(c2s + 333, "\x00\x00\x28\x09\x04\x00\x00\x00\x01", 9);  /* 40, END_HEADERS */
	memset(c2s + 342, 0x42, 40);
	memcpy(s2c, "\x00\x00\x14\x00\x09\x00\x00\x00\x01", 9);        /* PADDED|END_STREAM */
	s2c[9] = 10;                                                   /* Pad Length */
	memset(s2c + 10, 0x43, 19);
	sh_check("http2", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * Nine 0xff bytes: a frame of 16 MB with the R bit set, over the 16384
 * SETTINGS_MAX_FRAME_SIZE allows. Every candidate inside starts with
 * 0xff (too long); resync confirm 3 finds the next frame and needs three
 * frames in a row.
 */
#define JUNK "\xff\xff\xff\xff\xff\xff\xff\xff\xff"

static void test_resync(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(PREFACE JUNK
		       "\x00\x00\x04\x08\x00\x00\x00\x00\x01" "\x00\x00\x10\x00"
		       "\x00\x00\x04\x08\x00\x00\x00\x00\x03" "\x00\x00\x20\x00"),
		SH_C2S("\x00\x00\x04\x08\x00\x00\x00\x00\x05" "\x00\x00\x30\x00"
		       "\x00\x00\x04\x08\x00\x00\x00\x00\x07" "\x00\x00\x40\x00"),
		SH_S2C(JUNK SETTINGS_ACK SETTINGS_ACK SETTINGS_ACK SETTINGS_ACK),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 24, "preface", F(0, 0, 0, 0)),
		SH_EXP(PNE_C2S, 33, 13, "WINDOW_UPDATE", F(8, 0, 1, 4), 1),
		SH_EXP(PNE_C2S, 46, 13, "WINDOW_UPDATE", F(8, 0, 3, 4), 1),
		SH_EXP(PNE_C2S, 59, 13, "WINDOW_UPDATE", F(8, 0, 5, 4), 1),
		SH_EXP(PNE_C2S, 72, 13, "WINDOW_UPDATE", F(8, 0, 7, 4)),
		SH_EXP(PNE_S2C, 9, 9, "SETTINGS", F(4, 1, 0, 0), 1),
		SH_EXP(PNE_S2C, 18, 9, "SETTINGS", F(4, 1, 0, 0), 1),
		SH_EXP(PNE_S2C, 27, 9, "SETTINGS", F(4, 1, 0, 0), 1),
		SH_EXP(PNE_S2C, 36, 9, "SETTINGS", F(4, 1, 0, 0)),
	};
	struct sh_conv conv = { pne_builtin_spec("http2"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 2);
	sh_result_free(&res);
}

/* One frame breaking one rule; whatever follows never completes a frame. */
static void expect_invalid(const char *what, const void *c2s, size_t c2s_len,
			   const void *s2c, size_t s2c_len)
{
	const struct sh_msg msgs[] = {
		{ PNE_C2S, c2s, c2s_len },
		{ PNE_S2C, s2c, s2c_len },
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 24, "preface", NULL),
	};
	struct sh_conv conv = { pne_builtin_spec("http2"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	print_message("%s\n", what);
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 1);
	sh_result_free(&res);
}

#define INVALID(what, c2s, s2c) expect_invalid(what, c2s, sizeof(c2s) - 1, s2c, sizeof(s2c) - 1)

static void test_invalid_frames(void **state)
{
	(void)state;
	/* RFC 9113 8.4: clients never send PUSH_PROMISE */
	INVALID("client PUSH_PROMISE",
		PREFACE "\x00\x00\x04\x05\x04\x00\x00\x00\x01" "\x00\x00\x00\x02", "");
	/* 6.7: a PING is 8 bytes */
	INVALID("PING of 7 bytes", PREFACE,
		"\x00\x00\x07\x06\x00\x00\x00\x00\x00" "1234567");
	/* 4.1: the reserved bit */
	INVALID("R bit", PREFACE, "\x00\x00\x00\x04\x01\x80\x00\x00\x00");
	/* 6.1: DATA on stream 0 */
	INVALID("DATA on stream 0", PREFACE, "\x00\x00\x01\x00\x00\x00\x00\x00\x00" "z");
	/* 6.5: SETTINGS a multiple of 6, on stream 0, empty with ACK */
	INVALID("SETTINGS of 5 bytes", PREFACE "\x00\x00\x05\x04\x00\x00\x00\x00\x00" "12345",
		"");
	INVALID("SETTINGS on stream 1", PREFACE, "\x00\x00\x00\x04\x00\x00\x00\x00\x01");
	INVALID("SETTINGS ACK with payload", PREFACE,
		"\x00\x00\x06\x04\x01\x00\x00\x00\x00" "\x00\x00\x00\x00\x00\x00");
	/* 6.5.2: SETTINGS_MAX_FRAME_SIZE below 16384 (after an unknown
	 * setting, which receivers ignore) */
	INVALID("SETTINGS_MAX_FRAME_SIZE 16383", PREFACE,
		"\x00\x00\x0c\x04\x00\x00\x00\x00\x00" "\xff\xff\xff\xff\xff\xff"
		"\x00\x05\x00\x00\x3f\xff");
	/* 4.2: 16385 bytes before any SETTINGS raised the limit */
	INVALID("frame over SETTINGS_MAX_FRAME_SIZE", PREFACE,
		"\x00\x40\x01\x00\x00\x00\x00\x00\x01");
}

/*
 * SETTINGS_MAX_FRAME_SIZE (6.5.2) is read from SETTINGS: once the client
 * accepts 32768 bytes, the server may send a 20000-byte DATA frame.
 */
static void test_max_frame_size_learned(void **state)
{
	static uint8_t c2s[24 + 15];
	static uint8_t s2c[9 + 9 + 20000];
	const struct sh_msg msgs[] = {
		{ PNE_C2S, c2s, sizeof(c2s) },
		{ PNE_S2C, s2c, sizeof(s2c) },
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 24, "preface", NULL),
		SH_EXP(PNE_C2S, 24, 15, "SETTINGS", F(4, 0, 0, 6)),
		SH_EXP(PNE_S2C, 0, 9, "SETTINGS", F(4, 0, 0, 0)),
		SH_EXP(PNE_S2C, 9, 20009, "DATA", F(0, 1, 1, 20000)),
	};
	struct sh_conv conv = { pne_builtin_spec("http2"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };

	(void)state;
	memcpy(c2s, PREFACE, 24);
	memcpy(c2s + 24, "\x00\x00\x06\x04\x00\x00\x00\x00\x00" "\x00\x05\x00\x00\x80\x00", 15);
	memcpy(s2c, "\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9);
	memcpy(s2c + 9, "\x00\x4e\x20\x00\x01\x00\x00\x00\x01", 9);
	memset(s2c + 18, 'd', 20000);
	/* every split of 20 KB is slow under sanitizers: whole, bytewise
	 * and fast path are what matter here */
	struct sh_result res;

	sh_run_whole(&conv, &res);
	if (sh_mismatch(&res, exp, SH_NELEM(exp)) >= 0) {
		sh_print("got", &res);
		fail_msg("SETTINGS_MAX_FRAME_SIZE not applied");
	}
	sh_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preface_and_frames),
		cmocka_unit_test(test_continuation_and_padding),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_invalid_frames),
		cmocka_unit_test(test_max_frame_size_learned),
	};

	return cmocka_run_group_tests_name("spec_http2", tests, NULL, NULL);
}
