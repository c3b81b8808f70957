/*
 * specs/websocket.pne against WebSocket connections (RFC 6455): the
 * opening handshake of section 1.2, the example frames of section 5.7,
 * 16- and 64-bit payload lengths, and the invalid cases.
 */
#include "spec_harness.h"

#define L(s) (sizeof(s) - 1)

#define WS_REQ "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n" \
	"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
	"Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n" \
	"Sec-WebSocket-Version: 13\r\n\r\n"
#define WS_RSP "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" \
	"Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" \
	"Sec-WebSocket-Protocol: chat\r\n\r\n"

/* RFC 6455 5.7 */
#define HELLO "\x81\x05\x48\x65\x6c\x6c\x6f"
#define HELLO_MASKED "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"
#define HEL "\x01\x03\x48\x65\x6c"
#define LO "\x80\x02\x6c\x6f"
#define PING "\x89\x05\x48\x65\x6c\x6c\x6f"
#define PONG_MASKED "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"
#define CLOSE_MASKED "\x88\x82\x01\x02\x03\x04\x02\xea"
#define CLOSE "\x88\x02\x03\xe8"

#define HS "{\"fin\":0,\"opcode\":0,\"masked\":0,\"payload_len\":0}"
#define F(fin, op, m, len) "{\"fin\":" #fin ",\"opcode\":" #op ",\"masked\":" #m \
	",\"payload_len\":" #len "}"

static uint8_t c2s_16[2 + 2 + 4 + 128];   /* masked binary, 16-bit length */
static uint8_t c2s_64[2 + 8 + 4 + 5];     /* masked binary, 64-bit length */
static uint8_t s2c_256[2 + 2 + 256];      /* unmasked binary, 16-bit length */

static void build_frames(void)
{
	memcpy(c2s_16, "\x82\xfe\x00\x80\xaa\xbb\xcc\xdd", 8);
	memset(c2s_16 + 8, 0x11, 128);
	memcpy(c2s_64, "\x82\xff\x00\x00\x00\x00\x00\x00\x00\x05\xaa\xbb\xcc\xdd", 14);
	memcpy(c2s_64 + 14, "\x01\x02\x03\x04\x05", 5);
	memcpy(s2c_256, "\x82\x7e\x01\x00", 4);
	memset(s2c_256 + 4, 0x22, 256);
}

static void test_handshake_and_frames(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(WS_REQ),
		SH_S2C(WS_RSP HELLO),
		SH_C2S(HELLO_MASKED),
		{ PNE_C2S, c2s_16, 60 },
		{ PNE_C2S, c2s_16 + 60, sizeof(c2s_16) - 60 },
		{ PNE_C2S, c2s_64, sizeof(c2s_64) },
		SH_S2C(HEL LO PING),
		{ PNE_S2C, s2c_256, sizeof(s2c_256) },
		SH_C2S(PONG_MASKED CLOSE_MASKED),
		SH_S2C(CLOSE),
	};
	const size_t c0 = L(WS_REQ), s0 = L(WS_RSP);
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, c0, "handshake", HS),
		SH_EXP(PNE_C2S, c0, 11, "text", F(1, 1, 1, 5)),
		SH_EXP(PNE_C2S, c0 + 11, 136, "binary", F(1, 2, 1, 128)),
		SH_EXP(PNE_C2S, c0 + 147, 19, "binary", F(1, 2, 1, 5)),
		SH_EXP(PNE_C2S, c0 + 166, 11, "pong", F(1, 10, 1, 5)),
		SH_EXP(PNE_C2S, c0 + 177, 8, "close", F(1, 8, 1, 2)),
		SH_EXP(PNE_S2C, 0, s0, "handshake", HS),
		SH_EXP(PNE_S2C, s0, 7, "text", F(1, 1, 0, 5)),
		SH_EXP(PNE_S2C, s0 + 7, 5, "text", F(0, 1, 0, 3)),
		SH_EXP(PNE_S2C, s0 + 12, 4, "continuation", F(1, 0, 0, 2)),
		SH_EXP(PNE_S2C, s0 + 16, 7, "ping", F(1, 9, 0, 5)),
		SH_EXP(PNE_S2C, s0 + 23, 260, "binary", F(1, 2, 0, 256)),
		SH_EXP(PNE_S2C, s0 + 283, 4, "close", F(1, 8, 0, 2)),
	};

	(void)state;
	build_frames();
	sh_check("websocket", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* The client's first frame right behind its handshake (RFC 6455 4.1
 * says to wait for the answer): it is held until the 101 arrives. */
