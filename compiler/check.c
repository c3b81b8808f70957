/*
 * The checker: name resolution, the static checks of
 * docs/spec-language.md ("Static checks") and interval analysis of every
 * expression. It fills pnec_expr.lo/hi/resolved/index for the lowering.
 *
 * Passes, in order (diagnostics come out in this order):
 *  1. the symbol table (check_priv.h): duplicates, slot kinds, limits;
 *  2. constants, evaluated on demand with cycle detection;
 *  3. top-level items: ports, variables, FIFOs, directions, unit clauses;
 *  4. unit and sub bodies, walked repeatedly without diagnostics until
 *     the slot ranges reach a fixpoint, then once more reporting;
 *  5. progress, break placement and repeat depth, inlining subs (with
 *     memoised summaries, so a deep call graph stays linear);
 *  6. recursion among subs; 7. missing directions; 8. unused names.
 *
 * Ranges: a slot's range is the union over every assignment anywhere in
 * the spec plus 0 (slots are reset to 0 at each ADU), so lo is always 0.
 * A slot whose bound still grows after WIDEN_AFTER rounds is widened to
 * 2^64-1, which ends the iteration.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "ir.h"
#include "ir_priv.h"
#include "pne/table.h"

#define U64MAX UINT64_MAX
#define WIDEN_AFTER 4
#define POISON (-1)   /* pnec_expr.resolved: an error was reported inside */
#define MSG_MAX 512
#define EXPR_TEXT_MAX 96

typedef unsigned __int128 u128;

/* ------------------------------------------------------------------ */
/* Symbol table                                                        */
/* ------------------------------------------------------------------ */

struct build {
	const struct pnec_ast *ast;
	struct pnec_symtab *t;
	struct pnec_diag *d;
	int err;   /* something was reported */
	int oom;   /* give up */
};

static const char *sym_kind_name(enum pnec_sym_kind k)
{
	static const char *const names[] = {
		[PNEC_SYM_NONE] = "name", [PNEC_SYM_SLOT] = "slot",
		[PNEC_SYM_VAR] = "var", [PNEC_SYM_PARAM] = "param",
		[PNEC_SYM_FIFO] = "fifo", [PNEC_SYM_CONST] = "const",
		[PNEC_SYM_SUB] = "sub", [PNEC_SYM_UNIT] = "unit",
	};
	return names[k];
}

struct pnec_sym *pnec_sym_find(const struct pnec_symtab *t, const char *name,
			       size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->syms[i].len == len && memcmp(t->syms[i].name, name, len) == 0)
			return &t->syms[i];
	return NULL;
}

void pnec_symtab_free(struct pnec_symtab *t)
{
	if (t == NULL)
		return;
	free(t->syms);
	memset(t, 0, sizeof(*t));
}

static struct pnec_sym *sym_push(struct build *b, const struct pnec_str *name,
				 enum pnec_sym_kind kind,
				 const struct pnec_loc *loc)
{
	struct pnec_symtab *t = b->t;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct pnec_sym *s = realloc(t->syms, cap * sizeof(*s));

		if (s == NULL) {
			b->err = b->oom = 1;
			if (b->d != NULL)
				pnec_error(b->d, loc, "out of memory");
			return NULL;
		}
		t->syms = s;
		t->cap = cap;
	}
	struct pnec_sym *s = &t->syms[t->n++];

	memset(s, 0, sizeof(*s));
	s->name = name->s;
	s->len = name->len;
	s->kind = kind;
	s->loc = *loc;
	return s;
}

static void dup_error(struct build *b, const struct pnec_str *name,
		      const struct pnec_loc *loc, const struct pnec_loc *prev)
{
	b->err = 1;
	if (b->d == NULL)
		return;
	pnec_error(b->d, loc, "'%s' is already defined", name->s);
	pnec_note(b->d, prev, "previous definition of '%s' is here", name->s);
}

/* Define a top-level name; NULL if it clashes (reported). */
static struct pnec_sym *define_item(struct build *b, const struct pnec_item *it,
				    enum pnec_sym_kind kind)
{
	struct pnec_sym *s = pnec_sym_find(b->t, it->name.s, it->name.len);

	if (s != NULL) {
		dup_error(b, &it->name, &it->loc, &s->loc);
		return NULL;
	}
	s = sym_push(b, &it->name, kind, &it->loc);
	if (s != NULL)
		s->item = it;
	return s;
}

/* Syntactically boolean: a let of it makes a bool slot. */
static int expr_is_bool(const struct pnec_symtab *t, const struct pnec_expr *e)
{
	const struct pnec_sym *s;

	switch (e->kind) {
	case PNEC_E_UNARY:
		return e->op == '!';
	case PNEC_E_BINARY:
		return e->op >= PNEC_OP_EQ;
	case PNEC_E_IN:
		return 1;
	case PNEC_E_COND:
		return expr_is_bool(t, e->b) && expr_is_bool(t, e->c);
	case PNEC_E_NAME:
		s = pnec_sym_find(t, e->name.s, e->name.len);
		if (s == NULL)
			return 0;
		if (s->kind == PNEC_SYM_SLOT)
			return s->rkind == PNE_RK_BOOL;
		return (s->kind == PNEC_SYM_VAR || s->kind == PNEC_SYM_PARAM) &&
		       s->width == 0;
	default:
		return 0;
	}
}

/* A slot definition: the same slot may be defined in many places, but
 * strings and numbers can't share one. */
static void define_slot(struct build *b, const struct pnec_str *name,
			const struct pnec_loc *loc, int rkind)
{
	struct pnec_sym *s = pnec_sym_find(b->t, name->s, name->len);

	if (s == NULL) {
		s = sym_push(b, name, PNEC_SYM_SLOT, loc);
		if (s == NULL)
			return;
		s->rkind = rkind;
		s->index = b->t->nslots++;
		if (s->index == PNE_MAX_SLOTS && b->d != NULL) {
			b->err = 1;
			pnec_error(b->d, loc, "too many slots: the limit is %d",
				   PNE_MAX_SLOTS);
		}
		return;
	}
	if (s->kind != PNEC_SYM_SLOT) {
		dup_error(b, name, loc, &s->loc);
		return;
	}
	if ((s->rkind == PNE_RK_STRING) != (rkind == PNE_RK_STRING)) {
		b->err = 1;
		if (b->d != NULL) {
			pnec_error(b->d, loc, "'%s' is a %s here but a %s elsewhere",
				   name->s, rkind == PNE_RK_STRING ? "string" : "number",
				   rkind == PNE_RK_STRING ? "number" : "string");
			pnec_note(b->d, &s->loc, "'%s' is first defined here", name->s);
		}
		return;
	}
	if (rkind == PNE_RK_UINT)
		s->rkind = PNE_RK_UINT;
}

static int tconv_rkind(int conv)
{
	switch (conv) {
	case PNE_TC_STRING:
	case PNE_TC_LIST:
		return PNE_RK_STRING;
	case PNE_TC_CONTAINS: case PNE_TC_IS: case PNE_TC_PREFIX:
	case PNE_TC_SUFFIX: case PNE_TC_NUMERIC: case PNE_TC_PRESENT:
		return PNE_RK_BOOL;
	default:
		return PNE_RK_UINT;
	}
}

static void build_stmts(struct build *b, const struct pnec_stmt *s);

static void build_fields(struct build *b, const struct pnec_stmt *s)
{
	for (const struct pnec_bfield *f = s->bfields; f != NULL; f = f->next) {
		for (const struct pnec_bfield *g = s->bfields; g != f; g = g->next)
			if (g->name.len == f->name.len &&
			    memcmp(g->name.s, f->name.s, f->name.len) == 0) {
				dup_error(b, &f->name, &f->loc, &g->loc);
				break;
			}
		define_slot(b, &f->name, &f->loc, PNE_RK_UINT);
	}
	for (const struct pnec_tfield *f = s->tfields; f != NULL; f = f->next) {
		/* several lists may feed one slot: each appends, in order */
		for (const struct pnec_tfield *g = s->tfields; g != f; g = g->next)
			if (!(f->conv == PNE_TC_LIST && g->conv == PNE_TC_LIST) &&
			    g->name.len == f->name.len &&
			    memcmp(g->name.s, f->name.s, f->name.len) == 0) {
				dup_error(b, &f->name, &f->loc, &g->loc);
				break;
			}
		define_slot(b, &f->name, &f->loc, tconv_rkind(f->conv));
	}
}

static void build_stmt(struct build *b, const struct pnec_stmt *s)
{
	const struct pnec_sym *f;

	switch (s->kind) {
	case PNEC_S_HEADER:
	case PNEC_S_TEXT:
		build_fields(b, s);
		break;
	case PNEC_S_VARINT:
		define_slot(b, &s->name, &s->loc, PNE_RK_UINT);
		break;
	case PNEC_S_LET:
		define_slot(b, &s->name, &s->loc,
			    s->e != NULL && expr_is_bool(b->t, s->e) ?
			    PNE_RK_BOOL : PNE_RK_UINT);
		break;
	case PNEC_S_POP:
		f = pnec_sym_find(b->t, s->name.s, s->name.len);
		define_slot(b, &s->into, &s->loc,
			    f != NULL && f->kind == PNEC_SYM_FIFO && f->width == 0 ?
			    PNE_RK_BOOL : PNE_RK_UINT);
		break;
	case PNEC_S_IF:
		build_stmts(b, s->body);
		build_stmts(b, s->orelse);
		break;
	case PNEC_S_SWITCH:
		for (const struct pnec_arm *a = s->arms; a != NULL; a = a->next)
			build_stmts(b, a->body);
		break;
	case PNEC_S_REPEAT:
	case PNEC_S_BLOCK:
		build_stmts(b, s->body);
		break;
	default:
		break;
	}
}

