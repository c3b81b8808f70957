/*
 * Lowering: a checked AST into the table program (struct pnec_ir),
 * following the conventions at the top of include/pne/table.h.
 *
 * Statements become ops in source order, subs are inlined at each `do`,
 * if/switch become JZ/JMP, repeat follows convention 7 with one counter
 * slot per nesting depth (named ".r0", ".r1", ... after the named slots).
 * Expressions become stack bytecode (expr.def), constants folded (the
 * checker left each constant's value in lo), identical expressions,
 * constants and strings stored once. Delimiters and resync anchors get
 * byte automata, also stored once per distinct literal set.
 *
 * Everything is appended to growable arrays; any failure sets l->err and
 * the IR is freed, so pnec_lower() either succeeds whole or leaves an
 * empty IR.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "ir.h"
#include "ir_priv.h"

#define WORK_MAX 200000      /* statements lowered, subs inlined */
#define INLINE_DEPTH_MAX 256
#define DEFAULT_STRING_MAX 64

struct lower {
	const struct pnec_ast *ast;
	struct pnec_ir *ir;
	struct pnec_diag *d;
	struct pnec_symtab t;
	int err;
	unsigned long work;
	int depth;            /* repeat nesting: the next counter slot */
	int ntemps;           /* counter slots used */
	int inline_depth;
	size_t *brks;         /* pending break JMPs, innermost repeat last */
	size_t nbrks, capbrks;
	struct span { uint32_t off, len; } *exprs; /* stored expressions */
	size_t nexprs;
	char **dfa_keys;      /* literal set of each automaton, for sharing */
	size_t *dfa_keylen;
};

/* ------------------------------------------------------------------ */
/* Growable arrays                                                     */
/* ------------------------------------------------------------------ */

static void fail(struct lower *l, const struct pnec_loc *loc, const char *msg)
{
	if (!l->err && l->d != NULL)
		pnec_error(l->d, loc, "%s", msg);
	l->err = 1;
}

/* The spec's name location: where errors without a better place go. */
static const struct pnec_loc *spec_loc(const struct lower *l)
{
	static const struct pnec_loc none = { 1, 1, 1, 1 };

	return l->ast != NULL ? &l->ast->name_loc : &none;
}

/*
 * Make room for element n of an array whose capacity is implied by n
 * (powers of two from 16) and zero it. On failure p is kept and l->err
 * set; the caller checks l->err.
 */
static void *grow(struct lower *l, void *p, size_t n, size_t size)
{
	if (p == NULL || (n >= 16 && (n & (n - 1)) == 0)) {
		size_t cap = n < 16 ? 16 : n * 2;
		void *q = realloc(p, cap * size);

		if (q == NULL) {
			fail(l, spec_loc(l), "out of memory");
			return p;
		}
		p = q;
	}
	memset((char *)p + n * size, 0, size);
	return p;
}

#define APPEND(l, arr, n) \
	((arr) = grow((l), (arr), (n), sizeof(*(arr))), \
	 (l)->err ? NULL : &(arr)[(n)++])

/* ------------------------------------------------------------------ */
/* Strings and constants                                               */
/* ------------------------------------------------------------------ */

static uint16_t intern_bytes(struct lower *l, const char *s, size_t len)
{
	struct pnec_ir *ir = l->ir;
	struct pnec_ir_str *e;

	for (size_t i = 0; i < ir->nstrs; i++)
		if (ir->strs[i].len == len && memcmp(ir->strs[i].s, s, len) == 0)
			return (uint16_t)i;
	if (ir->nstrs >= PNE_NO_STR) {
		fail(l, spec_loc(l), "too many distinct strings");
		return PNE_NO_STR;
	}
	e = APPEND(l, ir->strs, ir->nstrs);
	if (e == NULL)
		return PNE_NO_STR;
	e->s = malloc(len + 1);
	if (e->s == NULL) {
		ir->nstrs--;
		fail(l, spec_loc(l), "out of memory");
		return PNE_NO_STR;
	}
	memcpy(e->s, s, len);
	e->s[len] = '\0';
	e->len = (uint32_t)len;
	return (uint16_t)(ir->nstrs - 1);
}

static uint16_t intern(struct lower *l, const struct pnec_str *s)
{
	return intern_bytes(l, s->s, s->len);
}

static uint16_t intern_c(struct lower *l, const char *s)
{
	return intern_bytes(l, s, strlen(s));
}

