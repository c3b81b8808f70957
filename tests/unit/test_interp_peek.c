/*
 * Text steps with 'peek' (docs/spec-language.md, runtime/interp.c): the
 * fields are extracted, the bytes stay for the next step. Small specs
 * are compiled in memory and run through tests/unit/spec_harness.h, so
 * every case runs under every split, one byte at a time and on the fast
 * path: peeks straddle segments (their earlier bytes are replayed), end
 * at their delimiter, at their max and at the stream's end, start in
 * bytes an anchor match replays, and follow a skip.
 */
#include "spec_harness.h"

#include "ir.h"
#include "ir_priv.h"

#define L(s) (sizeof(s) - 1)

/* A spec compiled from source, viewed as tables (pnec_ir_to_spec). */
struct compiled {
	struct pnec_ir ir;
	struct pne_spec spec;
	struct pne_dfa dfas[8];
	struct pne_str strs[64];
};

static void compile(const char *src, struct compiled *c)
{
	struct pnec_diag d;
	struct pnec_ast *ast;
	char *msgs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&msgs, &len);

	assert_non_null(f);
	memset(c, 0, sizeof(*c));
	pnec_diag_init(&d, "t.pne", src, strlen(src), f);
	ast = pnec_parse("t.pne", src, strlen(src), &d);
	assert_non_null(ast);
	if (d.nerrors == 0 && pnec_check(ast, &d) == 0)
		pnec_lower(ast, &c->ir, &d);
	fclose(f);
	if (d.nerrors != 0)
		fail_msg("spec doesn't compile:\n%s", msgs);
	free(msgs);
	pnec_ast_free(ast);
	assert_true(c->ir.ndfas <= 8 && c->ir.nstrs <= 64);
	pnec_ir_to_spec(&c->ir, &c->spec, c->dfas, c->strs);
}

static void run(const char *src, const struct sh_msg *msgs, size_t n, int unsynced,
		const struct sh_expect *exp, size_t nexp, struct sh_result *res)
{
	struct compiled *c = malloc(sizeof(*c));
	struct sh_conv conv;

	assert_non_null(c);
	compile(src, c);
	conv = (struct sh_conv){ &c->spec, msgs, n, NULL, { unsynced, unsynced } };
	sh_check_conv(&conv, exp, nexp, res);
	pnec_ir_free(&c->ir);
	free(c);
}

/* A record is a decimal length line and that many bytes, or a text line;
 * a peek at the first line (at most 8 bytes) tells which. */
static const char lines_spec[] =
	"protocol p {\n"
	"	c2s u; s2c u;\n"
	"	unit u {\n"
	"		max 1000;\n"
	"		report num, n, got, k;\n"
	"		text until \"\\n\" max 8 peek {\n"
	"			num = all numeric; n = all as decimal max 99;\n"
	"			got = delim present; k = all length;\n"
	"		}\n"
	"		if (num && got) {\n"
	"			text until \"\\n\" max 8 { }\n"
	"			skip n;\n"
	"		} else if (!got && k < 8) {\n"
	"			until_close;\n"
	"		} else {\n"
	"			text until \"\\n\" max 100 { }\n"
	"		}\n"
	"	}\n"
	"}\n";

#define F(num, n, got, k) "{\"num\":" #num ",\"n\":" #n ",\"got\":" #got ",\"k\":" #k "}"

/* The peek ends at its delimiter ("3", "zz"), at its max ("xyz line":
 * 8 bytes, no LF yet) and at the stream's end ("tail"). */
static void test_peek_ends(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("3\nabcxyz line\nzz\n"),
		SH_C2S("12\n0123456789abtail"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 5, "u", F(true, 3, true, 1)),
		SH_EXP(PNE_C2S, 5, 9, "u", F(false, 0, false, 8)),
		SH_EXP(PNE_C2S, 14, 3, "u", F(false, 0, true, 2)),
		SH_EXP(PNE_C2S, 17, 15, "u", F(true, 12, true, 2)),
		SH_EXP(PNE_C2S, 32, 4, "u", F(false, 0, false, 4), 0, 1),
	};
	struct sh_result res;

	(void)state;
	run(lines_spec, msgs, SH_NELEM(msgs), 0, exp, SH_NELEM(exp), &res);
	/* every byte counted once, the peeked ones too */
	assert_int_equal(res.stats.bytes_examined + res.stats.bytes_skipped, 36);
	assert_int_equal(res.stats.invalid, 0);
	sh_result_free(&res);
}

/* A sized peek of 4 bytes: a magic or a 1-byte record. At the end, one
 * ended by the close with 2 bytes is followed by another with 1. */
static const char sized_spec[] =
	"protocol p {\n"
	"	c2s u; s2c u;\n"
	"	unit u {\n"
	"		max 1000;\n"
	"		report magic, b;\n"
	"		text size 4 peek { magic = all is \"ABCD\"; }\n"
	"		if (magic) {\n"
	"			header 6 { a : u16 @4; }\n"
	"			skip a;\n"
	"		} else {\n"
	"			header 1 { b : u8 @0; }\n"
	"		}\n"
	"	}\n"
	"}\n";

static void test_sized_peek(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("ABCD\x00\x03xyzqABCD\x00\x00"),
		SH_C2S("AB"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 9, "u", "\"magic\":true"),
		SH_EXP(PNE_C2S, 9, 1, "u", "\"magic\":false"),
		SH_EXP(PNE_C2S, 10, 6, "u", "\"magic\":true"),
		SH_EXP(PNE_C2S, 16, 1, "u", "\"magic\":false"),
		SH_EXP(PNE_C2S, 17, 1, "u", "\"magic\":false"),
	};

	(void)state;
	run(sized_spec, msgs, SH_NELEM(msgs), 0, exp, SH_NELEM(exp), NULL);
}

/* After a mid-stream pickup the anchor match replays its first bytes
 * into the unit; the peek after them straddles the replay and the
 * segment (and a rejected candidate: "MSG x" is no number). */
static const char anchor_spec[] =
	"protocol p {\n"
	"	c2s u; s2c u;\n"
	"	unit u {\n"
	"		max 1000;\n"
	"		resync anchor \"MSG \";\n"
	"		report n;\n"
	"		text until \" \" max 4 { }\n"
	"		text until \"\\n\" max 8 peek { n = all as decimal max 99; ok = all numeric; }\n"
	"		require ok \"length\";\n"
	"		text until \"\\n\" max 8 { }\n"
	"		skip n;\n"
	"	}\n"
	"}\n";

static void test_peek_after_anchor(void **state)
{
	const struct sh_msg msgs[] = {
		SH_C2S("junkMSG 3\nabcMSG x\nMSG 2\nxy"),
	};
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 4, 9, "u", "{\"n\":3}", 1),
		SH_EXP(PNE_C2S, 19, 8, "u", "{\"n\":2}", 1),
	};
	struct sh_result res;

	(void)state;
	run(anchor_spec, msgs, SH_NELEM(msgs), 1, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 1);
	assert_int_equal(res.stats.resyncs, 2);  /* the pickup, then "MSG 2" */
	sh_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peek_ends),
		cmocka_unit_test(test_sized_peek),
		cmocka_unit_test(test_peek_after_anchor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
