/*
 * specs/http.pne's body sniffing, and through it the language's 'peek'
 * text steps (runtime/interp.c): a peek looks at bytes and leaves them
 * for the next step. Each conversation runs under every split, one byte
 * at a time and on the fast path (tests/unit/spec_harness.h), so peeks
 * straddle segments (their earlier bytes are replayed) and end at their
 * delimiter, at their max and at the stream's end. test_sniff_bodies
 * also checks that the bytes a peek looked at reach body consumers (the
 * SKIP reports) exactly once, in order.
 */
#include "spec_harness.h"

#define L(s) (sizeof(s) - 1)

#define RSP(st, cl) "{\"status\":" #st ",\"content_length\":" #cl ",\"content_encoding\":\"\"}"

#define REQ "GET /f HTTP/1.1\r\nHost: example.com\r\n\r\n"
#define EXP_REQ SH_EXP(PNE_C2S, 0, L(REQ), "request", NULL)
#define EXP_REQ2 SH_EXP(PNE_C2S, L(REQ), L(REQ), "request", NULL)

static void check_strict(const struct sh_msg *msgs, size_t n, const struct sh_expect *exp,
			 size_t nexp)
{
	uint64_t params[PNE_MAX_CVARS];
	struct sh_conv conv = { pne_builtin_spec("http"), msgs, n, params, { 0, 0 } };

	sh_params_default(conv.spec, params);
	sh_param_set(conv.spec, params, "Strict", 1);
	sh_check_conv(&conv, exp, nexp, NULL);
}

/* ---- Transfer-Encoding: chunked, but the body isn't ------------------------ */

#define EICAR "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
#define TP_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 68\r\n\r\n"
#define TP_RSP TP_HEAD EICAR
#define TC_RSP "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 68\r\n\r\n" \
	"5\r\nX5O!P\r\n0\r\n\r\n"
#define NEXT_RSP "HTTP/1.1 204 No Content\r\n\r\n"

/* A plain body is framed by its Content-Length (browsers), the next
 * response follows; a chunked one stays chunked. The sniff's 64-byte
 * peek ends at its max in the EICAR line, at the delimiter in the
 * chunked one. */
static void test_te_plain_body(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(REQ REQ),
		SH_S2C(TP_RSP NEXT_RSP),
	};
	const struct sh_expect exp[] = {
		EXP_REQ, EXP_REQ2,
		SH_EXP(PNE_S2C, 0, L(TP_RSP), "response", RSP(200, 68)),
		SH_EXP(PNE_S2C, L(TP_RSP), L(NEXT_RSP), "response", RSP(204, 0)),
	};
	const struct sh_msg chunked[] = {
		SH_C2S(REQ REQ),
		SH_S2C(TC_RSP NEXT_RSP),
	};
	const struct sh_expect chunked_exp[] = {
		EXP_REQ, EXP_REQ2,
		SH_EXP(PNE_S2C, 0, L(TC_RSP), "response", RSP(200, 68)),
		SH_EXP(PNE_S2C, L(TC_RSP), L(NEXT_RSP), "response", RSP(204, 0)),
	};
	/* Strict: RFC 9112 6.3 rule 3, chunked; "X5O!P...", up to the LF
	 * of the next status line, is no chunk size: invalid, and the scan
	 * for the next response starts after it */
	const struct sh_expect strict_exp[] = { EXP_REQ, EXP_REQ2 };

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
	sh_check("http", chunked, SH_NELEM(chunked), chunked_exp, SH_NELEM(chunked_exp));
	check_strict(msgs, SH_NELEM(msgs), strict_exp, SH_NELEM(strict_exp));
}

/* Without a Content-Length the plain body lasts until the close, and the
 * peek is ended by the close: "hello" is shorter than its max and has no
 * line end. A peek ended by close with nothing gathered sees an empty
 * line: chunked, cut short (a partial ADU). */
#define TU_HEAD "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

static void test_te_plain_until_close(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(REQ),
		SH_S2C(TU_HEAD "hello"),
	};
	const struct sh_expect exp[] = {
		EXP_REQ,
		SH_EXP(PNE_S2C, 0, L(TU_HEAD "hello"), "response", RSP(200, 0), 0, 1),
	};
	const struct sh_msg empty[] = {
		SH_C2S(REQ),
		SH_S2C(TU_HEAD),
	};
	const struct sh_expect empty_exp[] = { EXP_REQ };
	struct sh_conv conv = { pne_builtin_spec("http"), empty, SH_NELEM(empty), NULL, { 0, 0 } };
	struct sh_result res;

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
	sh_check_conv(&conv, empty_exp, SH_NELEM(empty_exp), &res);
	assert_int_equal(res.stats.partial, 1);
	assert_int_equal(res.stats.invalid, 0);
	sh_result_free(&res);
}

/* A folded line that is a Transfer-Encoding field line counts as one
 * (browsers differ; the body decides), unless Strict (an obs-fold). */