static uint16_t const_index(struct lower *l, uint64_t v)
{
	struct pnec_ir *ir = l->ir;
	uint64_t *e;

	for (size_t i = 0; i < ir->nconsts; i++)
		if (ir->consts[i] == v)
			return (uint16_t)i;
	if (ir->nconsts > UINT16_MAX) {
		fail(l, spec_loc(l), "too many distinct constants");
		return 0;
	}
	e = APPEND(l, ir->consts, ir->nconsts);
	if (e == NULL)
		return 0;
	*e = v;
	return (uint16_t)(ir->nconsts - 1);
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

struct ebuf {
	uint8_t *b;
	size_t n;
	int depth, maxdepth;
};

static const int8_t x_pops[] = {
#define X(name, str, imm, pops, pushes) pops,
#include "pne/expr.def"
#undef X
};
static const int8_t x_pushes[] = {
#define X(name, str, imm, pops, pushes) pushes,
#include "pne/expr.def"
#undef X
};

static void eb_byte(struct lower *l, struct ebuf *eb, uint8_t v)
{
	uint8_t *p = APPEND(l, eb->b, eb->n);

	if (p != NULL)
		*p = v;
}

static void eb_op(struct lower *l, struct ebuf *eb, int code)
{
	eb_byte(l, eb, (uint8_t)code);
	eb->depth += x_pushes[code] - x_pops[code];
	if (eb->depth > eb->maxdepth)
		eb->maxdepth = eb->depth;
}

static void eb_op1(struct lower *l, struct ebuf *eb, int code, uint8_t imm)
{
	eb_op(l, eb, code);
	eb_byte(l, eb, imm);
}

static void eb_imm(struct lower *l, struct ebuf *eb, uint64_t v)
{
	uint16_t k;

	if (v < 256)
		return eb_op1(l, eb, PNE_X_IMM8, (uint8_t)v);
	k = const_index(l, v);
	eb_op(l, eb, PNE_X_CONST);
	eb_byte(l, eb, (uint8_t)(k & 0xff));
	eb_byte(l, eb, (uint8_t)(k >> 8));
}

static int log2_exact(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0 ? __builtin_ctzll(n) : -1;
}

static void gen_expr(struct lower *l, struct ebuf *eb, const struct pnec_expr *e);

/* a in cases: OR of (a == v) and (lo <= a && a <= hi). */
static void gen_in(struct lower *l, struct ebuf *eb, const struct pnec_expr *a,
		   const struct pnec_case *cs)
{
	for (const struct pnec_case *c = cs; c != NULL; c = c->next) {
		uint64_t lo = c->lo->lo, hi = c->hi != NULL ? c->hi->lo : lo;

		gen_expr(l, eb, a);
		if (lo == hi) {
			eb_imm(l, eb, lo);
			eb_op(l, eb, PNE_X_EQ);
		} else if (lo == 0) {
			eb_imm(l, eb, hi);
			eb_op(l, eb, PNE_X_LE);
		} else {
			eb_imm(l, eb, lo);
			eb_op(l, eb, PNE_X_GE);
			gen_expr(l, eb, a);
			eb_imm(l, eb, hi);
			eb_op(l, eb, PNE_X_LE);
			eb_op(l, eb, PNE_X_LAND);
		}
		if (c != cs)
			eb_op(l, eb, PNE_X_LOR);
	}
	if (cs == NULL)
		eb_imm(l, eb, 0);
}

/* align(x, n) = (x + n - 1) rounded down to a multiple of n. */
static void gen_align(struct lower *l, struct ebuf *eb, const struct pnec_expr *x,
		      uint64_t n)
{
	int k = log2_exact(n);

	gen_expr(l, eb, x);
	if (n == 1)
		return;
	eb_imm(l, eb, n - 1);
	eb_op(l, eb, PNE_X_ADD);
	if (k > 0) {
		eb_imm(l, eb, (uint64_t)k);
		eb_op(l, eb, PNE_X_SHR);
		eb_imm(l, eb, (uint64_t)k);
		eb_op(l, eb, PNE_X_SHL);
	} else {
		eb_imm(l, eb, n);
		eb_op(l, eb, PNE_X_DIV);
		eb_imm(l, eb, n);
		eb_op(l, eb, PNE_X_MUL);
	}
}

/* padding(x, n) = (n - x % n) % n: never below zero, unlike align - x. */
static void gen_padding(struct lower *l, struct ebuf *eb, const struct pnec_expr *x,
			uint64_t n)
{
	int pow2 = log2_exact(n) >= 0;

	if (n == 1)
		return eb_imm(l, eb, 0);
	eb_imm(l, eb, n);
	gen_expr(l, eb, x);
	eb_imm(l, eb, pow2 ? n - 1 : n);
	eb_op(l, eb, pow2 ? PNE_X_AND : PNE_X_MOD);
	eb_op(l, eb, PNE_X_SUB);
	eb_imm(l, eb, pow2 ? n - 1 : n);
	eb_op(l, eb, pow2 ? PNE_X_AND : PNE_X_MOD);
}

static void gen_call(struct lower *l, struct ebuf *eb, const struct pnec_expr *e)
{
	const char *n = e->name.s;

	if (strcmp(n, "len") == 0)
		return eb_op1(l, eb, PNE_X_FIFOLEN, (uint8_t)e->index);
	if (strcmp(n, "unconfirmed") == 0)
		return eb_op(l, eb, PNE_X_UNCONF);
	if (strcmp(n, "pad4") == 0)
		return gen_align(l, eb, e->args[0], 4);
	if (strcmp(n, "align") == 0)
		return gen_align(l, eb, e->args[0], e->args[1]->lo);
	if (strcmp(n, "padding") == 0)
		return gen_padding(l, eb, e->args[0], e->args[1]->lo);
	gen_expr(l, eb, e->args[0]);
	gen_expr(l, eb, e->args[1]);
	eb_op(l, eb, strcmp(n, "min") == 0 ? PNE_X_MIN : PNE_X_MAX);
}

static const uint8_t binop_code[] = {
	[PNEC_OP_ADD] = PNE_X_ADD, [PNEC_OP_SUB] = PNE_X_SUB,
	[PNEC_OP_MUL] = PNE_X_MUL, [PNEC_OP_DIV] = PNE_X_DIV,
	[PNEC_OP_MOD] = PNE_X_MOD, [PNEC_OP_AND] = PNE_X_AND,
	[PNEC_OP_OR] = PNE_X_OR, [PNEC_OP_XOR] = PNE_X_XOR,
	[PNEC_OP_SHL] = PNE_X_SHL, [PNEC_OP_SHR] = PNE_X_SHR,
	[PNEC_OP_EQ] = PNE_X_EQ, [PNEC_OP_NE] = PNE_X_NE,
	[PNEC_OP_LT] = PNE_X_LT, [PNEC_OP_LE] = PNE_X_LE,
	[PNEC_OP_GT] = PNE_X_GT, [PNEC_OP_GE] = PNE_X_GE,
	[PNEC_OP_LAND] = PNE_X_LAND, [PNEC_OP_LOR] = PNE_X_LOR,
};

static void gen_expr(struct lower *l, struct ebuf *eb, const struct pnec_expr *e)
{
	if (l->err)
		return;
	if (pnec_expr_is_const(e))
		return eb_imm(l, eb, e->lo);
	switch (e->kind) {
	case PNEC_E_NAME:
		if (e->resolved == PNEC_SYM_SLOT)
			eb_op1(l, eb, PNE_X_SLOT, (uint8_t)e->index);
		else if (e->resolved == PNEC_SYM_VAR || e->resolved == PNEC_SYM_PARAM)
			eb_op1(l, eb, PNE_X_CVAR, (uint8_t)e->index);
		else
			fail(l, &e->loc, "internal error: unresolved name");
		break;
	case PNEC_E_UNARY:
		if (e->op == '-')
			eb_imm(l, eb, 0);
		gen_expr(l, eb, e->a);
		eb_op(l, eb, e->op == '!' ? PNE_X_LNOT : e->op == '~' ? PNE_X_BNOT : PNE_X_SUB);
		break;
	case PNEC_E_BINARY:
		gen_expr(l, eb, e->a);
		gen_expr(l, eb, e->b);
		eb_op(l, eb, binop_code[e->op]);
		break;
	case PNEC_E_COND:
		gen_expr(l, eb, e->a);
		gen_expr(l, eb, e->b);
		gen_expr(l, eb, e->c);
		eb_op(l, eb, PNE_X_SEL);
		break;
	case PNEC_E_CALL:
		gen_call(l, eb, e);
		break;
	case PNEC_E_IN:
		gen_in(l, eb, e->a, e->cases);
		break;
	default:
		fail(l, &e->loc, "internal error: bad expression");
		break;
	}
}

/* Store eb's bytecode (terminated by END), sharing an identical one. */
static uint32_t store_expr(struct lower *l, struct ebuf *eb, const struct pnec_loc *loc)
{
	struct pnec_ir *ir = l->ir;
	struct span *sp;
	uint32_t off;

	eb_op(l, eb, PNE_X_END);
	if (l->err)
		return PNE_NO_EXPR;
	if (eb->maxdepth > PNE_MAX_STACK) {
		pnec_error(l->d, loc,
			   "expression too deep to evaluate: it needs %d stack entries, the limit is %d",
			   eb->maxdepth, PNE_MAX_STACK);
		l->err = 1;
		return PNE_NO_EXPR;
	}
	for (size_t i = 0; i < l->nexprs; i++)
		if (l->exprs[i].len == eb->n &&
		    memcmp(ir->code + l->exprs[i].off, eb->b, eb->n) == 0)
			return l->exprs[i].off;
	if (ir->ncode + eb->n >= PNE_NO_EXPR) {
		fail(l, loc, "too much expression code");
		return PNE_NO_EXPR;
	}
	off = (uint32_t)ir->ncode;
	for (size_t i = 0; i < eb->n && !l->err; i++) {
		uint8_t *p = APPEND(l, ir->code, ir->ncode);

		if (p != NULL)
			*p = eb->b[i];
	}
	sp = APPEND(l, l->exprs, l->nexprs);
	if (sp == NULL)
		return PNE_NO_EXPR;
	sp->off = off;
	sp->len = (uint32_t)eb->n;
	return off;
}

/* Stack entries the bytecode of e (or of a in cases) needs: the checker
 * asks, so the limit is reported by --check too. Nothing is kept. */
static int scratch_depth(const struct pnec_expr *e, const struct pnec_expr *a,
			 const struct pnec_case *cs)
{
	struct pnec_ir ir = { 0 };
	struct lower l = { .ir = &ir };
	struct ebuf eb = { 0 };

	if (e != NULL)
		gen_expr(&l, &eb, e);
	else
		gen_in(&l, &eb, a, cs);
	free(eb.b);
	free(ir.consts);
	return l.err ? 0 : eb.maxdepth;
}

int pnec_expr_depth(const struct pnec_expr *e)
{
	return scratch_depth(e, NULL, NULL);
}

int pnec_expr_in_depth(const struct pnec_expr *a, const struct pnec_case *cs)
{
	return scratch_depth(NULL, a, cs);
}

static uint32_t expr_of(struct lower *l, const struct pnec_expr *e)
{
	struct ebuf eb = { 0 };
	uint32_t off;

	gen_expr(l, &eb, e);
	off = store_expr(l, &eb, &e->loc);
	free(eb.b);
	return off;
}

static uint32_t expr_imm(struct lower *l, uint64_t v)
{
	struct ebuf eb = { 0 };
	uint32_t off;

	eb_imm(l, &eb, v);
	off = store_expr(l, &eb, spec_loc(l));
	free(eb.b);
	return off;
}

/* slot OP imm, e.g. the repeat counter's test and increment. */
static uint32_t expr_slot_op(struct lower *l, int slot, uint64_t v, int code)
{
	struct ebuf eb = { 0 };
	uint32_t off;

	eb_op1(l, &eb, PNE_X_SLOT, (uint8_t)slot);
	eb_imm(l, &eb, v);
	eb_op(l, &eb, code);
	off = store_expr(l, &eb, spec_loc(l));
	free(eb.b);
	return off;
}

static uint32_t expr_in(struct lower *l, const struct pnec_expr *a,
			const struct pnec_case *cs, const struct pnec_loc *loc)
{
	struct ebuf eb = { 0 };
	uint32_t off;

	gen_in(l, &eb, a, cs);
	off = store_expr(l, &eb, loc);
	free(eb.b);
	return off;
}

/* ------------------------------------------------------------------ */
/* Automata                                                            */
/* ------------------------------------------------------------------ */

struct trie {
	int32_t *go;      /* nodes * 256: child, or -1 */
	int32_t *fail;
	uint16_t *olen;   /* longest literal ending here (0: none) */
	uint16_t *depth;
	size_t n, cap;
};

static int trie_node(struct trie *t, uint16_t depth)
{
	if (t->n == t->cap)
		return -1;
	for (int c = 0; c < 256; c++)
		t->go[t->n * 256 + c] = -1;
	t->fail[t->n] = 0;
	t->olen[t->n] = 0;
	t->depth[t->n] = depth;
	return (int)t->n++;
}

static void trie_free(struct trie *t)
{
	free(t->go);
	free(t->fail);
	free(t->olen);
	free(t->depth);
}

/* Complete the trie into a transition function (go) with failure links,
 * in BFS order; order[] receives the nodes in that order. */
static void trie_complete(struct trie *t, int32_t *order)
{
	size_t head = 0, tail = 0;

	order[tail++] = 0;
	while (head < tail) {
		int32_t u = order[head++];

		if (u != 0 && t->olen[u] == 0)
			t->olen[u] = t->olen[t->fail[u]];
		for (int c = 0; c < 256; c++) {
			int32_t v = t->go[u * 256 + c];
			int32_t f = u == 0 ? 0 : t->go[t->fail[u] * 256 + c];

			if (v >= 0) {
				t->fail[v] = u == 0 ? 0 : f;
				order[tail++] = v;
			} else {
				t->go[u * 256 + c] = f;
			}
		}
	}
}

/* Bytes of no literal behave alike (back to a failure state); each
 * literal byte is its own class. Class numbers follow byte order. */
static void dfa_classes(const struct pnec_str *lits, size_t n, struct pnec_ir_dfa *dfa)
{
	uint8_t used[256] = { 0 };
	int other = -1, nc = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < lits[i].len; j++)
			used[(uint8_t)lits[i].s[j]] = 1;
	for (int b = 0; b < 256; b++) {
		if (used[b]) {
			dfa->cls[b] = (uint8_t)nc++;
		} else {
			if (other < 0)
				other = nc++;
			dfa->cls[b] = (uint8_t)other;
		}
	}
	dfa->nclasses = (uint16_t)nc;
}

