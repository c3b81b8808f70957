/*
 * specs/http.pne against hand-built HTTP/1.1 conversations (RFC 9112).
 * Every message is framed from its bytes as the RFC defines them; each
 * case runs under every split, one byte at a time and on the fast path
 * (tests/unit/spec_harness.h).
 */
#include "spec_harness.h"

#define L(s) (sizeof(s) - 1)

/* Reported fields, in report order. */
#define REQ(m, u, cl) REQE(m, u, cl, "")
#define RSP(st, cl) RSPE(st, cl, "")
/* with a Content-Encoding (the first such field line's value) */
#define REQE(m, u, cl, ce) "{\"method\":\"" m "\",\"uri\":\"" u "\",\"content_length\":" \
	#cl ",\"content_encoding\":\"" ce "\"}"
#define RSPE(st, cl, ce) "{\"status\":" #st ",\"content_length\":" #cl \
	",\"content_encoding\":\"" ce "\"}"

/* ---- pipelining, HEAD, chunked response --------------------------------- */

#define P_REQ_A "GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n"
#define P_REQ_B "HEAD /b HTTP/1.1\r\nHost: example.com\r\n\r\n"
#define P_REQ_C "GET /c HTTP/1.1\r\nHost: example.com\r\n\r\n"
#define P_RSP_A "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
/* RFC 9112 6.3 rule 1: a response to HEAD ends at the empty line, even
 * with a Content-Length (RFC 9110 8.6: the length a GET would get). */
#define P_RSP_B "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\n"
#define P_RSP_C1 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n"
#define P_RSP_C2 "5;ext=1\r\npedia\r\n0\r\n\r\n"

static void test_pipelined_head_chunked(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(P_REQ_A P_REQ_B P_REQ_C),
		SH_S2C(P_RSP_A P_RSP_B P_RSP_C1),
		SH_S2C(P_RSP_C2),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(P_REQ_A), "request", REQ("GET", "/a", 0)),
		SH_EXP(PNE_C2S, L(P_REQ_A), L(P_REQ_B), "request", REQ("HEAD", "/b", 0)),
		SH_EXP(PNE_C2S, L(P_REQ_A P_REQ_B), L(P_REQ_C), "request", REQ("GET", "/c", 0)),
		SH_EXP(PNE_S2C, 0, L(P_RSP_A), "response", RSP(200, 5)),
		SH_EXP(PNE_S2C, L(P_RSP_A), L(P_RSP_B), "response", RSP(200, 1000)),
		SH_EXP(PNE_S2C, L(P_RSP_A P_RSP_B), L(P_RSP_C1 P_RSP_C2), "response", RSP(200, 0)),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* ---- Content-Encoding ----------------------------------------------------- */

/* content_encoding lists the codings of every Content-Encoding line in
 * order, joined by ", " (RFC 9110 section 5.3), for body decoders; the
 * lines between them still frame the body. A line that continues a
 * Content-Encoding line (obs-fold: it starts with SP, HT or NUL, as
 * browsers read it) adds its value; one that continues another field
 * does not. The list is cut at 64 bytes. */
#define E_REQ1 "POST /up HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc"
#define E_REQ2 "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
#define E_RSP1 "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-encoding:  x-gzip , deflate \r\n" \
	"Transfer-Encoding: chunked\r\nContent-Encoding: br\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"
#define E_RSP2 "HTTP/1.1 200 OK\nContent-Length: 2\nContent-Encoding: identity\n\nhi"
/* folds: an empty value continued twice (SP, then NUL), a folded
 * X-Note that must not join the list, a name alone whose colon and value
 * are folded on, and a last line */
#define E_RSP3 "HTTP/1.1 200 OK\r\nContent-Encoding:\r\n gzip\r\n\0 ,deflate\r\n" \
	"X-Note: a\r\n\tgzip\r\nContent-Encoding\r\n :\r\n x-gzip\r\n" \
	"Content-Length: 1\r\nContent-Encoding: br\r\n\r\nz"
/* a Content-Encoding line right after another, and a list over 64 bytes */
#define E_RSP4 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Encoding: deflate\r\n" \
	"Content-Encoding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" \
	"Content-Length: 0\r\n\r\n"
#define E_RSP4_LIST "gzip, deflate, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void test_content_encoding(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(E_REQ1 E_REQ2),
		SH_S2C(E_RSP1 E_RSP2),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(E_REQ1), "request", REQE("POST", "/up", 3, "gzip")),
		SH_EXP(PNE_C2S, L(E_REQ1), L(E_REQ2), "request", REQ("GET", "/b", 0)),
		SH_EXP(PNE_S2C, 0, L(E_RSP1), "response", RSPE(200, 0, "x-gzip , deflate, br")),
		SH_EXP(PNE_S2C, L(E_RSP1), L(E_RSP2), "response", RSPE(200, 2, "identity")),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

