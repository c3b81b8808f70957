/*
 * The back end after the checker: lowering (compiler/ir.c) of sample
 * specs to the expected ops and bytecode, the byte automata against a
 * naive search, reproducible output of the emitter and the dumps, and an
 * IR run through the interpreter (pnec_ir_to_spec) framing real bytes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ir.h"
#include "ir_priv.h"
#include "pne/interp.h"

/* Parse, check and lower spec into *ir; fails the test on any error. */
static void compile(const char *spec, struct pnec_ir *ir)
{
	struct pnec_diag d;
	struct pnec_ast *ast;
	char *msgs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&msgs, &len);

	assert_non_null(f);
	pnec_diag_init(&d, "t.pne", spec, strlen(spec), f);
	ast = pnec_parse("t.pne", spec, strlen(spec), &d);
	assert_non_null(ast);
	if (d.nerrors == 0 && pnec_check(ast, &d) == 0)
		pnec_lower(ast, ir, &d);
	fclose(f);
	if (d.nerrors != 0)
		fail_msg("spec doesn't compile:\n%s", msgs);
	free(msgs);
	pnec_ast_free(ast);
}

static void expect_ops(const struct pnec_ir *ir, const uint8_t *codes, size_t n)
{
	char text[256];
	int same = ir->nops == n;

	for (size_t i = 0; same && i < n; i++)
		same = ir->ops[i].code == codes[i];
	if (same)
		return;
	for (size_t i = 0; i < ir->nops; i++)
		fprintf(stderr, "  %2zu %s\n", i, pnec_op_text(ir, i, text, sizeof(text)));
	fail_msg("%zu ops differ from the %zu expected", ir->nops, n);
}

static const char *infix(const struct pnec_ir *ir, uint32_t off)
{
	static char buf[512];

	pnec_expr_infix(ir, off, buf, sizeof(buf));
	return buf;
}

/* if/else, switch, repeat with break (convention 7), do inlining. */
static void test_lower_control(void **state)
{
	static const char spec[] =
		"protocol p {\n\tc2s u; s2c u;\n"
		"\tsub tail { skip n; }\n"
		"\tunit u {\n\t\tmax 999;\n"
		"\t\theader 2 { k : u8 @0; n : u8 @1; }\n"
		"\t\tif (k == 1) { do tail; } else { skip 1; }\n"
		"\t\tswitch (k) { case 2, 4 .. 6: skip 2; case 7: skip 4; default: skip 3; }\n"
		"\t\trepeat max 5 { header 1 { b : u8 @0; } if (b == 0) { break; } }\n"
		"\t\treport k;\n\t}\n}\n";
	static const uint8_t want[] = {
		PNE_OP_HDR,
		PNE_OP_JZ, PNE_OP_SKIP, PNE_OP_JMP, PNE_OP_SKIP,      /* if/else */
		PNE_OP_JZ, PNE_OP_SKIP, PNE_OP_JMP,                   /* case 2, 4..6 */
		PNE_OP_JZ, PNE_OP_SKIP, PNE_OP_JMP,                   /* case 7 */
		PNE_OP_SKIP,                                          /* default */
		PNE_OP_SET, PNE_OP_JZ, PNE_OP_SET,                    /* repeat head */
		PNE_OP_HDR, PNE_OP_JZ, PNE_OP_JMP,                    /* body + break */
		PNE_OP_JMP, PNE_OP_REQUIRE,                           /* loop, limit */
		PNE_OP_END,
	};
	struct pnec_ir ir;

	(void)state;
	compile(spec, &ir);
	expect_ops(&ir, want, sizeof(want));
	/* if: JZ to the else branch, JMP over it */
	assert_int_equal(ir.ops[1].aux, 4);
	assert_int_equal(ir.ops[3].aux, 5);
	assert_string_equal(infix(&ir, ir.ops[1].expr), "k == 1");
	assert_string_equal(infix(&ir, ir.ops[2].expr), "n");      /* inlined sub */
	/* switch: arms in order, default last, all ends join at 12 */
	assert_string_equal(infix(&ir, ir.ops[5].expr), "k == 2 || k >= 4 && k <= 6");
	assert_int_equal(ir.ops[5].aux, 8);
	assert_int_equal(ir.ops[7].aux, 12);
	assert_int_equal(ir.ops[8].aux, 11);
	assert_int_equal(ir.ops[10].aux, 12);
	/* repeat: counter is the slot after the named ones (k, n, b) */
	assert_int_equal(ir.nslots, 4);
	assert_string_equal(ir.strs[ir.slots[3].name].s, ".r0");
	assert_int_equal(ir.ops[12].slot, 3);
	assert_string_equal(infix(&ir, ir.ops[12].expr), "0");
	assert_string_equal(infix(&ir, ir.ops[13].expr), ".r0 < 5");
	assert_int_equal(ir.ops[13].aux, 19);                      /* to the REQUIRE */
	assert_string_equal(infix(&ir, ir.ops[14].expr), ".r0 + 1");
	assert_int_equal(ir.ops[17].aux, 20);                      /* break: past it */
	assert_int_equal(ir.ops[18].aux, 13);                      /* loop back */
	assert_string_equal(ir.strs[ir.ops[19].aux].s, "repeat limit");
	assert_string_equal(infix(&ir, ir.ops[19].expr), "0");
	pnec_ir_free(&ir);
}