static int dfa_fill(struct trie *t, const int32_t *order, struct pnec_ir_dfa *dfa)
{
	int32_t *renum = malloc(t->n * sizeof(*renum));
	uint16_t rep[256];
	size_t k = 0;

	if (renum == NULL)
		return -ENOMEM;
	/* Accepting states go last, both groups in BFS order: 0 stays the root. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < t->n; i++)
			if ((t->olen[order[i]] != 0) == pass)
				renum[order[i]] = (int32_t)k++;
	dfa->nstates = (uint16_t)t->n;
	dfa->accept = (uint16_t)(t->n - (size_t)0);
	for (size_t i = 0; i < t->n; i++)
		if (t->olen[i] != 0 && renum[i] < dfa->accept)
			dfa->accept = (uint16_t)renum[i];
	for (int b = 255; b >= 0; b--)
		rep[dfa->cls[b]] = (uint16_t)b;
	dfa->next = calloc((size_t)dfa->nstates * dfa->nclasses, sizeof(*dfa->next));
	dfa->accept_len = calloc((size_t)(dfa->nstates - dfa->accept) + 1,
				 sizeof(*dfa->accept_len));
	if (dfa->next == NULL || dfa->accept_len == NULL) {
		free(renum);
		return -ENOMEM;
	}
	for (size_t u = 0; u < t->n; u++) {
		size_t s = (size_t)renum[u];

		for (int c = 0; c < dfa->nclasses; c++)
			dfa->next[s * dfa->nclasses + c] =
				(uint16_t)renum[t->go[u * 256 + rep[c]]];
		if (s >= dfa->accept)
			dfa->accept_len[s - dfa->accept] = t->olen[u];
	}
	free(renum);
	return 0;
}

int pnec_dfa_build(const struct pnec_str *lits, size_t n, struct pnec_ir_dfa *dfa)
{
	struct trie t = { 0 };
	int32_t *order = NULL;
	size_t total = 1;
	int rc = -ENOMEM;

	memset(dfa, 0, sizeof(*dfa));
	for (size_t i = 0; i < n; i++) {
		if (lits[i].len == 0 || lits[i].len > UINT16_MAX)
			return -EINVAL;
		total += lits[i].len;
	}
	if (total > UINT16_MAX)
		return -E2BIG;
	t.cap = total;
	t.go = malloc(total * 256 * sizeof(*t.go));
	t.fail = malloc(total * sizeof(*t.fail));
	t.olen = malloc(total * sizeof(*t.olen));
	t.depth = malloc(total * sizeof(*t.depth));
	order = malloc(total * sizeof(*order));
	if (t.go == NULL || t.fail == NULL || t.olen == NULL || t.depth == NULL ||
	    order == NULL)
		goto out;
	trie_node(&t, 0);
	for (size_t i = 0; i < n; i++) {
		int32_t u = 0;

		for (size_t j = 0; j < lits[i].len; j++) {
			int c = (uint8_t)lits[i].s[j];

			if (t.go[u * 256 + c] < 0)
				t.go[u * 256 + c] = trie_node(&t, (uint16_t)(j + 1));
			u = t.go[u * 256 + c];
		}
		t.olen[u] = (uint16_t)lits[i].len;
	}
	trie_complete(&t, order);
	dfa_classes(lits, n, dfa);
	rc = dfa_fill(&t, order, dfa);
	if (rc < 0) {
		free(dfa->next);
		free(dfa->accept_len);
		dfa->next = NULL;
		dfa->accept_len = NULL;
	}
out:
	free(order);
	trie_free(&t);
	return rc;
}

/* The automaton for a literal set, shared between identical sets. */
static uint16_t dfa_for(struct lower *l, const struct pnec_str *lits, size_t n,
			const struct pnec_loc *loc)
{
	struct pnec_ir *ir = l->ir;
	struct pnec_ir_dfa *dfa;
	size_t keylen = 0, pos = 0;
	char *key;

	for (size_t i = 0; i < n; i++)
		keylen += 4 + lits[i].len;
	key = malloc(keylen + 1);
	if (key == NULL) {
		fail(l, loc, "out of memory");
		return PNE_NO_STR;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t len = (uint32_t)lits[i].len;

		memcpy(key + pos, &len, 4);
		memcpy(key + pos + 4, lits[i].s, len);
		pos += 4 + len;
	}
	for (size_t i = 0; i < ir->ndfas; i++)
		if (l->dfa_keylen[i] == keylen && memcmp(l->dfa_keys[i], key, keylen) == 0) {
			free(key);
			return (uint16_t)i;
		}
	l->dfa_keys = grow(l, l->dfa_keys, ir->ndfas, sizeof(*l->dfa_keys));
	l->dfa_keylen = grow(l, l->dfa_keylen, ir->ndfas, sizeof(*l->dfa_keylen));
	dfa = l->err ? NULL : APPEND(l, ir->dfas, ir->ndfas);
	if (dfa == NULL) {
		free(key);
		return PNE_NO_STR;
	}
	l->dfa_keys[ir->ndfas - 1] = key;
	l->dfa_keylen[ir->ndfas - 1] = keylen;
	if (pnec_dfa_build(lits, n, dfa) < 0)
		fail(l, loc, "can't build the automaton for these literals");
	return (uint16_t)(ir->ndfas - 1);
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

static void lower_stmts(struct lower *l, const struct pnec_stmt *s);

static size_t emit(struct lower *l, int code, int line)
{
	struct pnec_ir *ir = l->ir;
	struct pne_op *op;
	size_t n = ir->nops;
	int *ln;

	if (ir->nops >= UINT16_MAX) {
		fail(l, spec_loc(l),
		     "the program is too large (over 65535 operations after inlining subs)");
		return 0;
	}
	ln = APPEND(l, ir->op_line, n);
	op = l->err ? NULL : APPEND(l, ir->ops, ir->nops);
	if (op == NULL)
		return 0;
	*ln = line;
	op->code = (uint8_t)code;
	op->expr = PNE_NO_EXPR;
	return ir->nops - 1;
}

static struct pne_op *op_at(struct lower *l, size_t pc)
{
	return &l->ir->ops[pc];
}

static int slot_of(struct lower *l, const struct pnec_str *name)
{
	const struct pnec_sym *s = pnec_sym_find(&l->t, name->s, name->len);

	if (s == NULL)
		return -1;
	if (s->kind == PNEC_SYM_SLOT)
		return s->index;
	if (s->kind == PNEC_SYM_VAR || s->kind == PNEC_SYM_PARAM)
		return PNE_SLOT_CVAR | s->index;
	return -1;
}

static int index_of(struct lower *l, const struct pnec_str *name)
{
	const struct pnec_sym *s = pnec_sym_find(&l->t, name->s, name->len);

	return s != NULL ? s->index : -1;
}

/* A header step identical to an earlier one (a sub inlined twice) uses
 * its descriptor: drop the one just built, hdrs[hi], which is the last. */
static size_t share_hdr(struct lower *l, size_t hi)
{
	struct pnec_ir *ir = l->ir;
	const struct pne_hdr *h = &ir->hdrs[hi];

	if (l->err)
		return hi;
	for (size_t i = 0; i < hi; i++) {
		const struct pne_hdr *o = &ir->hdrs[i];

		if (o->size != h->size || o->max != h->max || o->nfields != h->nfields ||
		    memcmp(&ir->fields[o->field], &ir->fields[h->field],
			   h->nfields * sizeof(*ir->fields)) != 0)
			continue;
		ir->nfields -= h->nfields;
		ir->nhdrs--;
		return i;
	}
	return hi;
}

static void lower_header(struct lower *l, const struct pnec_stmt *s, int line)
{
	struct pnec_ir *ir = l->ir;
	struct pne_hdr *h;
	size_t pc, hi;

	if (ir->nhdrs >= UINT16_MAX) {
		fail(l, &s->loc, "too many header steps");
		return;
	}
	h = APPEND(l, ir->hdrs, ir->nhdrs);
	if (h == NULL)
		return;
	hi = ir->nhdrs - 1;
	if (pnec_expr_is_const(s->e)) {
		h->size = h->max = (uint32_t)s->e->lo;
	} else {
		h->size = 0;
		h->max = (uint32_t)s->max->lo;
	}
	h->field = (uint16_t)ir->nfields;
	if (h->max > ir->hdr_max)
		ir->hdr_max = h->max;
	for (const struct pnec_bfield *f = s->bfields; f != NULL; f = f->next) {
		int w = f->type & 0x0f;
		uint64_t mask = w >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * w)) - 1;
		unsigned shift = 0;
		struct pne_field *pf;

		/* (x & m) >> s == (x >> s) & (m >> s): one shift and mask. */
		for (int i = 0; i < f->nops; i++) {
			if (f->ops[i].op == '&') {
				mask &= f->ops[i].arg->lo;
			} else {
				shift += (unsigned)f->ops[i].arg->lo;
				mask >>= f->ops[i].arg->lo;
			}
		}
		pf = ir->nfields < UINT16_MAX ? APPEND(l, ir->fields, ir->nfields) : NULL;
		if (pf == NULL) {
			fail(l, &f->loc, "too many header fields");
			return;
		}
		pf->off = (uint16_t)f->off->lo;
		pf->type = (uint8_t)f->type;
		pf->shift = (uint8_t)shift;
		pf->slot = (uint8_t)slot_of(l, &f->name);
		pf->mask = mask;
		ir->hdrs[hi].nfields++;
	}
	hi = share_hdr(l, hi);
	pc = emit(l, PNE_OP_HDR, line);
	if (l->err)
		return;
	op_at(l, pc)->aux = (uint16_t)hi;
	if (!pnec_expr_is_const(s->e)) {
		uint32_t x = expr_of(l, s->e);

		op_at(l, pc)->expr = x;
	}
}