static void build_stmts(struct build *b, const struct pnec_stmt *s)
{
	for (; s != NULL && !b->oom; s = s->next)
		build_stmt(b, s);
}

static void build_items(struct build *b)
{
	struct pnec_sym *s;

	for (const struct pnec_item *it = b->ast->items; it != NULL; it = it->next) {
		switch (it->kind) {
		case PNEC_I_PARAM:
		case PNEC_I_VAR:
			s = define_item(b, it, it->kind == PNEC_I_PARAM ?
					PNEC_SYM_PARAM : PNEC_SYM_VAR);
			if (s == NULL)
				break;
			s->width = it->vtype;
			s->index = b->t->ncvars++;
			if (s->index == PNE_MAX_CVARS && b->d != NULL) {
				b->err = 1;
				pnec_error(b->d, &it->loc,
					   "too many vars and params: the limit is %d",
					   PNE_MAX_CVARS);
			}
			break;
		case PNEC_I_FIFO:
			s = define_item(b, it, PNEC_SYM_FIFO);
			if (s == NULL)
				break;
			s->width = it->vtype;
			s->index = b->t->nfifos++;
			if (s->index == PNE_MAX_FIFOS && b->d != NULL) {
				b->err = 1;
				pnec_error(b->d, &it->loc,
					   "too many fifos: the limit is %d",
					   PNE_MAX_FIFOS);
			}
			break;
		case PNEC_I_CONST:
			define_item(b, it, PNEC_SYM_CONST);
			break;
		case PNEC_I_SUB:
			define_item(b, it, PNEC_SYM_SUB);
			break;
		case PNEC_I_UNIT:
			s = define_item(b, it, PNEC_SYM_UNIT);
			if (s != NULL)
				s->index = b->t->nunits++;
			break;
		default:
			break;
		}
	}
}

int pnec_symtab_build(const struct pnec_ast *ast, struct pnec_symtab *t,
		      struct pnec_diag *d)
{
	struct build b = { .ast = ast, .t = t, .d = d };

	memset(t, 0, sizeof(*t));
	build_items(&b);
	for (const struct pnec_item *it = ast->items; it != NULL && !b.oom; it = it->next) {
		if (it->kind == PNEC_I_SUB)
			build_stmts(&b, it->body);
		else if (it->kind == PNEC_I_UNIT && it->u != NULL)
			build_stmts(&b, it->u->body);
	}
	return b.err ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Printing expressions (messages)                                     */
/* ------------------------------------------------------------------ */

static const char *const binop_str[] = {
	[PNEC_OP_ADD] = "+", [PNEC_OP_SUB] = "-", [PNEC_OP_MUL] = "*",
	[PNEC_OP_DIV] = "/", [PNEC_OP_MOD] = "%", [PNEC_OP_AND] = "&",
	[PNEC_OP_OR] = "|", [PNEC_OP_XOR] = "^", [PNEC_OP_SHL] = "<<",
	[PNEC_OP_SHR] = ">>", [PNEC_OP_EQ] = "==", [PNEC_OP_NE] = "!=",
	[PNEC_OP_LT] = "<", [PNEC_OP_LE] = "<=", [PNEC_OP_GT] = ">",
	[PNEC_OP_GE] = ">=", [PNEC_OP_LAND] = "&&", [PNEC_OP_LOR] = "||",
};

/* C precedence, higher binds tighter. */
static int binop_prec(int op)
{
	static const int prec[] = {
		[PNEC_OP_MUL] = 10, [PNEC_OP_DIV] = 10, [PNEC_OP_MOD] = 10,
		[PNEC_OP_ADD] = 9, [PNEC_OP_SUB] = 9,
		[PNEC_OP_SHL] = 8, [PNEC_OP_SHR] = 8,
		[PNEC_OP_LT] = 7, [PNEC_OP_LE] = 7, [PNEC_OP_GT] = 7, [PNEC_OP_GE] = 7,
		[PNEC_OP_EQ] = 6, [PNEC_OP_NE] = 6,
		[PNEC_OP_AND] = 5, [PNEC_OP_XOR] = 4, [PNEC_OP_OR] = 3,
		[PNEC_OP_LAND] = 2, [PNEC_OP_LOR] = 1,
	};
	return op >= 0 && op <= PNEC_OP_LOR ? prec[op] : 0;
}

struct out {
	char *buf;
	size_t cap, len;
};

static void out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static int expr_prec(const struct pnec_expr *e)
{
	switch (e->kind) {
	case PNEC_E_COND:
		return 0;
	case PNEC_E_BINARY:
		return binop_prec(e->op);
	case PNEC_E_IN:
		return 7;
	case PNEC_E_UNARY:
		return 11;
	default:
		return 12;
	}
}

static void print_expr(struct out *o, const struct pnec_expr *e, int min_prec);

static void print_cases(struct out *o, const struct pnec_case *c)
{
	for (; c != NULL; c = c->next) {
		print_expr(o, c->lo, 0);
		if (c->hi != NULL) {
			out_printf(o, " .. ");
			print_expr(o, c->hi, 0);
		}
		if (c->next != NULL)
			out_printf(o, ", ");
	}
}

static void print_expr(struct out *o, const struct pnec_expr *e, int min_prec)
{
	int p = expr_prec(e), paren = p < min_prec;

	if (paren)
		out_printf(o, "(");
	switch (e->kind) {
	case PNEC_E_NUM:
		out_printf(o, "%" PRIu64, e->num);
		break;
	case PNEC_E_NAME:
		out_printf(o, "%s", e->name.s);
		break;
	case PNEC_E_UNARY:
		out_printf(o, "%c", e->op);
		print_expr(o, e->a, 11);
		break;
	case PNEC_E_BINARY:
		/* Left associative: the right operand needs a higher level. */
		print_expr(o, e->a, p);
		out_printf(o, " %s ", binop_str[e->op]);
		print_expr(o, e->b, p + 1);
		break;
	case PNEC_E_COND:
		print_expr(o, e->a, 1);
		out_printf(o, " ? ");
		print_expr(o, e->b, 0);
		out_printf(o, " : ");
		print_expr(o, e->c, 0);
		break;
	case PNEC_E_CALL:
		out_printf(o, "%s(", e->name.s);
		for (int i = 0; i < e->nargs; i++) {
			print_expr(o, e->args[i], 0);
			if (i + 1 < e->nargs)
				out_printf(o, ", ");
		}
		out_printf(o, ")");
		break;
	case PNEC_E_IN:
		print_expr(o, e->a, 8);
		out_printf(o, " in { ");
		print_cases(o, e->cases);
		out_printf(o, " }");
		break;
	}
	if (paren)
		out_printf(o, ")");
}

size_t pnec_expr_print(const struct pnec_expr *e, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };

	if (cap > 0)
		buf[0] = '\0';
	print_expr(&o, e, 0);
	return o.len;
}

/* e as text for a message, shortened with "..." when long. */
static const char *expr_text(const struct pnec_expr *e, char buf[EXPR_TEXT_MAX])
{
	if (pnec_expr_print(e, buf, EXPR_TEXT_MAX) >= EXPR_TEXT_MAX)
		memcpy(buf + EXPR_TEXT_MAX - 4, "...", 4);
	return buf;
}

/* A bound as people write it: 2^32-1, 2^70, 1500. */
static void fmt_bound(char *buf, size_t cap, uint64_t v)
{
	if (v == U64MAX)
		snprintf(buf, cap, "2^64-1");
	else if (v >= 255 && (v & (v + 1)) == 0)
		snprintf(buf, cap, "2^%d-1", 64 - __builtin_clzll(v + 1) - 1);
	else if (v >= 256 && (v & (v - 1)) == 0)
		snprintf(buf, cap, "2^%d", 63 - __builtin_clzll(v));
	else
		snprintf(buf, cap, "%" PRIu64, v);
}

const char *pnec_tconv_name(int conv)
{
	static const char *const names[] = {
		[PNE_TC_DECIMAL] = "as decimal", [PNE_TC_HEX] = "as hex",
		[PNE_TC_STRING] = "as string", [PNE_TC_CONTAINS] = "contains",
		[PNE_TC_IS] = "is", [PNE_TC_PREFIX] = "prefix",
		[PNE_TC_NUMERIC] = "numeric", [PNE_TC_PRESENT] = "present",
		[PNE_TC_LENGTH] = "length", [PNE_TC_SUFFIX] = "suffix",
		[PNE_TC_LIST] = "as list",
	};
	return conv >= 0 && conv <= PNE_TC_LIST ? names[conv] : "?";
}

/* ------------------------------------------------------------------ */
/* Checker state and diagnostics                                       */
/* ------------------------------------------------------------------ */