/* Bytecode of helpers, folding, the constant table, sharing. */
static void test_lower_exprs(void **state)
{
	static const char spec[] =
		"protocol p {\n\tconst K = 2 * 150;\n\tparam P : u8 = 3;\n\tc2s u; s2c u;\n"
		"\tunit u {\n\t\tmax 99999;\n"
		"\t\theader 4 { a : u8 @0; b : u16 @1; c : u8 @3 >> 4 & 3; }\n"
		"\t\tskip pad4(a) + K;\n"
		"\t\tskip align(b, 6) + padding(a, 8);\n"
		"\t\tskip P ? a : b;\n"
		"\t\tskip pad4(a) + K;\n"
		"\t\trequire c < 3 \"c\";\n"
		"\t\tif (1 + 1 == 2) { skip 1; } else { skip 2; }\n\t}\n}\n";
	static const uint8_t pad4_plus_k[] = {
		PNE_X_SLOT, 0, PNE_X_IMM8, 3, PNE_X_ADD, PNE_X_IMM8, 2, PNE_X_SHR,
		PNE_X_IMM8, 2, PNE_X_SHL, PNE_X_CONST, 0, 0, PNE_X_ADD, PNE_X_END,
	};
	struct pnec_ir ir;

	(void)state;
	compile(spec, &ir);
	assert_int_equal(ir.ops[1].code, PNE_OP_SKIP);
	assert_memory_equal(ir.code + ir.ops[1].expr, pad4_plus_k, sizeof(pad4_plus_k));
	assert_int_equal(ir.nconsts, 1);
	assert_int_equal(ir.consts[0], 300);
	assert_string_equal(infix(&ir, ir.ops[2].expr),
			    "(b + 5) / 6 * 6 + (8 - (a & 7) & 7)");
	assert_string_equal(infix(&ir, ir.ops[3].expr), "P ? a : b");
	assert_int_equal(ir.ops[4].expr, ir.ops[1].expr);           /* shared */
	/* c : u8 @3 >> 4 & 3 is one shift and one mask */
	assert_int_equal(ir.fields[2].shift, 4);
	assert_int_equal(ir.fields[2].mask, 3);
	assert_int_equal(ir.fields[1].type, PNE_FT_U16);
	/* constant condition: only the taken branch, no jump */
	assert_int_equal(ir.ops[6].code, PNE_OP_SKIP);
	assert_string_equal(infix(&ir, ir.ops[6].expr), "1");
	assert_int_equal(ir.ops[7].code, PNE_OP_END);
	assert_int_equal(ir.hdr_max, 4);
	assert_int_equal(ir.cvars[0].init, 3);
	assert_int_equal(ir.cvars[0].is_param, 1);
	pnec_ir_free(&ir);
}