static void lower_tfield(struct lower *l, const struct pnec_tfield *f)
{
	struct pnec_ir *ir = l->ir;
	struct pne_tfield *t;

	t = ir->ntfields < UINT16_MAX ? APPEND(l, ir->tfields, ir->ntfields) : NULL;
	if (t == NULL) {
		fail(l, &f->loc, "too many text fields");
		return;
	}
	t->src = (uint8_t)f->src;
	t->conv = (uint8_t)f->conv;
	t->slot = (uint8_t)slot_of(l, &f->name);
	t->arg = f->src == PNE_TS_HEADER ? intern(l, &f->key) : (uint16_t)f->arg;
	t->lit = PNE_NO_STR;
	if (f->conv == PNE_TC_CONTAINS || f->conv == PNE_TC_IS || f->conv == PNE_TC_PREFIX ||
	    f->conv == PNE_TC_SUFFIX) {
		uint16_t lit = intern(l, &f->lit);

		ir->tfields[ir->ntfields - 1].lit = lit;
	}
	t = &ir->tfields[ir->ntfields - 1];
	if (f->conv == PNE_TC_DECIMAL || f->conv == PNE_TC_HEX || f->conv == PNE_TC_STRING ||
	    f->conv == PNE_TC_LIST)
		t->max = f->max != NULL ? f->max->lo : DEFAULT_STRING_MAX;
	/* a list grows in place while it is the arena's last string */
	if (f->conv == PNE_TC_STRING || f->conv == PNE_TC_LIST)
		ir->str_max += (uint32_t)t->max;
}

