/*
 * The table interpreter: runs a compiled spec (include/pne/table.h) over
 * the two byte streams of a connection and reports ADU boundaries.
 *
 * Each direction is a resumable machine: its position is the operation
 * at pc plus that operation's progress (phase, have, need, remain, dfa),
 * so a segment may end anywhere and the next one continues exactly there;
 * every split of a stream frames it the same way. Operations that need no
 * bytes (SET, JZ, END, ...) run as soon as the bytes before them are
 * consumed, so an ADU is reported by the call that delivers its last byte
 * -- or passes over it: pne_interp_advance() runs them too when it
 * completes a skip.
 *
 * Tables are trusted to come from pnec but are still checked where an
 * index is used (cheap compares, no up-front validation pass): a
 * malformed table makes the stream invalid, never a crash or a hang.
 *
 * Sections: 1. layout and helpers, 2. expressions, 3. ADUs and
 * invalidity, 4. operations, 5. resynchronisation, 6. the run loop,
 * 7. the public API.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pne/interp.h"
#include "interp_priv.h"

/* Operations run without consuming a byte before the table is declared
 * looping (a correct spec runs a few per byte). */
#define NO_PROGRESS_LIMIT 65536
/* Longest anchor literal whose bytes from an earlier segment are replayed,
 * and most bytes of an unconfirmed ADU kept to rescan it (a confirm
 * unit's head); also bounds the replay copy kept on the stack. */
#define REPLAY_MAX 256
static_assert(PNE_MAX_PEEK <= REPLAY_MAX, "a peek's bytes are replayed");
/* Peeks a close may end at one offset before the table is declared
 * looping (a correct spec has a few peeks in a row at most). */
#define CLOSE_PEEK_LIMIT 64

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static const char *const err_str[] = {
#define X(name, str) [PNE_ERR_##name] = str,
	PNE_INTERP_ERRS(X)
#undef X
};
static_assert(sizeof(err_str) / sizeof(err_str[0]) == PNE_ERR__COUNT,
	      "a reason string per error");

/* Immediate bytes, pops and pushes of each expression opcode. */
static const uint8_t x_imm[] = {
#define X(name, str, imm, pops, pushes) imm,
#include "pne/expr.def"
#undef X
};
static const uint8_t x_pops[] = {
#define X(name, str, imm, pops, pushes) pops,
#include "pne/expr.def"
#undef X
};
static const uint8_t x_pushes[] = {
#define X(name, str, imm, pops, pushes) pushes,
#include "pne/expr.def"
#undef X
};
static_assert(sizeof(x_imm) == PNE_X__COUNT, "expression opcode table");
static_assert(PNE_X_UNCONF == PNE_X__COUNT - 1, "eval() has a case per expression opcode");

/* A non-NULL pointer for runs without data. */
static const uint8_t no_data[1];

/* 1. Layout and helpers */

/* Blocks lent to gathers that straddle calls (pne/interp.h): a stack of
 * free block indices over one allocation. */
struct pne_hdr_pool {
	struct pne_hdr_pool_stats st;
	uint8_t *mem;          /* blocks * PNE_HDR_BLOCK bytes */
	uint32_t *free;        /* nfree indices of free blocks */
	uint32_t nfree;
};

/* One call's view of a direction. */
struct run {
	struct pne_interp_conn *conn;
	const struct pne_spec *spec;
	const struct pne_unit *unit;   /* the direction's start unit; NULL if broken */
	struct pne_dir_core *core;
	uint64_t *slots;
	enum pne_dir dir;
	int replay;                    /* re-running bytes already counted */
	pne_adu_cb cb;
	void *arg;
};

static size_t align8(size_t x)
{
	return (x + 7) & ~(size_t)7;
}

static bool spec_usable(const struct pne_spec *s)
{
	return s != NULL && s->abi == PNE_TABLE_ABI && s->start[0] < s->nunits &&
	       s->start[1] < s->nunits && s->ops != NULL && s->units != NULL;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static bool dfa_ok(const struct pne_dfa *d)
{
	return d->cls != NULL && d->next != NULL && d->accept_len != NULL &&
	       d->nstates > 0 && d->nclasses > 0 && d->accept >= 1 &&
	       d->accept <= d->nstates;
}

/* The largest peek: it is gathered in the header buffer and its bytes
 * from earlier segments are replayed from the history. */
static uint32_t peek_need(const struct pne_spec *s)
{
	return (uint32_t)min64(s->peek_max, PNE_MAX_PEEK);
}

/* The header/text buffer: what the spec says, but never less than any
 * gathering step of the tables can ask for (up to the global limits). */
static uint32_t hbuf_need(const struct pne_spec *s)
{
	uint64_t m = s->hdr_max;

	for (unsigned i = 0; s->hdrs != NULL && i < s->nhdrs; i++)
		m = max64(m, max64(s->hdrs[i].size, s->hdrs[i].max));
	for (unsigned i = 0; s->texts != NULL && i < s->ntexts; i++)
		if (s->texts[i].nfields > 0)
			m = max64(m, s->texts[i].max);
	m = max64(m, peek_need(s));
	return (uint32_t)min64(m, PNE_MAX_TEXT);
}

/* Longest anchor literal of the start units, minus the byte that ends a
 * match: how much history an anchor scan keeps; REPLAY_MAX for the head
 * of an unconfirmed ADU when a start unit resyncs by confirmation; the
 * largest peek, whose bytes are replayed from there. */
static uint32_t hist_need(const struct pne_spec *s)
{
	uint32_t m = 0, head = 0;

	for (int d = 0; d < 2; d++) {
		const struct pne_unit *u = &s->units[s->start[d]];
		const struct pne_dfa *a;

		if (u->resync == PNE_RESYNC_CONFIRM)
			head = REPLAY_MAX;
		if (u->resync != PNE_RESYNC_ANCHOR || s->dfas == NULL ||
		    u->anchor_dfa >= s->ndfas || !dfa_ok(&s->dfas[u->anchor_dfa]))
			continue;
		a = &s->dfas[u->anchor_dfa];
		for (unsigned k = 0; k < (unsigned)(a->nstates - a->accept); k++)
			if (a->accept_len[k] > m)
				m = a->accept_len[k];
	}
	m = m < REPLAY_MAX ? m : REPLAY_MAX;
	m = m > 0 ? m - 1 : 0;
	head = head > peek_need(s) ? head : peek_need(s);
	return m > head ? m : head;
}

/* The constant header a CONFIRM start unit begins with (its leading
 * validity test): the scan's window, kept in the inline buffer. */
static uint32_t lead_need(const struct pne_spec *s)
{
	uint32_t m = 0;

	for (int d = 0; d < 2; d++) {
		const struct pne_unit *u = &s->units[s->start[d]];
		const struct pne_op *op;

		if (u->resync != PNE_RESYNC_CONFIRM || u->entry >= s->nops)
			continue;
		op = &s->ops[u->entry];
		if (op->code == PNE_OP_HDR && op->expr == PNE_NO_EXPR && op->aux < s->nhdrs &&
		    s->hdrs != NULL && s->hdrs[op->aux].size > m)
			m = s->hdrs[op->aux].size;
	}
	return m;
}

/* Bytes of the header buffer embedded per direction: all of it (need,
 * from hbuf_need()), unless the connection borrows and the spec's
 * buffer is one it can borrow. */
static uint32_t inline_need(const struct pne_spec *s, bool pooled, uint32_t need)
{
	uint32_t lead;

	if (!pooled || need <= PNE_HDR_INLINE || align8(need) > PNE_HDR_BLOCK)
		return need;
	lead = lead_need(s);
	return lead <= PNE_HDR_INLINE ? lead : need;
}

/* Computes where everything lives; fills c when given. Returns the size.
 * pooled: header buffers are borrowed where the spec allows. */
static size_t layout(const struct pne_spec *s, struct pne_interp_conn *c, bool pooled)
{
	bool ok = spec_usable(s);
	size_t off = align8(sizeof(struct pne_interp_conn));
	size_t nslots = ok ? s->nslots : 0, ncvars = ok ? s->ncvars : 0;
	uint32_t need = ok ? hbuf_need(s) : 0;  /* a walk of the tables: once */
	size_t hsize = align8(need);
	size_t hbuf = ok ? align8(inline_need(s, pooled, need)) : 0;
	size_t loan = hbuf < hsize ? sizeof(struct pne_loan) : 0;
	size_t hcap = ok ? hist_need(s) : 0;
	size_t hist = hcap > 0 ? align8(sizeof(struct pne_hist) + hcap) : 0;
	size_t arena = align8(pne_interp_arena_size(ok ? s : NULL));
	unsigned nfifos = ok && s->fifos != NULL ? s->nfifos : 0;

	if (nfifos > PNE_MAX_FIFOS)
		nfifos = PNE_MAX_FIFOS;
	for (int d = 0; d < 2; d++) {
		if (c)
			c->dir_off[d] = (uint32_t)off;
		off += sizeof(struct pne_dir_core) + 8 * nslots;
	}
	if (c)
		c->cvar_off = (uint32_t)off;
	off += 8 * ncvars;
	for (unsigned f = 0; f < nfifos; f++) {
		uint32_t depth = s->fifos[f].depth, width = s->fifos[f].width;

		if (c)
			c->fifo[f] = (struct pne_fifo_state){ (uint32_t)off, 0, 0 };
		off += align8((size_t)min64(depth, PNE_MAX_FIFO_DEPTH) * min64(width, 8));
	}
	off += loan;
	for (int d = 0; d < 2; d++) {
		if (c) {
			c->hbuf_off[d] = (uint32_t)off;
			c->hist_off[d] = (uint32_t)(off + hbuf);
			c->arena_off[d] = (uint32_t)(off + hbuf + hist);
		}
		off += hbuf + hist + arena;
	}
	if (c) {
		c->hbuf_size = (uint32_t)hsize;
		c->hist_cap = (uint32_t)hcap;
		c->broken = !ok;
		c->nfifos = (uint8_t)nfifos;
	}
	return off;
}

static struct pne_dir_core *dir_core(const struct pne_interp_conn *c, enum pne_dir d)
{
	return (struct pne_dir_core *)((char *)c + c->dir_off[d]);
}

static uint64_t *cvars_of(const struct pne_interp_conn *c)
{
	return (uint64_t *)((char *)c + c->cvar_off);
}

/* The embedded part of the header buffer. */
static uint8_t *inline_of(const struct run *r)
{
	return (uint8_t *)r->conn + r->conn->hbuf_off[r->dir];
}

/* Bytes of the header buffer embedded per direction. */
static inline uint32_t inline_cap(const struct pne_interp_conn *c)
{
	return c->hist_off[0] - c->hbuf_off[0];
}

/* The connection's loan, NULL when it never borrows. */
static inline struct pne_loan *loan_of(const struct pne_interp_conn *c)
{
	if (likely(inline_cap(c) >= c->hbuf_size))
		return NULL;
	return (struct pne_loan *)((char *)c + c->hbuf_off[0] - sizeof(struct pne_loan));
}

/* The header buffer holding what the gather under way kept. */
static uint8_t *hbuf_of(const struct run *r)
{
	struct pne_loan *l = loan_of(r->conn);

	return l != NULL && l->blk[r->dir] != NULL ? l->blk[r->dir] : inline_of(r);
}

/* A header buffer for a gather that keeps need bytes, with the have
 * bytes it kept so far: the inline one while they fit, else a borrowed
 * block (those bytes moved into it). NULL when the pool is empty
 * (counted): the caller drops the gather, invalid(PNE_ERR_HDR_POOL). */
static uint8_t *hbuf_for(const struct run *r, uint64_t need, uint32_t have)
{
	struct pne_loan *l = loan_of(r->conn);
	uint32_t cap = inline_cap(r->conn);
	struct pne_hdr_pool *pool;
	uint8_t *b;

	if (likely(l == NULL))
		return inline_of(r);
	if (l->blk[r->dir] != NULL)
		return l->blk[r->dir];
	if (need <= cap)
		return inline_of(r);
	pool = l->pool;
	if (pool == NULL || pool->nfree == 0) {
		if (pool != NULL)
			pool->st.exhausted++;
		return NULL;
	}
	b = pool->mem + (size_t)pool->free[--pool->nfree] * PNE_HDR_BLOCK;
	pool->st.borrows++;
	if (++pool->st.in_use > pool->st.peak)
		pool->st.peak = pool->st.in_use;
	memcpy(b, inline_of(r), have < cap ? have : cap);
	l->blk[r->dir] = b;
	return b;
}

/* The gather that held the direction's block is done with it. */
static inline void hbuf_put(const struct run *r)
{
	struct pne_loan *l = loan_of(r->conn);
	struct pne_hdr_pool *pool;
	uint8_t *b;

	if (likely(l == NULL) || (b = l->blk[r->dir]) == NULL)
		return;
	pool = l->pool;
	pool->free[pool->nfree++] = (uint32_t)((size_t)(b - pool->mem) / PNE_HDR_BLOCK);
	pool->st.in_use--;
	l->blk[r->dir] = NULL;
}

static uint8_t *arena_of(const struct pne_interp_conn *c, enum pne_dir d)
{
	return (uint8_t *)c + c->arena_off[d];
}

static struct pne_hist *hist_of(const struct run *r)
{
	if (r->conn->hist_cap == 0)
		return NULL;
	return (struct pne_hist *)((char *)r->conn + r->conn->hist_off[r->dir]);
}

/* Is the direction framing an unconfirmed ADU of a confirm resync? */
static inline bool confirming(const struct run *r)
{
	return unlikely(r->core->unsynced > 0) && r->unit != NULL &&
	       r->unit->resync == PNE_RESYNC_CONFIRM;
}

/* The head of an unconfirmed ADU is kept in the history of a confirm
 * unit: NULL for other units. */
static struct pne_hist *head_of(const struct run *r)
{
	if (r->unit == NULL || r->unit->resync != PNE_RESYNC_CONFIRM)
		return NULL;
	return hist_of(r);
}

/* Keep n more bytes of the unconfirmed ADU's head. Bytes that don't fit
 * (and skipped bytes, never kept) leave the head short of the ADU, which
 * then can't be rescanned (head_replayable()). */
static void head_keep(const struct run *r, const uint8_t *p, size_t n)
{
	struct pne_hist *h = head_of(r);

	if (h == NULL || h->len + n > r->conn->hist_cap)
		return;
	memcpy(h->bytes + h->len, p, n);
	h->len = (uint16_t)(h->len + n);
}

/* The bytes of the current ADU when all of them are in its kept head,
 * else 0. */
static uint32_t head_replayable(const struct run *r)
{
	const struct pne_hist *h = head_of(r);
	uint64_t len = r->core->off - r->core->adu_start;

	if (h == NULL || r->core->status != PNE_IS_OK || !confirming(r) || h->len != len)
		return 0;
	return h->len;
}

static void run_init(struct run *r, struct pne_interp_conn *c, enum pne_dir d,
		     pne_adu_cb cb, void *arg)
{
	r->conn = c;
	r->spec = c->spec;
	r->unit = c->broken ? NULL : &c->spec->units[c->spec->start[d]];
	r->core = dir_core(c, d);
	r->slots = (uint64_t *)(r->core + 1);
	r->dir = d;
	r->replay = 0;
	r->cb = cb;
	r->arg = arg;
}

/* Bytes consumed: advance the stream and count them, once. */
static inline void consume(const struct run *r, uint64_t n, bool skipped)
{
	r->core->off += n;
	if (r->replay)
		return;
	if (skipped)
		r->conn->stats.bytes_skipped += n;
	else
		r->conn->stats.bytes_examined += n;
}

/* Bytes the current ADU may still grow by: up to the unit's max, and
 * while unconfirmed up to its window, so that a false candidate with a
 * huge length is rejected instead of swallowing the stream. */
static inline uint64_t room(const struct run *r)
{
	uint64_t len = r->core->off - r->core->adu_start;
	uint64_t lim = r->unit->max_len;

	if (confirming(r))
		lim = min64(lim, pne_unit_window(r->unit));
	return len >= lim ? 0 : lim - len;
}

static uint64_t width_mask(unsigned width)
{
	return width >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * width)) - 1;
}

