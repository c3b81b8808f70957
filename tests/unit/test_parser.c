/*
 * pnec parser tests: every production of docs/spec-language.md parsed
 * into the expected AST shape, expression precedence (table-driven, as
 * S-expressions), syntax error messages and recovery.
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
#include "ir.h"
#include "parser.h"
#include "pne/table.h"

struct parsed {
	struct pnec_diag d;
	struct pnec_ast *ast;
	char *err;
	size_t errlen;
	FILE *f;
};

static void parse(struct parsed *p, const char *src)
{
	memset(p, 0, sizeof(*p));
	p->f = open_memstream(&p->err, &p->errlen);
	assert_non_null(p->f);
	pnec_diag_init(&p->d, "t.pne", src, strlen(src), p->f);
	p->ast = pnec_parse("t.pne", src, strlen(src), &p->d);
	assert_non_null(p->ast);
	fflush(p->f);
}

static void parsed_free(struct parsed *p)
{
	pnec_ast_free(p->ast);
	fclose(p->f);
	free(p->err);
}

/* ---- Expressions as S-expressions ---- */

static const char *const binops[] = {
	[PNEC_OP_ADD] = "+", [PNEC_OP_SUB] = "-", [PNEC_OP_MUL] = "*",
	[PNEC_OP_DIV] = "/", [PNEC_OP_MOD] = "%", [PNEC_OP_AND] = "&",
	[PNEC_OP_OR] = "|", [PNEC_OP_XOR] = "^", [PNEC_OP_SHL] = "<<",
	[PNEC_OP_SHR] = ">>", [PNEC_OP_EQ] = "==", [PNEC_OP_NE] = "!=",
	[PNEC_OP_LT] = "<", [PNEC_OP_LE] = "<=", [PNEC_OP_GT] = ">",
	[PNEC_OP_GE] = ">=", [PNEC_OP_LAND] = "&&", [PNEC_OP_LOR] = "||",
};

static void sexpr(FILE *f, const struct pnec_expr *e);

static void scases(FILE *f, const struct pnec_case *c)
{
	for (; c != NULL; c = c->next) {
		fputc(' ', f);
		sexpr(f, c->lo);
		if (c->hi != NULL) {
			fputs("..", f);
			sexpr(f, c->hi);
		}
	}
}

static void sexpr(FILE *f, const struct pnec_expr *e)
{
	switch (e->kind) {
	case PNEC_E_NUM:
		fprintf(f, "%llu", (unsigned long long)e->num);
		break;
	case PNEC_E_NAME:
		fputs(e->name.s, f);
		break;
	case PNEC_E_UNARY:
		fprintf(f, "(%c ", e->op);
		sexpr(f, e->a);
		fputc(')', f);
		break;
	case PNEC_E_BINARY:
		fprintf(f, "(%s ", binops[e->op]);
		sexpr(f, e->a);
		fputc(' ', f);
		sexpr(f, e->b);
		fputc(')', f);
		break;
	case PNEC_E_COND:
		fputs("(? ", f);
		sexpr(f, e->a);
		fputc(' ', f);
		sexpr(f, e->b);
		fputc(' ', f);
		sexpr(f, e->c);
		fputc(')', f);
		break;
	case PNEC_E_CALL:
		fprintf(f, "(%s", e->name.s);
		for (int i = 0; i < e->nargs; i++) {
			fputc(' ', f);
			sexpr(f, e->args[i]);
		}
		fputc(')', f);
		break;
	case PNEC_E_IN:
		fputs("(in ", f);
		sexpr(f, e->a);
		scases(f, e->cases);
		fputc(')', f);
		break;
	}
}