static void lower_text(struct lower *l, const struct pnec_stmt *s, int line)
{
	struct pnec_ir *ir = l->ir;
	struct pne_text *tx;
	size_t ti, pc;
	uint16_t v;

	if (ir->ntexts >= UINT16_MAX) {
		fail(l, &s->loc, "too many text steps");
		return;
	}
	tx = APPEND(l, ir->texts, ir->ntexts);
	if (tx == NULL)
		return;
	ti = ir->ntexts - 1;
	tx->delim = PNE_NO_STR;
	tx->dfa = PNE_NO_STR;
	tx->size_expr = PNE_NO_EXPR;
	tx->max = (uint32_t)(s->max != NULL ? s->max->lo : s->e->lo);
	/* a text without fields is scanned or counted, never kept: it
	 * needs no buffer (runtime/interp.c, op_text()); a peek is kept to
	 * be replayed */
	if ((s->tfields != NULL || s->peek) && tx->max > ir->hdr_max)
		ir->hdr_max = tx->max;
	if (s->peek && tx->max > ir->peek_max)
		ir->peek_max = tx->max;
	if (s->has_delim) {
		v = intern(l, &s->delim);
		ir->texts[ti].delim = v;
		v = dfa_for(l, &s->delim, 1, &s->loc);
		ir->texts[ti].dfa = v;
	} else {
		uint32_t x = expr_of(l, s->e);

		ir->texts[ti].size_expr = x;
	}
	v = s->linesep.len ? intern(l, &s->linesep) : intern_c(l, "\r\n");
	ir->texts[ti].linesep = v;
	v = s->kvsep.len ? intern(l, &s->kvsep) : intern_c(l, ":");
	ir->texts[ti].kvsep = v;
	ir->texts[ti].field = (uint16_t)ir->ntfields;
	for (const struct pnec_tfield *f = s->tfields; f != NULL && !l->err; f = f->next) {
		lower_tfield(l, f);
		ir->texts[ti].nfields++;
	}
	pc = emit(l, s->peek ? PNE_OP_PEEK : PNE_OP_TEXT, line);
	if (!l->err)
		op_at(l, pc)->aux = (uint16_t)ti;
}

static void patch(struct lower *l, size_t pc)
{
	if (!l->err)
		op_at(l, pc)->aux = (uint16_t)l->ir->nops;
}