/* 2. Expressions: the stack machine of include/pne/expr.def */

/*
 * Each opcode's case checks what it needs -- its immediate bytes, its
 * operands on the stack, room for its result -- with the constants of
 * expr.def (x_fits() on a constant opcode folds to one or two compares),
 * so a malformed expression fails as BAD_EXPR before it reads or writes
 * out of bounds. Expressions run several times per header byte (HTTP
 * field lines, iSCSI BHS tests): this loop is hot.
 */
#define x_fits(op) (end - at >= x_imm[op] && sp >= x_pops[op] && \
		    sp - x_pops[op] + x_pushes[op] <= PNE_MAX_STACK)
#define X_UNARY(op, e) \
	case op: \
		if (!x_fits(op)) \
			return PNE_ERR_BAD_EXPR; \
		a = st[sp - 1]; \
		st[sp - 1] = (e); \
		break
#define X_BINARY(op, e) \
	case op: \
		if (!x_fits(op)) \
			return PNE_ERR_BAD_EXPR; \
		b = st[--sp]; \
		a = st[sp - 1]; \
		st[sp - 1] = (e); \
		break

static int eval(const struct run *r, uint32_t at, uint64_t *out)
{
	const struct pne_spec *s = r->spec;
	const uint8_t *code = s->code;
	const uint32_t end = s->ncode;
	uint64_t st[PNE_MAX_STACK], a, b;
	unsigned sp = 0, idx;

	if (code == NULL)
		return PNE_ERR_BAD_EXPR;
	while (at < end) {
		unsigned op = code[at++];

		switch (op) {
		case PNE_X_END:
			if (sp != 1)
				return PNE_ERR_BAD_EXPR;
			*out = st[0];
			return 0;
		case PNE_X_IMM8:
			if (!x_fits(PNE_X_IMM8))
				return PNE_ERR_BAD_EXPR;
			st[sp++] = code[at++];
			break;
		case PNE_X_CONST:
			if (!x_fits(PNE_X_CONST))
				return PNE_ERR_BAD_EXPR;
			idx = code[at] | (unsigned)code[at + 1] << 8;
			at += 2;
			if (idx >= s->nconsts || s->consts == NULL)
				return PNE_ERR_BAD_EXPR;
			st[sp++] = s->consts[idx];
			break;
		case PNE_X_SLOT:
			if (!x_fits(PNE_X_SLOT))
				return PNE_ERR_BAD_EXPR;
			idx = code[at++];
			if (idx >= s->nslots)
				return PNE_ERR_BAD_EXPR;
			st[sp++] = r->slots[idx];
			break;
		case PNE_X_CVAR:
			if (!x_fits(PNE_X_CVAR))
				return PNE_ERR_BAD_EXPR;
			idx = code[at++];
			if (idx >= s->ncvars)
				return PNE_ERR_BAD_EXPR;
			st[sp++] = cvars_of(r->conn)[idx];
			break;
		case PNE_X_FIFOLEN:
			if (!x_fits(PNE_X_FIFOLEN))
				return PNE_ERR_BAD_EXPR;
			idx = code[at++];
			if (idx >= r->conn->nfifos)
				return PNE_ERR_BAD_EXPR;
			st[sp++] = r->conn->fifo[idx].count;
			break;
		case PNE_X_UNCONF:  /* a confirm scan tests candidates */
			if (!x_fits(PNE_X_UNCONF))
				return PNE_ERR_BAD_EXPR;
			st[sp++] = r->core->status == PNE_IS_RESYNC ?
				   max64(r->unit->confirm, 1) : r->core->unsynced;
			break;
		X_BINARY(PNE_X_ADD, a + b);
		case PNE_X_SUB:
			if (!x_fits(PNE_X_SUB))
				return PNE_ERR_BAD_EXPR;
			b = st[--sp];
			a = st[sp - 1];
			if (b > a)
				return PNE_ERR_UNDERFLOW;
			st[sp - 1] = a - b;
			break;
		X_BINARY(PNE_X_MUL, a * b);
		case PNE_X_DIV:
		case PNE_X_MOD:
			if (!x_fits(PNE_X_DIV) || !x_fits(PNE_X_MOD))
				return PNE_ERR_BAD_EXPR;
			b = st[--sp];
			a = st[sp - 1];
			if (b == 0)
				return PNE_ERR_DIV_ZERO;
			st[sp - 1] = op == PNE_X_DIV ? a / b : a % b;
			break;
		X_BINARY(PNE_X_AND, a & b);
		X_BINARY(PNE_X_OR, a | b);
		X_BINARY(PNE_X_XOR, a ^ b);
		X_BINARY(PNE_X_SHL, b >= 64 ? 0 : a << b);
		X_BINARY(PNE_X_SHR, b >= 64 ? 0 : a >> b);
		X_BINARY(PNE_X_EQ, a == b);
		X_BINARY(PNE_X_NE, a != b);
		X_BINARY(PNE_X_LT, a < b);
		X_BINARY(PNE_X_LE, a <= b);
		X_BINARY(PNE_X_GT, a > b);
		X_BINARY(PNE_X_GE, a >= b);
		X_BINARY(PNE_X_LAND, a && b);
		X_BINARY(PNE_X_LOR, a || b);
		X_BINARY(PNE_X_MIN, a < b ? a : b);
		X_BINARY(PNE_X_MAX, a > b ? a : b);
		X_UNARY(PNE_X_LNOT, !a);
		X_UNARY(PNE_X_BNOT, ~a);
		case PNE_X_SEL:
			if (!x_fits(PNE_X_SEL))
				return PNE_ERR_BAD_EXPR;
			b = st[--sp];
			a = st[--sp];
			st[sp - 1] = st[sp - 1] ? a : b;
			break;
		default:
			return PNE_ERR_BAD_EXPR;
		}
	}
	return PNE_ERR_BAD_EXPR;  /* ran off the code without END */
}

