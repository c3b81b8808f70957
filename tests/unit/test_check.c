/*
 * The checker (compiler/check.c): table-driven. Each case is a spec and
 * the exact error and note lines pnec_check() must print (source and
 * caret lines aside, which belong to diag.c), or NULL for a spec that
 * must pass. A second table checks the value ranges computed for sample
 * expressions, which decide what counts as an overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "check_priv.h"
#include "diag.h"
#include "ir.h"

/* Most cases run in one unit of one protocol. */
#define UNIT(body) "protocol p {\n\tc2s u; s2c u;\n\tunit u {\n\t\tmax 1000;\n" body "\n\t}\n}\n"

struct check_case {
	const char *name;
	const char *spec;
	const char *want;  /* error/note lines, '\n'-terminated; NULL: passes */
};

static const struct check_case cases[] = {
	{ "minimal", UNIT("header 2 { n : u16 @0; } skip n;"), NULL },
	{ "duplicate",
	  "protocol p {\n\tvar x : u8 = 0;\n\tconst x = 1;\n\tc2s u; s2c u;\n"
	  "\tunit u { max 9; header 1 { a : u8 @0; } skip a + x; }\n}\n",
	  "t.pne:3:8: error: 'x' is already defined\n"
	  "t.pne:2:6: note: previous definition of 'x' is here\n" },
	{ "undefined",
	  UNIT("header 1 { a : u8 @0; } skip a + size;"),
	  "t.pne:5:34: error: undefined name 'size'\n" },
	{ "unused slot",
	  UNIT("header 2 { a : u8 @0; b : u8 @1; } skip a;"),
	  "t.pne:5:23: error: slot 'b' is never used\n" },
	{ "written var is unused",
	  "protocol p {\n\tvar v : u8 = 0;\n\tc2s u; s2c u;\n"
	  "\tunit u { max 9; v = 1; skip 1; }\n}\n",
	  "t.pne:2:6: error: var 'v' is never used\n" },
	{ "overflow mul",
	  UNIT("header 8 { a : u32 @0; b : u32 @4; } skip a * b * 4;"),
	  "t.pne:5:43: error: arithmetic can overflow: 'a * b * 4' can reach 2^66 (a * b <= 18446744065119617025)\n" },
	{ "no overflow u32 * u32",
	  UNIT("header 8 { a : u32 @0; b : u32 @4; } skip a * b;"), NULL },
	{ "masked fields don't overflow",
	  UNIT("header 16 { a : u64 @0 & 0xffff; b : u64 @8 >> 40; } skip a * b;"), NULL },
	{ "overflow shift",
	  UNIT("header 8 { a : u64 @0 >> 8; } skip a << 9;"),
	  "t.pne:5:36: error: arithmetic can overflow: 'a << 9' can reach 2^65 (a <= 2^56-1)\n" },
	{ "overflow pad4",
	  UNIT("header 8 { a : u64 @0; } skip pad4(a);"),
	  "t.pne:5:31: error: arithmetic can overflow: 'pad4(a)' can reach 2^64 (a <= 2^64-1)\n" },
	{ "subtraction is checked at run time",
	  UNIT("header 2 { a : u8 @0; b : u8 @1; } skip a - b;"), NULL },
	{ "loop widens a slot",
	  UNIT("let n = 0;\n\t\trepeat max 4 { header 1 { b : u8 @0; } n = n * 2 + b; if (b == 0) { break; } }\n\t\tskip n;"),
	  "t.pne:6:46: error: arithmetic can overflow: 'n * 2' can reach 2^65 (n <= 2^64-1)\n" },
	{ "constant division by zero",
	  "protocol p {\n\tconst Q = 1 / 0;\n\tc2s u; s2c u;\n\tunit u { max Q; skip 1; }\n}\n",
	  "t.pne:2:12: error: division by zero in '1 / 0'\n" },
	{ "field past header",
	  UNIT("header 6 { a : u16 @0; b : u32 @4; } skip a + b;"),
	  "t.pne:5:24: error: field 'b' (bytes 4..7) reads past the header's smallest size (6 bytes)\n" },
	{ "computed header without max",
	  UNIT("header 1 { a : u8 @0; } header a { }"),
	  "t.pne:5:32: error: a computed header size needs 'max'\n" },
	{ "header over the limit",
	  UNIT("header 2 { a : u8 @0; } header 2 + a max 70000 { b : u8 @1; } skip b;"),
	  "t.pne:5:42: error: a header of up to 70000 bytes is over the limit of 65535 bytes\n" },
	{ "decimal without max",
	  UNIT("text until \"\\n\" max 64 { n = word 1 as decimal; } skip n;"),
	  "t.pne:5:26: error: 'as decimal' needs 'max'\n" },
	{ "text without max",
	  UNIT("text until \"\\n\" { n = all length; } skip n;"),
	  "t.pne:5:1: error: text needs 'max'\n" },
	{ "unit without progress",
	  "protocol p {\n\tvar v : bool = 0;\n\tc2s u; s2c u;\n"
	  "\tunit u { max 9; if (v) { skip 1; } }\n}\n",
	  "t.pne:4:7: error: unit 'u' can complete without consuming a byte\n" },
	{ "repeat without progress",
	  UNIT("header 1 { a : u8 @0; } repeat max 4 { if (a == 0) { break; } skip a - 1; }"),
	  "t.pne:5:25: error: a repeat body can loop without consuming a byte\n" },
	{ "break leaves a repeat after progress",
	  UNIT("repeat max 4 { header 1 { a : u8 @0; } if (a == 0) { break; } }"), NULL },
	{ "break outside repeat",
	  "protocol p {\n\tsub s { skip 1; break; }\n\tc2s u; s2c u;\n\tunit u { max 9; do s; }\n}\n",
	  "t.pne:2:18: error: 'break' outside 'repeat'\n" },
	{ "break in a sub inside repeat",
	  "protocol p {\n\tsub s { header 1 { a : u8 @0; } if (a == 0) { break; } }\n"
	  "\tc2s u; s2c u;\n\tunit u { max 9; repeat max 3 { do s; } }\n}\n", NULL },
	{ "recursive sub",
	  "protocol p {\n\tsub a { skip 1; do b; }\n\tsub b { do a; }\n"
	  "\tc2s u; s2c u;\n\tunit u { max 9; do a; }\n}\n",
	  "t.pne:3:10: error: recursive 'do a'\n" },
	{ "wait on a slot",
	  "protocol p {\n\tvar r : bool = 0;\n\tc2s u; s2c u;\n"
	  "\tunit u { max 9; header 1 { a : u8 @0; } wait r && a; r = 1; }\n}\n",
	  "t.pne:4:52: error: 'wait' can't depend on slot 'a': only this direction changes it\n" },
	{ "wait on a fifo length",
	  "protocol p {\n\tfifo f : u8 [4];\n\tc2s u; s2c u;\n"
	  "\tunit u { max 9; header 1 { a : u8 @0; } push f a; wait len(f) > 0; pop f into b; skip b; }\n}\n",
	  NULL },
	{ "confirm without a header",
	  UNIT("resync confirm 2;\n\t\tvarint n max 4; skip n;"),
	  "t.pne:5:1: error: unit 'u' uses 'resync confirm' but doesn't start with a constant-size header\n" },
	{ "confirm through a sub",
	  "protocol p {\n\tsub h { header 4 { n : u32 @0; } }\n\tc2s u; s2c u;\n"
	  "\tunit u { max 99; resync confirm 2; do h; require n < 90; skip n; }\n}\n", NULL },
	{ "missing directions",
	  "protocol p {\n\tunit u { max 9; skip 1; }\n}\n",
	  "t.pne:1:10: error: missing 'c2s'\n"
	  "t.pne:1:10: error: missing 's2c'\n"
	  "t.pne:2:7: error: unit 'u' is never used\n" },
	{ "case overlap",
	  UNIT("header 1 { a : u8 @0; } switch (a) { case 1 .. 5: skip 1; case 4: skip 2; default: skip 3; }"),
	  "t.pne:5:64: error: case value 4 is already handled\n"
	  "t.pne:5:43: note: by this case\n" },
	{ "string in arithmetic",
	  UNIT("text until \"\\n\" max 64 { m = word 0 as string max 8; } require m == 0;"),
	  "t.pne:5:64: error: 'm' is a string: it can only be reported\n" },
	{ "assign to const",
	  "protocol p {\n\tconst K = 4;\n\tc2s u; s2c u;\n"
	  "\tunit u { max 9; header 1 { a : u8 @0; } K = a; skip K; }\n}\n",
	  "t.pne:4:42: error: can't assign to const 'K'\n" },
	{ "initial value too big",
	  "protocol p {\n\tparam m : u8 = 256;\n\tc2s u; s2c u;\n\tunit u { max 9; skip m + 1; }\n}\n",
	  "t.pne:2:17: error: initial value 256 doesn't fit in u8\n" },
	{ "expression too deep",
	  UNIT("header 1 { a : u8 @0; } skip a & (a & (a & (a & (a & (a & (a & (a & (a & (a & (a & (a & (a & (a & (a & (a & a)))))))))))))));"),
	  "t.pne:5:30: error: expression too deep to evaluate: it needs 17 stack entries, the limit is 16\n" },
	{ "typemap wants a slot",
	  "protocol p {\n\tvar v : u8 = 0;\n\tc2s u; s2c u;\n"
	  "\tunit u { max 9; type v { 1: \"one\"; } skip 1 + v; }\n}\n",
	  "t.pne:4:18: error: a type map needs a slot; 'v' is a var\n" },
};