static void lower_if(struct lower *l, const struct pnec_stmt *s, int line)
{
	size_t jz, jmp;
	uint32_t x;

	if (pnec_expr_is_const(s->e)) {
		lower_stmts(l, s->e->lo ? s->body : s->orelse);
		return;
	}
	x = expr_of(l, s->e);
	jz = emit(l, PNE_OP_JZ, line);
	if (l->err)
		return;
	op_at(l, jz)->expr = x;
	lower_stmts(l, s->body);
	if (s->orelse == NULL) {
		patch(l, jz);
		return;
	}
	jmp = emit(l, PNE_OP_JMP, line);
	patch(l, jz);
	lower_stmts(l, s->orelse);
	patch(l, jmp);
}

/* Each case arm tests the scrutinee again (expressions are pure); the
 * default arm, wherever written, runs when none matched. */
static void lower_switch(struct lower *l, const struct pnec_stmt *s, int line)
{
	const struct pnec_arm *deflt = NULL, *last = NULL;
	size_t *ends = NULL, nends = 0;

	for (const struct pnec_arm *a = s->arms; a != NULL; a = a->next)
		if (a->cases != NULL)
			last = a;
		else
			deflt = a;
	for (const struct pnec_arm *a = s->arms; a != NULL && !l->err; a = a->next) {
		size_t jz, *e;
		uint32_t x;

		if (a->cases == NULL)
			continue;
		x = expr_in(l, s->e, a->cases, &a->loc);
		jz = emit(l, PNE_OP_JZ, a->loc.first_line);
		if (l->err)
			break;
		op_at(l, jz)->expr = x;
		lower_stmts(l, a->body);
		if (a != last || deflt != NULL) {
			e = APPEND(l, ends, nends);
			if (e != NULL)
				*e = emit(l, PNE_OP_JMP, line);
		}
		patch(l, jz);
	}
	if (deflt != NULL)
		lower_stmts(l, deflt->body);
	for (size_t i = 0; i < nends; i++)
		patch(l, ends[i]);
	free(ends);
}

/* Convention 7 of table.h. */
static void lower_repeat(struct lower *l, const struct pnec_stmt *s, int line)
{
	int r = l->t.nslots + l->depth;
	size_t set, loop, jz, jmp, base = l->nbrks;
	uint32_t x;

	if (r >= PNE_MAX_SLOTS) {
		fail(l, &s->loc, "too many slots for this repeat's counter");
		return;
	}
	if (l->depth + 1 > l->ntemps)
		l->ntemps = l->depth + 1;
	x = expr_imm(l, 0);
	set = emit(l, PNE_OP_SET, line);
	if (l->err)
		return;
	op_at(l, set)->slot = (uint8_t)r;
	op_at(l, set)->expr = x;
	loop = l->ir->nops;
	x = expr_slot_op(l, r, s->max->lo, PNE_X_LT);
	jz = emit(l, PNE_OP_JZ, line);
	if (l->err)
		return;
	op_at(l, jz)->expr = x;
	x = expr_slot_op(l, r, 1, PNE_X_ADD);
	set = emit(l, PNE_OP_SET, line);
	if (l->err)
		return;
	op_at(l, set)->slot = (uint8_t)r;
	op_at(l, set)->expr = x;
	l->depth++;
	lower_stmts(l, s->body);
	l->depth--;
	jmp = emit(l, PNE_OP_JMP, line);
	if (l->err)
		return;
	op_at(l, jmp)->aux = (uint16_t)loop;
	patch(l, jz);
	x = expr_imm(l, 0);
	set = emit(l, PNE_OP_REQUIRE, line);
	if (l->err)
		return;
	op_at(l, set)->expr = x;
	op_at(l, set)->aux = intern_c(l, "repeat limit");
	for (size_t i = base; i < l->nbrks; i++)
		patch(l, l->brks[i]);
	l->nbrks = base;
}

static void lower_simple(struct lower *l, const struct pnec_stmt *s, int code,
			 int slot, int aux, const struct pnec_expr *e, int line)
{
	uint32_t x = e != NULL ? expr_of(l, e) : PNE_NO_EXPR;
	size_t pc = emit(l, code, line);

	if (l->err)
		return;
	op_at(l, pc)->slot = (uint8_t)slot;
	op_at(l, pc)->aux = (uint16_t)aux;
	op_at(l, pc)->expr = x;
}

static void lower_do(struct lower *l, const struct pnec_stmt *s)
{
	const struct pnec_sym *sub = pnec_sym_find(&l->t, s->name.s, s->name.len);

	if (sub == NULL || sub->kind != PNEC_SYM_SUB ||
	    l->inline_depth >= INLINE_DEPTH_MAX) {
		fail(l, &s->loc, "internal error: can't inline this sub");
		return;
	}
	l->inline_depth++;
	lower_stmts(l, sub->item->body);
	l->inline_depth--;
}

static void lower_stmt(struct lower *l, const struct pnec_stmt *s)
{
	int line = s->loc.first_line;
	size_t pc;
	size_t *b;

	if (++l->work > WORK_MAX) {
		fail(l, &s->loc, "the program is too large after inlining subs");
		return;
	}
	switch (s->kind) {
	case PNEC_S_HEADER:
		return lower_header(l, s, line);
	case PNEC_S_VARINT:
		pc = emit(l, PNE_OP_VARINT, line);
		if (!l->err) {
			op_at(l, pc)->slot = (uint8_t)slot_of(l, &s->name);
			op_at(l, pc)->max = s->max->lo;
		}
		return;
	case PNEC_S_TEXT:
		return lower_text(l, s, line);
	case PNEC_S_SKIP:
		return lower_simple(l, s, PNE_OP_SKIP, 0, 0, s->e, line);
	case PNEC_S_LET:
	case PNEC_S_ASSIGN:
		return lower_simple(l, s, PNE_OP_SET, slot_of(l, &s->name), 0, s->e, line);
	case PNEC_S_PUSH:
		return lower_simple(l, s, PNE_OP_PUSH, 0, index_of(l, &s->name), s->e, line);
	case PNEC_S_POP:
		if (s->e == NULL) {
			uint32_t x = expr_imm(l, 0);

			pc = emit(l, PNE_OP_POP, line);
			if (!l->err) {
				op_at(l, pc)->slot = (uint8_t)slot_of(l, &s->into);
				op_at(l, pc)->aux = (uint16_t)index_of(l, &s->name);
				op_at(l, pc)->expr = x;
			}
			return;
		}
		return lower_simple(l, s, PNE_OP_POP, slot_of(l, &s->into),
				    index_of(l, &s->name), s->e, line);
	case PNEC_S_WAIT:
		return lower_simple(l, s, PNE_OP_WAIT, 0, 0, s->e, line);
	case PNEC_S_REQUIRE:
		return lower_simple(l, s, PNE_OP_REQUIRE, 0,
				    s->msg.len ? intern(l, &s->msg) : PNE_NO_STR, s->e, line);
	case PNEC_S_IF:
		return lower_if(l, s, line);
	case PNEC_S_SWITCH:
		return lower_switch(l, s, line);
	case PNEC_S_REPEAT:
		return lower_repeat(l, s, line);
	case PNEC_S_BREAK:
		pc = emit(l, PNE_OP_JMP, line);
		b = l->err ? NULL : APPEND(l, l->brks, l->nbrks);
		if (b != NULL)
			*b = pc;
		return;
	case PNEC_S_DO:
		return lower_do(l, s);
	case PNEC_S_UNTIL_CLOSE:
		emit(l, PNE_OP_UNTIL_CLOSE, line);
		return;
	case PNEC_S_OPAQUE:
		emit(l, PNE_OP_OPAQUE, line);
		return;
	case PNEC_S_BLOCK:
		return lower_stmts(l, s->body);
	}
}

