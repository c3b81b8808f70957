/*
 * pnec scanner tests: table-driven token sequences with values and exact
 * locations, and every lexical diagnostic with its exact text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ast.h"
#include "diag.h"
#include "parser.h"
#include "pne/table.h"

/* One expected token: kind, value (number, ftype or string bytes) and
 * location (line, first column, last column). */
struct tok {
	int kind;
	uint64_t num;
	const char *str;
	size_t len;
	int line, col, lastcol;
};

struct lex_case {
	const char *name;
	const char *src;
	size_t srclen;           /* 0: strlen(src) */
	struct tok toks[16];     /* ends with kind 0 (end of file) */
};

#define N(v, l, c, e)        { T_NUMBER, (v), NULL, 0, (l), (c), (e) }
#define I(s, l, c, e)        { T_IDENT, 0, (s), sizeof(s) - 1, (l), (c), (e) }
#define S(s, l, c, e)        { T_STRING, 0, (s), sizeof(s) - 1, (l), (c), (e) }
#define K(k, l, c, e)        { (k), 0, NULL, 0, (l), (c), (e) }
#define F(t, l, c, e)        { T_FTYPE, (t), NULL, 0, (l), (c), (e) }
#define EOFT(l, c)           { 0, 0, NULL, 0, (l), (c), (c) }

static const struct lex_case cases[] = {
	{ "empty", "", 0, { EOFT(1, 1) } },
	{ "numbers", "0 42 0x3f 0XFF 0b101 1_000_000 0xdead_beef 18446744073709551615",
	  0, { N(0, 1, 1, 1), N(42, 1, 3, 4), N(0x3f, 1, 6, 9), N(255, 1, 11, 14),
	       N(5, 1, 16, 20), N(1000000, 1, 22, 30), N(0xdeadbeef, 1, 32, 42),
	       N(UINT64_MAX, 1, 44, 63), EOFT(1, 64) } },
	{ "identifiers and keywords", "protocol foo_1 _x max length",
	  0, { K(T_PROTOCOL, 1, 1, 8), I("foo_1", 1, 10, 14), I("_x", 1, 16, 17),
	       K(T_MAX, 1, 19, 21), { T_LENGTH, 0, "length", 6, 1, 23, 28 },
	       EOFT(1, 29) } },
	{ "field types", "u8 u16 u24le u32be u64le u128",
	  0, { F(PNE_FT_U8, 1, 1, 2), F(PNE_FT_U16, 1, 4, 6),
	       F(PNE_FT_U24 | PNE_FT_LE | PNEC_FT_EXPLICIT, 1, 8, 12),
	       F(PNE_FT_U32 | PNEC_FT_EXPLICIT, 1, 14, 18),
	       F(PNE_FT_U64 | PNE_FT_LE | PNEC_FT_EXPLICIT, 1, 20, 24),
	       I("u128", 1, 26, 29), EOFT(1, 30) } },
	{ "strings", "\"a\\r\\n\\t\\0\\\\\\\"\\x41\" \"\"",
	  0, { S("a\r\n\t\0\\\"A", 1, 1, 19), S("", 1, 21, 22), EOFT(1, 23) } },
	{ "operators", "== != <= >= << >> && || .. ? : @ & ~",
	  0, { K(T_EQ, 1, 1, 2), K(T_NE, 1, 4, 5), K(T_LE, 1, 7, 8),
	       K(T_GE, 1, 10, 11), K(T_SHL, 1, 13, 14), K(T_SHR, 1, 16, 17),
	       K(T_LAND, 1, 19, 20), K(T_LOR, 1, 22, 23), K(T_DOTDOT, 1, 25, 26),
	       K('?', 1, 28, 28), K(':', 1, 30, 30), K('@', 1, 32, 32),
	       K('&', 1, 34, 34), K('~', 1, 36, 36), EOFT(1, 37) } },
	{ "comments and lines", "a # one\n\tb // two\n/* three\n four */ c",
	  0, { I("a", 1, 1, 1), I("b", 2, 2, 2), I("c", 4, 10, 10), EOFT(4, 11) } },
	{ "ranges", "1..5 x{y}",
	  0, { N(1, 1, 1, 1), K(T_DOTDOT, 1, 2, 3), N(5, 1, 4, 4), I("x", 1, 6, 6),
	       K('{', 1, 7, 7), I("y", 1, 8, 8), K('}', 1, 9, 9), EOFT(1, 10) } },
	{ "text conversions", "prefix suffix suffixes",
	  0, { { T_PREFIX, 0, "prefix", 6, 1, 1, 6 }, { T_SUFFIX, 0, "suffix", 6, 1, 8, 13 },
	       I("suffixes", 1, 15, 22), EOFT(1, 23) } },
	{ "crlf", "a\r\nb", 0, { I("a", 1, 1, 1), I("b", 2, 1, 1), EOFT(2, 2) } },
};

struct lexer {
	struct pnec_pctx ctx;
	struct pnec_diag d;
	yyscan_t scanner;
	char *out;
	size_t outlen;
	FILE *err;
};