/* Text steps, string dedup, typemap expansion, reports, string arena. */
static void test_lower_text(void **state)
{
	static const char spec[] =
		"protocol p {\n\tc2s u; s2c u;\n"
		"\tunit u {\n\t\tmax 99999;\n"
		"\t\ttype code { 1 .. 3: \"low\"; 9: \"nine\"; default: \"other\"; }\n"
		"\t\treport m as \"method\", code;\n"
		"\t\ttext until \"\\r\\n\\r\\n\" max 4096 { m = word 0 as string max 16;\n"
		"\t\t\tcode = word 1 as decimal max 999; cl = header \"Content-Length\" as decimal max 100000; }\n"
		"\t\tskip cl;\n\t}\n}\n";
	struct pnec_ir ir;
	const struct pne_text *t;

	(void)state;
	compile(spec, &ir);
	assert_int_equal(ir.ntexts, 1);
	t = &ir.texts[0];
	assert_string_equal(ir.strs[t->delim].s, "\r\n\r\n");
	assert_string_equal(ir.strs[t->linesep].s, "\r\n");
	assert_string_equal(ir.strs[t->kvsep].s, ":");
	assert_int_equal(t->max, 4096);
	assert_int_equal(t->nfields, 3);
	assert_int_equal(ir.tfields[0].conv, PNE_TC_STRING);
	assert_int_equal(ir.tfields[0].max, 16);
	assert_int_equal(ir.tfields[2].src, PNE_TS_HEADER);
	assert_string_equal(ir.strs[ir.tfields[2].arg].s, "Content-Length");
	assert_int_equal(ir.str_max, 16);
	assert_int_equal(ir.hdr_max, 4096);
	/* type map: ranges expanded, sorted */
	assert_int_equal(ir.units[0].ntypemaps, 4);
	assert_int_equal(ir.typemaps[0].value, 1);
	assert_int_equal(ir.typemaps[3].value, 9);
	assert_string_equal(ir.strs[ir.typemaps[2].name].s, "low");
	assert_string_equal(ir.strs[ir.units[0].type_default].s, "other");
	assert_int_equal(ir.reports[0].kind, PNE_RK_STRING);
	assert_string_equal(ir.strs[ir.reports[0].name].s, "method");
	/* every string once */
	for (size_t i = 0; i < ir.nstrs; i++)
		for (size_t j = i + 1; j < ir.nstrs; j++)
			assert_false(ir.strs[i].len == ir.strs[j].len &&
				     memcmp(ir.strs[i].s, ir.strs[j].s, ir.strs[i].len) == 0);
	pnec_ir_free(&ir);
}

/* A text without fields needs no header buffer; suffix keeps its
 * literal. */
static void test_lower_text_buffer(void **state)
{
	static const char spec[] =
		"protocol p {\n\tc2s u; s2c u;\n"
		"\tunit u {\n\t\tmax 999999;\n\t\treport te;\n"
		"\t\ttext until \"\\r\\n\" max 65536 { }\n"
		"\t\ttext size 70000 max 70000 { }\n"
		"\t\ttext until \"\\n\" max 300 { te = header \"TE\" suffix \"chunked\"; }\n"
		"\t\theader 8 { x : u8 @7; }\n\t\tskip x;\n\t}\n}\n";
	struct pnec_ir ir;

	(void)state;
	compile(spec, &ir);
	assert_int_equal(ir.ntexts, 3);
	assert_int_equal(ir.texts[0].max, 65536);
	assert_int_equal(ir.texts[1].max, 70000);
	assert_int_equal(ir.hdr_max, 300);
	assert_int_equal(ir.ntfields, 1);
	assert_int_equal(ir.tfields[0].conv, PNE_TC_SUFFIX);
	assert_string_equal(ir.strs[ir.tfields[0].lit].s, "chunked");
	assert_string_equal(ir.strs[ir.tfields[0].arg].s, "TE");
	assert_int_equal(ir.reports[0].kind, PNE_RK_BOOL);
	pnec_ir_free(&ir);
}

/* ------------------------------------------------------------------ */
/* Automata                                                            */
/* ------------------------------------------------------------------ */

/* Run dfa over s; position after the first accepting byte and its
 * literal length, or -1. */
static long dfa_first(const struct pnec_ir_dfa *dfa, const char *s, size_t n,
		      unsigned *len)
{
	unsigned st = 0;

	for (size_t i = 0; i < n; i++) {
		st = dfa->next[st * dfa->nclasses + dfa->cls[(uint8_t)s[i]]];
		assert_true(st < dfa->nstates);
		if (st >= dfa->accept) {
			*len = dfa->accept_len[st - dfa->accept];
			return (long)i + 1;
		}
	}
	return -1;
}

/* Naive: the earliest end of any literal, and the longest ending there. */
static long naive_first(const struct pnec_str *lits, size_t nl, const char *s,
			size_t n, unsigned *len)
{
	for (size_t end = 1; end <= n; end++) {
		unsigned best = 0;

		for (size_t k = 0; k < nl; k++)
			if (lits[k].len <= end &&
			    memcmp(s + end - lits[k].len, lits[k].s, lits[k].len) == 0 &&
			    lits[k].len > best)
				best = (unsigned)lits[k].len;
		if (best) {
			*len = best;
			return (long)end;
		}
	}
	return -1;
}

/* Every string over alphabet up to maxlen: the automaton agrees with the
 * naive search, so it finds the delimiter wherever input is split. */