static void test_content_encoding_folds(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(E_REQ2 E_REQ2),
		SH_S2C(E_RSP3 E_RSP4),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(E_REQ2), "request", REQ("GET", "/b", 0)),
		SH_EXP(PNE_C2S, L(E_REQ2), L(E_REQ2), "request", REQ("GET", "/b", 0)),
		SH_EXP(PNE_S2C, 0, L(E_RSP3), "response", RSPE(200, 1, "gzip, ,deflate, x-gzip, br")),
		SH_EXP(PNE_S2C, L(E_RSP3), L(E_RSP4), "response",
		       RSPE(200, 0, E_RSP4_LIST)),
	};

	(void)state;
	assert_int_equal(strlen(E_RSP4_LIST), 64);
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* ---- 1xx interim responses, 204 and 304 --------------------------------- */

#define I_REQ1 "POST /upload HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n"
#define I_BODY1 "hello world"
#define I_REQ2 "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n"
#define I_REQ3 "GET /cached HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"v1\"\r\n\r\n"
#define I_100 "HTTP/1.1 100 Continue\r\n\r\n"
#define I_103 "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
#define I_201 "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
/* 204 and 304 end at the empty line whatever Content-Length says */
#define I_204 "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
#define I_304 "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 1234\r\n\r\n"

static void test_interim_and_bodyless(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(I_REQ1),
		SH_S2C(I_100),
		SH_C2S(I_BODY1),
		SH_S2C(I_103 I_201),
		SH_C2S(I_REQ2 I_REQ3),
		SH_S2C(I_204 I_304),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(I_REQ1 I_BODY1), "request", REQ("POST", "/upload", 11)),
		SH_EXP(PNE_C2S, L(I_REQ1 I_BODY1), L(I_REQ2), "request", REQ("DELETE", "/x", 0)),
		SH_EXP(PNE_C2S, L(I_REQ1 I_BODY1 I_REQ2), L(I_REQ3), "request", REQ("GET", "/cached", 0)),
		SH_EXP(PNE_S2C, 0, L(I_100), "response", RSP(100, 0)),
		SH_EXP(PNE_S2C, L(I_100), L(I_103), "response", RSP(103, 0)),
		SH_EXP(PNE_S2C, L(I_100 I_103), L(I_201), "response", RSP(201, 2)),
		SH_EXP(PNE_S2C, L(I_100 I_103 I_201), L(I_204), "response", RSP(204, 7)),
		SH_EXP(PNE_S2C, L(I_100 I_103 I_201 I_204), L(I_304), "response", RSP(304, 1234)),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* ---- chunked upload and download with extensions and trailers ----------- */

#define C_REQ_HEAD "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: Trailer-One\r\n\r\n"
#define C_REQ_CHUNK1 "1a;name=value;quoted=\"a b\"\r\nabcdefghijklmnopqrstuvwxyz\r\n"
#define C_REQ_CHUNK2 "10\r\n0123456789ABCDEF\r\n"
#define C_REQ_LAST "0\r\nTrailer-One: 1\r\nTrailer-Two: 2\r\n\r\n"
#define C_REQ2 "GET /after HTTP/1.1\r\nHost: h\r\n\r\n"
#define C_RSP_HEAD "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
#define C_RSP_CHUNKS "A\r\n0123456789\r\nfF\r\n" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n"
#define C_RSP_LAST "000;end=yes\r\n\r\n"
#define C_RSP2 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

static void test_chunked_both_ways(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(C_REQ_HEAD "1a;name=value;"),
		SH_C2S("quoted=\"a b\"\r\nabcdefghijklm"),
		SH_C2S("nopqrstuvwxyz\r\n" C_REQ_CHUNK2 "0\r\nTrailer-One: 1\r\n"),
		SH_C2S("Trailer-Two: 2\r\n\r\n" C_REQ2),
		SH_S2C(C_RSP_HEAD C_RSP_CHUNKS),
		SH_S2C(C_RSP_LAST C_RSP2),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(C_REQ_HEAD C_REQ_CHUNK1 C_REQ_CHUNK2 C_REQ_LAST), "request",
		  REQ("POST", "/up", 0)),
		SH_EXP(PNE_C2S, L(C_REQ_HEAD C_REQ_CHUNK1 C_REQ_CHUNK2 C_REQ_LAST), L(C_REQ2),
		  "request", REQ("GET", "/after", 0)),
		SH_EXP(PNE_S2C, 0, L(C_RSP_HEAD C_RSP_CHUNKS C_RSP_LAST), "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(C_RSP_HEAD C_RSP_CHUNKS C_RSP_LAST), L(C_RSP2), "response",
		  RSP(200, 0)),
	};

	(void)state;
	/* the pieces above are the same bytes as the messages */
	assert_int_equal(L(C_REQ_HEAD "1a;name=value;") + L("quoted=\"a b\"\r\nabcdefghijklm"),
			 L(C_REQ_HEAD) + L(C_REQ_CHUNK1) - L("nopqrstuvwxyz\r\n"));
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* A chunk not followed by CRLF breaks the framing (RFC 9112 7.1). */
static void test_chunk_without_crlf(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
		SH_S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n"
		       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), "request", REQ("GET", "/", 0)),
		/* resync finds the next status line */
		SH_EXP(PNE_S2C, L("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n"),
		  L("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"), "response", NULL, 1),
	};
	struct sh_conv conv = { pne_builtin_spec("http"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 1);
	sh_result_free(&res);
}