#undef X_BINARY
#undef X_UNARY
#undef x_fits

/* Write a SET/POP destination: a slot, or a connection variable
 * truncated to its width. */
static int write_dest(const struct run *r, uint8_t dest, uint64_t v)
{
	const struct pne_spec *s = r->spec;

	if (dest & PNE_SLOT_CVAR) {
		unsigned i = dest & 0x7f;

		if (i >= s->ncvars || s->cvars == NULL)
			return PNE_ERR_BAD_TABLE;
		cvars_of(r->conn)[i] = v & width_mask(s->cvars[i].width);
		return 0;
	}
	if (dest >= s->nslots)
		return PNE_ERR_BAD_TABLE;
	r->slots[dest] = v;
	return 0;
}

/* 3. ADUs and invalidity */

static const char *adu_type(const struct pne_spec *s, const struct pne_unit *u,
			    const uint64_t *slots)
{
	if (u->ntypemaps > 0 && u->type_slot < s->nslots && s->typemaps != NULL &&
	    (uint32_t)u->typemap + u->ntypemaps <= s->ntypemaps) {
		uint64_t v = slots[u->type_slot];

		for (unsigned k = 0; k < u->ntypemaps; k++)
			if (s->typemaps[u->typemap + k].value == v)
				return pne_interp_str(s, s->typemaps[u->typemap + k].name);
		if (u->type_default != PNE_NO_STR)
			return pne_interp_str(s, u->type_default);
	}
	return pne_interp_str(s, u->name);
}

/* The current ADU as a report of event ev. */
static void adu_fill(const struct run *r, enum pne_adu_event ev, struct pne_adu *adu)
{
	const struct pne_dir_core *core = r->core;

	*adu = (struct pne_adu){
		.spec = r->spec,
		.dir = r->dir,
		.unit = r->spec->start[r->dir],
		.type = adu_type(r->spec, r->unit, r->slots),
		.off = core->adu_start,
		.len = core->off - core->adu_start,
		.synced = core->unsynced == 0,
		.slots = r->slots,
		.cvars = cvars_of(r->conn),
		.strings = arena_of(r->conn, r->dir),
		.event = ev,
	};
}

/* The ADU is complete (PNE_ADU_END). */
static void report(const struct run *r, int closed)
{
	struct pne_dir_core *core = r->core;
	struct pne_adu adu;

	adu_fill(r, PNE_ADU_END, &adu);
	adu.closed = closed;
	core->events &= (uint8_t)~PNE_EV_HEAD_DONE;
	r->conn->stats.adus++;
	if (core->unsynced > 0)
		core->unsynced--;
	if (r->cb)
		r->cb(&adu, r->arg);
}

/* The ADU's operations reached a skip, an until_close or its end: its
 * HEAD, once, for a direction that asked. */
static void report_head(const struct run *r)
{
	struct pne_dir_core *core = r->core;
	struct pne_adu adu;

	if (likely((core->events & (PNE_EV_HEAD | PNE_EV_HEAD_DONE)) != PNE_EV_HEAD))
		return;
	core->events |= PNE_EV_HEAD_DONE;
	adu_fill(r, PNE_ADU_HEAD, &adu);
	if (r->cb)
		r->cb(&adu, r->arg);
}

/* A skip (or until_close) of count bytes starts here; avail of them are
 * at p, about to be passed over. */
static void report_skip(const struct run *r, uint64_t count, const uint8_t *p,
			size_t avail)
{
	struct pne_adu adu;

	report_head(r);
	/* starting right at the end of replayed bytes: skip_cont() reports
	 * it from the segment that follows */
	if (likely(!(r->core->events & PNE_EV_SKIP)) || count == 0 ||
	    (r->replay && avail == 0))
		return;
	adu_fill(r, PNE_ADU_SKIP, &adu);
	adu.skip = count;
	adu.data = p;
	adu.avail = avail;
	if (r->cb)
		r->cb(&adu, r->arg);
}

/* The current ADU is dropped: ABORT when its HEAD was reported. */
static void report_abort(const struct run *r)
{
	struct pne_adu adu;

	if (likely(!(r->core->events & PNE_EV_HEAD_DONE)))
		return;
	r->core->events &= (uint8_t)~PNE_EV_HEAD_DONE;
	adu_fill(r, PNE_ADU_ABORT, &adu);
	if (r->cb)
		r->cb(&adu, r->arg);
}

/* The direction starts its unit at the current offset. */
static void begin_unit(const struct run *r)
{
	struct pne_dir_core *core = r->core;

	core->adu_start = core->off;
	core->pc = r->unit->entry;
	core->phase = 0;
	core->have = 0;
	core->arena = 0;
	core->status = PNE_IS_OK;
	core->events &= (uint8_t)~(PNE_EV_HEAD_DONE | PNE_EV_SKIP_CONT);
	memset(r->slots, 0, sizeof(uint64_t) * r->spec->nslots);
}

static enum pne_resync_mode resync_mode(const struct pne_interp_conn *c,
					const struct pne_unit *u);

/* Leave framing for the resync scan of the start unit's mode; the ADU
 * under way is dropped. */
static void enter_resync(const struct run *r)
{
	struct pne_dir_core *core = r->core;
	struct pne_hist *h = hist_of(r);

	report_abort(r);
	/* bytes still to replay lie before the stream position (off counts
	 * them when they are consumed): the scan starts after them */
	if (h)
		core->off += h->pend;
	core->events &= (uint8_t)~PNE_EV_SKIP_CONT;
	core->status = PNE_IS_RESYNC;
	core->phase = 0;
	core->have = 0;
	hbuf_put(r);
	core->dfa = 0;
	core->remain = 0;
	if (h)
		h->len = h->pend = 0;
}

static uint32_t confirm_size(const struct pne_interp_conn *c, const struct pne_unit *u);

/* When a CONFIRM unit failed its leading validity test (its constant
 * header, then only SETs and REQUIREs), the size of that header, which
 * op_hdr() left in the header buffer; else 0. */
static uint32_t failed_lead(const struct run *r)
{
	const struct pne_dir_core *core = r->core;
	uint32_t size;

	if (core->status != PNE_IS_OK || resync_mode(r->conn, r->unit) != PNE_RESYNC_CONFIRM)
		return 0;
	size = confirm_size(r->conn, r->unit);
	if (core->off - core->adu_start != size || core->pc < r->unit->entry ||
	    core->pc >= r->spec->nops)
		return 0;
	for (uint32_t pc = r->unit->entry + 1; pc <= core->pc; pc++)
		if (r->spec->ops[pc].code != PNE_OP_SET && r->spec->ops[pc].code != PNE_OP_REQUIRE)
			return 0;
	return size;
}

/*
 * The stream broke a rule: the partial ADU is dropped and the direction
 * resynchronises. The scan starts where the stream broke, except:
 *  - an unconfirmed ADU of a CONFIRM unit (a candidate, or one of the K-1
 *    after it) whose bytes are all in its kept head (it skipped nothing)
 *    is rescanned from its second byte: its head becomes pending and the
 *    run loop replays it through the scan (this is how a candidate whose
 *    length exceeds the window is rejected without losing the bytes);
 *  - a CONFIRM unit that failed its leading test is rescanned from its
 *    second byte (its header is still in the buffer): the real boundary
 *    may lie inside a header that started on garbage;
 *  - an ADU that broke before its first byte would be found again at the
 *    same offset (by an anchor, say), so that byte is passed over first.
 * Returns 0 so operations can "return invalid(...)".
 */
static int invalid(const struct run *r, int err)
{
	struct pne_dir_core *core = r->core;
	bool empty = core->status == PNE_IS_OK && core->off == core->adu_start;
	uint32_t lead = failed_lead(r), head = head_replayable(r);
	struct pne_hist *h = head_of(r);

	if (err == PNE_ERR_TOO_LONG && confirming(r) &&
	    pne_unit_window(r->unit) < r->unit->max_len)
		err = PNE_ERR_WINDOW;
	core->err = (uint16_t)err;
	r->conn->stats.invalid++;
	enter_resync(r);
	if (head > 1 && h != NULL) {
		memmove(h->bytes, h->bytes + 1, head - 1);
		h->pend = (uint16_t)(head - 1);
		core->off -= head - 1;  /* counted once, when first consumed */
	} else if (lead > 1) {  /* op_hdr() left it inline */
		memmove(inline_of(r), inline_of(r) + 1, lead - 1);
		core->have = lead - 1;
	} else if (empty) {
		core->remain = 1;
	}
	return 0;
}