static void check_dfa(const struct pnec_str *lits, size_t nl, const char *alphabet,
		      size_t maxlen)
{
	struct pnec_ir_dfa dfa;
	size_t na = strlen(alphabet);
	char s[16];

	assert_int_equal(pnec_dfa_build(lits, nl, &dfa), 0);
	assert_true(maxlen < sizeof(s));
	for (size_t len = 0; len <= maxlen; len++) {
		size_t total = 1;

		for (size_t i = 0; i < len; i++)
			total *= na;
		for (size_t k = 0; k < total; k++) {
			size_t x = k;
			unsigned l1 = 0, l2 = 0;
			long a, b;

			for (size_t i = 0; i < len; i++, x /= na)
				s[i] = alphabet[x % na];
			a = dfa_first(&dfa, s, len, &l1);
			b = naive_first(lits, nl, s, len, &l2);
			if (a != b || l1 != l2)
				fail_msg("'%.*s': automaton %ld/%u, naive %ld/%u", (int)len, s,
					 a, l1, b, l2);
		}
	}
	free(dfa.next);
	free(dfa.accept_len);
}

static void test_dfa_delimiter(void **state)
{
	const struct pnec_str crlf2 = { (char *)"\r\n\r\n", 4 };
	const struct pnec_str aab = { (char *)"aab", 3 };
	const struct pnec_str nul = { (char *)"\0\0", 2 };
	struct pnec_ir_dfa dfa;

	(void)state;
	check_dfa(&crlf2, 1, "\r\na", 9);
	check_dfa(&aab, 1, "ab", 12);
	check_dfa(&nul, 1, "\001\0", 10);
	/* KMP shape: m + 1 states, one accepting, other bytes share a class */
	assert_int_equal(pnec_dfa_build(&crlf2, 1, &dfa), 0);
	assert_int_equal(dfa.nstates, 5);
	assert_int_equal(dfa.accept, 4);
	assert_int_equal(dfa.nclasses, 3);
	assert_int_equal(dfa.cls['x'], dfa.cls[0xff]);
	free(dfa.next);
	free(dfa.accept_len);
}