static void lower_stmts(struct lower *l, const struct pnec_stmt *s)
{
	for (; s != NULL && !l->err; s = s->next)
		lower_stmt(l, s);
}

/* ------------------------------------------------------------------ */
/* Units and declarations                                              */
/* ------------------------------------------------------------------ */

static int cmp_typemap(const void *a, const void *b)
{
	const struct pne_typemap *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

static void lower_typemap(struct lower *l, const struct pnec_unit_ast *u,
			  struct pne_unit *pu)
{
	struct pnec_ir *ir = l->ir;
	size_t first = ir->ntypemaps;

	pu->type_slot = (uint8_t)slot_of(l, &u->type_slot);
	for (const struct pnec_typemap_ast *t = u->types; t != NULL && !l->err; t = t->next) {
		uint16_t name = intern(l, &t->name);

		if (t->cases == NULL) {
			pu->type_default = name;
			continue;
		}
		for (const struct pnec_case *c = t->cases; c != NULL; c = c->next) {
			uint64_t hi = c->hi != NULL ? c->hi->lo : c->lo->lo;

			for (uint64_t v = c->lo->lo; !l->err; v++) {
				struct pne_typemap *m = APPEND(l, ir->typemaps, ir->ntypemaps);

				if (m != NULL) {
					m->value = v;
					m->name = name;
				}
				if (v == hi)
					break;
			}
		}
	}
	if (l->err)
		return;
	/* Sorted by value, so the interpreter may search it. */
	qsort(ir->typemaps + first, ir->ntypemaps - first, sizeof(*ir->typemaps),
	      cmp_typemap);
	pu->typemap = (uint16_t)first;
	pu->ntypemaps = (uint16_t)(ir->ntypemaps - first);
}

static void lower_reports(struct lower *l, const struct pnec_unit_ast *u,
			  struct pne_unit *pu)
{
	struct pnec_ir *ir = l->ir;

	pu->report = (uint16_t)ir->nreports;
	for (const struct pnec_rep *r = u->reports; r != NULL && !l->err; r = r->next) {
		const struct pnec_sym *s = pnec_sym_find(&l->t, r->name.s, r->name.len);
		uint16_t name = intern(l, r->as.len ? &r->as : &r->name);
		struct pne_report *p = APPEND(l, ir->reports, ir->nreports);

		if (p == NULL || s == NULL)
			break;
		p->name = name;
		p->slot = (uint8_t)slot_of(l, &r->name);
		if (s->kind == PNEC_SYM_SLOT)
			p->kind = (uint8_t)s->rkind;
		else
			p->kind = s->width == 0 ? PNE_RK_BOOL : PNE_RK_UINT;
		pu->nreports++;
	}
}

static void lower_unit(struct lower *l, const struct pnec_item *it, size_t ui)
{
	struct pnec_ir *ir = l->ir;
	const struct pnec_unit_ast *u = it->u;
	struct pne_unit pu = { 0 };

	pu.name = intern(l, &it->name);
	pu.entry = (uint16_t)ir->nops;
	pu.resync = (uint8_t)u->resync;
	pu.confirm = (uint8_t)(u->resync == PNE_RESYNC_CONFIRM ? u->confirm : 0);
	if (u->resync == PNE_RESYNC_CONFIRM && u->window != NULL) {
		/* 0 stands for the default window (PNE_CONFIRM_WINDOW) */
		pu.window_lo = (uint16_t)(u->window->lo & 0xffff);
		pu.window_hi = (uint16_t)(u->window->lo >> 16);
	}
	pu.anchor_dfa = PNE_NO_STR;
	pu.max_len = u->max->lo;
	pu.type_default = PNE_NO_STR;
	if (u->resync == PNE_RESYNC_ANCHOR)
		pu.anchor_dfa = dfa_for(l, u->anchors, (size_t)u->nanchors, &u->resync_loc);
	lower_stmts(l, u->body);
	emit(l, PNE_OP_END, it->loc.last_line);
	lower_reports(l, u, &pu);
	if (u->type_slot.len > 0)
		lower_typemap(l, u, &pu);
	if (!l->err)
		ir->units[ui] = pu;
}

static void lower_decls(struct lower *l)
{
	struct pnec_ir *ir = l->ir;

	for (const struct pnec_item *it = l->ast->items; it != NULL && !l->err; it = it->next) {
		if (it->kind == PNEC_I_PARAM || it->kind == PNEC_I_VAR) {
			struct pne_cvar *v = APPEND(l, ir->cvars, ir->ncvars);

			if (v == NULL)
				break;
			v->is_param = it->kind == PNEC_I_PARAM;
			v->width = (uint8_t)(it->vtype ? it->vtype : 1);
			v->init = it->e != NULL ? it->e->lo : 0;
			ir->cvars[ir->ncvars - 1].name = intern(l, &it->name);
		} else if (it->kind == PNEC_I_FIFO) {
			struct pne_fifo *f = APPEND(l, ir->fifos, ir->nfifos);

			if (f == NULL)
				break;
			f->depth = (uint16_t)it->depth;
			f->width = (uint8_t)(it->vtype ? it->vtype : 1);
			ir->fifos[ir->nfifos - 1].name = intern(l, &it->name);
		} else if (it->kind == PNEC_I_PORTS) {
			for (int i = 0; i < it->nports && !l->err; i++) {
				uint16_t *p = APPEND(l, ir->ports, ir->nports);

				if (p != NULL)
					*p = (uint16_t)it->ports[i];
			}
		} else if (it->kind == PNEC_I_START) {
			ir->start[it->dir ? 1 : 0] = (uint16_t)index_of(l, &it->unit);
		}
	}
}

static void lower_slots(struct lower *l, int first_pass)
{
	struct pnec_ir *ir = l->ir;

	if (first_pass) {
		for (size_t i = 0; i < l->t.n && !l->err; i++) {
			const struct pnec_sym *s = &l->t.syms[i];
			struct pne_slotinfo *si;

			if (s->kind != PNEC_SYM_SLOT)
				continue;
			si = APPEND(l, ir->slots, ir->nslots);
			if (si == NULL)
				break;
			si->kind = (uint8_t)s->rkind;
			ir->slots[ir->nslots - 1].name = intern_bytes(l, s->name, s->len);
		}
		return;
	}
	for (int i = 0; i < l->ntemps && !l->err; i++) {
		char name[16];
		struct pne_slotinfo *si = APPEND(l, ir->slots, ir->nslots);

		if (si == NULL)
			break;
		snprintf(name, sizeof(name), PNEC_REPEAT_SLOT_FMT, i);
		si->kind = PNE_RK_UINT;
		ir->slots[ir->nslots - 1].name = intern_c(l, name);
	}
}

static char *dup_str(struct lower *l, const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p == NULL) {
		fail(l, spec_loc(l), "out of memory");
		return NULL;
	}
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int pnec_lower(const struct pnec_ast *ast, struct pnec_ir *ir, struct pnec_diag *d)
{
	struct lower l = { .ast = ast, .ir = ir, .d = d };
	size_t ui = 0;

	memset(ir, 0, sizeof(*ir));
	if (pnec_symtab_build(ast, &l.t, NULL) < 0) {
		fail(&l, &ast->name_loc, "internal error: lowering an unchecked spec");
		goto out;
	}
	ir->name = dup_str(&l, ast->name.s != NULL ? ast->name.s : "", ast->name.len);
	ir->title = dup_str(&l, ast->title.s != NULL ? ast->title.s : "", ast->title.len);
	ir->src_file = dup_str(&l, ast->file != NULL ? ast->file : "",
			       ast->file != NULL ? strlen(ast->file) : 0);
	ir->units = calloc((size_t)l.t.nunits + 1, sizeof(*ir->units));
	if (ir->units == NULL)
		fail(&l, &ast->name_loc, "out of memory");
	ir->nunits = (size_t)l.t.nunits;
	for (const struct pnec_item *it = ast->items; it != NULL && !l.err; it = it->next)
		if (it->kind == PNEC_I_UNIT)
			intern(&l, &it->name);
	lower_decls(&l);
	lower_slots(&l, 1);
	for (const struct pnec_item *it = ast->items; it != NULL && !l.err; it = it->next)
		if (it->kind == PNEC_I_UNIT)
			lower_unit(&l, it, ui++);
	lower_slots(&l, 0);
	if (!l.err && ir->str_max > PNE_MAX_TEXT)
		fail(&l, &ast->name_loc, "string fields need too much memory per direction");
out:
	for (size_t i = 0; i < ir->ndfas && l.dfa_keys != NULL; i++)
		free(l.dfa_keys[i]);
	free(l.dfa_keys);
	free(l.dfa_keylen);
	free(l.exprs);
	free(l.brks);
	pnec_symtab_free(&l.t);
	if (l.err) {
		pnec_ir_free(ir);
		return -1;
	}
	return 0;
}

void pnec_ir_free(struct pnec_ir *ir)
{
	if (ir == NULL)
		return;
	for (size_t i = 0; i < ir->ndfas; i++) {
		free(ir->dfas[i].next);
		free(ir->dfas[i].accept_len);
	}
	for (size_t i = 0; i < ir->nstrs; i++)
		free(ir->strs[i].s);
	free(ir->name);
	free(ir->title);
	free(ir->ports);
	free(ir->ops);
	free(ir->code);
	free(ir->consts);
	free(ir->units);
	free(ir->hdrs);
	free(ir->fields);
	free(ir->texts);
	free(ir->tfields);
	free(ir->dfas);
	free(ir->reports);
	free(ir->typemaps);
	free(ir->cvars);
	free(ir->fifos);
	free(ir->slots);
	free(ir->strs);
	free(ir->op_line);
	free(ir->src_file);
	memset(ir, 0, sizeof(*ir));
}

void pnec_ir_to_spec(const struct pnec_ir *ir, struct pne_spec *spec,
		     struct pne_dfa *dfas, struct pne_str *strs)
{
	memset(spec, 0, sizeof(*spec));
	for (size_t i = 0; i < ir->ndfas; i++) {
		dfas[i] = (struct pne_dfa){
			.cls = ir->dfas[i].cls, .next = ir->dfas[i].next,
			.accept_len = ir->dfas[i].accept_len,
			.nstates = ir->dfas[i].nstates, .nclasses = ir->dfas[i].nclasses,
			.accept = ir->dfas[i].accept,
		};
	}
	for (size_t i = 0; i < ir->nstrs; i++)
		strs[i] = (struct pne_str){ .s = ir->strs[i].s, .len = ir->strs[i].len };
	spec->abi = PNE_TABLE_ABI;
	spec->name = ir->name;
	spec->title = ir->title;
	spec->ports = ir->ports;
	spec->nports = (uint16_t)ir->nports;
	spec->start[0] = ir->start[0];
	spec->start[1] = ir->start[1];
	spec->nslots = (uint8_t)ir->nslots;
	spec->ncvars = (uint8_t)ir->ncvars;
	spec->nfifos = (uint8_t)ir->nfifos;
	spec->nunits = (uint16_t)ir->nunits;
	spec->nops = (uint32_t)ir->nops;
	spec->ncode = (uint32_t)ir->ncode;
	spec->nconsts = (uint32_t)ir->nconsts;
	spec->hdr_max = ir->hdr_max;
	spec->str_max = ir->str_max;
	spec->peek_max = ir->peek_max;
	spec->ops = ir->ops;
	spec->code = ir->code;
	spec->consts = ir->consts;
	spec->units = ir->units;
	spec->hdrs = ir->hdrs;
	spec->fields = ir->fields;
	spec->texts = ir->texts;
	spec->tfields = ir->tfields;
	spec->dfas = dfas;
	spec->reports = ir->reports;
	spec->typemaps = ir->typemaps;
	spec->cvars = ir->cvars;
	spec->fifos = ir->fifos;
	spec->slots = ir->slots;
	spec->strs = strs;
	spec->nhdrs = (uint16_t)ir->nhdrs;
	spec->nfields = (uint16_t)ir->nfields;
	spec->ntexts = (uint16_t)ir->ntexts;
	spec->ntfields = (uint16_t)ir->ntfields;
	spec->ndfas = (uint16_t)ir->ndfas;
	spec->nreports = (uint16_t)ir->nreports;
	spec->ntypemaps = (uint16_t)ir->ntypemaps;
	spec->nstrs = (uint16_t)ir->nstrs;
}