/* The "error:" and "note:" lines of diagnostics text. */
static char *diag_lines(const char *all)
{
	size_t n = strlen(all);
	char *out = calloc(1, n + 1), *o = out;

	assert_non_null(out);
	for (const char *p = all; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);

		if (strncmp(p, "t.pne:", 6) == 0) {
			memcpy(o, p, len);
			o += len;
		}
		p += len;
	}
	return out;
}

/* Parse and check spec; returns pnec_check's result, *msgs the output. */
static int run_check(const char *spec, char **msgs, struct pnec_ast **astp)
{
	struct pnec_diag d;
	struct pnec_ast *ast;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = -1;

	assert_non_null(f);
	pnec_diag_init(&d, "t.pne", spec, strlen(spec), f);
	ast = pnec_parse("t.pne", spec, strlen(spec), &d);
	assert_non_null(ast);
	assert_int_equal(d.nerrors, 0);  /* the cases are syntactically valid */
	rc = pnec_check(ast, &d);
	fclose(f);
	*msgs = buf;
	if (astp != NULL)
		*astp = ast;
	else
		pnec_ast_free(ast);
	return rc;
}

static void test_diagnostics(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *all, *got;
		int rc = run_check(cases[i].spec, &all, NULL);
		const char *want = cases[i].want != NULL ? cases[i].want : "";

		got = diag_lines(all);
		if (strcmp(got, want) != 0 || (rc == 0) != (cases[i].want == NULL)) {
			fprintf(stderr, "case '%s' (rc %d)\n--- want\n%s--- got\n%s---\n",
				cases[i].name, rc, want, all);
			failed++;
		}
		free(got);
		free(all);
	}
	assert_int_equal(failed, 0);
}