/* ---- responses delimited by the end of the connection ------------------- */

#define D_REQ "GET /legacy HTTP/1.0\r\n\r\n"
#define D_RSP_HEAD "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
#define D_RSP_BODY1 "no length: the body ends when the server closes.\r\n"
#define D_RSP_BODY2 "Content-Length: 3\r\n\r\nthis is still body\r\n"

static void test_close_delimited(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(D_REQ),
		SH_S2C(D_RSP_HEAD D_RSP_BODY1),
		SH_S2C(D_RSP_BODY2),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(D_REQ), "request", REQ("GET", "/legacy", 0)),
		SH_EXP(PNE_S2C, 0, L(D_RSP_HEAD D_RSP_BODY1 D_RSP_BODY2), "response", RSP(200, 0),
		  0, 1),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* A response coding other than chunked is read until close (rule 4). */
#define G_RSP_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 4\r\n\r\n"

static void test_transfer_coding_until_close(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("GET /z HTTP/1.1\r\nHost: h\r\n\r\n"),
		SH_S2C(G_RSP_HEAD "\x1f\x8b\x08\x00"),
		SH_S2C("\x00\x00\x00\x00\x00\x03"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L("GET /z HTTP/1.1\r\nHost: h\r\n\r\n"), "request", REQ("GET", "/z", 0)),
		SH_EXP(PNE_S2C, 0, L(G_RSP_HEAD) + 10, "response", RSP(200, 4), 0, 1),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* Rule 4: chunked counts only as the final coding. "gzip, chunked" is
 * chunked both ways; "chunked, gzip" makes a response last until close
 * and a request invalid. */
#define F_REQ1 "POST /gz HTTP/1.1\r\nTransfer-Encoding: gzip, CHUNKED \r\n\r\n" \
	"3\r\n\x1f\x8b\x08\r\n0\r\n\r\n"
#define F_REQ2 "GET /next HTTP/1.1\r\n\r\n"
#define F_REQ3 "POST /bad HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n" \
	"3\r\nabc\r\n0\r\n\r\n"
#define F_REQ4 "GET /after HTTP/1.1\r\n\r\n"
#define F_RSP1 "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,chunked\r\n\r\n" \
	"2\r\n\x1f\x8b\r\n0\r\n\r\n"
#define F_RSP2 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n" \
	"2\r\n\x1f\x8b\r\n0\r\n\r\n"

static void test_final_transfer_coding(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(F_REQ1 F_REQ2),
		SH_S2C(F_RSP1),
		SH_S2C(F_RSP2),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(F_REQ1), "request", REQ("POST", "/gz", 0)),
		SH_EXP(PNE_C2S, L(F_REQ1), L(F_REQ2), "request", REQ("GET", "/next", 0)),
		SH_EXP(PNE_S2C, 0, L(F_RSP1), "response", RSP(200, 0)),
		/* chunked for browsers too, though not the final coding
		 * (RFC 9112 6.3 rule 4 would read it until close) */
		SH_EXP(PNE_S2C, L(F_RSP1), L(F_RSP2), "response", RSP(200, 0)),
	};
	const struct sh_msg bad[] = {
		SH_C2S(F_REQ3 F_REQ4),
	};
	const struct sh_expect bad_exp[] = {
		/* the server answers 400; the next request is found by anchor */
		SH_EXP(PNE_C2S, L(F_REQ3), L(F_REQ4), "request", REQ("GET", "/after", 0), 1),
	};

	/* Strict=1: RFC 9112 6.3 rule 4 -- not the final coding: until close */
	const struct sh_expect strict_exp[] = {
		SH_EXP(PNE_C2S, 0, L(F_REQ1), "request", REQ("POST", "/gz", 0)),
		SH_EXP(PNE_C2S, L(F_REQ1), L(F_REQ2), "request", REQ("GET", "/next", 0)),
		SH_EXP(PNE_S2C, 0, L(F_RSP1), "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(F_RSP1), L(F_RSP2), "response", RSP(200, 0), 0, 1),
	};
	uint64_t params[PNE_MAX_CVARS];
	struct sh_conv conv = { pne_builtin_spec("http"), msgs, SH_NELEM(msgs), params, { 0, 0 } };

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
	sh_check("http", bad, SH_NELEM(bad), bad_exp, SH_NELEM(bad_exp));
	sh_params_default(conv.spec, params);
	sh_param_set(conv.spec, params, "Strict", 1);
	sh_check_conv(&conv, strict_exp, SH_NELEM(strict_exp), NULL);
}