#define FT_HEAD "HTTP/1.1 200 OK\r\nConnection: close\r\n Transfer-Encoding: chunked\r\n"
#define FT_CHUNKED FT_HEAD "\r\n3\r\nabc\r\n0\r\n\r\n"
#define FT_PLAIN FT_HEAD "Content-Length: 3\r\n\r\nxyz"

static void test_folded_transfer_encoding(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(REQ REQ),
		SH_S2C(FT_CHUNKED FT_PLAIN),
	};
	const struct sh_expect exp[] = {
		EXP_REQ, EXP_REQ2,
		SH_EXP(PNE_S2C, 0, L(FT_CHUNKED), "response", RSP(200, 0)),
		SH_EXP(PNE_S2C, L(FT_CHUNKED), L(FT_PLAIN), "response", RSP(200, 3)),
	};
	/* Strict: a fold of Connection; the first body lasts until close */
	const struct sh_expect strict_exp[] = {
		EXP_REQ, EXP_REQ2,
		SH_EXP(PNE_S2C, 0, L(FT_CHUNKED FT_PLAIN), "response", RSP(200, 0), 0, 1),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
	check_strict(msgs, SH_NELEM(msgs), strict_exp, SH_NELEM(strict_exp));
}

/* ---- the end of the head --------------------------------------------------- */

/* A line of blanks or CRs ends the head when what follows is neither a
 * field line (a colon in its first word, or a fold) nor the empty line:
 * LF SP LF, LF CR CR LF. Otherwise it is passed over. */
#define HE_RSP1 "HTTP/1.1 200 OK\r\nContent-Length: 3\n \nabc"
#define HE_RSP2 "HTTP/1.1 200 OK\r\nContent-Length: 4\n\r\r\nabcd"
#define HE_RSP3 "HTTP/1.1 200 OK\r\n\r\r\nContent-Length: 2\r\n\r\nab"
#define HE_RSP4 "HTTP/1.1 200 OK\r\nContent-Length: 1\n\t\n\r\nz"
#define HE_RSP5 "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n \r\n chunked\r\n\r\n1\r\nq\r\n0\r\n\r\n"

static void test_blank_line_ends_head(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(REQ REQ REQ REQ REQ),
		SH_S2C(HE_RSP1 HE_RSP2 HE_RSP3 HE_RSP4 HE_RSP5),
	};
	const struct sh_expect exp[] = {
		EXP_REQ, EXP_REQ2,
		SH_EXP(PNE_C2S, 2 * L(REQ), L(REQ), "request", NULL),
		SH_EXP(PNE_C2S, 3 * L(REQ), L(REQ), "request", NULL),
		SH_EXP(PNE_C2S, 4 * L(REQ), L(REQ), "request", NULL),
		SH_EXP(PNE_S2C, 0, L(HE_RSP1), "response", RSP(200, 3)),
		SH_EXP(PNE_S2C, L(HE_RSP1), L(HE_RSP2), "response", RSP(200, 4)),
		SH_EXP(PNE_S2C, L(HE_RSP1 HE_RSP2), L(HE_RSP3), "response", RSP(200, 2)),
		SH_EXP(PNE_S2C, L(HE_RSP1 HE_RSP2 HE_RSP3), L(HE_RSP4), "response", RSP(200, 1)),
		SH_EXP(PNE_S2C, L(HE_RSP1 HE_RSP2 HE_RSP3 HE_RSP4), L(HE_RSP5), "response",
		       RSP(200, 0)),
	};

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* ---- HTTP/0.9 -------------------------------------------------------------- */

/* A first response without "HTTP/" in its first 64 bytes (or before the
 * close) is all body. Junk before a status line is not HTTP/0.9: the
 * status line is found by its anchor, as before. */
#define H9_BODY "hello, this is a simple response\nof two lines"
#define H9_JUNK "foobar\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

static void test_http09(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S(REQ),
		SH_S2C("<html>" H9_BODY),
	};
	const struct sh_expect exp[] = {
		EXP_REQ,
		SH_EXP(PNE_S2C, 0, L("<html>" H9_BODY), "response", RSP(0, 0), 0, 1),
	};
	const struct sh_msg junk[] = {
		SH_C2S(REQ),
		SH_S2C(H9_JUNK),
	};
	const struct sh_expect junk_exp[] = {
		EXP_REQ,
		SH_EXP(PNE_S2C, L("foobar\r\n"), L(H9_JUNK) - L("foobar\r\n"), "response",
		       RSP(200, 2), 1),
	};
	/* Strict: no HTTP/0.9; the response is invalid, nothing is framed */
	const struct sh_expect strict_exp[] = { EXP_REQ };

	(void)state;
	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
	sh_check("http", junk, SH_NELEM(junk), junk_exp, SH_NELEM(junk_exp));
	check_strict(msgs, SH_NELEM(msgs), strict_exp, SH_NELEM(strict_exp));
}

/* ---- what body consumers see ------------------------------------------------ */

struct body {
	uint8_t buf[512];
	size_t len;
	uint64_t rest;   /* bytes of the last skip still to come */
	int bad;
};