static const struct { const char *src, *tree; } exprs[] = {
	{ "1 + 2 * 3", "(+ 1 (* 2 3))" },
	{ "1 - 2 - 3", "(- (- 1 2) 3)" },
	{ "a << 2 + 1", "(<< a (+ 2 1))" },
	{ "a & b == c", "(& a (== b c))" },
	{ "a | b ^ c & d", "(| a (^ b (& c d)))" },
	{ "a || b && c", "(|| a (&& b c))" },
	{ "a < b == c >= d", "(== (< a b) (>= c d))" },
	{ "a ? b : c ? d : e", "(? a b (? c d e))" },
	{ "!a + ~b", "(+ (! a) (~ b))" },
	{ "(1 + 2) * 3 % 4 / 5", "(/ (% (* (+ 1 2) 3) 4) 5)" },
	{ "x in { 1, 3 .. 5 } && y", "(&& (in x 1 3..5) y)" },
	{ "a + b in { 2 }", "(in (+ a b) 2)" },
	{ "pad4(n) + align(n, 8) + padding(n, 4)",
	  "(+ (+ (pad4 n) (align n 8)) (padding n 4))" },
	{ "min(a, max(b, 2)) + len(q)", "(+ (min a (max b 2)) (len q))" },
	{ "length + type + size", "(+ (+ length type) size)" },
	{ "0x10 >> 1 != 0b1", "(!= (>> 16 1) 1)" },
};

static void test_expressions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		char src[256], *tree = NULL;
		size_t n = 0;
		struct parsed p;
		FILE *f;

		snprintf(src, sizeof(src), "protocol t { const C = %s; }", exprs[i].src);
		parse(&p, src);
		print_message("%s\n%s", src, p.err);
		assert_int_equal(p.d.nerrors, 0);
		assert_non_null(p.ast->items);
		f = open_memstream(&tree, &n);
		sexpr(f, p.ast->items->e);
		fclose(f);
		assert_string_equal(tree, exprs[i].tree);
		/* The root's location spans the whole expression. */
		assert_int_equal(p.ast->items->e->loc.first_column, 24);
		assert_int_equal(p.ast->items->e->loc.last_column,
				 23 + (int)strlen(exprs[i].src));
		free(tree);
		parsed_free(&p);
	}
}

/* ---- A spec that uses every production ---- */

static const char full_spec[] =
	"protocol demo \"Demo protocol\" {\n"
	"\tports 80, 8080;\n"
	"\tparam hd : bool = 0;\n"
	"\tvar phase : u8 = 1;\n"
	"\tfifo pending : u16 [16];\n"
	"\tconst HDR = 4;\n"
	"\tc2s req;\n"
	"\ts2c resp;\n"
	"\tsub body { skip len_f; }\n"
	"\tunit req {\n"
	"\t\tmax 65536 + HDR;\n"
	"\t\tresync anchor \"GET \", \"POST\";\n"
	"\t\ttype op { 1: \"one\"; 2, 4 .. 6: \"some\"; default: \"other\"; }\n"
	"\t\treport op, length as \"len\";\n"
	"\t\theader HDR { op : u8 @ 0 & 0x3f >> 1; length : u16le @ 1 + 1; }\n"
	"\t\theader length max 100 { x : u24 @ 0; }\n"
	"\t\tvarint vi max 4;\n"
	"\t\ttext until \"\\r\\n\\r\\n\" max 4096 lines \"\\n\" sep \"=\" {\n"
	"\t\t\tm = word 0 as string max 16;\n"
	"\t\t\tcl = header \"Content-Length\" as decimal max 1000;\n"
	"\t\t\tt = all contains \"x\";\n"
	"\t\t\tl = line 1 is \"y\";\n"
	"\t\t\ttt = tail prefix \"z\";\n"
	"\t\t\tsu = header \"TE\" suffix \"chunked\";\n"
	"\t\t\tn = word 1 numeric;\n"
	"\t\t\tp = header \"Host\" present;\n"
	"\t\t\tln = all length;\n"
	"\t\t\th = word 2 as hex max 255;\n"
	"\t\t\ts = all as string;\n"
	"\t\t}\n"
	"\t\ttext size cl { b = all as decimal; }\n"
	"\t\tskip pad4(length);\n"
	"\t\tlet a = op in { 1, 3 .. 5 } ? min(1, 2) : max(3, 4);\n"
	"\t\tphase = 2;\n"
	"\t\tpush pending op;\n"
	"\t\tpop pending into got else 7;\n"
	"\t\tpop pending into got2;\n"
	"\t\twait len(pending) == 0 || phase;\n"
	"\t\trequire op != 0 \"bad op\";\n"
	"\t\trequire op < 64;\n"
	"\t\tif (op == 1) { skip 1; } else if (op == 2) { skip 2; } else { skip 3; }\n"
	"\t\tswitch (op) { case 1, 2: skip 1; case 3 .. 5: skip 2; skip 3; default: break; }\n"
	"\t\trepeat max 8 { skip 1; break; }\n"
	"\t\tdo body;\n"
	"\t\t{ until_close; }\n"
	"\t\topaque;\n"
	"\t}\n"
	"\tunit resp { resync confirm 3; header 2 { k : u16 @ 0; } max 2; }\n"
	"}\n";