struct chk {
	struct pnec_ast *ast;
	struct pnec_diag *d;
	struct pnec_symtab t;
	int quiet;          /* fixpoint rounds: no diagnostics */
	int changed;        /* a slot range grew this round */
	int errors;
	int in_wait;        /* checking a wait condition */
	const void **once;  /* statements already reported (inlined subs) */
	size_t nonce, caponce;
	int repeat_depth;   /* deepest repeat nesting after inlining */
	const struct pnec_item *start[2];
};

static void err(struct chk *c, const struct pnec_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct chk *c, const struct pnec_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err(struct chk *c, const struct pnec_loc *loc, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pnec_error(c->d, loc, "%s", msg);
	c->errors++;
}

static void note(struct chk *c, const struct pnec_loc *loc, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pnec_note(c->d, loc, "%s", msg);
}

/* 1 the first time p is passed: report things in inlined subs once. */
static int first_time(struct chk *c, const void *p)
{
	for (size_t i = 0; i < c->nonce; i++)
		if (c->once[i] == p)
			return 0;
	if (c->nonce == c->caponce) {
		size_t cap = c->caponce ? c->caponce * 2 : 16;
		const void **n = realloc(c->once, cap * sizeof(*n));

		if (n == NULL)
			return 1;
		c->once = n;
		c->caponce = cap;
	}
	c->once[c->nonce++] = p;
	return 1;
}

static struct pnec_sym *lookup(struct chk *c, const struct pnec_str *name)
{
	return pnec_sym_find(&c->t, name->s, name->len);
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

static void chk_expr(struct chk *c, struct pnec_expr *e);
static int const_eval(struct chk *c, struct pnec_sym *s);

static int bad(const struct pnec_expr *e)
{
	return e->resolved == POISON;
}

static void set_range(struct pnec_expr *e, uint64_t lo, uint64_t hi)
{
	e->lo = lo;
	e->hi = hi;
}

static uint64_t fill_bits(uint64_t v)
{
	return v == 0 ? 0 : U64MAX >> __builtin_clzll(v);
}

static uint64_t width_max(int width)
{
	return width == 0 ? 1 : width >= 8 ? U64MAX : (UINT64_C(1) << (8 * width)) - 1;
}

int pnec_expr_is_const(const struct pnec_expr *e)
{
	switch (e->kind) {
	case PNEC_E_NUM:
		return 1;
	case PNEC_E_NAME:
		return e->resolved == PNEC_SYM_CONST;
	case PNEC_E_UNARY:
		return pnec_expr_is_const(e->a);
	case PNEC_E_BINARY:
		return pnec_expr_is_const(e->a) && pnec_expr_is_const(e->b);
	case PNEC_E_COND:
		return pnec_expr_is_const(e->a) && pnec_expr_is_const(e->b) &&
		       pnec_expr_is_const(e->c);
	case PNEC_E_CALL:
		if (strcmp(e->name.s, "len") == 0 || strcmp(e->name.s, "unconfirmed") == 0)
			return 0;
		for (int i = 0; i < e->nargs; i++)
			if (!pnec_expr_is_const(e->args[i]))
				return 0;
		return 1;
	case PNEC_E_IN:
		return pnec_expr_is_const(e->a);
	}
	return 0;
}

/* Exact value of a binary operator; -1 when it fails at run time. */
static int binop_eval(int op, uint64_t x, uint64_t y, uint64_t *r)
{
	switch (op) {
	case PNEC_OP_ADD: if (x > U64MAX - y) return -1; *r = x + y; break;
	case PNEC_OP_SUB: if (x < y) return -1; *r = x - y; break;
	case PNEC_OP_MUL: if (x != 0 && y > U64MAX / x) return -1; *r = x * y; break;
	case PNEC_OP_DIV: if (y == 0) return -1; *r = x / y; break;
	case PNEC_OP_MOD: if (y == 0) return -1; *r = x % y; break;
	case PNEC_OP_AND: *r = x & y; break;
	case PNEC_OP_OR: *r = x | y; break;
	case PNEC_OP_XOR: *r = x ^ y; break;
	case PNEC_OP_SHL:
		if (y >= 64 ? x != 0 : (x << y) >> y != x)
			return -1;
		*r = y >= 64 ? 0 : x << y;
		break;
	case PNEC_OP_SHR: *r = y >= 64 ? 0 : x >> y; break;
	case PNEC_OP_EQ: *r = x == y; break;
	case PNEC_OP_NE: *r = x != y; break;
	case PNEC_OP_LT: *r = x < y; break;
	case PNEC_OP_LE: *r = x <= y; break;
	case PNEC_OP_GT: *r = x > y; break;
	case PNEC_OP_GE: *r = x >= y; break;
	case PNEC_OP_LAND: *r = x && y; break;
	case PNEC_OP_LOR: *r = x || y; break;
	default: return -1;
	}
	return 0;
}

/* Report that e can exceed 2^64-1; k: log2 of how far it can reach. */
static void overflow(struct chk *c, struct pnec_expr *e, int k)
{
	char t[EXPR_TEXT_MAX], ta[EXPR_TEXT_MAX], tb[EXPR_TEXT_MAX];
	char ba[32], bb[32], ops[2 * EXPR_TEXT_MAX + 80] = "";
	const struct pnec_expr *a = e->kind == PNEC_E_CALL ? e->args[0] : e->a;
	const struct pnec_expr *b = e->kind == PNEC_E_BINARY ? e->b : NULL;

	if (k < 64)
		k = 64;
	fmt_bound(ba, sizeof(ba), a->hi);
	if (b != NULL && !pnec_expr_is_const(a) && !pnec_expr_is_const(b)) {
		fmt_bound(bb, sizeof(bb), b->hi);
		snprintf(ops, sizeof(ops), " (%s <= %s, %s <= %s)",
			 expr_text(a, ta), ba, expr_text(b, tb), bb);
	} else if (b != NULL && pnec_expr_is_const(a)) {
		fmt_bound(bb, sizeof(bb), b->hi);
		snprintf(ops, sizeof(ops), " (%s <= %s)", expr_text(b, tb), bb);
	} else {
		snprintf(ops, sizeof(ops), " (%s <= %s)", expr_text(a, ta), ba);
	}
	err(c, &e->loc, "arithmetic can overflow: '%s' can reach 2^%d%s",
	    expr_text(e, t), k, ops);
	e->resolved = POISON;
	set_range(e, 0, U64MAX);
}

/* log2(v) rounded to the nearest integer, v > 0: the bit length, plus
 * one when the leading 32 bits are at least sqrt(2) * 2^31. */
static int round_log2(u128 v)
{
	int n = 0;
	u128 top;

	for (u128 x = v; x > 1; x >>= 1)
		n++;
	top = n >= 31 ? v >> (n - 31) : v << (31 - n);
	return n + (top > 0xB504F333u);
}

/* Interval of a binary operator whose operands aren't both known. */
static void range_binary(struct chk *c, struct pnec_expr *e)
{
	const struct pnec_expr *a = e->a, *b = e->b;
	u128 hi;

	switch (e->op) {
	case PNEC_OP_ADD:
		hi = (u128)a->hi + b->hi;
		if (hi > U64MAX)
			return overflow(c, e, round_log2(hi));
		set_range(e, a->lo + b->lo, (uint64_t)hi);
		break;
	case PNEC_OP_SUB:
		set_range(e, a->lo > b->hi ? a->lo - b->hi : 0,
			  a->hi > b->lo ? a->hi - b->lo : 0);
		break;
	case PNEC_OP_MUL:
		hi = (u128)a->hi * b->hi;
		if (hi > U64MAX)
			return overflow(c, e, round_log2(hi));
		set_range(e, a->lo * b->lo, (uint64_t)hi);
		break;
	case PNEC_OP_DIV:
		set_range(e, b->hi == 0 ? 0 : a->lo / b->hi,
			  b->lo == 0 ? a->hi : a->hi / b->lo);
		break;
	case PNEC_OP_MOD:
		if (a->hi < b->lo)
			set_range(e, a->lo, a->hi);
		else
			set_range(e, 0, b->hi == 0 ? 0 :
				  a->hi < b->hi - 1 ? a->hi : b->hi - 1);
		break;
	case PNEC_OP_AND:
		set_range(e, 0, a->hi < b->hi ? a->hi : b->hi);
		break;
	case PNEC_OP_OR:
		set_range(e, a->lo > b->lo ? a->lo : b->lo,
			  fill_bits(a->hi > b->hi ? a->hi : b->hi));
		break;
	case PNEC_OP_XOR:
		set_range(e, 0, fill_bits(a->hi > b->hi ? a->hi : b->hi));
		break;
	case PNEC_OP_SHL:
		if (a->hi == 0) {
			set_range(e, 0, 0);
			break;
		}
		if (b->hi >= 64)
			return overflow(c, e, round_log2(a->hi) + (int)(b->hi > 4096 ? 4096 : b->hi));
		hi = (u128)a->hi << b->hi;
		if (hi > U64MAX)
			return overflow(c, e, round_log2(hi));
		set_range(e, b->lo >= 64 ? 0 : a->lo << b->lo, (uint64_t)hi);
		break;
	case PNEC_OP_SHR:
		set_range(e, b->hi >= 64 ? 0 : a->lo >> b->hi,
			  b->lo >= 64 ? 0 : a->hi >> b->lo);
		break;
	default:
		set_range(e, 0, 1);
		break;
	}
}

static void chk_binary(struct chk *c, struct pnec_expr *e)
{
	char t[EXPR_TEXT_MAX];
	uint64_t r;

	chk_expr(c, e->a);
	chk_expr(c, e->b);
	if (bad(e->a) || bad(e->b)) {
		e->resolved = POISON;
		set_range(e, 0, U64MAX);
		return;
	}
	if (e->a->lo == e->a->hi && e->b->lo == e->b->hi) {
		if (binop_eval(e->op, e->a->lo, e->b->lo, &r) == 0) {
			set_range(e, r, r);
			return;
		}
		if (pnec_expr_is_const(e)) {
			if (e->op == PNEC_OP_DIV || e->op == PNEC_OP_MOD) {
				err(c, &e->loc, "division by zero in '%s'", expr_text(e, t));
				e->resolved = POISON;
				set_range(e, 0, U64MAX);
				return;
			}
			if (e->op == PNEC_OP_SUB) {
				err(c, &e->loc, "'%s' is negative", expr_text(e, t));
				e->resolved = POISON;
				set_range(e, 0, U64MAX);
				return;
			}
		}
	}
	range_binary(c, e);
}

static void chk_unary(struct chk *c, struct pnec_expr *e)
{
	char t[EXPR_TEXT_MAX];

	chk_expr(c, e->a);
	if (bad(e->a)) {
		e->resolved = POISON;
		set_range(e, 0, U64MAX);
		return;
	}
	switch (e->op) {
	case '!':
		if (e->a->lo == e->a->hi)
			set_range(e, e->a->lo == 0, e->a->lo == 0);
		else
			set_range(e, 0, e->a->lo > 0 ? 0 : 1);
		break;
	case '~':
		set_range(e, ~e->a->hi, ~e->a->lo);
		break;
	default:
		/* Unary minus: 0 - a, valid only when a is 0. */
		if (pnec_expr_is_const(e->a) && e->a->lo != 0) {
			err(c, &e->loc, "'%s' is negative", expr_text(e, t));
			e->resolved = POISON;
		}
		set_range(e, 0, 0);
		break;
	}
}

static void chk_cond(struct chk *c, struct pnec_expr *e)
{
	chk_expr(c, e->a);
	chk_expr(c, e->b);
	chk_expr(c, e->c);
	if (bad(e->a) || bad(e->b) || bad(e->c)) {
		e->resolved = POISON;
		set_range(e, 0, U64MAX);
		return;
	}
	if (e->a->lo == e->a->hi) {
		const struct pnec_expr *x = e->a->lo ? e->b : e->c;

		set_range(e, x->lo, x->hi);
		return;
	}
	set_range(e, e->b->lo < e->c->lo ? e->b->lo : e->c->lo,
		  e->b->hi > e->c->hi ? e->b->hi : e->c->hi);
}

/* A case list of constants; 0 if one isn't (reported). */
static int chk_cases(struct chk *c, struct pnec_case *cs)
{
	char t[EXPR_TEXT_MAX];
	int ok = 1;

	for (; cs != NULL; cs = cs->next) {
		struct pnec_expr *v[2] = { cs->lo, cs->hi };

		for (int i = 0; i < 2 && v[i] != NULL; i++) {
			chk_expr(c, v[i]);
			if (bad(v[i])) {
				ok = 0;
			} else if (!pnec_expr_is_const(v[i])) {
				err(c, &v[i]->loc, "case value '%s' is not a constant",
				    expr_text(v[i], t));
				ok = 0;
			}
		}
		if (ok && cs->hi != NULL && cs->hi->lo < cs->lo->lo) {
			err(c, &cs->lo->loc, "empty case range %" PRIu64 " .. %" PRIu64,
			    cs->lo->lo, cs->hi->lo);
			ok = 0;
		}
	}
	return ok;
}

static int case_match(const struct pnec_case *cs, uint64_t v)
{
	for (; cs != NULL; cs = cs->next) {
		uint64_t hi = cs->hi != NULL ? cs->hi->lo : cs->lo->lo;

		if (v >= cs->lo->lo && v <= hi)
			return 1;
	}
	return 0;
}

static void chk_in(struct chk *c, struct pnec_expr *e)
{
	chk_expr(c, e->a);
	if (!chk_cases(c, e->cases) || bad(e->a)) {
		e->resolved = POISON;
		set_range(e, 0, 1);
		return;
	}
	if (e->a->lo == e->a->hi) {
		uint64_t m = case_match(e->cases, e->a->lo);

		set_range(e, m, m);
	} else {
		set_range(e, 0, 1);
	}
}

/* The n argument of align()/padding(): a nonzero constant. */
static int chk_modulus(struct chk *c, struct pnec_expr *e, uint64_t *n)
{
	char t[EXPR_TEXT_MAX];

	if (bad(e->args[1]))
		return -1;
	if (!pnec_expr_is_const(e->args[1]) || e->args[1]->lo == 0) {
		err(c, &e->args[1]->loc,
		    "the second argument of %s() must be a nonzero constant, not '%s'",
		    e->name.s, expr_text(e->args[1], t));
		return -1;
	}
	*n = e->args[1]->lo;
	return 0;
}

static void chk_len(struct chk *c, struct pnec_expr *e)
{
	struct pnec_expr *f = e->args[0];
	struct pnec_sym *s = NULL;

	if (f->kind == PNEC_E_NAME)
		s = lookup(c, &f->name);
	if (s == NULL || s->kind != PNEC_SYM_FIFO) {
		if (f->kind != PNEC_E_NAME)
			err(c, &f->loc, "len() takes the name of a fifo");
		else if (s == NULL)
			err(c, &f->loc, "undefined fifo '%s'", f->name.s);
		else
			err(c, &f->loc, "len() takes a fifo; '%s' is a %s",
			    f->name.s, sym_kind_name(s->kind));
		f->resolved = POISON;
		e->resolved = POISON;
		set_range(e, 0, U64MAX);
		return;
	}
	s->used = 1;
	f->resolved = PNEC_SYM_FIFO;
	f->index = s->index;
	e->resolved = PNEC_SYM_FIFO;
	e->index = s->index;
	set_range(e, 0, s->item->depth);
}

static void chk_call(struct chk *c, struct pnec_expr *e)
{
	static const struct { const char *name; int nargs; } fns[] = {
		{ "pad4", 1 }, { "align", 2 }, { "padding", 2 },
		{ "min", 2 }, { "max", 2 }, { "len", 1 }, { "unconfirmed", 0 },
	};
	const char *n = e->name.s;
	struct pnec_expr *a, *b;
	uint64_t m;
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (strcmp(n, fns[i].name) == 0)
			break;
	if (i == sizeof(fns) / sizeof(fns[0])) {
		err(c, &e->loc, "unknown function '%s'", n);
		goto poison;
	}
	if (e->nargs != fns[i].nargs) {
		err(c, &e->loc, "%s() takes %d argument%s, not %d", n, fns[i].nargs,
		    fns[i].nargs == 1 ? "" : "s", e->nargs);
		goto poison;
	}
	if (strcmp(n, "len") == 0)
		return chk_len(c, e);
	if (strcmp(n, "unconfirmed") == 0) {
		if (c->in_wait) {
			err(c, &e->loc, "a wait can't depend on unconfirmed(): only "
			    "this direction changes it");
			goto poison;
		}
		set_range(e, 0, 255);
		return;
	}
	for (int k = 0; k < e->nargs; k++)
		chk_expr(c, e->args[k]);
	for (int k = 0; k < e->nargs; k++)
		if (bad(e->args[k]))
			goto poison;
	a = e->args[0];
	b = e->nargs > 1 ? e->args[1] : NULL;
	if (strcmp(n, "pad4") == 0) {
		if (a->hi > U64MAX - 3)
			return overflow(c, e, 64);
		set_range(e, (a->lo + 3) & ~UINT64_C(3), (a->hi + 3) & ~UINT64_C(3));
	} else if (strcmp(n, "align") == 0) {
		if (chk_modulus(c, e, &m) < 0)
			goto poison;
		/* Lowered as (x + n - 1) / n * n: the sum must fit too. */
		u128 hi = (u128)a->hi + m - 1;

		if (hi > U64MAX)
			return overflow(c, e, round_log2(hi));
		hi = hi / m * m;
		set_range(e, (uint64_t)(((u128)a->lo + m - 1) / m * m), (uint64_t)hi);
	} else if (strcmp(n, "padding") == 0) {
		if (chk_modulus(c, e, &m) < 0)
			goto poison;
		if (a->lo == a->hi)
			set_range(e, (m - a->lo % m) % m, (m - a->lo % m) % m);
		else
			set_range(e, 0, m - 1);
	} else if (strcmp(n, "min") == 0) {
		set_range(e, a->lo < b->lo ? a->lo : b->lo, a->hi < b->hi ? a->hi : b->hi);
	} else {
		set_range(e, a->lo > b->lo ? a->lo : b->lo, a->hi > b->hi ? a->hi : b->hi);
	}
	return;
poison:
	e->resolved = POISON;
	set_range(e, 0, U64MAX);
}

static void chk_name(struct chk *c, struct pnec_expr *e)
{
	struct pnec_sym *s = lookup(c, &e->name);

	e->resolved = POISON;
	e->index = -1;
	set_range(e, 0, U64MAX);
	if (s == NULL) {
		err(c, &e->loc, "undefined name '%s'", e->name.s);
		return;
	}
	s->used = 1;
	switch (s->kind) {
	case PNEC_SYM_SLOT:
		if (s->rkind == PNE_RK_STRING) {
			err(c, &e->loc, "'%s' is a string: it can only be reported",
			    e->name.s);
			return;
		}
		if (c->in_wait) {
			err(c, &e->loc,
			    "'wait' can't depend on slot '%s': only this direction changes it",
			    e->name.s);
			return;
		}
		set_range(e, s->lo, s->hi);
		break;
	case PNEC_SYM_VAR:
	case PNEC_SYM_PARAM:
		set_range(e, 0, width_max(s->width));
		break;
	case PNEC_SYM_CONST:
		if (const_eval(c, s) < 0)
			return;
		set_range(e, s->value, s->value);
		break;
	case PNEC_SYM_FIFO:
		err(c, &e->loc, "'%s' is a fifo: use len(%s) for its length",
		    e->name.s, e->name.s);
		return;
	default:
		err(c, &e->loc, "'%s' is a %s, not a value", e->name.s,
		    sym_kind_name(s->kind));
		return;
	}
	e->resolved = s->kind;
	e->index = s->index;
}

static void chk_expr(struct chk *c, struct pnec_expr *e)
{
	e->resolved = PNEC_SYM_NONE;
	e->index = 0;
	switch (e->kind) {
	case PNEC_E_NUM:
		set_range(e, e->num, e->num);
		break;
	case PNEC_E_NAME:
		chk_name(c, e);
		break;
	case PNEC_E_UNARY:
		chk_unary(c, e);
		break;
	case PNEC_E_BINARY:
		chk_binary(c, e);
		break;
	case PNEC_E_COND:
		chk_cond(c, e);
		break;
	case PNEC_E_CALL:
		chk_call(c, e);
		break;
	case PNEC_E_IN:
		chk_in(c, e);
		break;
	}
}

/* Check e and require a constant (what names the place); 0 and *v, or -1. */
static int want_const(struct chk *c, struct pnec_expr *e, const char *what,
		      uint64_t *v)
{
	char t[EXPR_TEXT_MAX];

	chk_expr(c, e);
	if (bad(e))
		return -1;
	if (!pnec_expr_is_const(e)) {
		err(c, &e->loc, "%s must be a constant, not '%s'", what, expr_text(e, t));
		return -1;
	}
	*v = e->lo;
	return 0;
}

static int const_eval(struct chk *c, struct pnec_sym *s)
{
	uint64_t v;

	switch (s->state) {
	case 2:
		return 0;
	case 3:
		return -1;
	case 1:
		err(c, &s->loc, "constant '%s' is defined in terms of itself", s->name);
		s->state = 3;
		return -1;
	}
	s->state = 1;
	if (s->item->e == NULL || want_const(c, s->item->e, "a const", &v) < 0) {
		s->state = 3;
		return -1;
	}
	s->value = v;
	s->state = 2;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

/* An expression the lowering turns into bytecode must fit the
 * interpreter's stack; depth is what pnec_expr_depth() says. */
static void chk_depth(struct chk *c, const struct pnec_expr *e, int depth)
{
	if (!c->quiet && !bad(e) && depth > PNE_MAX_STACK)
		err(c, &e->loc,
		    "expression too deep to evaluate: it needs %d stack entries, the limit is %d",
		    depth, PNE_MAX_STACK);
}

/* Check e, a value the program computes at run time. */
static void chk_value(struct chk *c, struct pnec_expr *e)
{
	chk_expr(c, e);
	if (!c->quiet && !bad(e) && !pnec_expr_is_const(e))
		chk_depth(c, e, pnec_expr_depth(e));
}

static void chk_stmts(struct chk *c, struct pnec_stmt *s);

/* Slots start each ADU at 0, so only the upper bound grows. */
static void slot_assign(struct chk *c, const struct pnec_str *name, uint64_t hi)
{
	struct pnec_sym *s = lookup(c, name);

	if (s == NULL || s->kind != PNEC_SYM_SLOT)
		return;
	if (hi > s->hi) {
		s->hi = hi;
		c->changed = 1;
	}
}

static uint64_t expr_hi(const struct pnec_expr *e)
{
	return bad(e) ? U64MAX : e->hi;
}

static void chk_field(struct chk *c, struct pnec_bfield *f, uint64_t minsize)
{
	int w = f->type & 0x0f;
	uint64_t off, mask = width_max(w), v;
	unsigned shift = 0;

	if (want_const(c, f->off, "a field offset", &off) < 0)
		off = 0;
	else if (off > minsize || (uint64_t)w > minsize - off)
		err(c, &f->loc,
		    "field '%s' (bytes %" PRIu64 "..%" PRIu64 ") reads past the header's smallest size (%" PRIu64 " bytes)",
		    f->name.s, off, off + (uint64_t)w - 1, minsize);
	for (int i = 0; i < f->nops; i++) {
		if (want_const(c, f->ops[i].arg, f->ops[i].op == '&' ?
			       "a mask" : "a shift", &v) < 0)
			continue;
		if (f->ops[i].op == '&') {
			mask &= v;
		} else if (v >= 64 || shift + v >= 64) {
			err(c, &f->ops[i].arg->loc, "shift by %" PRIu64 " is too large", v);
		} else {
			shift += (unsigned)v;
			mask >>= v;
		}
	}
	slot_assign(c, &f->name, mask);
}

static void chk_header(struct chk *c, struct pnec_stmt *s)
{
	uint64_t max = 0, minsize;

	chk_value(c, s->e);
	if (bad(s->e)) {
		minsize = U64MAX;  /* already reported: don't blame the fields */
	} else if (pnec_expr_is_const(s->e)) {
		max = minsize = s->e->lo;
		if (s->max != NULL)
			want_const(c, s->max, "a header's max", &max);
	} else {
		minsize = s->e->lo;
		if (s->max == NULL)
			err(c, &s->e->loc, "a computed header size needs 'max'");
		else
			want_const(c, s->max, "a header's max", &max);
	}
	if (max > PNE_MAX_HDR)
		err(c, s->max != NULL ? &s->max->loc : &s->e->loc,
		    "a header of up to %" PRIu64 " bytes is over the limit of %d bytes",
		    max, PNE_MAX_HDR);
	for (struct pnec_bfield *f = s->bfields; f != NULL; f = f->next)
		chk_field(c, f, minsize);
}

static void chk_tfield(struct chk *c, struct pnec_tfield *f, uint64_t tmax)
{
	uint64_t v = 0;

	if ((f->src == PNE_TS_WORD || f->src == PNE_TS_LINE) && f->arg > UINT16_MAX - 1)
		err(c, &f->loc, "%s number %" PRIu64 " is too large",
		    f->src == PNE_TS_WORD ? "word" : "line", f->arg);
	if (f->src == PNE_TS_HEADER && f->key.len == 0)
		err(c, &f->loc, "empty header name");
	switch (f->conv) {
	case PNE_TC_DECIMAL:
	case PNE_TC_HEX:
		if (f->max == NULL)
			err(c, &f->loc, "'%s' needs 'max'", pnec_tconv_name(f->conv));
		else if (want_const(c, f->max, "a conversion's max", &v) == 0)
			slot_assign(c, &f->name, v);
		break;
	case PNE_TC_STRING:
	case PNE_TC_LIST:
		if (f->max != NULL && want_const(c, f->max, "a string's max", &v) == 0 &&
		    v > PNE_MAX_HDR)
			err(c, &f->max->loc,
			    "a string of up to %" PRIu64 " bytes is over the limit of %d bytes",
			    v, PNE_MAX_HDR);
		break;
	case PNE_TC_LENGTH:
		slot_assign(c, &f->name, tmax);
		break;
	default:
		slot_assign(c, &f->name, 1);
		break;
	}
}

static void chk_text(struct chk *c, struct pnec_stmt *s)
{
	uint64_t max = U64MAX;
	int have_max = 0;

	if (s->has_delim && s->delim.len == 0)
		err(c, &s->loc, "empty text delimiter");
	else if (s->has_delim && s->delim.len > PNEC_MAX_LITERAL)
		err(c, &s->loc, "a text delimiter of %zu bytes is too long (the limit is %d)",
		    s->delim.len, PNEC_MAX_LITERAL);
	if (!s->has_delim && s->e != NULL)
		chk_value(c, s->e);
	if (s->max != NULL) {
		have_max = want_const(c, s->max, "a text's max", &max) == 0;
	} else if (!s->has_delim && s->e != NULL && !bad(s->e) &&
		   pnec_expr_is_const(s->e)) {
		max = s->e->lo;
		have_max = 1;
	} else {
		err(c, &s->loc, "text needs 'max'");
	}
	if (have_max && max > PNE_MAX_TEXT)
		err(c, s->max != NULL ? &s->max->loc : &s->loc,
		    "a text of up to %" PRIu64 " bytes is over the limit of %u bytes",
		    max, PNE_MAX_TEXT);
	else if (have_max && s->has_delim && max < s->delim.len)
		err(c, &s->max->loc, "a text's max (%" PRIu64 ") is shorter than its delimiter",
		    max);
	if (s->peek && have_max && max > PNE_MAX_PEEK)
		err(c, s->max != NULL ? &s->max->loc : &s->loc,
		    "a peek of up to %" PRIu64 " bytes is over the limit of %d bytes",
		    max, PNE_MAX_PEEK);
	for (struct pnec_tfield *f = s->tfields; f != NULL; f = f->next) {
		if (f->src == PNE_TS_DELIM && !s->has_delim)
			err(c, &f->loc, "'delim' needs a text with 'until': a sized text has none");
		chk_tfield(c, f, have_max ? max : U64MAX);
	}
}

static int case_ok(const struct pnec_case *cs)
{
	if (bad(cs->lo) || !pnec_expr_is_const(cs->lo))
		return 0;
	if (cs->hi == NULL)
		return 1;
	return !bad(cs->hi) && pnec_expr_is_const(cs->hi) && cs->hi->lo >= cs->lo->lo;
}

static uint64_t case_hi(const struct pnec_case *cs)
{
	return cs->hi != NULL ? cs->hi->lo : cs->lo->lo;
}

/* Report a case value matched by an earlier case of the same switch or
 * type map: lists[] are the case lists in order (NULL: default). */
static void chk_overlap(struct chk *c, struct pnec_case *const *lists, size_t n)
{
	if (c->quiet)
		return;
	for (size_t i = 0; i < n; i++)
		for (const struct pnec_case *x = lists[i]; x != NULL; x = x->next) {
			if (!case_ok(x))
				continue;
			for (size_t j = 0; j <= i; j++)
				for (const struct pnec_case *y = lists[j];
				     y != NULL && y != x; y = y->next) {
					if (!case_ok(y) || case_hi(y) < x->lo->lo ||
					    case_hi(x) < y->lo->lo)
						continue;
					err(c, &x->lo->loc, "case value %" PRIu64 " is already handled",
					    x->lo->lo > y->lo->lo ? x->lo->lo : y->lo->lo);
					note(c, &y->lo->loc, "by this case");
					goto next;
				}
next:
			;
		}
}

static void chk_switch(struct chk *c, struct pnec_stmt *s)
{
	const struct pnec_arm *deflt = NULL;
	struct pnec_case **lists;
	size_t n = 0;

	chk_expr(c, s->e);
	for (const struct pnec_arm *a = s->arms; a != NULL; a = a->next)
		n++;
	lists = calloc(n + 1, sizeof(*lists));
	n = 0;
	for (struct pnec_arm *a = s->arms; a != NULL; a = a->next) {
		if (a->cases == NULL) {
			if (deflt != NULL) {
				err(c, &a->loc, "duplicate 'default'");
				note(c, &deflt->loc, "the first 'default' is here");
			}
			deflt = a;
		} else if (chk_cases(c, a->cases) && !bad(s->e)) {
			chk_depth(c, s->e, pnec_expr_in_depth(s->e, a->cases));
		}
		if (lists != NULL)
			lists[n++] = a->cases;
		chk_stmts(c, a->body);
	}
	if (lists != NULL)
		chk_overlap(c, lists, n);
	free(lists);
}

/* The fifo a push or pop names; NULL if it isn't one (reported). */
static struct pnec_sym *want_fifo(struct chk *c, const struct pnec_stmt *s)
{
	struct pnec_sym *f = lookup(c, &s->name);

	if (f == NULL)
		err(c, &s->loc, "undefined fifo '%s'", s->name.s);
	else if (f->kind != PNEC_SYM_FIFO)
		err(c, &s->loc, "'%s' is a %s, not a fifo", s->name.s,
		    sym_kind_name(f->kind));
	else
		return f;
	return NULL;
}

static void chk_assign(struct chk *c, struct pnec_stmt *s)
{
	struct pnec_sym *t = lookup(c, &s->name);

	chk_value(c, s->e);
	if (t == NULL) {
		err(c, &s->loc, "undefined name '%s'", s->name.s);
		return;
	}
	switch (t->kind) {
	case PNEC_SYM_SLOT:
		if (t->rkind == PNE_RK_STRING)
			err(c, &s->loc, "'%s' is a string: it can't be assigned", s->name.s);
		else
			slot_assign(c, &s->name, expr_hi(s->e));
		break;
	case PNEC_SYM_VAR:
	case PNEC_SYM_PARAM:
		break;  /* stored truncated to its width */
	default:
		err(c, &s->loc, "can't assign to %s '%s'", sym_kind_name(t->kind),
		    s->name.s);
		break;
	}
}

static void chk_stmt(struct chk *c, struct pnec_stmt *s)
{
	struct pnec_sym *f;
	uint64_t v;

	switch (s->kind) {
	case PNEC_S_HEADER:
		chk_header(c, s);
		break;
	case PNEC_S_VARINT:
		if (want_const(c, s->max, "a varint's byte count", &v) < 0)
			v = 10;
		else if (v < 1 || v > 10)
			err(c, &s->max->loc, "a varint has 1 to 10 bytes, not %" PRIu64, v);
		slot_assign(c, &s->name, v * 7 >= 64 ? U64MAX : (UINT64_C(1) << (v * 7)) - 1);
		break;
	case PNEC_S_TEXT:
		chk_text(c, s);
		break;
	case PNEC_S_SKIP:
	case PNEC_S_REQUIRE:
		chk_value(c, s->e);
		break;
	case PNEC_S_LET:
		chk_value(c, s->e);
		slot_assign(c, &s->name, expr_hi(s->e));
		break;
	case PNEC_S_ASSIGN:
		chk_assign(c, s);
		break;
	case PNEC_S_PUSH:
		want_fifo(c, s);
		chk_value(c, s->e);
		break;
	case PNEC_S_POP:
		f = want_fifo(c, s);
		v = f != NULL ? width_max(f->width) : U64MAX;
		if (f != NULL)
			f->used = 1;
		if (s->e != NULL) {
			chk_value(c, s->e);
			if (expr_hi(s->e) > v)
				v = expr_hi(s->e);
		}
		slot_assign(c, &s->into, v);
		break;
	case PNEC_S_WAIT:
		c->in_wait = 1;
		chk_value(c, s->e);
		c->in_wait = 0;
		break;
	case PNEC_S_IF:
		chk_value(c, s->e);
		chk_stmts(c, s->body);
		chk_stmts(c, s->orelse);
		break;
	case PNEC_S_SWITCH:
		chk_switch(c, s);
		break;
	case PNEC_S_REPEAT:
		if (want_const(c, s->max, "a repeat's max", &v) == 0 && v == 0)
			err(c, &s->max->loc, "a repeat's max must be at least 1");
		chk_stmts(c, s->body);
		break;
	case PNEC_S_DO:
		f = lookup(c, &s->name);
		if (f == NULL)
			err(c, &s->loc, "undefined sub '%s'", s->name.s);
		else if (f->kind != PNEC_SYM_SUB)
			err(c, &s->loc, "'%s' is a %s, not a sub", s->name.s,
			    sym_kind_name(f->kind));
		else
			f->used = 1;
		break;
	case PNEC_S_BLOCK:
		chk_stmts(c, s->body);
		break;
	default:
		break;
	}
}

static void chk_stmts(struct chk *c, struct pnec_stmt *s)
{
	for (; s != NULL; s = s->next)
		chk_stmt(c, s);
}

/* ------------------------------------------------------------------ */
/* Top-level items                                                     */
/* ------------------------------------------------------------------ */

static const char *vtype_name(int w)
{
	switch (w) {
	case 0: return "bool";
	case 1: return "u8";
	case 2: return "u16";
	case 4: return "u32";
	default: return "u64";
	}
}

static void chk_reports(struct chk *c, const struct pnec_item *it)
{
	for (const struct pnec_rep *r = it->u->reports; r != NULL; r = r->next) {
		const struct pnec_str *key = r->as.len ? &r->as : &r->name;
		struct pnec_sym *s = lookup(c, &r->name);

		if (s == NULL) {
			err(c, &r->loc, "undefined name '%s'", r->name.s);
		} else if (s->kind != PNEC_SYM_SLOT && s->kind != PNEC_SYM_VAR &&
			   s->kind != PNEC_SYM_PARAM) {
			err(c, &r->loc, "'%s' is a %s: only slots, vars and params can be reported",
			    r->name.s, sym_kind_name(s->kind));
		} else {
			s->used = 1;
		}
		for (const struct pnec_rep *q = it->u->reports; q != r; q = q->next) {
			const struct pnec_str *k = q->as.len ? &q->as : &q->name;

			if (k->len == key->len && memcmp(k->s, key->s, k->len) == 0) {
				err(c, &r->loc, "'%s' is reported twice", key->s);
				note(c, &q->loc, "first reported here");
				break;
			}
		}
	}
}

/* Type maps are tables of single values: ranges are expanded. */
static void chk_typemap_size(struct chk *c, const struct pnec_unit_ast *u)
{
	uint64_t n = 0;

	for (const struct pnec_typemap_ast *t = u->types; t != NULL; t = t->next)
		for (const struct pnec_case *cs = t->cases; cs != NULL; cs = cs->next)
			if (case_ok(cs))
				n += case_hi(cs) - cs->lo->lo + 1 > PNEC_MAX_TYPEMAP ?
				     PNEC_MAX_TYPEMAP + 1 : case_hi(cs) - cs->lo->lo + 1;
	if (n > PNEC_MAX_TYPEMAP)
		err(c, &u->type_loc, "the type map has over %d values (ranges count each value)",
		    PNEC_MAX_TYPEMAP);
}

static void chk_typemap(struct chk *c, const struct pnec_item *it)
{
	const struct pnec_unit_ast *u = it->u;
	const struct pnec_typemap_ast *deflt = NULL;
	struct pnec_sym *s = lookup(c, &u->type_slot);
	struct pnec_case **lists;
	size_t n = 0;

	if (s == NULL)
		err(c, &u->type_loc, "undefined slot '%s'", u->type_slot.s);
	else if (s->kind != PNEC_SYM_SLOT)
		err(c, &u->type_loc, "a type map needs a slot; '%s' is a %s",
		    u->type_slot.s, sym_kind_name(s->kind));
	else if (s->rkind == PNE_RK_STRING)
		err(c, &u->type_loc, "a type map needs a number; '%s' is a string",
		    u->type_slot.s);
	else
		s->used = 1;
	for (const struct pnec_typemap_ast *t = u->types; t != NULL; t = t->next)
		n++;
	lists = calloc(n + 1, sizeof(*lists));
	n = 0;
	for (const struct pnec_typemap_ast *t = u->types; t != NULL; t = t->next) {
		if (t->cases == NULL) {
			if (deflt != NULL) {
				err(c, &t->loc, "duplicate 'default'");
				note(c, &deflt->loc, "the first 'default' is here");
			}
			deflt = t;
		} else {
			chk_cases(c, t->cases);
		}
		if (lists != NULL)
			lists[n++] = t->cases;
	}
	if (lists != NULL)
		chk_overlap(c, lists, n);
	free(lists);
	chk_typemap_size(c, u);
}

static void chk_unit_clauses(struct chk *c, const struct pnec_item *it)
{
	const struct pnec_unit_ast *u = it->u;
	uint64_t v;

	if (u->max == NULL)
		err(c, &it->loc, "unit '%s' has no 'max'", it->name.s);
	else if (want_const(c, u->max, "a unit's max", &v) == 0 && v == 0)
		err(c, &u->max->loc, "a unit's max must be at least 1");
	if (u->resync == PNE_RESYNC_ANCHOR) {
		size_t total = 0;

		for (int i = 0; i < u->nanchors; i++) {
			total += u->anchors[i].len;
			if (u->anchors[i].len == 0)
				err(c, &u->resync_loc, "empty resync anchor");
			else if (u->anchors[i].len > PNEC_MAX_LITERAL)
				err(c, &u->resync_loc,
				    "a resync anchor of %zu bytes is too long (the limit is %d)",
				    u->anchors[i].len, PNEC_MAX_LITERAL);
		}
		if (total > 4096)
			err(c, &u->resync_loc,
			    "resync anchors of %zu bytes in all are too long (the limit is 4096)",
			    total);
	} else if (u->resync == PNE_RESYNC_CONFIRM) {
		if (u->confirm < 1 || u->confirm > 255)
			err(c, &u->resync_loc, "'resync confirm' takes 1 to 255 ADUs, not %" PRIu64,
			    u->confirm);
		if (u->window != NULL &&
		    want_const(c, u->window, "a resync window", &v) == 0 &&
		    (v < 1 || v > UINT32_MAX))
			err(c, &u->window->loc,
			    "'resync confirm ... within' takes 1 to 4294967295 bytes, not %" PRIu64,
			    v);
	}
	if (u->type_slot.len > 0)
		chk_typemap(c, it);
	chk_reports(c, it);
}

static void chk_start(struct chk *c, const struct pnec_item *it)
{
	struct pnec_sym *s = lookup(c, &it->unit);
	int dir = it->dir ? 1 : 0;

	if (c->start[dir] != NULL) {
		err(c, &it->loc, "'%s' is already given", dir ? "s2c" : "c2s");
		note(c, &c->start[dir]->loc, "first given here");
	} else {
		c->start[dir] = it;
	}
	if (s == NULL)
		err(c, &it->loc, "undefined unit '%s'", it->unit.s);
	else if (s->kind != PNEC_SYM_UNIT)
		err(c, &it->loc, "'%s' is a %s, not a unit", it->unit.s,
		    sym_kind_name(s->kind));
	else
		s->used = 1;
}

static void chk_items(struct chk *c)
{
	uint64_t v;

	for (const struct pnec_item *it = c->ast->items; it != NULL; it = it->next) {
		switch (it->kind) {
		case PNEC_I_PORTS:
			for (int i = 0; i < it->nports; i++)
				if (it->ports[i] == 0 || it->ports[i] > 65535)
					err(c, &it->loc, "port %" PRIu64 " is out of range",
					    it->ports[i]);
			break;
		case PNEC_I_PARAM:
		case PNEC_I_VAR:
			if (it->e != NULL &&
			    want_const(c, it->e, "an initial value", &v) == 0 &&
			    v > width_max(it->vtype))
				err(c, &it->e->loc, "initial value %" PRIu64 " doesn't fit in %s",
				    v, vtype_name(it->vtype));
			break;
		case PNEC_I_FIFO:
			if (it->depth < 1 || it->depth > PNE_MAX_FIFO_DEPTH)
				err(c, &it->loc, "a fifo holds 1 to %d entries, not %" PRIu64,
				    PNE_MAX_FIFO_DEPTH, it->depth);
			break;
		case PNEC_I_CONST: {
			struct pnec_sym *s = lookup(c, &it->name);

			if (s != NULL && s->item == it)
				const_eval(c, s);
			break;
		}
		case PNEC_I_START:
			chk_start(c, it);
			break;
		case PNEC_I_UNIT:
			if (it->u != NULL)
				chk_unit_clauses(c, it);
			break;
		default:
			break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Bodies: ranges to a fixpoint                                        */
/* ------------------------------------------------------------------ */

static void chk_all_bodies(struct chk *c)
{
	for (const struct pnec_item *it = c->ast->items; it != NULL; it = it->next) {
		if (it->kind == PNEC_I_SUB)
			chk_stmts(c, it->body);
		else if (it->kind == PNEC_I_UNIT && it->u != NULL)
			chk_stmts(c, it->u->body);
	}
}

static void chk_bodies(struct chk *c)
{
	uint64_t *prev = calloc(c->t.n + 1, sizeof(*prev));

	for (int round = 0; prev != NULL; round++) {
		for (size_t i = 0; i < c->t.n; i++)
			prev[i] = c->t.syms[i].hi;
		c->quiet = 1;
		c->changed = 0;
		chk_all_bodies(c);
		if (!c->changed)
			break;
		if (round < WIDEN_AFTER)
			continue;
		/* Still growing: a loop feeds the slot back; give up its bound. */
		for (size_t i = 0; i < c->t.n; i++)
			if (c->t.syms[i].kind == PNEC_SYM_SLOT && c->t.syms[i].hi != prev[i])
				c->t.syms[i].hi = U64MAX;
	}
	free(prev);
	c->quiet = 0;
	chk_all_bodies(c);
}

/* ------------------------------------------------------------------ */
/* Progress, breaks, repeat depth (subs inlined, memoised)             */
/* ------------------------------------------------------------------ */

/*
 * The state is "every path reaching here consumed a byte since the unit
 * (or loop iteration) started". For any statement list, out(in) =
 * in || out(0), so each sub is summarised once, from state 0.
 */
struct pctx {
	int depth;     /* repeat nesting */
	int maxdepth;
	int brk;       /* AND of the states at breaks of the innermost repeat */
	const struct pnec_stmt *free_brk; /* a break at depth 0 */
};

static int prog_stmts(struct chk *c, const struct pnec_stmt *s, int in,
		      struct pctx *p);

static int consumes(const struct pnec_stmt *s)
{
	switch (s->kind) {
	case PNEC_S_VARINT:
		return 1;
	case PNEC_S_TEXT:
		if (s->peek)
			return 0;  /* its bytes are read again */
		if (s->has_delim)
			return s->delim.len > 0;
		/* fall through */
	case PNEC_S_HEADER:
	case PNEC_S_SKIP:
		/* A size already reported as wrong doesn't also lack progress. */
		return s->e == NULL || bad(s->e) || s->e->lo >= 1;
	default:
		return 0;
	}
}

static struct pnec_sym *sub_summary(struct chk *c, const struct pnec_str *name)
{
	struct pnec_sym *sub = lookup(c, name);

	if (sub == NULL || sub->kind != PNEC_SYM_SUB || sub->pstate == 1)
		return NULL;
	if (sub->pstate == 0) {
		struct pctx q = { .brk = 1 };

		sub->pstate = 1;
		sub->prog_k = prog_stmts(c, sub->item->body, 0, &q);
		sub->prog_b = q.brk;
		sub->prog_depth = q.maxdepth;
		sub->free_brk = q.free_brk;
		sub->pstate = 2;
	}
	return sub;
}

static int prog_repeat(struct chk *c, const struct pnec_stmt *s, int in,
		       struct pctx *p)
{
	int saved = p->brk, k, b;

	p->brk = 1;
	if (++p->depth > p->maxdepth)
		p->maxdepth = p->depth;
	k = prog_stmts(c, s->body, 0, p);
	b = p->brk;
	p->depth--;
	p->brk = saved;
	if (!k && first_time(c, s))
		err(c, &s->loc, "a repeat body can loop without consuming a byte");
	return in || b;
}

static int prog_stmt(struct chk *c, const struct pnec_stmt *s, int in,
		     struct pctx *p)
{
	struct pnec_sym *sub;
	int r;

	switch (s->kind) {
	case PNEC_S_HEADER: case PNEC_S_VARINT: case PNEC_S_TEXT: case PNEC_S_SKIP:
		return in || consumes(s);
	case PNEC_S_IF:
		r = prog_stmts(c, s->body, in, p);
		return prog_stmts(c, s->orelse, in, p) && r;
	case PNEC_S_SWITCH:
		r = 1;
		for (const struct pnec_arm *a = s->arms; a != NULL; a = a->next)
			r = prog_stmts(c, a->body, in, p) && r;
		for (const struct pnec_arm *a = s->arms; a != NULL; a = a->next)
			if (a->cases == NULL)
				return r;
		return r && in;
	case PNEC_S_REPEAT:
		return prog_repeat(c, s, in, p);
	case PNEC_S_BREAK:
		if (p->depth == 0 && p->free_brk == NULL)
			p->free_brk = s;
		p->brk = p->brk && in;
		return 1;
	case PNEC_S_DO:
		sub = sub_summary(c, &s->name);
		if (sub == NULL)
			return in;
		if (p->depth + sub->prog_depth > p->maxdepth)
			p->maxdepth = p->depth + sub->prog_depth;
		if (sub->free_brk != NULL) {
			if (p->depth == 0 && p->free_brk == NULL)
				p->free_brk = sub->free_brk;
			p->brk = p->brk && (in || sub->prog_b);
		}
		return in || sub->prog_k;
	case PNEC_S_UNTIL_CLOSE:
	case PNEC_S_OPAQUE:
		return 1;
	case PNEC_S_BLOCK:
		return prog_stmts(c, s->body, in, p);
	default:
		return in;
	}
}

static int prog_stmts(struct chk *c, const struct pnec_stmt *s, int in,
		      struct pctx *p)
{
	for (; s != NULL; s = s->next)
		in = prog_stmt(c, s, in, p);
	return in;
}

/* The statement a unit's program starts with, through blocks and subs. */
static const struct pnec_stmt *leading_stmt(struct chk *c, const struct pnec_stmt *s)
{
	for (int hops = 0; s != NULL && hops < 256; hops++) {
		const struct pnec_sym *sub;

		if (s->kind == PNEC_S_BLOCK) {
			s = s->body != NULL ? s->body : s->next;
		} else if (s->kind == PNEC_S_DO) {
			sub = lookup(c, &s->name);
			if (sub == NULL || sub->kind != PNEC_SYM_SUB)
				return NULL;
			s = sub->item->body != NULL ? sub->item->body : s->next;
		} else {
			return s;
		}
	}
	return NULL;
}

static const struct pnec_stmt *find_peek(struct chk *c, const struct pnec_stmt *s);

/* A peek that sub runs, directly or through the subs it does; memoised. */
static const struct pnec_stmt *sub_peek(struct chk *c, const struct pnec_str *name)
{
	struct pnec_sym *sub = lookup(c, name);

	if (sub == NULL || sub->kind != PNEC_SYM_SUB || sub->peek_state == 1)
		return NULL;  /* recursion is reported on its own */
	if (sub->peek_state == 0) {
		sub->peek_state = 1;
		sub->peek = find_peek(c, sub->item->body);
		sub->peek_state = 2;
	}
	return sub->peek;
}

/* The first peek a statement list can run, or NULL. */
static const struct pnec_stmt *find_peek(struct chk *c, const struct pnec_stmt *s)
{
	const struct pnec_stmt *p = NULL;

	for (; s != NULL && p == NULL; s = s->next) {
		switch (s->kind) {
		case PNEC_S_TEXT:
			p = s->peek ? s : NULL;
			break;
		case PNEC_S_IF:
			p = find_peek(c, s->body);
			p = p != NULL ? p : find_peek(c, s->orelse);
			break;
		case PNEC_S_SWITCH:
			for (const struct pnec_arm *a = s->arms; a != NULL && p == NULL;
			     a = a->next)
				p = find_peek(c, a->body);
			break;
		case PNEC_S_REPEAT:
		case PNEC_S_BLOCK:
			p = find_peek(c, s->body);
			break;
		case PNEC_S_DO:
			p = sub_peek(c, &s->name);
			break;
		default:
			break;
		}
	}
	return p;
}

/* An unconfirmed ADU of a 'resync confirm' unit keeps its head in the
 * history that a peek's bytes are replayed from (runtime/interp.c). */
static void chk_confirm_peek(struct chk *c, const struct pnec_item *it)
{
	const struct pnec_stmt *p;

	if (it->u->resync != PNE_RESYNC_CONFIRM || (p = find_peek(c, it->u->body)) == NULL)
		return;
	err(c, &p->loc, "a peek can't run in unit '%s', which uses 'resync confirm'",
	    it->name.s);
	note(c, &it->u->resync_loc, "'resync confirm' is here");
}

static void chk_progress(struct chk *c)
{
	for (const struct pnec_item *it = c->ast->items; it != NULL; it = it->next) {
		struct pctx p = { .brk = 1 };
		const struct pnec_stmt *lead;

		if (it->kind != PNEC_I_UNIT || it->u == NULL)
			continue;
		if (!prog_stmts(c, it->u->body, 0, &p))
			err(c, &it->loc, "unit '%s' can complete without consuming a byte",
			    it->name.s);
		if (p.free_brk != NULL && first_time(c, p.free_brk))
			err(c, &p.free_brk->loc, "'break' outside 'repeat'");
		if (p.maxdepth > c->repeat_depth)
			c->repeat_depth = p.maxdepth;
		lead = leading_stmt(c, it->u->body);
		if (it->u->resync == PNE_RESYNC_CONFIRM &&
		    (lead == NULL || lead->kind != PNEC_S_HEADER || bad(lead->e) ||
		     !pnec_expr_is_const(lead->e)))
			err(c, &it->u->resync_loc,
			    "unit '%s' uses 'resync confirm' but doesn't start with a constant-size header",
			    it->name.s);
		chk_confirm_peek(c, it);
	}
	if (c->t.nslots <= PNE_MAX_SLOTS && c->t.nslots + c->repeat_depth > PNE_MAX_SLOTS)
		err(c, &c->ast->name_loc,
		    "too many slots: %d named and %d repeat counters, the limit is %d",
		    c->t.nslots, c->repeat_depth, PNE_MAX_SLOTS);
}

/* ------------------------------------------------------------------ */
/* Recursion, directions, unused names                                 */
/* ------------------------------------------------------------------ */

static void rec_sub(struct chk *c, struct pnec_sym *sub);

static void rec_stmts(struct chk *c, const struct pnec_stmt *s)
{
	for (; s != NULL; s = s->next) {
		struct pnec_sym *t;

		switch (s->kind) {
		case PNEC_S_DO:
			t = lookup(c, &s->name);
			if (t == NULL || t->kind != PNEC_SYM_SUB)
				break;
			if (t->colour == 1)
				err(c, &s->loc, "recursive 'do %s'", s->name.s);
			else if (t->colour == 0)
				rec_sub(c, t);
			break;
		case PNEC_S_IF:
			rec_stmts(c, s->body);
			rec_stmts(c, s->orelse);
			break;
		case PNEC_S_SWITCH:
			for (const struct pnec_arm *a = s->arms; a != NULL; a = a->next)
				rec_stmts(c, a->body);
			break;
		case PNEC_S_REPEAT:
		case PNEC_S_BLOCK:
			rec_stmts(c, s->body);
			break;
		default:
			break;
		}
	}
}

static void rec_sub(struct chk *c, struct pnec_sym *sub)
{
	sub->colour = 1;
	rec_stmts(c, sub->item->body);
	sub->colour = 2;
}

static void chk_recursion(struct chk *c)
{
	for (size_t i = 0; i < c->t.n; i++)
		if (c->t.syms[i].kind == PNEC_SYM_SUB && c->t.syms[i].colour == 0)
			rec_sub(c, &c->t.syms[i]);
}

static void chk_unused(struct chk *c)
{
	for (size_t i = 0; i < c->t.n; i++) {
		const struct pnec_sym *s = &c->t.syms[i];

		if (!s->used)
			err(c, &s->loc, "%s '%s' is never used", sym_kind_name(s->kind),
			    s->name);
	}
}

int pnec_check(struct pnec_ast *ast, struct pnec_diag *d)
{
	struct chk c = { .ast = ast, .d = d };
	int nerrors = d->nerrors, ret = -1;

	if (pnec_symtab_build(ast, &c.t, d) < 0)
		c.errors++;
	if (c.t.n > 0 && c.t.syms == NULL)
		goto out;
	chk_items(&c);
	chk_bodies(&c);
	chk_recursion(&c);
	chk_progress(&c);
	if (c.start[0] == NULL)
		err(&c, &ast->name_loc, "missing 'c2s'");
	if (c.start[1] == NULL)
		err(&c, &ast->name_loc, "missing 's2c'");
	chk_unused(&c);
	ret = c.errors == 0 && d->nerrors == nerrors ? 0 : -1;
out:
	free(c.once);
	pnec_symtab_free(&c.t);
	return ret;
}