/* 4. Operations. Each returns 0 to go on with the next one (pc moved or
 * the direction changed state), 1 to stop until more bytes arrive or the
 * other direction moves. *ip is the position in p[0..n). */

static inline uint64_t load_n(const uint8_t *b, unsigned w, bool le)
{
	uint64_t v = 0;

	for (unsigned k = 0; k < w; k++)
		v = v << 8 | b[le ? w - 1 - k : k];
	return v;
}

/* A w-byte field (1..4 or 8); each width gets its own unrolled copy of
 * the loop (a BHS has eight fields, read for every PDU). */
static uint64_t load(const uint8_t *b, unsigned w, bool le)
{
	switch (w) {
	case 1: return b[0];
	case 2: return le ? load_n(b, 2, true) : load_n(b, 2, false);
	case 3: return le ? load_n(b, 3, true) : load_n(b, 3, false);
	case 4: return le ? load_n(b, 4, true) : load_n(b, 4, false);
	case 8: return le ? load_n(b, 8, true) : load_n(b, 8, false);
	}
	return load_n(b, w, le);
}

static int hdr_fields(const struct run *r, const struct pne_hdr *h,
		      const uint8_t *b, uint32_t size)
{
	const struct pne_spec *s = r->spec;

	if ((uint32_t)h->field + h->nfields > s->nfields ||
	    (h->nfields > 0 && s->fields == NULL))
		return PNE_ERR_BAD_TABLE;
	for (unsigned k = 0; k < h->nfields; k++) {
		const struct pne_field *f = &s->fields[h->field + k];
		unsigned w = f->type & 0x0f;
		uint64_t v;

		if (w == 0 || (w > 4 && w != 8) || (uint32_t)f->off + w > size ||
		    f->slot >= s->nslots)
			return PNE_ERR_BAD_TABLE;
		v = load(b + f->off, w, f->type & PNE_FT_LE);
		v = f->shift >= 64 ? 0 : v >> f->shift;
		r->slots[f->slot] = v & f->mask;
	}
	return 0;
}

/* Gathers core->need bytes. Returns them once all are there -- in the
 * segment itself when they all arrived in it (no copy), else in the
 * header buffer -- or NULL while more are needed, or when the header
 * buffer can't be had (the direction is then resynchronising). keep:
 * copy them. */
static const uint8_t *gather(const struct run *r, const uint8_t *p, size_t n,
			     size_t *ip, bool keep)
{
	struct pne_dir_core *core = r->core;
	size_t i = *ip, avail = n - i, take;
	uint8_t *b;

	if (core->have == 0 && avail >= core->need) {
		*ip = i + core->need;
		consume(r, core->need, false);
		return p + i;
	}
	take = (size_t)min64(core->need - core->have, avail);
	if (keep && take > 0) {
		if ((b = hbuf_for(r, core->need, core->have)) == NULL) {
			invalid(r, PNE_ERR_HDR_POOL);
			return NULL;
		}
		memcpy(b + core->have, p + i, take);
	}
	core->have += (uint32_t)take;
	*ip = i + take;
	consume(r, take, false);
	return core->have == core->need ? hbuf_of(r) : NULL;
}

static int op_hdr(const struct run *r, const struct pne_op *op, const uint8_t *p,
		  size_t n, size_t *ip)
{
	struct pne_dir_core *core = r->core;
	const struct pne_hdr *h;
	const uint8_t *b;
	int err;

	if (op->aux >= r->spec->nhdrs || r->spec->hdrs == NULL)
		return invalid(r, PNE_ERR_BAD_TABLE);
	h = &r->spec->hdrs[op->aux];
	if (core->phase == 0) {
		uint64_t size = h->size;

		if (op->expr != PNE_NO_EXPR) {
			if ((err = eval(r, op->expr, &size)) != 0)
				return invalid(r, err);
			if (size > h->max)
				return invalid(r, PNE_ERR_HDR_MAX);
		}
		if (size > r->conn->hbuf_size)
			return invalid(r, PNE_ERR_BAD_TABLE);
		if (size > room(r))
			return invalid(r, PNE_ERR_TOO_LONG);
		core->need = (uint32_t)size;
		core->have = 0;
		core->phase = 1;
	}
	b = gather(r, p, n, ip, true);
	if (b == NULL)
		return 1;
	/* a failed leading test is rescanned from the inline buffer (see
	 * invalid()), which holds any leading header (inline_need()) */
	if (b != inline_of(r) && core->pc == r->unit->entry &&
	    r->unit->resync == PNE_RESYNC_CONFIRM && core->need <= inline_cap(r->conn))
		memcpy(inline_of(r), b, core->need);
	core->phase = 0;
	core->have = 0;
	err = hdr_fields(r, h, b, core->need);
	hbuf_put(r);
	if (err != 0)
		return invalid(r, err);
	core->pc++;
	return 0;
}

/* Base-128, least significant group first, accumulated in the slot. */
static int op_varint(const struct run *r, const struct pne_op *op, const uint8_t *p,
		     size_t n, size_t *ip)
{
	struct pne_dir_core *core = r->core;
	unsigned maxb = op->max >= 1 && op->max <= 10 ? (unsigned)op->max : 10;
	size_t i = *ip;

	if (op->slot >= r->spec->nslots)
		return invalid(r, PNE_ERR_BAD_TABLE);
	if (core->phase == 0) {
		r->slots[op->slot] = 0;
		core->have = 0;
		core->phase = 1;
	}
	while (i < n) {
		uint8_t b = p[i];

		if (room(r) == 0)
			return invalid(r, PNE_ERR_TOO_LONG);
		*ip = ++i;
		consume(r, 1, false);
		r->slots[op->slot] |= (uint64_t)(b & 0x7f) << (7 * core->have);
		core->have++;
		if (!(b & 0x80)) {
			core->phase = 0;
			core->have = 0;
			core->pc++;
			return 0;
		}
		if (core->have >= maxb)
			return invalid(r, PNE_ERR_VARINT);
	}
	return 1;
}

/* The text is t[0..len), then dl bytes of the delimiter that ended it. */
static int text_done(const struct run *r, const struct pne_text *td,
		     const uint8_t *t, size_t len, size_t dl)
{
	struct pne_dir_core *core = r->core;
	struct pne_text_out out = {
		r->slots, arena_of(r->conn, r->dir), &core->arena,
		pne_interp_arena_size(r->spec), (uint32_t)dl,
	};
	int err;

	core->phase = 0;
	core->have = 0;
	core->dfa = 0;
	err = td->nfields > 0 ? pne_text_fields(r->spec, td, t, len, &out) : 0;
	hbuf_put(r);
	if (err != 0)
		return invalid(r, err);
	core->pc++;
	return 0;
}

/*
 * A PEEK ends: the direction goes back to where it began, then its fields
 * are extracted from t[0..len). Of its total bytes, the last seg arrived
 * in this call, before *ip: they are read again from there. Those before
 * arrived in earlier calls and are in the header buffer (a peek keeps
 * what it gathers): they become pending in the history, and the run loop
 * replays them before the rest of this call's bytes. A replay never
 * starts inside a peek (pending bytes are set only at a unit's start, by
 * invalid() or here, with pc past the peek), so a peek that ends in
 * replayed bytes began in them: a pending part then means a bad table.
 */
static int peek_done(const struct run *r, const struct pne_text *td, const uint8_t *t,
		     size_t len, size_t dl, uint64_t total, size_t seg, size_t *ip)
{
	struct pne_dir_core *core = r->core;
	struct pne_hist *h = hist_of(r);
	uint64_t early = total - seg;

	if (early > 0 && (r->replay || h == NULL || h->pend > 0 ||
			  early > r->conn->hist_cap || t != hbuf_of(r)))
		return invalid(r, PNE_ERR_BAD_TABLE);
	core->off -= total;
	if (!r->replay)
		r->conn->stats.bytes_examined -= seg;
	*ip -= seg;
	if (early > 0) {
		memcpy(h->bytes, t, (size_t)early);
		h->pend = (uint16_t)early;
	}
	return text_done(r, td, t, len, dl);
}

/* A peek may gather this many bytes: its max, within the buffers that
 * keep and replay it (a table asking more is malformed: 0). */
static bool peek_fits(const struct run *r, const struct pne_text *td)
{
	return td->max <= r->conn->hbuf_size && td->max <= r->conn->hist_cap &&
	       head_of(r) == NULL;
}

/* A text of exactly size_expr bytes; a peek of them ends early at the
 * ADU's max (and at the stream's end, see peek_close()). */
static int text_sized(const struct run *r, const struct pne_text *td, bool peek,
		      const uint8_t *p, size_t n, size_t *ip)
{
	struct pne_dir_core *core = r->core;
	bool keep = td->nfields > 0 || peek;
	const uint8_t *t;
	size_t i0 = *ip;

	if (core->phase == 0) {
		uint64_t size;
		int err;

		if (td->size_expr == PNE_NO_EXPR)
			return invalid(r, PNE_ERR_BAD_TABLE);
		if ((err = eval(r, td->size_expr, &size)) != 0)
			return invalid(r, err);
		if (size > td->max)
			return invalid(r, PNE_ERR_TEXT_MAX);
		if (keep && size > r->conn->hbuf_size)
			return invalid(r, PNE_ERR_BAD_TABLE);
		if (peek)
			size = min64(size, room(r));
		else if (size > room(r))
			return invalid(r, PNE_ERR_TOO_LONG);
		core->need = (uint32_t)size;
		core->have = 0;
		core->phase = 1;
	}
	t = gather(r, p, n, ip, keep);
	if (t == NULL)
		return 1;
	if (peek)
		return peek_done(r, td, t, core->need, 0, core->need, *ip - i0, ip);
	return text_done(r, td, t, core->need, 0);
}

/*
 * A text up to and including its delimiter, found by feeding every byte
 * to the delimiter's automaton (its state survives between segments, so
 * a delimiter split across them is found). The text is copied only when
 * it has fields and did not arrive in one segment. A peek (PNE_OP_PEEK)
 * is always copied then, to be replayed, and also ends, valid, at its max
 * or the ADU's: its fields then see all it gathered.
 */