/* ---- CONNECT tunnels ---------------------------------------------------- */

#define T_REQ "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
#define T_RSP "HTTP/1.1 200 Connection Established\r\n\r\n"
/* a TLS ClientHello sent optimistically right behind the CONNECT */
#define T_TLS_C "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"
#define T_TLS_S "\x16\x03\x03\x00\x02\x02\x00GET / HTTP/1.1\r\n\r\n"

static void test_connect_tunnel(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(T_REQ T_TLS_C),
		SH_S2C(T_RSP T_TLS_S),
		SH_C2S("GET / HTTP/1.1\r\nHost: inside.tunnel\r\n\r\n"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(T_REQ), "request", REQ("CONNECT", "example.com:443", 0)),
		SH_EXP(PNE_S2C, 0, L(T_RSP), "response", RSP(200, 0)),
	};
	struct sh_conv conv = { pne_builtin_spec("http"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.status[PNE_C2S], PNE_IS_OPAQUE);
	assert_int_equal(res.status[PNE_S2C], PNE_IS_OPAQUE);
	assert_int_equal(res.stats.invalid, 0);
	sh_result_free(&res);
}

/* A refused CONNECT (407) keeps the connection in HTTP/1.1. */
#define R_REQ1 "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
#define R_RSP1 "HTTP/1.1 407 Proxy Authentication Required\r\n" \
	"Proxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 6\r\n\r\ndenied"
#define R_REQ2 "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n" \
	"Proxy-Authorization: Basic dTpw\r\n\r\n"
#define R_RSP2 "HTTP/1.1 200 OK\r\n\r\n"

static void test_connect_refused_then_accepted(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(R_REQ1),
		SH_S2C(R_RSP1),
		SH_C2S(R_REQ2),
		SH_S2C(R_RSP2),
		SH_C2S("\x16\x03\x01\x02\x00"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(R_REQ1), "request", REQ("CONNECT", "example.com:443", 0)),
		SH_EXP(PNE_C2S, L(R_REQ1), L(R_REQ2), "request", REQ("CONNECT", "example.com:443", 0)),
		SH_EXP(PNE_S2C, 0, L(R_RSP1), "response", RSP(407, 6)),
		SH_EXP(PNE_S2C, L(R_RSP1), L(R_RSP2), "response", RSP(200, 0)),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* ---- Upgrade ------------------------------------------------------------ */

#define U_REQ "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n" \
	"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
#define U_RSP "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
#define U_H2_SETTINGS "\x00\x00\x00\x04\x00\x00\x00\x00\x00"

static void test_upgrade_switching(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(U_REQ),
		SH_S2C(U_RSP U_H2_SETTINGS),
		SH_C2S("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" U_H2_SETTINGS),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(U_REQ), "request", REQ("GET", "/", 0)),
		SH_EXP(PNE_S2C, 0, L(U_RSP), "response", RSP(101, 0)),
	};
	struct sh_conv conv = { pne_builtin_spec("http"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.status[PNE_C2S], PNE_IS_OPAQUE);
	assert_int_equal(res.stats.invalid, 0);
	sh_result_free(&res);
}

/* A server may ignore Upgrade (RFC 9110 7.8): framing goes on. */
#define UD_REQ1 "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
#define UD_REQ2 "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"
#define UD_RSP1 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno"
#define UD_RSP2 "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