static void test_dfa_anchors(void **state)
{
	const struct pnec_str lits[] = {
		{ (char *)"GET ", 4 }, { (char *)"ET", 2 }, { (char *)"HTTP", 4 },
		{ (char *)"TT", 2 },
	};
	const struct pnec_str overlap[] = {
		{ (char *)"abab", 4 }, { (char *)"bab", 3 }, { (char *)"b", 1 },
	};
	const struct pnec_str empty = { (char *)"", 0 };
	struct pnec_ir_dfa dfa;

	(void)state;
	check_dfa(lits, 4, "GETH P", 7);
	check_dfa(overlap, 3, "abc", 9);
	assert_int_equal(pnec_dfa_build(&empty, 1, &dfa), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

static char *render(const struct pnec_ir *ir, int what)
{
	char *buf = NULL, *hbuf = NULL;
	size_t len = 0, hlen = 0;
	FILE *f = open_memstream(&buf, &len), *h = open_memstream(&hbuf, &hlen);

	assert_non_null(f);
	assert_non_null(h);
	if (what == 0)
		assert_int_equal(pnec_emit_c(ir, f, h, "spec_t.h", "pne_spec_t", 1), 0);
	else if (what == 1)
		assert_int_equal(pnec_dump_ir(ir, f), 0);
	else
		assert_int_equal(pnec_dump_dot(ir, f), 0);
	fclose(f);
	fclose(h);
	if (what == 0) {
		assert_non_null(strstr(hbuf, "extern const struct pne_spec pne_spec_t;"));
		assert_non_null(strstr(hbuf, "#ifndef PNE_SPEC_T_H"));
	}
	free(hbuf);
	return buf;
}

static const char sample[] =
	"protocol t \"test */ spec\" {\n\tports 1234;\n\tc2s u; s2c u;\n"
	"\tunit u {\n\t\tmax 99999;\n\t\tresync anchor \"GO\", \"/*\";\n"
	"\t\ttext until \"*/\" max 64 { n = word 1 as decimal max 1000; }\n"
	"\t\tskip n * 65537;\n\t}\n}\n";

static void test_emit_reproducible(void **state)
{
	struct pnec_ir a, b;

	(void)state;
	compile(sample, &a);
	compile(sample, &b);
	for (int what = 0; what < 3; what++) {
		char *x = render(&a, what), *y = render(&b, what), *z = render(&a, what);

		assert_string_equal(x, y);
		assert_string_equal(x, z);
		free(x);
		free(y);
		free(z);
	}
	pnec_ir_free(&a);
	pnec_ir_free(&b);
}

static void test_emit_layout(void **state)
{
	struct pnec_ir ir;
	char *c, *body;

	(void)state;
	compile(sample, &ir);
	free(ir.src_file);
	ir.src_file = strdup("specs/t.pne");
	c = render(&ir, 0);
	assert_int_equal(strncmp(c, "/* Generated by pnec from specs/t.pne. Do not edit. */\n", 55), 0);
	assert_non_null(strstr(c, "#include \"pne/table.h\""));
	assert_non_null(strstr(c, "[1] = { .code = PNE_OP_SKIP, .expr = "));
	assert_non_null(strstr(c, "skip n * 0x10001 */"));
	assert_non_null(strstr(c, "PNE_X_CONST, 0, 0,"));
	assert_non_null(strstr(c, "/* 0_ */"));
	assert_non_null(strstr(c, "const struct pne_spec pne_spec_t = {"));
	assert_non_null(strstr(c, "const struct pne_spec *const pne_module_spec = &pne_spec_t;"));
	/* literals holding comment delimiters can't end a comment early */
	body = strstr(c, "static const struct pne_op");
	assert_non_null(body);
	for (const char *p = strstr(body, "/*"); p != NULL; p = strstr(p, "/*")) {
		const char *end = strstr(p + 2, "*/");
		const char *nested = strstr(p + 2, "/*");

		assert_non_null(end);
		assert_true(nested == NULL || nested > end);
		p = end + 2;
	}
	free(c);
	pnec_ir_free(&ir);
}

/* ------------------------------------------------------------------ */
/* The IR runs                                                         */
/* ------------------------------------------------------------------ */

struct adus {
	uint64_t off[8], len[8];
	size_t n;
};

static void on_adu(const struct pne_adu *adu, void *arg)
{
	struct adus *r = arg;

	if (r->n < 8) {
		r->off[r->n] = adu->off;
		r->len[r->n] = adu->len;
	}
	r->n++;
}

static void test_ir_runs(void **state)
{
	static const char spec[] =
		"protocol t {\n\tc2s u; s2c u;\n"
		"\tunit u {\n\t\tmax 9999;\n\t\theader 2 { n : u16 @0; }\n"
		"\t\trepeat max 3 { header 1 { b : u8 @0; } if (b == 0) { break; } }\n"
		"\t\tskip pad4(n);\n\t}\n}\n";
	/* n=3 (pad 4), "1 0"; n=1 (pad 4), "0"; n=0, "0" */
	static const uint8_t data[] = {
		0, 3, 1, 0, 'a', 'b', 'c', 'd',
		0, 1, 0, 'z', 0, 0, 0,
		0, 0, 0,
	};
	struct pnec_ir ir;
	struct pne_spec spec_view;
	struct pne_dfa *dfas;
	struct pne_str *strs;
	struct pne_interp_conn *conn;
	struct adus r = { 0 };
	const int synced[2] = { 1, 1 };

	(void)state;
	compile(spec, &ir);
	dfas = calloc(ir.ndfas + 1, sizeof(*dfas));
	strs = calloc(ir.nstrs + 1, sizeof(*strs));
	assert_non_null(dfas);
	assert_non_null(strs);
	pnec_ir_to_spec(&ir, &spec_view, dfas, strs);
	conn = aligned_alloc(8, (pne_interp_conn_size(&spec_view) + 7) & ~(size_t)7);
	assert_non_null(conn);
	pne_interp_init(conn, &spec_view, NULL, synced);
	assert_int_equal(pne_interp_feed(conn, PNE_C2S, data, sizeof(data), on_adu, &r),
			 sizeof(data));
	pne_interp_close(conn, PNE_C2S, on_adu, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.off[0], 0);
	assert_int_equal(r.len[0], 8);
	assert_int_equal(r.off[1], 8);
	assert_int_equal(r.len[1], 7);
	assert_int_equal(r.off[2], 15);
	assert_int_equal(r.len[2], 3);
	free(conn);
	free(dfas);
	free(strs);
	pnec_ir_free(&ir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lower_control),
		cmocka_unit_test(test_lower_exprs),
		cmocka_unit_test(test_lower_text),
		cmocka_unit_test(test_lower_text_buffer),
		cmocka_unit_test(test_dfa_delimiter),
		cmocka_unit_test(test_dfa_anchors),
		cmocka_unit_test(test_emit_reproducible),
		cmocka_unit_test(test_emit_layout),
		cmocka_unit_test(test_ir_runs),
	};
	return cmocka_run_group_tests_name("emit", tests, NULL, NULL);
}