static int op_text(const struct run *r, const struct pne_op *op, const uint8_t *p,
		   size_t n, size_t *ip)
{
	bool peek = op->code == PNE_OP_PEEK;
	const struct pne_spec *s = r->spec;
	struct pne_dir_core *core = r->core;
	const struct pne_text *td;
	const struct pne_dfa *d;
	bool keep;
	size_t i = *ip, k, scan;
	uint64_t lim, allow, rm;
	uint32_t st, idx, total;

	if (op->aux >= s->ntexts || s->texts == NULL)
		return invalid(r, PNE_ERR_BAD_TABLE);
	td = &s->texts[op->aux];
	if (peek && !peek_fits(r, td))
		return invalid(r, PNE_ERR_BAD_TABLE);
	if (td->delim == PNE_NO_STR)
		return text_sized(r, td, peek, p, n, ip);
	if (td->dfa >= s->ndfas || s->dfas == NULL || !dfa_ok(&s->dfas[td->dfa]))
		return invalid(r, PNE_ERR_BAD_TABLE);
	d = &s->dfas[td->dfa];
	keep = td->nfields > 0 || peek;
	if (core->phase == 0) {
		core->have = 0;
		core->dfa = 0;
		core->phase = 1;
	}
	lim = keep ? min64(td->max, r->conn->hbuf_size) : td->max;
	if (core->have > lim)
		return invalid(r, PNE_ERR_TEXT_MAX);
	rm = room(r);
	allow = min64(lim - core->have, rm);
	scan = (size_t)min64(n - i, allow);
	st = core->dfa;
	total = (uint32_t)d->nstates * d->nclasses;
	for (k = 0; k < scan; k++) {
		idx = st * d->nclasses + d->cls[p[i + k]];
		if (unlikely(idx >= total))
			return invalid(r, PNE_ERR_BAD_TABLE);
		st = d->next[idx];
		if (st >= d->accept)
			break;
	}
	if (k < scan) {  /* delimiter found: it ends at p[i + k] */
		const uint8_t *t = p + i;
		size_t len = k + 1, dl;

		if (st >= d->nstates)
			return invalid(r, PNE_ERR_BAD_TABLE);
		dl = d->accept_len[st - d->accept];
		if (keep && core->have > 0) {
			uint8_t *b = hbuf_for(r, core->have + len, core->have);

			if (b == NULL)
				return invalid(r, PNE_ERR_HDR_POOL);
			memcpy(b + core->have, p + i, len);
			t = b;
			len += core->have;
		}
		*ip = i + k + 1;
		consume(r, k + 1, false);
		dl = min64(dl, len);
		if (peek)
			return peek_done(r, td, t, len - dl, dl, len, k + 1, ip);
		return text_done(r, td, t, len - dl, dl);
	}
	if (keep && scan > 0) {
		uint8_t *b = hbuf_for(r, core->have + scan, core->have);

		if (b == NULL)
			return invalid(r, PNE_ERR_HDR_POOL);
		memcpy(b + core->have, p + i, scan);
	}
	core->have += (uint32_t)scan;
	core->dfa = (uint16_t)st;
	*ip = i + scan;
	consume(r, scan, false);
	if (scan == allow && peek)  /* a peek's end: all it gathered */
		return peek_done(r, td, hbuf_of(r), core->have, 0, core->have, scan, ip);
	if (scan == allow)  /* at the limit without a delimiter */
		return invalid(r, lim - (core->have - scan) <= rm ? PNE_ERR_TEXT_MAX :
								   PNE_ERR_TOO_LONG);
	return 1;
}

/* Is a peek under way, one that the stream's end ends? Not one at the
 * very start of an ADU that has no byte: the direction is idle between
 * ADUs. */
static bool peek_open(const struct run *r)
{
	const struct pne_dir_core *core = r->core;

	return core->status == PNE_IS_OK && core->phase == 1 && core->pc < r->spec->nops &&
	       r->spec->ops[core->pc].code == PNE_OP_PEEK && core->off > core->adu_start;
}

/* The stream ended during a peek: it ends with what it gathered, all of
 * it in the header buffer (none of it arrived in this call). */
static int peek_close(const struct run *r)
{
	const struct pne_op *op = &r->spec->ops[r->core->pc];
	const struct pne_text *td;
	size_t none = 0;

	if (op->aux >= r->spec->ntexts || r->spec->texts == NULL)
		return invalid(r, PNE_ERR_BAD_TABLE);
	td = &r->spec->texts[op->aux];
	return peek_done(r, td, hbuf_of(r), r->core->have, 0, r->core->have, 0, &none);
}

static int op_skip(const struct run *r, const struct pne_op *op, const uint8_t *p,
		   size_t n, size_t *ip)
{
	struct pne_dir_core *core = r->core;
	uint64_t take;

	if (core->phase == 0) {
		uint64_t count;
		int err;

		if ((err = eval(r, op->expr, &count)) != 0)
			return invalid(r, err);
		if (count > room(r))
			return invalid(r, PNE_ERR_TOO_LONG);
		core->remain = count;
		core->phase = 1;
		report_skip(r, count, p + *ip, (size_t)min64(count, n - *ip));
	} else if (unlikely(core->events & PNE_EV_SKIP_CONT)) {
		core->events &= (uint8_t)~PNE_EV_SKIP_CONT;
		report_skip(r, core->remain, p + *ip, (size_t)min64(core->remain, n - *ip));
	}
	take = min64(core->remain, n - *ip);
	*ip += (size_t)take;
	core->remain -= take;
	consume(r, take, true);
	if (core->remain > 0)
		return 1;
	core->phase = 0;
	core->pc++;
	return 0;
}

static int op_push(const struct run *r, const struct pne_op *op)
{
	struct pne_interp_conn *c = r->conn;
	const struct pne_fifo *f;
	struct pne_fifo_state *fs;
	uint8_t *ring;
	unsigned w, depth;
	uint64_t v;
	int err;

	if (op->aux >= c->nfifos)
		return invalid(r, PNE_ERR_BAD_TABLE);
	f = &r->spec->fifos[op->aux];
	fs = &c->fifo[op->aux];
	w = f->width < 8 ? f->width : 8;
	depth = f->depth < PNE_MAX_FIFO_DEPTH ? f->depth : PNE_MAX_FIFO_DEPTH;
	if ((err = eval(r, op->expr, &v)) != 0)
		return invalid(r, err);
	if (fs->count >= depth)
		return invalid(r, PNE_ERR_FIFO_FULL);
	ring = (uint8_t *)c + fs->off + (size_t)((fs->head + fs->count) % depth) * w;
	for (unsigned k = 0; k < w; k++)
		ring[k] = (uint8_t)(v >> (8 * k));
	fs->count++;
	r->core->pc++;
	return 0;
}

/* Takes the oldest entry of fifo f into *v; -1 when it is empty. */
static int fifo_pop(struct pne_interp_conn *c, unsigned f, uint64_t *v)
{
	const struct pne_fifo *fd = &c->spec->fifos[f];
	struct pne_fifo_state *fs = &c->fifo[f];
	unsigned w = fd->width < 8 ? fd->width : 8;
	unsigned depth = fd->depth < PNE_MAX_FIFO_DEPTH ? fd->depth : PNE_MAX_FIFO_DEPTH;
	const uint8_t *ring;

	if (fs->count == 0 || depth == 0)
		return -1;
	ring = (const uint8_t *)c + fs->off + (size_t)fs->head * w;
	*v = 0;
	for (unsigned k = 0; k < w; k++)
		*v |= (uint64_t)ring[k] << (8 * k);
	fs->head = (uint16_t)((fs->head + 1) % depth);
	fs->count--;
	return 0;
}

/* Could a direction blocked at its POP or WAIT go on now? A condition
 * that can't be evaluated counts as yes: running it will fail the stream,
 * which is progress too. */
static bool unblocked(const struct run *o)
{
	const struct pne_op *op;
	uint64_t v;

	if (o->core->pc >= o->spec->nops)
		return true;
	op = &o->spec->ops[o->core->pc];
	if (op->code == PNE_OP_POP)
		return op->aux >= o->conn->nfifos || o->conn->fifo[op->aux].count > 0;
	if (op->code == PNE_OP_WAIT)
		return eval(o, op->expr, &v) != 0 || v != 0;
	return true;
}

/*
 * Can the other direction never release a wait of this one? It can't
 * when it is resynchronising (it frames nothing until it finds a
 * boundary, and then starts a fresh ADU), closed or opaque, or when it
 * is itself blocked on a condition that still doesn't hold: a deadlock.
 */
static bool other_stuck(const struct run *r)
{
	struct run o;

	run_init(&o, r->conn, r->dir == PNE_C2S ? PNE_S2C : PNE_C2S, NULL, NULL);
	switch (o.core->status) {
	case PNE_IS_RESYNC:
	case PNE_IS_CLOSED:
	case PNE_IS_OPAQUE:
		return true;
	case PNE_IS_WAITING:
		return !unblocked(&o);
	default:
		return false;
	}
}

/*
 * Should a POP or WAIT whose condition is false take its default now
 * rather than block? Only when the other direction is stuck, and only
 * once there is something to frame: a byte of this call after it, or
 * bytes of the current ADU before it. A direction idle at the start of
 * its next ADU decides when that ADU's first byte arrives, so a close
 * then neither counts a forced wait nor reports anything.
 */
static bool give_up(const struct run *r, size_t n, size_t i)
{
	return (i < n || r->core->off > r->core->adu_start) && other_stuck(r);
}

/* A POP or WAIT at pc gives up waiting: a POP's destination gets its
 * default (0 without one). Counted as forced. */
static int take_default(const struct run *r, const struct pne_op *op)
{
	uint64_t v = 0;
	int err;

	r->conn->stats.forced++;
	r->core->status = PNE_IS_OK;
	if (op->code == PNE_OP_POP) {
		if (op->expr != PNE_NO_EXPR && (err = eval(r, op->expr, &v)) != 0)
			return invalid(r, err);
		if ((err = write_dest(r, op->slot, v)) != 0)
			return invalid(r, err);
	}
	r->core->pc++;
	return 0;
}

/* An empty FIFO waits for the other direction's push, unless that can't
 * come (other_stuck()). */