static void test_upgrade_declined(void **state)
{
	/* the second request is pipelined behind the Upgrade: it is held
	 * until the 200 says the connection stays HTTP/1.1 */
	const struct sh_msg msgs[] = {
		SH_C2S(UD_REQ1 UD_REQ2),
		SH_S2C(UD_RSP1 UD_RSP2),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(UD_REQ1), "request", REQ("GET", "/chat", 0)),
		SH_EXP(PNE_C2S, L(UD_REQ1), L(UD_REQ2), "request", REQ("GET", "/next", 0)),
		SH_EXP(PNE_S2C, 0, L(UD_RSP1), "response", RSP(200, 2)),
		SH_EXP(PNE_S2C, L(UD_RSP1), L(UD_RSP2), "response", RSP(404, 0)),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* HTTP/2 with prior knowledge (RFC 9113 3.3) is not HTTP/1.1: framing
 * stops right after the request-line. */
static void test_h2_prior_knowledge(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" U_H2_SETTINGS),
		SH_S2C(U_H2_SETTINGS),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L("PRI * HTTP/2.0\r\n"), "request", REQ("PRI", "*", 0)),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* ---- line ends and repeated fields (RFC 9112 2.2, 6.3) ------------------ */

/* Bare LF line ends, as in zeek's http/interleaved-entity.pcap; an empty
 * line before the request-line, which a server should ignore. */
#define LF_REQ "POST / HTTP/1.1\nHost: interleave.me\nContent-Length: 10\n\n1234\n4567\n"
#define LF_RSP "HTTP/1.1 200 OK\nServer: early-responder/0.1\nContent-Length: 3\n" \
	"Content-Disposition: attachment; filename=\"test.txt\"\n\nfin"
#define CRLF_REQ "\r\nGET /again HTTP/1.1\r\nHost: h\r\n\r\n"

static void test_bare_lf_and_leading_crlf(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("POST / HTTP/1.1\n"),
		SH_C2S("Host: interleave.me\n"),
		SH_C2S("Content-Length: 10\n"),
		SH_C2S("\n"),
		SH_C2S("1234\n"),
		SH_S2C("HTTP/1.1 200 OK\n"),
		SH_S2C("Server: early-responder/0.1\n"),
		SH_S2C("Content-Length: 3\n"),
		SH_C2S("4567\n" CRLF_REQ),
		SH_S2C("Content-Disposition: attachment; filename=\"test.txt\"\n"),
		SH_S2C("\n"),
		SH_S2C("fin"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(LF_REQ), "request", REQ("POST", "/", 10)),
		SH_EXP(PNE_C2S, L(LF_REQ), L(CRLF_REQ), "request", REQ("GET", "/again", 0)),
		SH_EXP(PNE_S2C, 0, L(LF_RSP), "response", RSP(200, 3)),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* Content-Length on two lines must agree (rule 5); with two
 * Transfer-Encoding lines the last coding decides (rule 3/4). */
#define M_REQ1 "PUT /same HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
#define M_REQ2 "PUT /te HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n" \
	"Content-Length: 99\r\n\r\n2\r\n\x1f\x8b\r\n0\r\n\r\n"
#define M_REQ3 "PUT /differ HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
#define M_REQ4 "GET /next HTTP/1.1\r\n\r\n"

static void test_repeated_fields(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(M_REQ1 M_REQ2 M_REQ3 M_REQ4),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(M_REQ1), "request", REQ("PUT", "/same", 3)),
		SH_EXP(PNE_C2S, L(M_REQ1), L(M_REQ2), "request", REQ("PUT", "/te", 99)),
		/* the differing lengths make the stream invalid: the next
		 * request is found by the anchor */
		SH_EXP(PNE_C2S, L(M_REQ1 M_REQ2 M_REQ3), L(M_REQ4), "request", REQ("GET", "/next", 0), 1),
	};
	struct sh_conv conv = { pne_builtin_spec("http"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 1);
	sh_result_free(&res);
}

/* ---- invalid input and resynchronisation -------------------------------- */

#define X_GARBAGE "\x01\x02\x03 not a request line\r\n\r\n"
#define X_REQ1 "POST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"
#define X_REQ2 "PUT /q HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
#define X_BAD_RSP "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n"
#define X_RSP "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"

static void test_resync_anchor(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(X_GARBAGE X_REQ1),
		SH_C2S(X_REQ2),
		SH_S2C(X_BAD_RSP "junk"),
		SH_S2C(X_RSP),
	};
	/* synced: the first complete ADU after an anchor confirms it */
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, L(X_GARBAGE), L(X_REQ1), "request", REQ("POST", "/p", 4), 1),
		SH_EXP(PNE_C2S, L(X_GARBAGE X_REQ1), L(X_REQ2), "request", REQ("PUT", "/q", 0)),
		SH_EXP(PNE_S2C, L(X_BAD_RSP "junk"), L(X_RSP), "response", RSP(200, 3), 1),
	};
	struct sh_conv conv = { pne_builtin_spec("http"), msgs, SH_NELEM(msgs), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 2);
	sh_result_free(&res);
}