/* The expression of `let NAME = e;` in the unit's body. */
static const struct pnec_expr *find_let(const struct pnec_ast *ast, const char *name)
{
	for (const struct pnec_item *it = ast->items; it != NULL; it = it->next) {
		if (it->kind != PNEC_I_UNIT)
			continue;
		for (const struct pnec_stmt *s = it->u->body; s != NULL; s = s->next)
			if (s->kind == PNEC_S_LET && strcmp(s->name.s, name) == 0)
				return s->e;
	}
	return NULL;
}

struct range_case {
	const char *expr;
	uint64_t lo, hi;
};

static const struct range_case ranges[] = {
	{ "a", 0, 255 },
	{ "w", 0, 65535 },
	{ "t", 0, 0xffffff },
	{ "m", 0, 0x3f },
	{ "s", 0, 3 },
	{ "q", 0, UINT64_MAX },
	{ "a + 1", 1, 256 },
	{ "a * 4 + w", 0, 255 * 4 + 65535 },
	{ "pad4(a)", 0, 256 },
	{ "align(a, 3)", 0, 255 },
	{ "align(a, 8)", 0, 256 },
	{ "padding(a, 4)", 0, 3 },
	{ "a & 0x0f", 0, 15 },
	{ "a | w", 0, 65535 },
	{ "w >> 4", 0, 4095 },
	{ "a << 8", 0, 65280 },
	{ "a / 2", 0, 127 },
	{ "a % 10", 0, 9 },
	{ "a > 3", 0, 1 },
	{ "a in { 1, 2 }", 0, 1 },
	{ "min(a, 10)", 0, 10 },
	{ "max(a, 10)", 10, 255 },
	{ "a ? 5 : 7", 5, 7 },
	{ "K * 2", 2000, 2000 },
	{ "K - 1", 999, 999 },
	{ "(1 << 20) + K", 1049576, 1049576 },
	{ "d", 0, 100 },
	{ "h", 0, 0xfff },
	{ "l", 0, 200 },
	{ "v", 0, (UINT64_C(1) << 28) - 1 },
	{ "len(f)", 0, 8 },
	{ "P", 0, 65535 },
	{ "b", 0, 1 },
	{ "sf", 0, 1 },
};