static int op_pop(const struct run *r, const struct pne_op *op, size_t n, size_t i)
{
	uint64_t v;
	int err;

	if (op->aux >= r->conn->nfifos)
		return invalid(r, PNE_ERR_BAD_TABLE);
	if (fifo_pop(r->conn, op->aux, &v) != 0) {
		if (give_up(r, n, i))
			return take_default(r, op);
		r->core->status = PNE_IS_WAITING;
		return 1;
	}
	if ((err = write_dest(r, op->slot, v)) != 0)
		return invalid(r, err);
	r->core->pc++;
	return 0;
}

static int op_wait(const struct run *r, const struct pne_op *op, size_t n, size_t i)
{
	uint64_t v;
	int err;

	if ((err = eval(r, op->expr, &v)) != 0)
		return invalid(r, err);
	if (v != 0) {
		r->core->pc++;
		return 0;
	}
	if (give_up(r, n, i))
		return take_default(r, op);
	r->core->status = PNE_IS_WAITING;
	return 1;
}

/* The rest of the direction is the current ADU (up to its max). */
static int op_until_close(const struct run *r, const uint8_t *p, size_t n, size_t *ip)
{
	uint64_t take = min64(n - *ip, room(r));

	if (r->core->phase == 0 || unlikely(r->core->events & PNE_EV_SKIP_CONT)) {
		r->core->events &= (uint8_t)~PNE_EV_SKIP_CONT;
		report_skip(r, room(r), p + *ip, (size_t)take);
	}
	r->core->phase = 1;
	*ip += (size_t)take;
	consume(r, take, true);
	if (*ip < n)
		return invalid(r, PNE_ERR_TOO_LONG);
	return 1;
}

/* Framing stops for good, both directions; the ADU so far is reported. */
static int op_opaque(const struct run *r)
{
	if (r->core->off > r->core->adu_start) {
		report_head(r);
		report(r, 0);
	}
	for (int d = 0; d < 2; d++) {
		struct run o;

		/* the other direction's ADU under way is dropped: its ABORT
		 * goes through this call's callback */
		run_init(&o, r->conn, (enum pne_dir)d, r->cb, r->arg);
		enter_resync(&o);
		o.core->status = PNE_IS_OPAQUE;
	}
	return 0;
}

static int op_end(const struct run *r)
{
	struct pne_hist *h;

	if (r->core->off == r->core->adu_start)
		return invalid(r, PNE_ERR_EMPTY_ADU);
	report_head(r);
	report(r, 0);
	begin_unit(r);
	if (confirming(r) && (h = head_of(r)) != NULL)
		h->len = 0;  /* the next unconfirmed ADU's head */
	return 0;
}

/* The operations that consume no byte and only move pc or write a
 * slot; see op_control(). */
static bool is_control(uint8_t code)
{
	return code == PNE_OP_SET || code == PNE_OP_JMP || code == PNE_OP_JZ ||
	       code == PNE_OP_REQUIRE;
}

static int op_control(const struct run *r, const struct pne_op *op)
{
	struct pne_dir_core *core = r->core;
	uint64_t v;
	int err;

	switch (op->code) {
	case PNE_OP_SET:
		if ((err = eval(r, op->expr, &v)) != 0 ||
		    (err = write_dest(r, op->slot, v)) != 0)
			return invalid(r, err);
		core->pc++;
		return 0;
	case PNE_OP_JMP:
		if (op->aux >= r->spec->nops)
			return invalid(r, PNE_ERR_BAD_TABLE);
		core->pc = op->aux;
		return 0;
	case PNE_OP_JZ:
		if ((err = eval(r, op->expr, &v)) != 0)
			return invalid(r, err);
		if (v == 0 && op->aux >= r->spec->nops)
			return invalid(r, PNE_ERR_BAD_TABLE);
		core->pc = v != 0 ? core->pc + 1 : op->aux;
		return 0;
	case PNE_OP_REQUIRE:
		if ((err = eval(r, op->expr, &v)) != 0)
			return invalid(r, err);
		if (v == 0)
			return invalid(r, op->aux < r->spec->nstrs ? PNE_ERR_STR + op->aux :
								      PNE_ERR_REQUIRE);
		core->pc++;
		return 0;
	}
	return invalid(r, PNE_ERR_BAD_TABLE);
}

/*
 * Runs control operations back to back from pc (one is there), about
 * twenty per HTTP field line. Only what they can change is checked
 * between them -- the status (invalid()), pc's bound, the no-progress
 * count -- and anything else goes back to run(), which checks the same
 * things in the same order, so the result is that of one op per loop.
 */
static void run_controls(const struct run *r, unsigned *idle)
{
	struct pne_dir_core *core = r->core;
	const struct pne_spec *s = r->spec;

	for (;;) {
		op_control(r, &s->ops[core->pc]);
		if (core->status != PNE_IS_OK || core->pc >= s->nops ||
		    *idle >= NO_PROGRESS_LIMIT || !is_control(s->ops[core->pc].code))
			return;
		++*idle;
	}
}

/* Runs the operation at pc; see section 4's contract. */
static int step(const struct run *r, const uint8_t *p, size_t n, size_t *ip)
{
	const struct pne_op *op = &r->spec->ops[r->core->pc];

	switch (op->code) {
	case PNE_OP_HDR:
		return op_hdr(r, op, p, n, ip);
	case PNE_OP_VARINT:
		return op_varint(r, op, p, n, ip);
	case PNE_OP_TEXT:
	case PNE_OP_PEEK:
		return op_text(r, op, p, n, ip);
	case PNE_OP_SKIP:
		return op_skip(r, op, p, n, ip);
	case PNE_OP_SET:
	case PNE_OP_JMP:
	case PNE_OP_JZ:
	case PNE_OP_REQUIRE:
		return op_control(r, op);
	case PNE_OP_PUSH:
		return op_push(r, op);
	case PNE_OP_POP:
		return op_pop(r, op, n, *ip);
	case PNE_OP_WAIT:
		return op_wait(r, op, n, *ip);
	case PNE_OP_UNTIL_CLOSE:
		return op_until_close(r, p, n, ip);
	case PNE_OP_OPAQUE:
		return op_opaque(r);
	case PNE_OP_END:
		return op_end(r);
	}
	return invalid(r, PNE_ERR_BAD_TABLE);
}

/* 5. Resynchronisation */

/* The constant size of a CONFIRM unit's leading header, 0 if it has none. */
static uint32_t confirm_size(const struct pne_interp_conn *c, const struct pne_unit *u)
{
	const struct pne_spec *s = c->spec;
	const struct pne_op *op;

	if (u->entry >= s->nops)
		return 0;
	op = &s->ops[u->entry];
	if (op->code != PNE_OP_HDR || op->expr != PNE_NO_EXPR || op->aux >= s->nhdrs ||
	    s->hdrs == NULL || s->hdrs[op->aux].size > c->hbuf_size)
		return 0;
	return s->hdrs[op->aux].size;
}

/* The start unit's mode, NONE when the tables can't support it. */
static enum pne_resync_mode resync_mode(const struct pne_interp_conn *c,
					const struct pne_unit *u)
{
	const struct pne_spec *s = c->spec;

	if (u == NULL)
		return PNE_RESYNC_NONE;
	switch (u->resync) {
	case PNE_RESYNC_ANCHOR:
		if (s->dfas != NULL && u->anchor_dfa < s->ndfas &&
		    dfa_ok(&s->dfas[u->anchor_dfa]))
			return PNE_RESYNC_ANCHOR;
		break;
	case PNE_RESYNC_CONFIRM:
		if (confirm_size(c, u) > 0)
			return PNE_RESYNC_CONFIRM;
		break;
	}
	return PNE_RESYNC_NONE;
}

/* Remember the last hist_cap bytes scanned. */
static void hist_push(const struct run *r, const uint8_t *p, size_t n)
{
	struct pne_hist *h = hist_of(r);
	uint32_t cap = r->conn->hist_cap;
	size_t keep;

	if (h == NULL)
		return;
	if (n >= cap) {
		memcpy(h->bytes, p + n - cap, cap);
		h->len = (uint16_t)cap;
		return;
	}
	keep = min64(h->len, cap - n);
	memmove(h->bytes, h->bytes + h->len - keep, keep);
	memcpy(h->bytes + keep, p, n);
	h->len = (uint16_t)(keep + n);
}

/*
 * Anchor scan. A match starts an ADU at its first byte: when that byte is
 * in this segment the operations simply resume there; when it was in an
 * earlier one, the literal's earlier bytes (kept in the history) become
 * pending and the run loop replays them before this segment.
 * Returns where framing resumes in p, or n while still searching.
 */
static size_t scan_anchor(const struct run *r, const uint8_t *p, size_t n)
{
	const struct pne_spec *s = r->spec;
	struct pne_dir_core *core = r->core;
	const struct pne_dfa *d = &s->dfas[r->unit->anchor_dfa];
	struct pne_hist *h = hist_of(r);
	uint32_t st = core->dfa, idx, total = (uint32_t)d->nstates * d->nclasses;
	size_t i = 0, i0, in, len, t;

	if (core->remain > 0) {  /* the byte of an ADU that failed at once */
		i = (size_t)min64(core->remain, n);
		core->remain -= i;
		consume(r, i, false);
	}
	for (i0 = i; i < n; i++) {
		idx = st * d->nclasses + d->cls[p[i]];
		if (unlikely(idx >= total))
			idx = 0;  /* malformed automaton: restart it */
		st = d->next[idx];
		if (unlikely(st >= d->accept))
			goto match;
	}
	core->dfa = (uint16_t)st;
	consume(r, n - i0, false);
	hist_push(r, p + i0, n - i0);
	return n;
match:
	/* The automaton restarted at p[i0] or earlier, so a match that starts
	 * before p[0] has i0 == 0 and its first bytes in the history. */
	in = i + 1;
	len = st < d->nstates ? d->accept_len[st - d->accept] : 1;
	len = len < in - i0 || i0 == 0 ? len : in - i0;
	core->dfa = 0;
	r->conn->stats.resyncs++;
	if (len <= in) {
		consume(r, in - len - i0, false);
		if (h)
			h->len = 0;
		begin_unit(r);
		core->unsynced = 1;
		return in - len;
	}
	t = (size_t)min64(len - in, h ? h->len : 0);
	core->off -= t;  /* those bytes were counted when first scanned */
	begin_unit(r);
	core->unsynced = 1;
	if (t > 0) {
		memmove(h->bytes, h->bytes + h->len - t, t);
		h->len = 0;
		h->pend = (uint16_t)t;
	}
	return 0;
}