static const enum pnec_stmt_kind req_body[] = {
	PNEC_S_HEADER, PNEC_S_HEADER, PNEC_S_VARINT, PNEC_S_TEXT, PNEC_S_TEXT,
	PNEC_S_SKIP, PNEC_S_LET, PNEC_S_ASSIGN, PNEC_S_PUSH, PNEC_S_POP,
	PNEC_S_POP, PNEC_S_WAIT, PNEC_S_REQUIRE, PNEC_S_REQUIRE, PNEC_S_IF,
	PNEC_S_SWITCH, PNEC_S_REPEAT, PNEC_S_DO, PNEC_S_BLOCK, PNEC_S_OPAQUE,
};

static const struct pnec_item *nth_item(const struct pnec_ast *a, int n)
{
	const struct pnec_item *it = a->items;

	while (n-- > 0 && it != NULL)
		it = it->next;
	assert_non_null(it);
	return it;
}

static const struct pnec_stmt *nth_stmt(const struct pnec_stmt *s, int n)
{
	while (n-- > 0 && s != NULL)
		s = s->next;
	assert_non_null(s);
	return s;
}

static void check_decls(const struct pnec_ast *a)
{
	const struct pnec_item *it;

	assert_string_equal(a->name.s, "demo");
	assert_string_equal(a->title.s, "Demo protocol");
	assert_int_equal(a->name_loc.first_line, 1);
	assert_int_equal(a->name_loc.first_column, 10);
	it = nth_item(a, 0);
	assert_int_equal(it->kind, PNEC_I_PORTS);
	assert_int_equal(it->nports, 2);
	assert_true(it->ports[0] == 80 && it->ports[1] == 8080);
	it = nth_item(a, 1);
	assert_int_equal(it->kind, PNEC_I_PARAM);
	assert_string_equal(it->name.s, "hd");
	assert_int_equal(it->vtype, 0);
	assert_int_equal(it->e->kind, PNEC_E_NUM);
	assert_int_equal(it->loc.first_line, 3);
	assert_int_equal(it->loc.first_column, 8);
	it = nth_item(a, 2);
	assert_int_equal(it->kind, PNEC_I_VAR);
	assert_int_equal(it->vtype, 1);
	it = nth_item(a, 3);
	assert_int_equal(it->kind, PNEC_I_FIFO);
	assert_int_equal(it->vtype, 2);
	assert_true(it->depth == 16);
	it = nth_item(a, 4);
	assert_int_equal(it->kind, PNEC_I_CONST);
	assert_true(it->e->num == 4);
	it = nth_item(a, 5);
	assert_int_equal(it->kind, PNEC_I_START);
	assert_int_equal(it->dir, 0);
	assert_string_equal(it->unit.s, "req");
	it = nth_item(a, 6);
	assert_int_equal(it->dir, 1);
	assert_string_equal(it->unit.s, "resp");
	it = nth_item(a, 7);
	assert_int_equal(it->kind, PNEC_I_SUB);
	assert_int_equal(it->body->kind, PNEC_S_SKIP);
	assert_string_equal(it->body->e->name.s, "len_f");
}