static void test_ranges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const struct pnec_expr *e;
		struct pnec_ast *ast;
		char spec[2048], *msgs;

		snprintf(spec, sizeof(spec),
			 "protocol p {\n\tconst K = 1000;\n\tparam P : u16 = 0;\n\tfifo f : u8 [8];\n"
			 "\tc2s u; s2c u;\n\tunit u {\n\t\tmax 99;\n"
			 "\t\theader 24 { a : u8 @0; w : u16le @1; t : u24 @3; m : u8 @6 & 0x3f;\n"
			 "\t\t\ts : u8 @7 >> 6; q : u64 @8; }\n"
			 "\t\ttext until \"\\n\" max 200 { d = word 0 as decimal max 100;\n"
			 "\t\t\th = word 1 as hex max 0xfff; l = all length; b = all numeric;\n"
			 "\t\t\tsf = line 0 suffix \"x\"; }\n"
			 "\t\tvarint v max 4;\n\t\tpush f a;\n\t\tpop f into z;\n"
			 "\t\trequire K > 0;\n\t\tlet r = %s;\n\t\tskip r;\n"
			 "\t\treport a, w, t, m, s, q, d, h, l, b, sf, v, z, P;\n\t}\n}\n",
			 ranges[i].expr);
		if (run_check(spec, &msgs, &ast) != 0)
			fail_msg("'%s' doesn't check:\n%s", ranges[i].expr, msgs);
		e = find_let(ast, "r");
		assert_non_null(e);
		if (e->lo != ranges[i].lo || e->hi != ranges[i].hi)
			fail_msg("'%s': range [%ju, %ju], want [%ju, %ju]", ranges[i].expr,
				 (uintmax_t)e->lo, (uintmax_t)e->hi,
				 (uintmax_t)ranges[i].lo, (uintmax_t)ranges[i].hi);
		free(msgs);
		pnec_ast_free(ast);
	}
}

/* Names resolve to their kind and index; constants fold. */
static void test_resolution(void **state)
{
	const char *spec =
		"protocol p {\n\tparam P : u8 = 1;\n\tvar V : u8 = 0;\n\tconst K = 3 * 4;\n"
		"\tc2s u; s2c u;\n\tunit u {\n\t\tmax 99;\n"
		"\t\theader 2 { a : u8 @0; b : u8 @1; }\n"
		"\t\tlet x = b + V;\n\t\tlet y = P + K;\n\t\tV = 1;\n\t\tskip x + y + a;\n\t}\n}\n";
	struct pnec_ast *ast;
	const struct pnec_expr *x, *y;
	char *msgs;

	(void)state;
	assert_int_equal(run_check(spec, &msgs, &ast), 0);
	x = find_let(ast, "x");
	y = find_let(ast, "y");
	assert_int_equal(x->a->resolved, PNEC_SYM_SLOT);
	assert_int_equal(x->a->index, 1);
	assert_int_equal(x->b->resolved, PNEC_SYM_VAR);
	assert_int_equal(x->b->index, 1);
	assert_int_equal(y->a->resolved, PNEC_SYM_PARAM);
	assert_int_equal(y->a->index, 0);
	assert_int_equal(y->b->resolved, PNEC_SYM_CONST);
	assert_true(pnec_expr_is_const(y->b));
	assert_int_equal(y->b->lo, 12);
	assert_false(pnec_expr_is_const(y));
	free(msgs);
	pnec_ast_free(ast);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diagnostics),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_resolution),
	};
	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