/* Does a header at b pass the unit's leading validity test? Fields and
 * SETs go to the slots; connection variables are not written. */
static bool confirm_ok(const struct run *r, const uint8_t *b, uint32_t size)
{
	const struct pne_spec *s = r->spec;
	const struct pne_op *hdr = &s->ops[r->unit->entry];
	uint64_t v;

	memset(r->slots, 0, sizeof(uint64_t) * s->nslots);
	if (hdr_fields(r, &s->hdrs[hdr->aux], b, size) != 0)
		return false;
	for (uint32_t pc = r->unit->entry + 1; pc < s->nops; pc++) {
		const struct pne_op *op = &s->ops[pc];

		if (op->code == PNE_OP_SET) {
			if (eval(r, op->expr, &v) != 0)
				return false;
			if (!(op->slot & PNE_SLOT_CVAR) && write_dest(r, op->slot, v) != 0)
				return false;
		} else if (op->code == PNE_OP_REQUIRE) {
			if (eval(r, op->expr, &v) != 0 || v == 0)
				return false;
		} else {
			break;
		}
	}
	return true;
}

/* A candidate passed: frame from it; gathered of its bytes are already in
 * the header buffer (the window), the rest follow. */
static void confirm_found(const struct run *r, uint32_t gathered)
{
	struct pne_dir_core *core = r->core;
	struct pne_hist *h = head_of(r);

	r->conn->stats.resyncs++;
	core->off -= gathered;
	begin_unit(r);
	core->off += gathered;
	core->unsynced = r->unit->confirm;
	if (h) {
		h->len = 0;
		head_keep(r, inline_of(r), gathered);
	}
	if (gathered > 0) {
		core->phase = 1;
		core->need = core->have = gathered;
	}
}

/*
 * Confirm scan: every offset is a candidate ADU start whose leading
 * header must pass confirm_ok(). Candidates wholly inside the segment are
 * tested in place; those straddling segments go through a window of the
 * last size-1 bytes kept in the header buffer.
 * Returns where framing resumes in p, or n while still searching.
 */
static size_t scan_confirm(const struct run *r, const uint8_t *p, size_t n)
{
	struct pne_dir_core *core = r->core;
	uint32_t size = confirm_size(r->conn, r->unit);
	uint8_t *w = inline_of(r);  /* the window fits (inline_need()) */
	uint64_t off0 = core->off;
	size_t i = 0, i0, take;

	if (core->remain > 0) {  /* the byte of an ADU that failed at once */
		i = (size_t)min64(core->remain, n);
		core->remain -= i;
		consume(r, i, false);
	}
	while (core->have > 0) {
		uint64_t cand = core->off - core->have;

		if (cand >= off0) {  /* back in this segment: test in place */
			size_t at = (size_t)(cand - off0);

			core->off -= i - at;
			r->conn->stats.bytes_examined -= r->replay ? 0 : i - at;
			i = at;
			core->have = 0;
			break;
		}
		take = (size_t)min64(size - core->have, n - i);
		memcpy(w + core->have, p + i, take);
		core->have += (uint32_t)take;
		consume(r, take, false);
		i += take;
		if (core->have < size)
			return n;
		if (confirm_ok(r, w, size)) {
			confirm_found(r, size);
			return i;
		}
		memmove(w, w + 1, size - 1);
		core->have--;
	}
	for (i0 = i; n - i >= size; i++) {
		if (confirm_ok(r, p + i, size)) {
			consume(r, i - i0, false);
			confirm_found(r, 0);
			return i;
		}
	}
	memcpy(w, p + i, n - i);
	core->have = (uint32_t)(n - i);
	consume(r, n - i0, false);
	return n;
}

/* Searches p[0..n) for the next ADU start. Returns where framing resumes
 * (status OK) or n (still searching). */
static size_t resync(const struct run *r, const uint8_t *p, size_t n)
{
	switch (resync_mode(r->conn, r->unit)) {
	case PNE_RESYNC_ANCHOR:
		return scan_anchor(r, p, n);
	case PNE_RESYNC_CONFIRM:
		return scan_confirm(r, p, n);
	default:
		consume(r, n, true);  /* lost until the stream ends */
		return n;
	}
}

/* 6. The run loop */

static size_t run(const struct run *r, const uint8_t *p, size_t n);

/* A skip (or until_close) that started in replayed bytes goes on in
 * this call's segment: its SKIP report covered only the replayed part,
 * so the rest is reported as a skip of its own when the operation
 * resumes (a consumer sees the ranges in order, their data included). */
static void skip_cont(const struct run *r)
{
	const struct pne_dir_core *core = r->core;
	const struct pne_op *op;

	if (!(core->events & PNE_EV_SKIP) || core->status != PNE_IS_OK ||
	    core->phase != 1 || core->pc >= r->spec->nops)
		return;
	op = &r->spec->ops[core->pc];
	if ((op->code == PNE_OP_SKIP && core->remain > 0) || op->code == PNE_OP_UNTIL_CLOSE)
		r->core->events |= PNE_EV_SKIP_CONT;
}

/* Replays the bytes of an anchor match that began in an earlier segment
 * (see scan_anchor()), or the head of a rejected confirm candidate (see
 * invalid()). Returns 1 when the direction blocked before all were
 * consumed (the rest stay pending), else 0. */
static int replay_pending(const struct run *r)
{
	struct pne_hist *h = hist_of(r);
	uint8_t buf[REPLAY_MAX];
	struct run sub = *r;
	size_t t = h->pend, used;

	memcpy(buf, h->bytes, t);
	h->pend = 0;
	sub.replay = 1;
	used = run(&sub, buf, t);
	if (used == t) {
		skip_cont(r);
		return 0;
	}
	if (r->core->status == PNE_IS_RESYNC) {
		/* a candidate in them was rejected: its head, now pending, is
		 * rescanned before the rest (all fit: the head is a part of
		 * buf[0..used) without its first byte) */
		memcpy(h->bytes + h->pend, buf + used, t - used);
		h->pend = (uint16_t)(h->pend + t - used);
		return 0;
	}
	memcpy(h->bytes, buf + used, t - used);
	h->pend = (uint16_t)(t - used);
	return 1;
}

static bool pending(const struct run *r)
{
	struct pne_hist *h = hist_of(r);

	return !r->replay && h != NULL && h->pend > 0;
}

/* Runs the direction over p[0..n): returns the bytes consumed, n unless
 * it is waiting on the other direction. */
static size_t run(const struct run *r, const uint8_t *p, size_t n)
{
	struct pne_dir_core *core = r->core;
	struct pne_hist *h = hist_of(r);
	size_t i = 0, i0, mark = 0;
	unsigned idle = 0;
	uint8_t code;
	int stop;

	for (;;) {
		switch (core->status) {
		case PNE_IS_OK:
			break;
		case PNE_IS_WAITING:
			core->status = PNE_IS_OK;  /* try the blocked operation again */
			break;
		case PNE_IS_RESYNC:
			if (unlikely(h != NULL && h->pend > 0)) {
				/* a rejected candidate's head comes first */
				if (r->replay || replay_pending(r))
					return i;
				continue;
			}
			i += resync(r, p + i, n - i);
			if (core->status == PNE_IS_RESYNC)
				return n;
			continue;
		default:  /* opaque or closed: nothing more to frame */
			consume(r, n - i, true);
			return n;
		}
		if (unlikely(pending(r))) {
			if (replay_pending(r))
				return i;
			continue;  /* the replay may have changed the status */
		}
		if (i > mark) {
			mark = i;
			idle = 0;
		}
		if (unlikely(++idle > NO_PROGRESS_LIMIT)) {
			invalid(r, PNE_ERR_NO_PROGRESS);
			continue;
		}
		if (unlikely(core->pc >= r->spec->nops)) {
			invalid(r, PNE_ERR_BAD_TABLE);
			continue;
		}
		code = r->spec->ops[core->pc].code;
		if (is_control(code)) {
			run_controls(r, &idle);
			continue;
		}
		i0 = i;
		stop = step(r, p, n, &i);
		/* an unconfirmed ADU keeps what it examined, to be rescanned */
		if (unlikely(core->unsynced > 0) && i > i0 && core->status == PNE_IS_OK &&
		    code != PNE_OP_SKIP && code != PNE_OP_UNTIL_CLOSE)
			head_keep(r, p + i0, i - i0);
		if (stop != 0 && core->status != PNE_IS_RESYNC)
			return i;
	}
}

/* 7. The public API */

struct pne_hdr_pool *pne_hdr_pool_create(size_t memcap)
{
	size_t n = memcap / PNE_HDR_BLOCK;
	struct pne_hdr_pool *pool;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		return NULL;
	pool->free = malloc((n > 0 ? n : 1) * sizeof(uint32_t));
	pool->mem = n > 0 ? aligned_alloc(64, n * PNE_HDR_BLOCK) : NULL;
	if (pool->free == NULL || (n > 0 && pool->mem == NULL)) {
		pne_hdr_pool_destroy(pool);
		errno = ENOMEM;
		return NULL;
	}
	/* lowest blocks first: a lightly used pool touches few pages */
	for (size_t k = 0; k < n; k++)
		pool->free[k] = (uint32_t)(n - 1 - k);
	pool->nfree = (uint32_t)n;
	pool->st.blocks = n;
	return pool;
}

void pne_hdr_pool_destroy(struct pne_hdr_pool *pool)
{
	if (pool == NULL)
		return;
	free(pool->mem);
	free(pool->free);
	free(pool);
}

const struct pne_hdr_pool_stats *pne_hdr_pool_stats(const struct pne_hdr_pool *pool)
{
	return &pool->st;
}

size_t pne_interp_conn_size(const struct pne_spec *spec)
{
	return layout(spec, NULL, false);
}

size_t pne_interp_conn_size_pooled(const struct pne_spec *spec)
{
	return layout(spec, NULL, true);
}

static void init(struct pne_interp_conn *conn, const struct pne_spec *spec,
		 const uint64_t *params, const int synced[2], bool pooled,
		 struct pne_hdr_pool *pool)
{
	struct pne_interp_conn hdr = { .spec = spec };
	struct pne_loan *loan;
	size_t hot;