static void on_body(const struct pne_adu *adu, void *arg)
{
	struct body *b = arg;

	if (adu->dir != PNE_S2C || adu->event != PNE_ADU_SKIP)
		return;
	if (adu->avail > adu->skip || b->len + adu->avail > sizeof(b->buf)) {
		b->bad = 1;
		return;
	}
	memcpy(b->buf + b->len, adu->data, adu->avail);
	b->len += adu->avail;
	b->rest = adu->skip - adu->avail;
}

/* Feed p[0..n) to s2c: the start of a skip reported before this feed is
 * taken from it when the interpreter passes over it in this feed (no
 * report: skippable says so); a skip that starts in replayed bytes
 * reports its rest itself. fast: pass skippable bytes unseen. */
static void feed_body(struct pne_interp_conn *c, const uint8_t *p, size_t n, int fast,
		      struct body *b)
{
	size_t i = 0;

	while (i < n) {
		uint64_t sk = pne_interp_skippable(c, PNE_S2C);
		size_t take = (size_t)(sk < n - i ? sk : n - i);

		if (take > b->rest)
			take = (size_t)b->rest;
		if (take > 0) {
			memcpy(b->buf + b->len, p + i, take);
			b->len += take;
			b->rest -= take;
			if (fast)
				pne_interp_advance(c, PNE_S2C, take, on_body, b);
			else
				assert_int_equal(pne_interp_feed(c, PNE_S2C, p + i, take,
								 on_body, b), take);
			i += take;
			continue;
		}
		b->rest = 0;
		assert_int_equal(pne_interp_feed(c, PNE_S2C, p + i, n - i, on_body, b), n - i);
		break;
	}
}

/* The body bytes of one response, fed in pieces of at most step bytes
 * after a cut at cut; returns them in b. */
static void run_body(const char *rsp, size_t len, size_t cut, size_t step, int fast,
		     struct body *b)
{
	const struct pne_spec *spec = pne_builtin_spec("http");
	size_t size = pne_interp_conn_size(spec);
	struct pne_interp_conn *c = aligned_alloc(64, (size + 63) / 64 * 64);
	const uint8_t *p = (const uint8_t *)rsp;
	size_t i = 0;

	assert_non_null(c);
	memset(b, 0, sizeof(*b));
	pne_interp_init(c, spec, NULL, NULL);
	pne_interp_events(c, PNE_S2C, PNE_EV_SKIP);
	assert_int_equal(pne_interp_feed(c, PNE_C2S, (const uint8_t *)REQ, L(REQ), NULL, NULL),
			 L(REQ));
	while (i < len) {
		size_t end = i < cut && cut < len ? cut : len;

		if (end - i > step)
			end = i + step;
		feed_body(c, p + i, end - i, fast, b);
		i = end;
	}
	pne_interp_close(c, PNE_S2C, on_body, b);
	assert_int_equal(pne_interp_stats(c)->invalid, 0);
	free(c);
}

static void check_body(const char *rsp, size_t len, const char *body, size_t blen)
{
	struct body b;

	for (int fast = 0; fast < 2; fast++) {
		for (size_t cut = 0; cut < len; cut++) {
			run_body(rsp, len, cut, len, fast, &b);
			if (b.bad || b.len != blen || memcmp(b.buf, body, blen) != 0)
				fail_msg("cut %zu%s: body of %zu bytes \"%.*s\"", cut,
					 fast ? " (fast path)" : "", b.len, (int)b.len, b.buf);
		}
		run_body(rsp, len, 0, 1, fast, &b);
		if (b.bad || b.len != blen || memcmp(b.buf, body, blen) != 0)
			fail_msg("byte by byte%s: body of %zu bytes \"%.*s\"",
				 fast ? " (fast path)" : "", b.len, (int)b.len, b.buf);
	}
}

#define SB_CLOSE "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" EICAR "\r\nmore"

static void test_sniff_bodies(void **state)
{
	(void)state;
	/* Content-Length: the peeked bytes are skipped as the body */
	check_body(TP_RSP, L(TP_RSP), EICAR, L(EICAR));
	/* chunked: the data of the chunk (the size line peeked, then read) */
	check_body(TC_RSP, L(TC_RSP), "X5O!P", 5);
	/* until close, the peek ended at its delimiter past 64 bytes' max */
	check_body(SB_CLOSE, L(SB_CLOSE), EICAR "\r\nmore", L(EICAR "\r\nmore"));
	/* until close, the peek ended by the close */
	check_body(TU_HEAD "hello", L(TU_HEAD "hello"), "hello", 5);
	/* HTTP/0.9: the peek at the response's first bytes */
	check_body("<html>" H9_BODY, L("<html>" H9_BODY), "<html>" H9_BODY,
		   L("<html>" H9_BODY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_te_plain_body),
		cmocka_unit_test(test_te_plain_until_close),
		cmocka_unit_test(test_folded_transfer_encoding),
		cmocka_unit_test(test_blank_line_ends_head),
		cmocka_unit_test(test_http09),
		cmocka_unit_test(test_sniff_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