static void check_unit_clauses(const struct pnec_unit_ast *u)
{
	const struct pnec_typemap_ast *t = u->types;

	assert_int_equal(u->max->kind, PNEC_E_BINARY);
	assert_int_equal(u->max_loc.first_line, 11);
	assert_int_equal(u->resync, PNE_RESYNC_ANCHOR);
	assert_int_equal(u->nanchors, 2);
	assert_memory_equal(u->anchors[0].s, "GET ", 4);
	assert_int_equal(u->anchors[1].len, 4);
	assert_string_equal(u->type_slot.s, "op");
	assert_non_null(t);
	assert_true(t->cases->lo->num == 1 && t->cases->next == NULL);
	assert_string_equal(t->name.s, "one");
	t = t->next;
	assert_true(t->cases->lo->num == 2 && t->cases->next->hi->num == 6);
	t = t->next;
	assert_null(t->cases);
	assert_string_equal(t->name.s, "other");
	assert_null(t->next);
	assert_string_equal(u->reports->name.s, "op");
	assert_int_equal(u->reports->as.len, 0);
	assert_string_equal(u->reports->next->name.s, "length");
	assert_string_equal(u->reports->next->as.s, "len");
}

static void check_steps(const struct pnec_stmt *body)
{
	const struct pnec_stmt *s = body;
	const struct pnec_bfield *bf;
	const struct pnec_tfield *tf;

	bf = s->bfields;
	assert_string_equal(bf->name.s, "op");
	assert_int_equal(bf->type, PNE_FT_U8);
	assert_int_equal(bf->nops, 2);
	assert_int_equal(bf->ops[0].op, '&');
	assert_true(bf->ops[0].arg->num == 0x3f);
	assert_int_equal(bf->ops[1].op, '>');
	assert_int_equal(bf->next->type, PNE_FT_U16 | PNE_FT_LE);
	assert_int_equal(bf->next->off->kind, PNEC_E_BINARY);
	s = s->next;
	assert_non_null(s->max);
	assert_int_equal(s->bfields->type, PNE_FT_U24);
	s = s->next;
	assert_string_equal(s->name.s, "vi");
	assert_true(s->max->num == 4);
	s = s->next;
	assert_int_equal(s->has_delim, 1);
	assert_int_equal(s->delim.len, 4);
	assert_true(s->max->num == 4096);
	assert_string_equal(s->linesep.s, "\n");
	assert_string_equal(s->kvsep.s, "=");
	tf = s->tfields;
	assert_int_equal(tf->src, PNE_TS_WORD);
	assert_int_equal(tf->conv, PNE_TC_STRING);
	assert_true(tf->max->num == 16);
	tf = tf->next;
	assert_int_equal(tf->src, PNE_TS_HEADER);
	assert_string_equal(tf->key.s, "Content-Length");
	assert_int_equal(tf->conv, PNE_TC_DECIMAL);
	tf = tf->next;
	assert_int_equal(tf->src, PNE_TS_ALL);
	assert_int_equal(tf->conv, PNE_TC_CONTAINS);
	assert_string_equal(tf->lit.s, "x");
	tf = tf->next;
	assert_true(tf->src == PNE_TS_LINE && tf->arg == 1 && tf->conv == PNE_TC_IS);
	tf = tf->next;
	assert_true(tf->src == PNE_TS_TAIL && tf->conv == PNE_TC_PREFIX);
	tf = tf->next;
	assert_true(tf->src == PNE_TS_HEADER && tf->conv == PNE_TC_SUFFIX);
	assert_string_equal(tf->key.s, "TE");
	assert_string_equal(tf->lit.s, "chunked");
	tf = tf->next;
	assert_true(tf->conv == PNE_TC_NUMERIC);
	tf = tf->next;
	assert_true(tf->conv == PNE_TC_PRESENT);
	tf = tf->next;
	assert_true(tf->conv == PNE_TC_LENGTH);
	tf = tf->next;
	assert_true(tf->conv == PNE_TC_HEX && tf->max->num == 255);
	tf = tf->next;
	assert_true(tf->conv == PNE_TC_STRING && tf->max == NULL);
	assert_null(tf->next);
	s = s->next;
	assert_int_equal(s->has_delim, 0);
	assert_string_equal(s->e->name.s, "cl");
}