	layout(spec, &hdr, pooled);
	/* cores, slots and cvars are contiguous: zero them in one go */
	hot = hdr.cvar_off + 8 * (hdr.broken ? 0 : spec->ncvars);
	memset(conn, 0, hot);
	*conn = hdr;
	if ((loan = loan_of(conn)) != NULL)
		*loan = (struct pne_loan){ .pool = pool };
	for (int d = 0; d < 2; d++) {
		struct run r;

		run_init(&r, conn, (enum pne_dir)d, NULL, NULL);
		if (hist_of(&r))
			hist_of(&r)->len = hist_of(&r)->pend = 0;
		if (conn->broken) {
			enter_resync(&r);
			r.core->err = PNE_ERR_ABI;
			continue;
		}
		begin_unit(&r);
		if (synced != NULL && !synced[d])
			enter_resync(&r);
	}
	for (unsigned i = 0; !conn->broken && i < spec->ncvars && spec->cvars; i++)
		cvars_of(conn)[i] = (params ? params[i] : spec->cvars[i].init) &
				    width_mask(spec->cvars[i].width);
}

void pne_interp_init(struct pne_interp_conn *conn, const struct pne_spec *spec,
		     const uint64_t *params, const int synced[2])
{
	init(conn, spec, params, synced, false, NULL);
}

void pne_interp_init_pooled(struct pne_interp_conn *conn, const struct pne_spec *spec,
			    const uint64_t *params, const int synced[2],
			    struct pne_hdr_pool *pool)
{
	init(conn, spec, params, synced, true, pool);
}

size_t pne_interp_feed(struct pne_interp_conn *conn, enum pne_dir dir,
		       const uint8_t *data, size_t len, pne_adu_cb cb, void *arg)
{
	struct run r;

	if ((unsigned)dir > PNE_S2C || (data == NULL && len > 0))
		return 0;
	run_init(&r, conn, dir, cb, arg);
	return run(&r, data != NULL ? data : no_data, len);
}

static uint64_t skippable(const struct run *r)
{
	const struct pne_dir_core *core = r->core;
	const struct pne_op *op;

	switch (core->status) {
	case PNE_IS_OPAQUE:
	case PNE_IS_CLOSED:
		return UINT64_MAX;
	case PNE_IS_RESYNC:
		return resync_mode(r->conn, r->unit) == PNE_RESYNC_NONE ? UINT64_MAX : 0;
	case PNE_IS_OK:
		/* replayed bytes still to run, or a SKIP report owed with the
		 * data of the bytes that follow: only a feed can do those */
		if (core->phase == 0 || core->pc >= r->spec->nops || pending(r) ||
		    (core->events & PNE_EV_SKIP_CONT))
			return 0;
		op = &r->spec->ops[core->pc];
		if (op->code == PNE_OP_SKIP)
			return core->remain;
		if (op->code == PNE_OP_UNTIL_CLOSE)
			return room(r);
		return 0;
	default:
		return 0;
	}
}

uint64_t pne_interp_skippable(const struct pne_interp_conn *conn, enum pne_dir dir)
{
	struct run r;

	if ((unsigned)dir > PNE_S2C)
		return 0;
	run_init(&r, (struct pne_interp_conn *)conn, dir, NULL, NULL);
	return skippable(&r);
}

/*
 * The bytes are counted as skipped and never read. When they complete a
 * skip, the operations after it run at once, as a feed ending there would
 * run them, in stream order with everything else: an END is reported now,
 * not at the next feed -- by then the other direction may have moved (an
 * OPAQUE there would lose this ADU). They stop at the first operation
 * that needs a byte, so skippable() is then the next skip when one
 * follows without any. Passing more than skippable() is a caller error,
 * treated as a gap that resynchronises.
 */
void pne_interp_advance(struct pne_interp_conn *conn, enum pne_dir dir, uint64_t n,
			pne_adu_cb cb, void *arg)
{
	struct run r;
	uint64_t can;

	if ((unsigned)dir > PNE_S2C || n == 0)
		return;
	run_init(&r, conn, dir, cb, arg);
	can = skippable(&r);
	if (n > can) {
		r.core->err = PNE_ERR_GAP;
		enter_resync(&r);
		r.core->off += n;
		return;
	}
	consume(&r, n, true);
	if (r.core->status != PNE_IS_OK || r.spec->ops[r.core->pc].code != PNE_OP_SKIP)
		return;  /* until_close, or nothing to frame */
	r.core->remain -= n;
	if (r.core->remain == 0)
		run(&r, no_data, 0);
}

int pne_interp_gap(struct pne_interp_conn *conn, enum pne_dir dir, uint64_t n,
		   pne_adu_cb cb, void *arg)
{
	struct run r;
	struct pne_dir_core *core;
	const struct pne_op *op;

	if ((unsigned)dir > PNE_S2C)
		return 0;
	run_init(&r, conn, dir, cb, arg);
	core = r.core;
	if (core->status == PNE_IS_OK || core->status == PNE_IS_WAITING)
		run(&r, no_data, 0);  /* a blocked pop the other direction fed since */
	switch (core->status) {
	case PNE_IS_OPAQUE:
	case PNE_IS_CLOSED:
		consume(&r, n, true);
		return 0;
	case PNE_IS_RESYNC:
		if (resync_mode(conn, r.unit) == PNE_RESYNC_NONE) {
			consume(&r, n, true);
			return 0;
		}
		enter_resync(&r);  /* the scan can't continue across the hole */
		core->off += n;
		return 1;
	default:
		break;
	}
	op = &r.spec->ops[core->pc];
	if (core->phase == 1 && !pending(&r) &&
	    ((op->code == PNE_OP_SKIP && core->remain >= n) ||
	     (op->code == PNE_OP_UNTIL_CLOSE && room(&r) >= n))) {
		if (op->code == PNE_OP_SKIP)
			core->remain -= n;
		consume(&r, n, true);
		run(&r, no_data, 0);
		return 0;
	}
	core->err = PNE_ERR_GAP;
	enter_resync(&r);
	core->off += n;
	return 1;
}

void pne_interp_events(struct pne_interp_conn *conn, enum pne_dir dir, unsigned mask)
{
	struct pne_dir_core *core;

	if ((unsigned)dir > PNE_S2C)
		return;
	core = dir_core(conn, dir);
	mask &= PNE_EV_HEAD | PNE_EV_SKIP;
	if (mask & PNE_EV_HEAD)
		mask |= core->events & PNE_EV_HEAD_DONE;
	if (mask & PNE_EV_SKIP)
		mask |= core->events & PNE_EV_SKIP_CONT;
	core->events = (uint8_t)mask;
}

void pne_interp_unsync(struct pne_interp_conn *conn, enum pne_dir dir,
		       pne_adu_cb cb, void *arg)
{
	struct run r;

	if ((unsigned)dir > PNE_S2C)
		return;
	run_init(&r, conn, dir, cb, arg);
	if (r.core->status == PNE_IS_OK || r.core->status == PNE_IS_WAITING)
		enter_resync(&r);
}

void pne_interp_force(struct pne_interp_conn *conn, enum pne_dir dir)
{
	struct run r;

	if ((unsigned)dir > PNE_S2C)
		return;
	run_init(&r, conn, dir, NULL, NULL);
	if (r.core->status != PNE_IS_WAITING)
		return;
	take_default(&r, &r.spec->ops[r.core->pc]);
}

/* The stream's end ends a peek under way: the operations after it run
 * over its bytes, and may start another peek, which ends the same way.
 * Peeks start at increasing offsets unless the table loops. */
static void close_peeks(const struct run *r)
{
	struct pne_dir_core *core = r->core;
	uint64_t at = UINT64_MAX;
	unsigned same = 0;

	while (peek_open(r)) {
		uint64_t start = core->off - core->have;

		same = start == at ? same + 1 : 0;
		at = start;
		if (same >= CLOSE_PEEK_LIMIT) {
			invalid(r, PNE_ERR_NO_PROGRESS);
			return;
		}
		peek_close(r);
		run(r, no_data, 0);
	}
}

void pne_interp_close(struct pne_interp_conn *conn, enum pne_dir dir,
		      pne_adu_cb cb, void *arg)
{
	struct run r;
	struct pne_dir_core *core;
	struct pne_hist *h;

	if ((unsigned)dir > PNE_S2C)
		return;
	run_init(&r, conn, dir, cb, arg);
	core = r.core;
	h = hist_of(&r);
	if (core->status == PNE_IS_OK || core->status == PNE_IS_WAITING) {
		run(&r, no_data, 0);  /* a blocked pop the other direction fed since */
		close_peeks(&r);
		if (core->status == PNE_IS_OK && core->phase == 1 &&
		    r.spec->ops[core->pc].code == PNE_OP_UNTIL_CLOSE) {
			if (core->off > core->adu_start)
				report(&r, 1);
		} else if ((core->status == PNE_IS_OK || core->status == PNE_IS_WAITING) &&
			   (core->off > core->adu_start || (h != NULL && h->pend > 0))) {
			conn->stats.partial++;
		}
		report_abort(&r);  /* a partial ADU whose HEAD was reported */
	}
	if (h)
		h->len = h->pend = 0;
	hbuf_put(&r);
	core->status = PNE_IS_CLOSED;
}

enum pne_interp_status pne_interp_status(const struct pne_interp_conn *conn,
					 enum pne_dir dir)
{
	if ((unsigned)dir > PNE_S2C)
		return PNE_IS_CLOSED;
	return (enum pne_interp_status)dir_core(conn, dir)->status;
}

const struct pne_interp_stats *pne_interp_stats(const struct pne_interp_conn *conn)
{
	return &conn->stats;
}

const char *pne_interp_error(const struct pne_interp_conn *conn, enum pne_dir dir)
{
	unsigned err;

	if ((unsigned)dir > PNE_S2C)
		return NULL;
	err = dir_core(conn, dir)->err;
	if (err >= PNE_ERR_STR)
		return conn->broken ? NULL : pne_interp_str(conn->spec,
							    (uint16_t)(err - PNE_ERR_STR));
	return err < PNE_ERR__COUNT ? err_str[err] : NULL;
}