/* A request Transfer-Encoding other than chunked is an error (rule 4). */
static void test_request_bad_transfer_coding(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("HEAD /f HTTP/1.1\r\nContent-Length: 0\r\nTransfer-Encoding: ,.chunked,\r\n\r\n"
		       "GET /g HTTP/1.1\r\n\r\n"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, L("HEAD /f HTTP/1.1\r\nContent-Length: 0\r\nTransfer-Encoding: ,.chunked,\r\n\r\n"),
		  L("GET /g HTTP/1.1\r\n\r\n"), "request", REQ("GET", "/g", 0), 1),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

static void count_adu(const struct pne_adu *adu, void *arg)
{
	(void)adu;
	++*(unsigned *)arg;
}

/* The request side is lost (scanning for a request-line): responses
 * can't wait for its pushes, so they are framed at once (their pops take
 * the default), not held until the caller forces them. */
static void test_response_while_request_lost(void **state)
{
	static const char req[] = "\x01\x02 not a request\r\n";
	static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
				  "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	const struct pne_spec *spec = pne_builtin_spec("http");
	size_t size = pne_interp_conn_size(spec);
	struct pne_interp_conn *c = aligned_alloc(64, (size + 63) / 64 * 64);
	unsigned n = 0;

	(void)state;
	assert_non_null(c);
	pne_interp_init(c, spec, NULL, NULL);
	assert_int_equal(pne_interp_feed(c, PNE_C2S, (const uint8_t *)req, L(req), count_adu, &n),
			 L(req));
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_int_equal(pne_interp_feed(c, PNE_S2C, (const uint8_t *)rsp, L(rsp), count_adu, &n),
			 L(rsp));
	assert_int_equal(n, 2);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_OK);
	assert_int_equal(pne_interp_stats(c)->forced, 2);
	free(c);
}

/* A flow picked up mid-stream starts with a resync scan. */
static void test_midstream_pickup(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("ody of an earlier POST\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n"),
		SH_S2C("e end of an earlier response body HTTP/1.1 204 No Content\r\n\r\n"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, L("ody of an earlier POST\r\n"), L("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"),
		  "request", REQ("GET", "/x", 0), 1),
		SH_EXP(PNE_S2C, L("e end of an earlier response body "),
		  L("HTTP/1.1 204 No Content\r\n\r\n"), "response", RSP(204, 0), 1),
	};
	struct sh_conv conv = { pne_builtin_spec("http"), msgs, SH_NELEM(msgs), NULL, { 1, 1 } };

	(void)state;
	sh_check_conv(&conv, exp, SH_NELEM(exp), NULL);
}

/* ---- bytes from the corpus ---------------------------------------------- */

/* Headers as in zeek's http/pipelined-requests.pcap (bodies shortened):
 * a NetScaler cache mangles one field to "ntCoent-Length", which is not
 * Content-Length, and pads the real one with blanks (RFC 9110 5.5 OWS). */
#define Z_REQ(path) "GET " path " HTTP/1.1\r\nHost: www.mozilla.org\r\n" \
	"User-Agent: Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.1.5) " \
	"Gecko/20091102 Firefox/3.5.5\r\nAccept: */*\r\nKeep-Alive: 300\r\n" \
	"Connection: keep-alive\r\nReferer: http://www.mozilla.org/projects/calendar/\r\n\r\n"
#define Z_RSP(len, body) "HTTP/1.1 200 OK\r\nDate: Wed, 18 Nov 2009 20:53:15 GMT\r\n" \
	"Cache-Control: max-age=900       \r\nConnection: Keep-Alive\r\n" \
	"Via: NS-CACHE-6.0:   4\r\nETag: \"a73-5bb68800\"\r\nServer: Apache\r\n" \
	"ntCoent-Length: 2675\r\nKeep-Alive: timeout=20, max=914\r\n" \
	"Content-Type: text/css\r\nContent-Encoding: gzip\r\n" \
	"Content-Length:        " len "\r\n\r\n" body
#define Z_REQ1 Z_REQ("/style/enhanced.css")
#define Z_REQ2 Z_REQ("/script/urchin.js")
#define Z_REQ3 Z_REQ("/images/template/screen/bullet_utility.png")
#define Z_RSP1 Z_RSP("12", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xb5\x55")
#define Z_RSP2 Z_RSP("3", "\x1f\x8b\x08")
#define Z_RSP3 Z_RSP("0", "")

static void test_corpus_pipelined(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(Z_REQ1),
		SH_S2C(Z_RSP1),
		SH_C2S(Z_REQ2 Z_REQ3),
		SH_S2C(Z_RSP2 Z_RSP3),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, L(Z_REQ1), "request", REQ("GET", "/style/enhanced.css", 0)),
		SH_EXP(PNE_C2S, L(Z_REQ1), L(Z_REQ2), "request", REQ("GET", "/script/urchin.js", 0)),
		SH_EXP(PNE_C2S, L(Z_REQ1 Z_REQ2), L(Z_REQ3), "request",
		  REQ("GET", "/images/template/screen/bullet_utility.png", 0)),
		SH_EXP(PNE_S2C, 0, L(Z_RSP1), "response", RSPE(200, 12, "gzip")),
		SH_EXP(PNE_S2C, L(Z_RSP1), L(Z_RSP2), "response", RSPE(200, 3, "gzip")),
		SH_EXP(PNE_S2C, L(Z_RSP1 Z_RSP2), L(Z_RSP3), "response", RSPE(200, 0, "gzip")),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* ---- lenient framing (what browsers accept, RFC 9112 robustness) -------- */