static void lexer_open(struct lexer *l, const char *src, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->err = open_memstream(&l->out, &l->outlen);
	assert_non_null(l->err);
	pnec_diag_init(&l->d, "t.pne", src, len, l->err);
	l->ctx.d = &l->d;
	l->ctx.arena = pnec_arena_new();
	assert_non_null(l->ctx.arena);
	assert_int_equal(pnec_lex_open(&l->ctx, src, len, &l->scanner), 0);
}

static void lexer_close(struct lexer *l)
{
	pnec_lex_close(l->scanner);
	pnec_arena_free(l->ctx.arena);
	fclose(l->err);
	free(l->out);
}

static void test_tokens(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lex_case *c = &cases[i];
		size_t len = c->srclen ? c->srclen : strlen(c->src);
		struct lexer l;

		lexer_open(&l, c->src, len);
		for (const struct tok *t = c->toks;; t++) {
			PNEC_YYSTYPE v;
			struct pnec_loc loc;
			int k = pnec_yylex(&v, &loc, l.scanner);

			print_message("%s: token %d\n", c->name, (int)(t - c->toks));
			assert_int_equal(k, t->kind);
			assert_int_equal(loc.first_line, t->line);
			assert_int_equal(loc.first_column, t->col);
			assert_int_equal(loc.last_column, t->lastcol);
			if (k == T_NUMBER)
				assert_true(v.num == t->num);
			if (k == T_FTYPE)
				assert_int_equal(v.ival, (int)t->num);
			if (t->str != NULL) {
				assert_int_equal(v.str.len, t->len);
				assert_memory_equal(v.str.s, t->str, t->len);
				assert_int_equal(v.str.s[t->len], '\0');
			}
			if (k == 0)
				break;
		}
		fflush(l.err);
		assert_int_equal(l.d.nerrors, 0);
		lexer_close(&l);
	}
}

/* Lexical errors: the input, then the first diagnostic line, exactly. */
static const struct { const char *src; size_t len; const char *msg; int nerr; } errors[] = {
	{ "@ $", 0, "t.pne:1:3: error: stray character '$'\n", 1 },
	{ "a \x01 b", 0, "t.pne:1:3: error: stray character '\\x01'\n", 1 },
	{ "a \0 b", 5, "t.pne:1:3: error: stray character '\\x00'\n", 1 },
	{ "x \xc3\xa9t\xc3\xa9", 0,
	  "t.pne:1:3: error: stray character '\\xc3' (non-ASCII text belongs in strings and comments)\n", 2 },
	{ "18446744073709551616", 0,
	  "t.pne:1:1: error: number '18446744073709551616' is too large (the limit is 2^64-1)\n", 1 },
	{ "0x1_0000_0000_0000_0000", 0,
	  "t.pne:1:1: error: number '0x1_0000_0000_0000_0000' is too large (the limit is 2^64-1)\n", 1 },
	{ "12ab", 0, "t.pne:1:1: error: invalid number '12ab'\n", 1 },
	{ "0x", 0, "t.pne:1:1: error: invalid number '0x'\n", 1 },
	{ "1_", 0, "t.pne:1:1: error: invalid number '1_'\n", 1 },
	{ "\"abc", 0, "t.pne:1:1: error: unterminated string\n", 1 },
	{ "\"abc\ndef\"", 0, "t.pne:1:1: error: unterminated string\n", 2 },
	{ "  \"a\\qb\"", 0, "t.pne:1:5: error: unknown escape '\\q' in string\n", 1 },
	{ "\"\\x4\"", 0, "t.pne:1:2: error: escape '\\x' needs two hex digits\n", 1 },
	{ "/* never closed", 0, "t.pne:1:1: error: unterminated comment\n", 1 },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		size_t len = errors[i].len ? errors[i].len : strlen(errors[i].src);
		struct lexer l;
		PNEC_YYSTYPE v;
		struct pnec_loc loc;
		char *nl;

		lexer_open(&l, errors[i].src, len);
		while (pnec_yylex(&v, &loc, l.scanner) != 0)
			;
		fflush(l.err);
		print_message("input %zu: %s", i, l.out);
		assert_int_equal(l.d.nerrors, errors[i].nerr);
		nl = strchr(l.out, '\n');
		assert_non_null(nl);
		assert_int_equal((size_t)(nl + 1 - l.out), strlen(errors[i].msg));
		assert_memory_equal(l.out, errors[i].msg, strlen(errors[i].msg));
		lexer_close(&l);
	}
}

/* 300 nested brackets exceed PNEC_MAX_NEST: one error, then end of file. */
static void test_nesting_limit(void **state)
{
	char src[601];
	struct lexer l;
	PNEC_YYSTYPE v;
	struct pnec_loc loc;
	int n = 0;

	(void)state;
	memset(src, '(', 300);
	memset(src + 300, ')', 300);
	src[600] = '\0';
	lexer_open(&l, src, 600);
	while (pnec_yylex(&v, &loc, l.scanner) != 0)
		n++;
	assert_int_equal(l.d.nerrors, 1);
	assert_true(n <= PNEC_MAX_NEST + 2);
	fflush(l.err);
	assert_non_null(strstr(l.out, "brackets nested too deeply"));
	lexer_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nesting_limit),
	};

	return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