static void check_control(const struct pnec_stmt *body)
{
	const struct pnec_stmt *s;
	const struct pnec_arm *arm;

	s = nth_stmt(body, 9);
	assert_string_equal(s->name.s, "pending");
	assert_string_equal(s->into.s, "got");
	assert_true(s->e->num == 7);
	assert_null(nth_stmt(body, 10)->e);
	assert_string_equal(nth_stmt(body, 12)->msg.s, "bad op");
	assert_int_equal(nth_stmt(body, 13)->msg.len, 0);
	s = nth_stmt(body, 14);
	assert_int_equal(s->body->kind, PNEC_S_SKIP);
	assert_int_equal(s->orelse->kind, PNEC_S_IF);
	assert_int_equal(s->orelse->orelse->kind, PNEC_S_BLOCK);
	assert_int_equal(s->orelse->orelse->body->kind, PNEC_S_SKIP);
	/* A compound statement's location is its head: "if (op == 1)". */
	assert_int_equal(s->loc.first_column, 3);
	assert_int_equal(s->loc.last_column, 14);
	s = nth_stmt(body, 15);
	arm = s->arms;
	assert_true(arm->cases->lo->num == 1 && arm->cases->next->lo->num == 2);
	arm = arm->next;
	assert_true(arm->cases->hi->num == 5);
	assert_int_equal(arm->body->next->kind, PNEC_S_SKIP);
	arm = arm->next;
	assert_null(arm->cases);
	assert_int_equal(arm->body->kind, PNEC_S_BREAK);
	s = nth_stmt(body, 16);
	assert_true(s->max->num == 8);
	assert_int_equal(s->body->next->kind, PNEC_S_BREAK);
	assert_string_equal(nth_stmt(body, 17)->name.s, "body");
	assert_int_equal(nth_stmt(body, 18)->body->kind, PNEC_S_UNTIL_CLOSE);
}

static void test_full_spec(void **state)
{
	const struct pnec_item *it;
	const struct pnec_stmt *s;
	struct parsed p;
	size_t i = 0;

	(void)state;
	parse(&p, full_spec);
	print_message("%s", p.err);
	assert_int_equal(p.d.nerrors, 0);
	check_decls(p.ast);
	it = nth_item(p.ast, 8);
	assert_int_equal(it->kind, PNEC_I_UNIT);
	assert_string_equal(it->name.s, "req");
	check_unit_clauses(it->u);
	for (s = it->u->body; s != NULL; s = s->next, i++) {
		assert_true(i < sizeof(req_body) / sizeof(req_body[0]));
		assert_int_equal(s->kind, req_body[i]);
	}
	assert_int_equal(i, sizeof(req_body) / sizeof(req_body[0]));
	check_steps(it->u->body);
	check_control(it->u->body);
	it = it->next;
	assert_int_equal(it->u->resync, PNE_RESYNC_CONFIRM);
	assert_true(it->u->confirm == 3);
	assert_true(it->u->max->num == 2);
	assert_int_equal(it->u->body->kind, PNEC_S_HEADER);
	assert_null(it->u->body->next);
	assert_null(it->next);
	parsed_free(&p);
}

/* ---- Errors: exact first message, and recovery ---- */