/* Status line: a stray CR or NUL before it, a code that isn't three
 * digits (read as a final status), no code at all. */
#define LS_RSP1 "\r\x00HTTP/1.1 2xx odd\r\nContent-Length: 3\r\n\r\nabc"
#define LS_RSP2 "HTTP/1.1 2040 odd\r\nContent-Length: 2\r\n\r\nde"
#define LS_RSP3 "HTTP/1.1\r\nContent-Length: 1\r\n\r\nf"

static void test_lenient_status_line(void **state)
{
	const struct sh_msg msgs[] = {
		SH_S2C(LS_RSP1 LS_RSP2 LS_RSP3),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_S2C, 0, L(LS_RSP1), "response", RSP(2, 3)),
		SH_EXP(PNE_S2C, L(LS_RSP1), L(LS_RSP2), "response", RSP(2040, 2)),
		SH_EXP(PNE_S2C, L(LS_RSP1 LS_RSP2), L(LS_RSP3), "response", RSP(0, 1)),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* Field lines after a bare CR (in the status line's text too), a
 * Transfer-Encoding naming chunked anywhere, among junk, NUL bytes, a
 * folded value or a folded colon. */
#define LT_BODY "3\r\nabc\r\n0\r\n\r\n"
#define LT_RSP1 "HTTP/1.1 200 OK\rTransfer-Encoding: chunked\r\n\r\n" LT_BODY
#define LT_RSP2 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;\r\n\r\n" LT_BODY
#define LT_RSP3 "HTTP/1.1 200 OK\r\nTransfer-Encoding: x\r\n\r\n" \
	"Transfer-Encoding: chunked\r\n\r\n"
#define LT_RSP3F "HTTP/1.1 200 OK\r\nTransfer-Encoding: x\r\nTransfer-Encoding: chu\0nked\r\n\r\n" LT_BODY
#define LT_RSP4 "HTTP/1.1 200 OK\r\nTransfer\0-Encoding\v: chunked\r\n\r\n" LT_BODY
#define LT_RSP5 "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n chunked\r\n\r\n" LT_BODY
#define LT_RSP6 "HTTP/1.1 200 OK\r\nTransfer-Encoding\r\n :chunked\r\n\r\n" LT_BODY
#define LT_RSP7 "HTTP/1.1 200 OK\r\nTransfer-Encoding\r :chunked\r\n\r\n" LT_BODY

static void test_lenient_transfer_encoding(void **state)
{
	const struct sh_msg msgs[] = {
		SH_S2C(LT_RSP1 LT_RSP2 LT_RSP3F LT_RSP4 LT_RSP5 LT_RSP6 LT_RSP7),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_S2C, 0, L(LT_RSP1), "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(LT_RSP1), L(LT_RSP2), "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(LT_RSP1 LT_RSP2), L(LT_RSP3F), "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(LT_RSP1 LT_RSP2 LT_RSP3F), L(LT_RSP4), "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(LT_RSP1 LT_RSP2 LT_RSP3F LT_RSP4), L(LT_RSP5), "response",
		       RSP(200, 0)),
		SH_EXP(PNE_S2C, L(LT_RSP1 LT_RSP2 LT_RSP3F LT_RSP4 LT_RSP5), L(LT_RSP6),
		       "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(LT_RSP1 LT_RSP2 LT_RSP3F LT_RSP4 LT_RSP5 LT_RSP6), L(LT_RSP7),
		       "response", RSP(200, 0)),
	};
	/* "Transfer-Encoding: x" alone: read until close (rule 4) */
	const struct sh_msg other[] = {
		SH_S2C(LT_RSP3),
	};
	const struct sh_expect other_exp[] = {
		SH_EXP(PNE_S2C, 0, L(LT_RSP3), "response", RSP(200, 0), 0, 1),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
	sh_check("http", other, SH_NELEM(other), other_exp, SH_NELEM(other_exp));
}

/* Chunk-size lines with blanks or control bytes around the size, bare
 * LF line ends, empty lines before a size. */
#define LC_RSP "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" \
	"\r\n \t2\v\r\nab\n\n\r\n\f3 \r\ncde\r\n0\n\n"
#define LC_RSP2 "HTTP/1.1 204 No Content\r\n\r\n"

static void test_lenient_chunk_sizes(void **state)
{
	const struct sh_msg msgs[] = {
		SH_S2C(LC_RSP LC_RSP2),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_S2C, 0, L(LC_RSP), "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(LC_RSP), L(LC_RSP2), "response", RSP(204, 0)),
	};
	/* a body that doesn't start with a size line is plain for browsers
	 * (sniffed: test_spec_http_sniff.c), until the close here; with
	 * Strict it is invalid, and the next response is found by anchor */
	const struct sh_msg bad[] = {
		SH_S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
		SH_S2C(LC_RSP2),
	};
	const struct sh_expect bad_exp[] = {
		SH_EXP(PNE_S2C, 0, L("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
				     LC_RSP2), "response", RSP(200, 0), 0, 1),
	};
	const struct sh_expect strict_exp[] = {
		SH_EXP(PNE_S2C, L("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
		       L(LC_RSP2), "response", RSP(204, 0), 1),
	};
	uint64_t params[PNE_MAX_CVARS];
	struct sh_conv conv = { pne_builtin_spec("http"), bad, SH_NELEM(bad), params, { 0, 0 } };

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
	sh_check("http", bad, SH_NELEM(bad), bad_exp, SH_NELEM(bad_exp));
	sh_params_default(conv.spec, params);
	sh_param_set(conv.spec, params, "Strict", 1);
	sh_check_conv(&conv, strict_exp, SH_NELEM(strict_exp), NULL);
}

/* On a connection the server closes after the response: differing or
 * malformed Content-Length lines, or a body after a status that has
 * none, are read until the close; without Connection: close they stay
 * invalid / bodyless (RFC 9112 6.3 rules 1 and 5). */
#define LL_RSP1 "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n" \
	"Content-Length: 2\r\n\r\nabcdefg"
#define LL_RSP2 "HTTP/1.1 204 No Content\r\nConnection: close\r\nContent-Length: 3\r\n\r\nxyz"
#define LL_RSP3 "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n"
#define LL_RSP4 "HTTP/1.1 200 OK\r\nContent-Length: 3 4\r\n\r\n"

static void test_lenient_close_delimited(void **state)
{
	const struct sh_msg m1[] = {
		SH_S2C(LL_RSP1),
	};
	const struct sh_expect e1[] = {
		SH_EXP(PNE_S2C, 0, L(LL_RSP1), "response", RSP(200, 5), 0, 1),
	};
	const struct sh_msg m2[] = {
		SH_S2C(LL_RSP3 LL_RSP2),
	};
	const struct sh_expect e2[] = {
		SH_EXP(PNE_S2C, 0, L(LL_RSP3), "response", RSP(304, 3)),
		SH_EXP(PNE_S2C, L(LL_RSP3), L(LL_RSP2), "response", RSP(204, 3), 0, 1),
	};
	const struct sh_msg m3[] = {
		SH_S2C(LL_RSP4 LL_RSP3),
	};
	const struct sh_expect e3[] = {
		SH_EXP(PNE_S2C, L(LL_RSP4), L(LL_RSP3), "response", RSP(304, 3), 1),
	};

	(void)state;
	sh_check("http", m1, SH_NELEM(m1), e1, SH_NELEM(e1));
	sh_check("http", m2, SH_NELEM(m2), e2, SH_NELEM(e2));
	sh_check("http", m3, SH_NELEM(m3), e3, SH_NELEM(e3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined_head_chunked),
		cmocka_unit_test(test_interim_and_bodyless),
		cmocka_unit_test(test_chunked_both_ways),
		cmocka_unit_test(test_final_transfer_coding),
		cmocka_unit_test(test_response_while_request_lost),
		cmocka_unit_test(test_chunk_without_crlf),
		cmocka_unit_test(test_close_delimited),
		cmocka_unit_test(test_transfer_coding_until_close),
		cmocka_unit_test(test_connect_tunnel),
		cmocka_unit_test(test_connect_refused_then_accepted),
		cmocka_unit_test(test_upgrade_switching),
		cmocka_unit_test(test_upgrade_declined),
		cmocka_unit_test(test_h2_prior_knowledge),
		cmocka_unit_test(test_bare_lf_and_leading_crlf),
		cmocka_unit_test(test_repeated_fields),
		cmocka_unit_test(test_resync_anchor),
		cmocka_unit_test(test_request_bad_transfer_coding),
		cmocka_unit_test(test_midstream_pickup),
		cmocka_unit_test(test_corpus_pipelined),
		cmocka_unit_test(test_content_encoding),
		cmocka_unit_test(test_content_encoding_folds),
		cmocka_unit_test(test_lenient_status_line),
		cmocka_unit_test(test_lenient_transfer_encoding),
		cmocka_unit_test(test_lenient_chunk_sizes),
		cmocka_unit_test(test_lenient_close_delimited),
	};

	return cmocka_run_group_tests_name("spec_http", tests, NULL, NULL);
}