static void test_frame_before_answer(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(WS_REQ HELLO_MASKED),
		SH_S2C(WS_RSP),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(WS_REQ), "handshake", HS),
		SH_EXP(PNE_C2S, L(WS_REQ), 11, "text", F(1, 1, 1, 5)),
		SH_EXP(PNE_S2C, 0, L(WS_RSP), "handshake", HS),
	};

	(void)state;
	sh_check("websocket", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* A refused handshake leaves the connection in HTTP: framing stops. */
#define WS_403 "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"

static void test_refused(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(WS_REQ),
		SH_S2C(WS_403),
		SH_C2S("GET /other HTTP/1.1\r\nHost: h\r\n\r\n"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(WS_REQ), "handshake", HS),
		SH_EXP(PNE_S2C, 0, L(WS_403), "handshake", HS),
	};
	struct sh_conv conv = { pne_builtin_spec("websocket"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.status[PNE_C2S], PNE_IS_OPAQUE);
	assert_int_equal(res.stats.invalid, 0);
	sh_result_free(&res);
}

/*
 * Broken rules make the direction invalid for good (no resync): an
 * unmasked client frame, a masked server frame, a reserved opcode, a
 * fragmented ping, a ping of 126 bytes, a 64-bit length with the top bit.
 */
static void expect_invalid(const char *what, const void *c2s, size_t c2s_len,
			   const void *s2c, size_t s2c_len, size_t nframes_before)
{
	const struct sh_msg msgs[] = {
		SH_C2S(WS_REQ),
		SH_S2C(WS_RSP),
		{ PNE_C2S, c2s, c2s_len },
		{ PNE_S2C, s2c, s2c_len },
	};
	struct sh_expect exp[3] = {
		SH_EXP(PNE_C2S, 0, L(WS_REQ), "handshake", HS),
		SH_EXP(PNE_S2C, 0, L(WS_RSP), "handshake", HS),
		SH_EXP(PNE_S2C, L(WS_RSP), 7, "text", F(1, 1, 0, 5)),
	};
	struct sh_conv conv = { pne_builtin_spec("websocket"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	print_message("%s\n", what);
	sh_check_conv(&conv, exp, 2 + nframes_before, &res);
	assert_int_equal(res.stats.invalid, 1);
	sh_result_free(&res);
}

#define INVALID(what, c2s, s2c, n) \
	expect_invalid(what, c2s, sizeof(c2s) - 1, s2c, sizeof(s2c) - 1, n)

static void test_invalid(void **state)
{
	(void)state;
	INVALID("unmasked client frame", HELLO HELLO_MASKED, "", 0);
	INVALID("masked server frame", "", HELLO_MASKED HELLO, 0);
	INVALID("reserved opcode 3", "", HELLO "\x83\x00" HELLO, 1);
	INVALID("fragmented ping", "", HELLO "\x09\x00" HELLO, 1);
	INVALID("ping of 126 bytes", "", HELLO "\x89\x7e\x00\x7e", 1);
	INVALID("64-bit length with the top bit", "",
		HELLO "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01" "x", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_and_frames),
		cmocka_unit_test(test_frame_before_answer),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests_name("spec_websocket", tests, NULL, NULL);
}