static const struct { const char *src; const char *first; int nerr; } bad[] = {
	{ "", "t.pne:1:1: error: unexpected end of file, expected 'protocol'", 1 },
	{ "protocol p { ports 80 }",
	  "t.pne:1:23: error: unexpected '}', expected ';' or ','", 1 },
	{ "protocol p {\n  unit u { skip 4 let x = 1; }\n}",
	  "t.pne:2:19: error: unexpected 'let', expected ';'", 1 },
	{ "protocol p {\n  unit u {\n    skip 4;\n",
	  "t.pne:4:1: error: unexpected end of file, expected statement or '}' (to close '{' at line 2)", 1 },
	{ "protocol p { const C = (1 + 2; }",
	  "t.pne:1:30: error: unexpected ';', expected ')'", 1 },
	{ "protocol p { const C = foo(1); }",
	  "t.pne:1:24: error: unknown function 'foo' (functions: pad4, align, padding, min, max, len, unconfirmed)", 1 },
	{ "protocol p { const C = min(1); }",
	  "t.pne:1:24: error: 'min' takes 2 arguments, not 1", 1 },
	{ "protocol p { var v : u16be; }",
	  "t.pne:1:22: error: variables are u8, u16, u32, u64 or bool (byte order and u24 are for header fields)", 1 },
	{ "protocol p { unit u { max 1; max 2; } }",
	  "t.pne:1:30: error: a unit has one 'max' clause", 1 },
	{ "protocol p { unit u { switch (x) { default: skip 1; case 1: skip 2; } } }",
	  "t.pne:1:53: error: 'default' must be the last arm of a switch", 1 },
	{ "protocol p { unit u { header 4 { a : u8 @ 0 } } }",
	  "t.pne:1:45: error: unexpected '}', expected ';'", 1 },
	{ "protocol p { unit u { text until \"x\" { a = word 0; } } }",
	  "t.pne:1:50: error: unexpected ';', expected text conversion (as, contains, is, prefix, suffix, numeric, present or length)", 1 },
	{ "protocol p { ports 0; }",
	  "t.pne:1:20: error: port 0 is out of range (1..65535)", 1 },
	/* Recovery: one error per broken statement or declaration. */
	{ "protocol p {\n"
	  " var : u8;\n"
	  " unit u {\n"
	  "  skip ;\n"
	  "  let = 3;\n"
	  "  header 4 { a u8 @ 0; b : u8 @ ; }\n"
	  "  max 10\n"
	  " }\n"
	  " const X = ;\n"
	  "}\n",
	  "t.pne:2:6: error: unexpected ':', expected name", 7 },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct parsed p;
		char *nl;

		parse(&p, bad[i].src);
		print_message("case %zu:\n%s", i, p.err);
		assert_int_equal(p.d.nerrors, bad[i].nerr);
		nl = strchr(p.err, '\n');
		assert_non_null(nl);
		*nl = '\0';
		assert_string_equal(p.err, bad[i].first);
		parsed_free(&p);
	}
}

/* Expression trees are bounded even without brackets. */
static void test_expr_depth(void **state)
{
	size_t n = 2000, len = 0;
	char *src = malloc(64 + n * 2);
	struct parsed p;

	(void)state;
	assert_non_null(src);
	len += (size_t)sprintf(src, "protocol p { const C = 1");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(src + len, "+1");
	strcpy(src + len, "; }");
	parse(&p, src);
	assert_int_equal(p.d.nerrors, 1);
	assert_non_null(strstr(p.err, "expression nested too deeply"));
	parsed_free(&p);
	free(src);
}

/* Only PNEC_MAX_ERRORS are printed, then one line saying so. */
static void test_error_cap(void **state)
{
	char src[4096] = "protocol p {";
	struct parsed p;
	int lines = 0;

	(void)state;
	for (int i = 0; i < 100; i++)
		strcat(src, " $");
	strcat(src, " }");
	parse(&p, src);
	assert_true(p.d.nerrors > PNEC_MAX_ERRORS);
	for (char *s = p.err; (s = strstr(s, ": error: ")) != NULL; s++)
		lines++;
	assert_int_equal(lines, PNEC_MAX_ERRORS);
	assert_non_null(strstr(p.err, "t.pne: too many errors, stopping\n"));
	parsed_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_full_spec),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_expr_depth),
		cmocka_unit_test(test_error_cap),
	};

	return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}
