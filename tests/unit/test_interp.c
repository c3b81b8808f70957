/*
 * Unit tests of the table interpreter (runtime/interp.c) over specs built
 * by hand in C, independent of pnec: a small table builder (tb_*) and an
 * Aho-Corasick automaton builder stand in for the compiler.
 *
 * Every valid stream is framed many ways -- whole, cut in two at every
 * byte, one byte at a time, and through the fast path (skippable/advance)
 * -- and each way must report exactly the expected ADUs. Every fed piece
 * ends right before a PROT_NONE guard page, so an over-read crashes.
 */
#include <ctype.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "pne/interp.h"
#include "pne/table.h"

/* ---- table builder ---- */

struct tb_dfa {
	uint8_t cls[256];
	uint16_t next[64 * 32];
	uint16_t acc[64];
};

struct tb {
	struct pne_spec spec;
	struct pne_op ops[128];
	uint8_t code[4096];
	uint64_t consts[16];
	struct pne_unit units[4];
	struct pne_hdr hdrs[16];
	struct pne_field fields[32];
	struct pne_text texts[8];
	struct pne_tfield tfields[32];
	struct pne_dfa dfas[8];
	struct tb_dfa dstore[8];
	struct pne_report reports[24];
	struct pne_typemap typemaps[16];
	struct pne_cvar cvars[8];
	struct pne_fifo fifos[4];
	struct pne_str strs[96];
};

static struct tb *tb_new(const char *name, unsigned nslots)
{
	struct tb *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	b->spec.abi = PNE_TABLE_ABI;
	b->spec.name = name;
	b->spec.title = name;
	b->spec.nslots = (uint8_t)nslots;
	b->spec.ops = b->ops;
	b->spec.code = b->code;
	b->spec.consts = b->consts;
	b->spec.units = b->units;
	b->spec.hdrs = b->hdrs;
	b->spec.fields = b->fields;
	b->spec.texts = b->texts;
	b->spec.tfields = b->tfields;
	b->spec.dfas = b->dfas;
	b->spec.reports = b->reports;
	b->spec.typemaps = b->typemaps;
	b->spec.cvars = b->cvars;
	b->spec.fifos = b->fifos;
	b->spec.strs = b->strs;
	b->spec.hdr_max = 16;
	b->spec.str_max = 128;
	return b;
}

static uint16_t tb_strn(struct tb *b, const char *s, size_t len)
{
	for (unsigned i = 0; i < b->spec.nstrs; i++)
		if (b->strs[i].len == len && memcmp(b->strs[i].s, s, len) == 0)
			return (uint16_t)i;
	assert_true(b->spec.nstrs < 96);
	b->strs[b->spec.nstrs] = (struct pne_str){ s, (uint32_t)len, 0 };
	return b->spec.nstrs++;
}

static uint16_t tb_str(struct tb *b, const char *s)
{
	return tb_strn(b, s, strlen(s));
}

/* An expression: the given bytecode followed by END. */
static uint32_t tb_expr(struct tb *b, const uint8_t *x, size_t n)
{
	uint32_t at = b->spec.ncode;

	assert_true(at + n + 1 <= sizeof(b->code));
	memcpy(b->code + at, x, n);
	b->code[at + n] = PNE_X_END;
	b->spec.ncode += (uint32_t)n + 1;
	return at;
}
#define EX(b, ...) tb_expr(b, (const uint8_t[]){ __VA_ARGS__ }, \
			   sizeof((const uint8_t[]){ __VA_ARGS__ }))
#define S(n) PNE_X_SLOT, (n)
#define I(n) PNE_X_IMM8, (n)
#define CV(n) PNE_X_CVAR, (n)

static uint32_t tb_op(struct tb *b, uint8_t code, uint8_t slot, uint16_t aux,
		      uint32_t expr, uint64_t max)
{
	assert_true(b->spec.nops < 128);
	b->ops[b->spec.nops] = (struct pne_op){ code, slot, aux, expr, max };
	return b->spec.nops++;
}
#define OP(b, code, slot, aux, expr) tb_op(b, PNE_OP_##code, slot, aux, expr, 0)
#define NOX PNE_NO_EXPR

static uint16_t tb_hdr(struct tb *b, uint32_t size, uint32_t max)
{
	struct pne_hdr *h = &b->hdrs[b->spec.nhdrs];

	*h = (struct pne_hdr){ size, max, b->spec.nfields, 0 };
	if (size > b->spec.hdr_max)
		b->spec.hdr_max = size;
	if (max > b->spec.hdr_max)
		b->spec.hdr_max = max;
	return b->spec.nhdrs++;
}

/* A field of the last header. */
static void tb_field(struct tb *b, uint16_t off, uint8_t type, uint8_t shift,
		     uint8_t slot, uint64_t mask)
{
	b->fields[b->spec.nfields++] = (struct pne_field){ off, type, shift, slot, {0}, mask };
	b->hdrs[b->spec.nhdrs - 1].nfields++;
}

/* An Aho-Corasick automaton over literals, accepting states last. */
static uint16_t tb_dfa(struct tb *b, const char *const *lits, unsigned nl, bool nocase)
{
	struct tb_dfa *st = &b->dstore[b->spec.ndfas];
	int go[64][32], fail[64] = { 0 }, depth[64] = { 0 }, out[64] = { 0 };
	int queue[64], qh = 0, qt = 0, map[64];
	unsigned ncls = 1, n = 1, k;

	memset(go, -1, sizeof(go));
	for (unsigned l = 0; l < nl; l++)
		for (const char *c = lits[l]; *c; c++) {
			uint8_t x = (uint8_t)(nocase ? tolower(*c) : *c);

			if (st->cls[x] == 0) {
				st->cls[x] = (uint8_t)ncls++;
				if (nocase)
					st->cls[toupper(x)] = st->cls[x];
			}
		}
	for (unsigned l = 0; l < nl; l++) {
		int s = 0;

		for (const char *c = lits[l]; *c; c++) {
			int x = st->cls[(uint8_t)*c];

			if (go[s][x] < 0) {
				depth[n] = depth[s] + 1;
				go[s][x] = (int)n++;
			}
			s = go[s][x];
		}
		out[s] = depth[s];
	}
	for (unsigned c = 0; c < ncls; c++) {
		if (go[0][c] < 0) {
			go[0][c] = 0;
		} else {
			fail[go[0][c]] = 0;
			queue[qt++] = go[0][c];
		}
	}
	while (qh < qt) {
		int s = queue[qh++];

		if (out[s] == 0)
			out[s] = out[fail[s]];
		for (unsigned c = 0; c < ncls; c++) {
			int t = go[s][c];

			if (t >= 0) {
				fail[t] = go[fail[s]][c];
				queue[qt++] = t;
			} else {
				go[s][c] = go[fail[s]][c];
			}
		}
	}
	k = 0;
	for (unsigned s = 0; s < n; s++)
		if (out[s] == 0)
			map[s] = (int)k++;
	b->dfas[b->spec.ndfas].accept = (uint16_t)k;
	for (unsigned s = 0; s < n; s++)
		if (out[s] != 0)
			map[s] = (int)k++;
	for (unsigned s = 0; s < n; s++) {
		for (unsigned c = 0; c < ncls; c++)
			st->next[map[s] * ncls + c] = (uint16_t)map[go[s][c]];
		if (out[s])
			st->acc[map[s] - b->dfas[b->spec.ndfas].accept] = (uint16_t)out[s];
	}
	b->dfas[b->spec.ndfas].cls = st->cls;
	b->dfas[b->spec.ndfas].next = st->next;
	b->dfas[b->spec.ndfas].accept_len = st->acc;
	b->dfas[b->spec.ndfas].nstates = (uint16_t)n;
	b->dfas[b->spec.ndfas].nclasses = (uint16_t)ncls;
	return b->spec.ndfas++;
}

/* A text step: until delim (NULL: sized by size_expr), at most max bytes. */
static uint16_t tb_text(struct tb *b, const char *delim, uint32_t size_expr, uint32_t max)
{
	struct pne_text *t = &b->texts[b->spec.ntexts];

	*t = (struct pne_text){
		.delim = PNE_NO_STR, .dfa = 0,
		.linesep = tb_str(b, "\r\n"), .kvsep = tb_str(b, ":"),
		.max = max, .field = b->spec.ntfields, .nfields = 0,
		.size_expr = size_expr,
	};
	if (delim) {
		t->delim = tb_str(b, delim);
		t->dfa = tb_dfa(b, &delim, 1, false);
	}
	if (max > b->spec.hdr_max)
		b->spec.hdr_max = max;
	return b->spec.ntexts++;
}

/* A field of the last text step; key: header name or literal. */
static void tb_tfield(struct tb *b, uint8_t src, uint16_t arg, const char *key,
		      uint8_t conv, const char *lit, uint8_t slot, uint64_t max)
{
	if (key)
		arg = tb_str(b, key);
	b->tfields[b->spec.ntfields++] = (struct pne_tfield){
		src, conv, slot, 0, arg, lit ? tb_str(b, lit) : PNE_NO_STR, max,
	};
	b->texts[b->spec.ntexts - 1].nfields++;
}

static struct pne_unit *tb_unit(struct tb *b, const char *name, uint32_t entry,
				uint64_t max_len)
{
	struct pne_unit *u = &b->units[b->spec.nunits++];

	*u = (struct pne_unit){ .name = tb_str(b, name), .entry = (uint16_t)entry,
				.max_len = max_len, .report = b->spec.nreports,
				.typemap = b->spec.ntypemaps, .type_default = PNE_NO_STR };
	return u;
}

/* A report of the last unit. */
static void tb_report(struct tb *b, const char *name, uint8_t slot, uint8_t kind)
{
	b->reports[b->spec.nreports++] = (struct pne_report){ tb_str(b, name), slot, kind };
	b->units[b->spec.nunits - 1].nreports++;
}

/* A type name of the last unit. */
static void tb_type(struct tb *b, uint64_t value, const char *name)
{
	b->typemaps[b->spec.ntypemaps++] = (struct pne_typemap){ value, tb_str(b, name), {0} };
	b->units[b->spec.nunits - 1].ntypemaps++;
}

/* ---- harness ---- */

#define MAX_ADUS 256

struct got {
	int dir;
	uint64_t off, len;
	char type[32];
	int synced, closed;
	char json[256];
};

struct rec {
	struct got a[MAX_ADUS];
	unsigned n;
};

struct want {
	uint64_t off, len;
	const char *type;
	const char *json;    /* NULL: not checked */
	int unsynced;
	int closed;
};

static void on_adu(const struct pne_adu *adu, void *arg)
{
	struct rec *r = arg;
	struct got *g;
	size_t need;

	assert_true(r->n < MAX_ADUS);
	g = &r->a[r->n++];
	g->dir = adu->dir;
	g->off = adu->off;
	g->len = adu->len;
	snprintf(g->type, sizeof(g->type), "%s", adu->type);
	g->synced = adu->synced;
	g->closed = adu->closed;
	need = pne_adu_fields_json(adu, g->json, sizeof(g->json));
	assert_true(need < sizeof(g->json));
	assert_int_equal(strlen(g->json), need);
}

static uint8_t *guard_end;
#define GUARD_SPACE (1u << 20)

static int guard_setup(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *p = mmap(NULL, GUARD_SPACE + (size_t)pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + GUARD_SPACE, (size_t)pg, PROT_NONE) != 0)
		return -1;
	guard_end = p + GUARD_SPACE;
	return 0;
}

static int guard_teardown(void **state)
{
	munmap(guard_end - GUARD_SPACE, GUARD_SPACE + (size_t)sysconf(_SC_PAGESIZE));
	return 0;
}

/* data copied so that its last byte is the last readable one */
static const uint8_t *guarded(const uint8_t *data, size_t len)
{
	assert_true(len <= GUARD_SPACE);
	memmove(guard_end - len, data, len);
	return guard_end - len;
}

static struct pne_interp_conn *conn_new(const struct pne_spec *spec,
					const uint64_t *params, int synced0, int synced1)
{
	size_t size = pne_interp_conn_size(spec);
	struct pne_interp_conn *c = aligned_alloc(8, (size + 7) & ~(size_t)7);
	int synced[2] = { synced0, synced1 };

	assert_non_null(c);
	memset(c, 0xa5, size);  /* init must not rely on zeroed memory */
	pne_interp_init(c, spec, params, synced);
	return c;
}

static size_t feed(struct pne_interp_conn *c, enum pne_dir d, const uint8_t *data,
		   size_t len, struct rec *out)
{
	return pne_interp_feed(c, d, guarded(data, len), len, on_adu, out);
}

/*
 * Frames data[0..len) of direction d cut at cut (0: not cut), in pieces of
 * step bytes (0: whole). fast: first pass over whatever is skippable with
 * pne_interp_advance(). The stream is closed at the end.
 */
static void frame_cb(struct pne_interp_conn *c, enum pne_dir d, const uint8_t *data,
		     size_t len, size_t cut, size_t step, bool fast, pne_adu_cb cb, void *arg)
{
	size_t pos = 0;

	for (int part = 0; part < 2; part++) {
		size_t end = part == 0 ? cut : len;

		while (pos < end) {
			size_t piece = step ? step : end - pos;
			uint64_t sk;

			if (fast && (sk = pne_interp_skippable(c, d)) > 0) {
				uint64_t a = sk < end - pos ? sk : end - pos;

				pne_interp_advance(c, d, a, cb, arg);
				pos += (size_t)a;
				continue;
			}
			if (piece > end - pos)
				piece = end - pos;
			assert_int_equal(pne_interp_feed(c, d, guarded(data + pos, piece), piece,
							 cb, arg), piece);
			pos += piece;
		}
	}
	pne_interp_close(c, d, cb, arg);
}

static void frame(struct pne_interp_conn *c, enum pne_dir d, const uint8_t *data,
		  size_t len, size_t cut, size_t step, bool fast, struct rec *out)
{
	frame_cb(c, d, data, len, cut, step, fast, on_adu, out);
}

static bool same(const struct rec *r, const struct want *w, unsigned nw)
{
	if (r->n != nw)
		return false;
	for (unsigned k = 0; k < nw; k++) {
		const struct got *g = &r->a[k];

		if (g->off != w[k].off || g->len != w[k].len || strcmp(g->type, w[k].type) ||
		    g->synced != !w[k].unsynced || g->closed != w[k].closed ||
		    (w[k].json && strcmp(g->json, w[k].json)))
			return false;
	}
	return true;
}

static void dump(const char *how, size_t cut, const struct rec *r,
		 const struct want *w, unsigned nw)
{
	print_message("mismatch (%s, cut %zu): got %u ADUs, want %u\n", how, cut, r->n, nw);
	for (unsigned k = 0; k < r->n; k++)
		print_message("  got  off=%" PRIu64 " len=%" PRIu64 " %s synced=%d closed=%d %s\n",
			      r->a[k].off, r->a[k].len, r->a[k].type, r->a[k].synced,
			      r->a[k].closed, r->a[k].json);
	for (unsigned k = 0; k < nw; k++)
		print_message("  want off=%" PRIu64 " len=%" PRIu64 " %s synced=%d closed=%d %s\n",
			      w[k].off, w[k].len, w[k].type, !w[k].unsynced, w[k].closed,
			      w[k].json ? w[k].json : "-");
}

static struct rec R;

/*
 * Frames one direction's stream every way and checks each against want;
 * examined: the bytes the interpreter must look at (UINT64_MAX: any), the
 * rest must have been skipped.
 */
static void check_stream(const struct pne_spec *spec, enum pne_dir d, const uint8_t *data,
			 size_t len, const struct want *w, unsigned nw, int synced,
			 uint64_t examined)
{
	static const struct { size_t step; bool fast; bool cuts; const char *how; } ways[] = {
		{ 0, false, false, "whole" },
		{ 0, false, true,  "two pieces" },
		{ 1, false, false, "bytes" },
		{ 1, true,  false, "fast bytes" },
		{ 0, true,  true,  "fast two pieces" },
	};
	uint64_t ref_examined = examined;

	for (unsigned k = 0; k < sizeof(ways) / sizeof(ways[0]); k++) {
		size_t ncut = ways[k].cuts ? len : 1;

		for (size_t cut = ways[k].cuts ? 1 : 0; cut < ncut || cut == 0; cut++) {
			struct pne_interp_conn *c = conn_new(spec, NULL, d == PNE_C2S ? synced : 1,
							     d == PNE_S2C ? synced : 1);
			const struct pne_interp_stats *st = pne_interp_stats(c);

			R.n = 0;
			frame(c, d, data, len, cut, ways[k].step, ways[k].fast, &R);
			if (!same(&R, w, nw)) {
				dump(ways[k].how, cut, &R, w, nw);
				fail();
			}
			assert_int_equal(st->bytes_examined + st->bytes_skipped, len);
			if (ref_examined == UINT64_MAX)
				ref_examined = st->bytes_examined;
			if (st->bytes_examined != ref_examined) {
				print_message("%s cut %zu: examined %" PRIu64 ", want %" PRIu64 "\n",
					      ways[k].how, cut, st->bytes_examined, ref_examined);
				fail();
			}
			free(c);
			if (cut == 0)
				break;
		}
	}
}

#define WANT(n) (sizeof(n) / sizeof((n)[0]))
#define LIT(s) (const uint8_t *)(s), sizeof(s) - 1

/* ---- a length-prefixed binary protocol: u16be length, type byte ---- */

enum { A_LEN, A_TYPE, A_HI };

static struct tb *spec_lenpfx(uint8_t resync)
{
	struct tb *b = tb_new("lenpfx", 3);
	struct pne_unit *u;
	uint32_t e0;
	uint16_t h = tb_hdr(b, 3, 0);

	tb_field(b, 0, PNE_FT_U16, 0, A_LEN, 0xffff);
	tb_field(b, 2, PNE_FT_U8, 0, A_TYPE, 0x7f);
	tb_field(b, 2, PNE_FT_U8, 7, A_HI, 1);
	b->consts[b->spec.nconsts++] = 1000;
	e0 = OP(b, HDR, 0, h, NOX);
	OP(b, REQUIRE, 0, tb_str(b, "len too big"),
	   EX(b, S(A_LEN), PNE_X_CONST, 0, 0, PNE_X_LE));
	OP(b, SKIP, 0, 0, EX(b, S(A_LEN)));
	OP(b, END, 0, 0, NOX);
	u = tb_unit(b, "msg", e0, 1003);
	u->resync = resync;
	u->type_slot = A_TYPE;
	u->type_default = tb_str(b, "other");
	tb_type(b, 1, "ping");
	tb_type(b, 2, "data");
	tb_report(b, "len", A_LEN, PNE_RK_UINT);
	tb_report(b, "type", A_TYPE, PNE_RK_UINT);
	tb_report(b, "hi", A_HI, PNE_RK_BOOL);
	return b;
}

static const char lenpfx_stream[] = "\x00\x02\x01" "ab" "\x00\x00\x02" "\x00\x03\x85xyz";

static void test_lenpfx(void **state)
{
	struct tb *b = spec_lenpfx(PNE_RESYNC_NONE);
	static const struct want w[] = {
		{ 0, 5, "ping", "{\"len\":2,\"type\":1,\"hi\":false}", 0, 0 },
		{ 5, 3, "data", "{\"len\":0,\"type\":2,\"hi\":false}", 0, 0 },
		{ 8, 6, "other", "{\"len\":3,\"type\":5,\"hi\":true}", 0, 0 },
	};

	check_stream(&b->spec, PNE_C2S, LIT(lenpfx_stream), w, WANT(w), 1, 9);
	check_stream(&b->spec, PNE_S2C, LIT(lenpfx_stream), w, WANT(w), 1, 9);
	free(b);
}

static void test_lenpfx_invalid_lost(void **state)
{
	struct tb *b = spec_lenpfx(PNE_RESYNC_NONE);
	struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);
	static const char s[] = "\x00\x02\x01" "ab" "\x03\xe9\x01" "more";

	R.n = 0;
	assert_int_equal(feed(c, PNE_C2S, LIT(s), &R), sizeof(s) - 1);
	assert_int_equal(R.n, 1);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "len too big");
	assert_null(pne_interp_error(c, PNE_S2C));
	assert_int_equal(pne_interp_stats(c)->invalid, 1);
	/* lost for good: everything after is skippable */
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), UINT64_MAX);
	assert_int_equal(feed(c, PNE_C2S, LIT(lenpfx_stream), &R), sizeof(lenpfx_stream) - 1);
	pne_interp_advance(c, PNE_C2S, 1000, on_adu, &R);
	assert_int_equal(R.n, 1);
	assert_int_equal(pne_interp_stats(c)->bytes_skipped, 2 + 4 + sizeof(lenpfx_stream) - 1 + 1000);
	pne_interp_close(c, PNE_C2S, on_adu, &R);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_CLOSED);
	assert_int_equal(pne_interp_stats(c)->partial, 0);
	free(c);

	/* a direction picked up mid-stream with no resync rule is lost too */
	c = conn_new(&b->spec, NULL, 0, 1);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_OK);
	assert_int_equal(feed(c, PNE_C2S, LIT(lenpfx_stream), &R), sizeof(lenpfx_stream) - 1);
	assert_int_equal(R.n, 1);
	assert_int_equal(pne_interp_stats(c)->invalid, 0);
	free(c);
	free(b);
}

static void test_gap_and_advance(void **state)
{
	struct tb *b = spec_lenpfx(PNE_RESYNC_NONE);
	struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);

	/* a gap inside a skip is absorbed */
	R.n = 0;
	feed(c, PNE_C2S, LIT("\x00\x10\x01" "abcd"), &R);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 12);
	assert_int_equal(pne_interp_gap(c, PNE_C2S, 8, on_adu, &R), 0);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 4);
	feed(c, PNE_C2S, LIT("wxyz"), &R);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.a[0].off, 0);
	assert_int_equal(R.a[0].len, 19);
	/* a gap that ends the skip reports the ADU at once */
	feed(c, PNE_C2S, LIT("\x00\x04\x02"), &R);
	assert_int_equal(pne_interp_gap(c, PNE_C2S, 4, on_adu, &R), 0);
	assert_int_equal(R.n, 2);
	assert_int_equal(R.a[1].off, 19);
	assert_int_equal(R.a[1].len, 7);
	/* advance() passes over the whole skip; completing it reports the
	 * ADU it ends at once, without a byte fed */
	feed(c, PNE_C2S, LIT("\x00\x04\x01"), &R);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 4);
	pne_interp_advance(c, PNE_C2S, 3, on_adu, &R);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 1);
	assert_int_equal(R.n, 2);
	pne_interp_advance(c, PNE_C2S, 1, on_adu, &R);
	assert_int_equal(R.n, 3);
	assert_int_equal(R.a[2].off, 26);
	assert_int_equal(R.a[2].len, 7);
	/* the next ADU's header needs bytes: nothing more to skip */
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 0);
	assert_int_equal(pne_interp_stats(c)->bytes_skipped, 16 + 4 + 4);
	assert_int_equal(pne_interp_stats(c)->bytes_examined, 3 + 3 + 3);
	/* a partial ADU is counted at close */
	feed(c, PNE_C2S, LIT("\x00\x09\x01" "ab"), &R);
	pne_interp_close(c, PNE_C2S, on_adu, &R);
	assert_int_equal(R.n, 3);
	assert_int_equal(pne_interp_stats(c)->partial, 1);
	free(c);

	/* a gap in a header can't be absorbed */
	c = conn_new(&b->spec, NULL, 1, 1);
	feed(c, PNE_C2S, LIT("\x00"), &R);
	assert_int_equal(pne_interp_gap(c, PNE_C2S, 2, on_adu, &R), 1);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "gap in the stream");
	assert_int_equal(pne_interp_stats(c)->invalid, 0);
	free(c);

	/* neither can one longer than the skip */
	c = conn_new(&b->spec, NULL, 1, 1);
	feed(c, PNE_C2S, LIT("\x00\x05\x01"), &R);
	assert_int_equal(pne_interp_gap(c, PNE_C2S, 6, on_adu, &R), 1);
	free(c);

	/* advancing past what is skippable is a gap too */
	c = conn_new(&b->spec, NULL, 1, 1);
	feed(c, PNE_C2S, LIT("\x00\x05\x01"), &R);
	pne_interp_advance(c, PNE_C2S, 9, on_adu, &R);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	free(c);
	free(b);
}

/* Random ADU sequences, random cuts, with and without the fast path. */
static void test_random(void **state)
{
	struct tb *b = spec_lenpfx(PNE_RESYNC_NONE);
	static uint8_t s[64 * 304];
	static struct want w[64];
	static const char *const names[] = { "other", "ping", "data", "other" };
	unsigned seed = 12345;

	for (int iter = 0; iter < 300; iter++) {
		unsigned nw = 1 + (unsigned)rand_r(&seed) % 40;
		size_t len = 0;

		for (unsigned k = 0; k < nw; k++) {
			unsigned l = (unsigned)rand_r(&seed) % (k % 5 ? 40 : 300);
			unsigned t = (unsigned)rand_r(&seed) % 4;

			w[k] = (struct want){ len, 3 + l, names[t], NULL, 0, 0 };
			s[len++] = (uint8_t)(l >> 8);
			s[len++] = (uint8_t)l;
			s[len++] = (uint8_t)t;
			for (unsigned x = 0; x < l; x++)
				s[len++] = (uint8_t)rand_r(&seed);
		}
		for (int fast = 0; fast < 2; fast++) {
			struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);
			size_t pos = 0;

			R.n = 0;
			while (pos < len) {
				size_t piece = 1 + (size_t)rand_r(&seed) % (rand_r(&seed) % 2 ? 8 : 400);
				uint64_t sk;

				if (piece > len - pos)
					piece = len - pos;
				if (fast && (sk = pne_interp_skippable(c, PNE_C2S)) > 0) {
					piece = sk < piece ? (size_t)sk : piece;
					pne_interp_advance(c, PNE_C2S, piece, on_adu, &R);
				} else {
					assert_int_equal(feed(c, PNE_C2S, s + pos, piece, &R), piece);
				}
				pos += piece;
			}
			pne_interp_close(c, PNE_C2S, on_adu, &R);
			if (!same(&R, w, nw)) {
				dump(fast ? "random fast" : "random", (size_t)iter, &R, w, nw);
				fail();
			}
			assert_int_equal(pne_interp_stats(c)->bytes_examined, 3 * nw);
			assert_int_equal(pne_interp_stats(c)->bytes_skipped, len - 3 * nw);
			free(c);
		}
	}
	free(b);
}

/* ---- iSCSI-like: 48-byte BHS, computed length with padding, confirm ---- */

enum { B_OP, B_AHS, B_DSL, B_PAD };

static struct tb *spec_bhs(void)
{
	struct tb *b = tb_new("bhs", 4);
	struct pne_unit *u;
	uint32_t e0;
	uint16_t h = tb_hdr(b, 48, 0);

	tb_field(b, 0, PNE_FT_U8, 0, B_OP, 0x3f);
	tb_field(b, 4, PNE_FT_U8, 0, B_AHS, 0xff);
	tb_field(b, 5, PNE_FT_U24, 0, B_DSL, 0xffffff);
	e0 = OP(b, HDR, 0, h, NOX);
	OP(b, REQUIRE, 0, tb_str(b, "bad opcode"),
	   EX(b, S(B_OP), I(1), PNE_X_EQ, S(B_OP), I(0x21), PNE_X_EQ, PNE_X_LOR));
	/* the confirm test covers the SETs among the requires too */
	OP(b, SET, B_PAD, 0, EX(b, S(B_DSL), I(3), PNE_X_ADD, I(3), PNE_X_BNOT, PNE_X_AND));
	OP(b, REQUIRE, 0, PNE_NO_STR, EX(b, S(B_PAD), I(32), I(8), PNE_X_SHL, PNE_X_LE));
	/* ahs * 4 + pad4(dsl) */
	OP(b, SKIP, 0, 0, EX(b, S(B_AHS), I(4), PNE_X_MUL, S(B_PAD), PNE_X_ADD));
	OP(b, END, 0, 0, NOX);
	u = tb_unit(b, "pdu", e0, 48 + 1020 + 8192 + 3);
	u->resync = PNE_RESYNC_CONFIRM;
	u->confirm = 2;
	u->type_slot = B_OP;
	tb_type(b, 1, "scsi_command");
	tb_type(b, 0x21, "scsi_response");
	tb_report(b, "opcode", B_OP, PNE_RK_UINT);
	tb_report(b, "dsl", B_DSL, PNE_RK_UINT);
	return b;
}

static size_t pdu(uint8_t *p, uint8_t op, uint8_t ahs, uint32_t dsl)
{
	size_t len = 48 + ahs * 4u + ((dsl + 3) & ~3u);

	memset(p, 'd', len);
	memset(p, 0, 48);
	p[0] = op;
	p[1] = 0x80;
	p[4] = ahs;
	p[5] = (uint8_t)(dsl >> 16);
	p[6] = (uint8_t)(dsl >> 8);
	p[7] = (uint8_t)dsl;
	return len;
}

static void test_bhs(void **state)
{
	struct tb *b = spec_bhs();
	uint8_t s[512];
	size_t n = 0;
	static const struct want w[] = {
		{ 0, 56, "scsi_command", "{\"opcode\":1,\"dsl\":5}", 0, 0 },
		{ 56, 52, "scsi_response", "{\"opcode\":33,\"dsl\":0}", 0, 0 },
		{ 108, 60, "scsi_command", "{\"opcode\":1,\"dsl\":12}", 0, 0 },
	};

	n += pdu(s + n, 0x01, 0, 5);
	n += pdu(s + n, 0x21, 1, 0);
	n += pdu(s + n, 0x41, 0, 12);
	assert_int_equal(n, 168);
	check_stream(&b->spec, PNE_C2S, s, n, w, WANT(w), 1, 144);
	free(b);
}

/* Mid-stream pickup after garbage: the first valid header, then two
 * ADUs to confirm (reported unsynced), then synced. */
static void test_bhs_confirm(void **state)
{
	struct tb *b = spec_bhs();
	uint8_t s[512];
	size_t n = 10;
	static const struct want w[] = {
		{ 10, 56, "scsi_command", NULL, 1, 0 },
		{ 66, 52, "scsi_response", NULL, 1, 0 },
		{ 118, 60, "scsi_command", "{\"opcode\":1,\"dsl\":12}", 0, 0 },
	};

	memset(s, 0xff, n);
	n += pdu(s + n, 0x01, 0, 5);
	n += pdu(s + n, 0x21, 1, 0);
	n += pdu(s + n, 0x41, 0, 12);
	check_stream(&b->spec, PNE_C2S, s, n, w, WANT(w), 0, 10 + 144);
	free(b);
}

/* An invalid PDU in a synced stream: resync by confirmation. */
static void test_bhs_invalid(void **state)
{
	struct tb *b = spec_bhs();
	uint8_t s[512];
	size_t n = 0;
	static const struct want w[] = {
		{ 0, 56, "scsi_command", NULL, 0, 0 },
		{ 104, 52, "scsi_response", NULL, 1, 0 },
		{ 156, 60, "scsi_command", NULL, 1, 0 },
		{ 216, 48, "scsi_response", NULL, 0, 0 },
	};
	struct pne_interp_conn *c;

	n += pdu(s + n, 0x01, 0, 5);
	n += pdu(s + n, 0x05, 0, 0);
	n += pdu(s + n, 0x21, 1, 0);
	n += pdu(s + n, 0x01, 0, 12);
	n += pdu(s + n, 0x21, 0, 0);
	check_stream(&b->spec, PNE_C2S, s, n, w, WANT(w), 1, 5 * 48);

	/* garbage first in a synced stream: the failed header is rescanned
	 * from its second byte, and the real PDU inside it is found */
	{
		static const struct want wg[] = {
			{ 13, 56, "scsi_command", NULL, 1, 0 },
			{ 69, 52, "scsi_response", NULL, 1, 0 },
			{ 121, 60, "scsi_command", NULL, 0, 0 },
		};
		uint8_t g[512];
		size_t ng = 13;

		memset(g, 0, ng);
		ng += pdu(g + ng, 0x01, 0, 5);
		ng += pdu(g + ng, 0x21, 1, 0);
		ng += pdu(g + ng, 0x01, 0, 12);
		check_stream(&b->spec, PNE_C2S, g, ng, wg, WANT(wg), 1, ng - 24);
	}

	c = conn_new(&b->spec, NULL, 1, 1);
	R.n = 0;
	feed(c, PNE_C2S, s, n, &R);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "bad opcode");
	assert_int_equal(pne_interp_stats(c)->invalid, 1);
	assert_int_equal(pne_interp_stats(c)->resyncs, 1);
	free(c);

	/* a gap in a header: the confirm scan takes over after it */
	c = conn_new(&b->spec, NULL, 1, 1);
	R.n = 0;
	feed(c, PNE_C2S, s, 20, &R);
	assert_int_equal(pne_interp_gap(c, PNE_C2S, 36, on_adu, &R), 1);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 0);
	feed(c, PNE_C2S, s + 56, n - 56, &R);
	assert_int_equal(R.n, 3);
	assert_int_equal(R.a[0].off, 104);
	assert_int_equal(R.a[0].synced, 0);
	free(c);
	free(b);
}

/* ---- little endian lengths and the ADU max ---- */

static struct tb *spec_le(void)
{
	struct tb *b = tb_new("le", 1);
	uint16_t h = tb_hdr(b, 4, 0);
	uint32_t e0;

	tb_field(b, 0, PNE_FT_U32 | PNE_FT_LE, 0, 0, 0xffffffff);
	e0 = OP(b, HDR, 0, h, NOX);
	OP(b, SKIP, 0, 0, EX(b, S(0), I(4), PNE_X_SUB));
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "le", e0, 100);
	tb_report(b, "len", 0, PNE_RK_UINT);
	return b;
}

static void test_le(void **state)
{
	struct tb *b = spec_le();
	static const char s[] = "\x06\x00\x00\x00" "ab" "\x04\x00\x00\x00"
				"\x0a\x00\x00\x00" "abcdef";
	static const struct want w[] = {
		{ 0, 6, "le", "{\"len\":6}", 0, 0 },
		{ 6, 4, "le", "{\"len\":4}", 0, 0 },
		{ 10, 10, "le", "{\"len\":10}", 0, 0 },
	};
	struct pne_interp_conn *c;

	check_stream(&b->spec, PNE_C2S, LIT(s), w, WANT(w), 1, 12);

	c = conn_new(&b->spec, NULL, 1, 1);
	feed(c, PNE_C2S, LIT("\x02\x00\x00\x00"), &R);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "subtraction below zero");
	free(c);

	c = conn_new(&b->spec, NULL, 1, 1);
	feed(c, PNE_C2S, LIT("\xc8\x00\x00\x00"), &R);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "ADU longer than its unit's max");
	free(c);
	free(b);
}

/* ---- every expression opcode, and expression faults ---- */

struct xcase {
	uint8_t code[40];
	size_t len;
	uint64_t value;
	const char *err;  /* NULL: expect value */
};

#define XC(v, ...) { { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), v, NULL }
#define XE(e, ...) { { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), 0, e }

static void test_expressions(void **state)
{
	static const struct xcase cases[] = {
		XC(9, S(0), S(1), PNE_X_ADD),
		XC(5, S(0), S(1), PNE_X_SUB),
		XC(14, S(0), S(1), PNE_X_MUL),
		XC(3, S(0), S(1), PNE_X_DIV),
		XC(1, S(0), S(1), PNE_X_MOD),
		XC(2, S(0), S(1), PNE_X_AND),
		XC(7, S(0), S(1), PNE_X_OR),
		XC(5, S(0), S(1), PNE_X_XOR),
		XC(28, S(0), S(1), PNE_X_SHL),
		XC(1, S(0), S(1), PNE_X_SHR),
		XC(0, S(0), I(64), PNE_X_SHL),
		XC(0, S(0), I(200), PNE_X_SHR),
		XC(0, S(0), S(1), PNE_X_EQ),
		XC(1, S(0), S(1), PNE_X_NE),
		XC(0, S(0), S(1), PNE_X_LT),
		XC(1, S(1), S(1), PNE_X_LE),
		XC(1, S(0), S(1), PNE_X_GT),
		XC(0, S(1), S(0), PNE_X_GE),
		XC(1, S(0), S(1), PNE_X_LAND),
		XC(0, S(0), I(0), PNE_X_LAND),
		XC(1, I(0), S(1), PNE_X_LOR),
		XC(0, S(0), PNE_X_LNOT),
		XC(UINT64_MAX, I(0), PNE_X_BNOT),
		XC(10, S(0), I(10), I(20), PNE_X_SEL),
		XC(20, I(0), I(10), I(20), PNE_X_SEL),
		XC(2, S(0), S(1), PNE_X_MIN),
		XC(7, S(0), S(1), PNE_X_MAX),
		XC(UINT64_C(1) << 40, PNE_X_CONST, 0, 0),
		XC(5, CV(0)),
		XC(0, PNE_X_FIFOLEN, 0),
		XC(255, I(255)),
		XE("subtraction below zero", S(1), S(0), PNE_X_SUB),
		XE("division by zero", S(0), I(0), PNE_X_DIV),
		XE("division by zero", S(0), I(0), PNE_X_MOD),
		XE("malformed expression", I(1), I(1), I(1), I(1), I(1), I(1), I(1), I(1),
		   I(1), I(1), I(1), I(1), I(1), I(1), I(1), I(1), I(1)),
		XE("malformed expression", I(1), PNE_X_ADD),
		XE("malformed expression", 0xee),
		XE("malformed expression", S(200)),
		XE("malformed expression", PNE_X_CONST, 9, 0),
		XE("malformed expression", CV(9)),
		XE("malformed expression", PNE_X_FIFOLEN, 3),
		XE("malformed expression", I(1), I(2)),
	};

	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct tb *b = tb_new("x", 3);
		struct pne_interp_conn *c;
		uint16_t h = tb_hdr(b, 2, 0);
		uint32_t e0, x;

		tb_field(b, 0, PNE_FT_U8, 0, 0, 0xff);
		tb_field(b, 1, PNE_FT_U8, 0, 1, 0xff);
		b->consts[b->spec.nconsts++] = UINT64_C(1) << 40;
		b->cvars[b->spec.ncvars++] = (struct pne_cvar){ tb_str(b, "cv"), 1, 8, 0, 5 };
		b->fifos[b->spec.nfifos++] = (struct pne_fifo){ tb_str(b, "f"), 4, 1, {0} };
		x = tb_expr(b, cases[k].code, cases[k].len);
		e0 = OP(b, HDR, 0, h, NOX);
		OP(b, SET, 2, 0, x);
		OP(b, END, 0, 0, NOX);
		tb_unit(b, "x", e0, 10);
		tb_report(b, "r", 2, PNE_RK_UINT);
		c = conn_new(&b->spec, NULL, 1, 1);
		R.n = 0;
		feed(c, PNE_C2S, LIT("\x07\x02"), &R);
		if (cases[k].err) {
			assert_int_equal(R.n, 0);
			assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
			assert_string_equal(pne_interp_error(c, PNE_C2S), cases[k].err);
		} else {
			char json[64];

			snprintf(json, sizeof(json), "{\"r\":%" PRIu64 "}", cases[k].value);
			assert_int_equal(R.n, 1);
			assert_string_equal(R.a[0].json, json);
		}
		free(c);
		free(b);
	}
}

/* An expression that runs off the end of the code without END. */
static void test_expression_unterminated(void **state)
{
	struct tb *b = tb_new("x", 1);
	struct pne_interp_conn *c;
	uint16_t h = tb_hdr(b, 1, 0);
	uint32_t e0;

	e0 = OP(b, HDR, 0, h, NOX);
	OP(b, SET, 0, 0, b->spec.ncode);
	OP(b, END, 0, 0, NOX);
	b->code[b->spec.ncode++] = PNE_X_IMM8;  /* its operand is missing */
	tb_unit(b, "x", e0, 10);
	c = conn_new(&b->spec, NULL, 1, 1);
	feed(c, PNE_C2S, LIT("a"), &R);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "malformed expression");
	free(c);
	b->code[b->spec.ncode - 1] = PNE_X_IMM8;
	b->code[b->spec.ncode++] = 4;  /* now without END */
	c = conn_new(&b->spec, NULL, 1, 1);
	feed(c, PNE_C2S, LIT("a"), &R);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "malformed expression");
	free(c);
	free(b);
}

/* ---- a varint protocol (MQTT remaining length) ---- */

static struct tb *spec_varint(void)
{
	struct tb *b = tb_new("mqtt", 2);
	struct pne_unit *u;
	uint16_t h = tb_hdr(b, 1, 0);
	uint32_t e0;

	tb_field(b, 0, PNE_FT_U8, 4, 0, 0x0f);
	e0 = OP(b, HDR, 0, h, NOX);
	tb_op(b, PNE_OP_VARINT, 1, 0, NOX, 4);
	OP(b, SKIP, 0, 0, EX(b, S(1)));
	OP(b, END, 0, 0, NOX);
	u = tb_unit(b, "mqtt", e0, 1 + 4 + 268435455);
	u->type_slot = 0;
	tb_type(b, 3, "publish");
	tb_type(b, 12, "pingreq");
	tb_report(b, "rl", 1, PNE_RK_UINT);
	return b;
}

static void test_varint(void **state)
{
	struct tb *b = spec_varint();
	uint8_t s[256];
	size_t n = 0;
	static const struct want w[] = {
		{ 0, 5, "publish", "{\"rl\":3}", 0, 0 },
		{ 5, 2, "pingreq", "{\"rl\":0}", 0, 0 },
		{ 7, 131, "publish", "{\"rl\":128}", 0, 0 },
		{ 138, 16388, "mqtt", "{\"rl\":16384}", 0, 0 },
	};
	static uint8_t big[16600];
	struct pne_interp_conn *c;

	memcpy(s, "\x30\x03" "abc" "\xc0\x00" "\x30\x80\x01", 10);
	n = 10;
	memset(s + n, 'p', 128);
	n += 128;
	check_stream(&b->spec, PNE_C2S, s, n, w, 3, 1, 7);

	memcpy(big, s, n);
	memcpy(big + n, "\x10\x80\x80\x01", 4);
	memset(big + n + 4, 'q', 16384);
	c = conn_new(&b->spec, NULL, 1, 1);
	R.n = 0;
	frame(c, PNE_C2S, big, n + 16388, 0, 0, true, &R);
	assert_true(same(&R, w, 4));
	free(c);

	c = conn_new(&b->spec, NULL, 1, 1);
	feed(c, PNE_C2S, LIT("\x30\xff\xff\xff\xff\x01"), &R);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "varint longer than its max");
	free(c);
	free(b);
}

/* ---- a delimited text protocol: header lookup, chunked repeat loop ---- */

enum {
	F_METHOD, F_CL, F_CHUNKED, F_R, F_SZ, F_HOST, F_GET, F_VER, F_ULEN, F_NUM,
	F_XHEX, F_HASCL, F__N
};

static struct tb *spec_http(void)
{
	static const char *const anchors[] = { "GET ", "POST " };
	struct tb *b = tb_new("http", F__N);
	struct pne_unit *u;
	uint32_t e0, jz_cl, loop, jz_limit, jz_last, jmp_done, fail_at, cl_at, done;
	uint16_t t0, t1, t2;

	t0 = tb_text(b, "\r\n\r\n", PNE_NO_EXPR, 1024);
	tb_tfield(b, PNE_TS_WORD, 0, NULL, PNE_TC_STRING, NULL, F_METHOD, 8);
	tb_tfield(b, PNE_TS_WORD, 1, NULL, PNE_TC_LENGTH, NULL, F_ULEN, 0);
	tb_tfield(b, PNE_TS_WORD, 2, NULL, PNE_TC_PREFIX, "http/1.", F_VER, 0);
	tb_tfield(b, PNE_TS_HEADER, 0, "Host", PNE_TC_STRING, NULL, F_HOST, 32);
	tb_tfield(b, PNE_TS_HEADER, 0, "Content-Length", PNE_TC_DECIMAL, NULL, F_CL, 100000);
	tb_tfield(b, PNE_TS_HEADER, 0, "Transfer-Encoding", PNE_TC_CONTAINS, "CHUNKED",
		  F_CHUNKED, 0);
	tb_tfield(b, PNE_TS_HEADER, 0, "content-length", PNE_TC_PRESENT, NULL, F_HASCL, 0);
	tb_tfield(b, PNE_TS_WORD, 0, NULL, PNE_TC_IS, "get", F_GET, 0);
	tb_tfield(b, PNE_TS_HEADER, 0, "X-Num", PNE_TC_NUMERIC, NULL, F_NUM, 0);
	tb_tfield(b, PNE_TS_HEADER, 0, "X-Hex", PNE_TC_HEX, NULL, F_XHEX, 0xffff);
	t1 = tb_text(b, "\r\n", PNE_NO_EXPR, 20);
	tb_tfield(b, PNE_TS_LINE, 0, NULL, PNE_TC_HEX, NULL, F_SZ, 4096);
	t2 = tb_text(b, "\r\n", PNE_NO_EXPR, 100);

	e0 = OP(b, TEXT, 0, t0, NOX);
	jz_cl = OP(b, JZ, 0, 0, EX(b, S(F_CHUNKED)));
	/* repeat max 10 { text chunk size; if (!sz) break-ish; skip sz + 2 } */
	OP(b, SET, F_R, 0, EX(b, I(0)));
	loop = OP(b, JZ, 0, 0, EX(b, S(F_R), I(10), PNE_X_LT));
	jz_limit = loop;
	OP(b, SET, F_R, 0, EX(b, S(F_R), I(1), PNE_X_ADD));
	OP(b, TEXT, 0, t1, NOX);
	jz_last = OP(b, JZ, 0, 0, EX(b, S(F_SZ)));
	OP(b, SKIP, 0, 0, EX(b, S(F_SZ), I(2), PNE_X_ADD));
	OP(b, JMP, 0, (uint16_t)loop, NOX);
	b->ops[jz_last].aux = (uint16_t)OP(b, TEXT, 0, t2, NOX);
	jmp_done = OP(b, JMP, 0, 0, NOX);
	fail_at = OP(b, REQUIRE, 0, tb_str(b, "repeat limit"), EX(b, I(0)));
	b->ops[jz_limit].aux = (uint16_t)fail_at;
	cl_at = OP(b, SKIP, 0, 0, EX(b, S(F_CL)));
	b->ops[jz_cl].aux = (uint16_t)cl_at;
	done = OP(b, END, 0, 0, NOX);
	b->ops[jmp_done].aux = (uint16_t)done;

	u = tb_unit(b, "request", e0, 1 << 20);
	u->resync = PNE_RESYNC_ANCHOR;
	u->anchor_dfa = tb_dfa(b, anchors, 2, false);
	tb_report(b, "method", F_METHOD, PNE_RK_STRING);
	tb_report(b, "host", F_HOST, PNE_RK_STRING);
	tb_report(b, "cl", F_CL, PNE_RK_UINT);
	tb_report(b, "chunked", F_CHUNKED, PNE_RK_BOOL);
	tb_report(b, "hascl", F_HASCL, PNE_RK_BOOL);
	tb_report(b, "get", F_GET, PNE_RK_BOOL);
	tb_report(b, "ver", F_VER, PNE_RK_BOOL);
	tb_report(b, "ulen", F_ULEN, PNE_RK_UINT);
	tb_report(b, "num", F_NUM, PNE_RK_BOOL);
	tb_report(b, "xhex", F_XHEX, PNE_RK_UINT);
	return b;
}

#define REQ1 "GET /index HTTP/1.1\r\nHost: example.com\r\nX-Num: 123\r\nX-Hex: 1aF\r\n\r\n"
#define REQ2 "POST /up HTTP/1.1\r\nhost:  a.b \r\ncontent-length: 5\r\n\r\nhello"
#define REQ3 "POST /c HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" \
	     "4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n"
#define REQ4 "verylongmethod\t *  http/1.1 \r\n\r\n"
#define J1 "{\"method\":\"GET\",\"host\":\"example.com\",\"cl\":0,\"chunked\":false," \
	   "\"hascl\":false,\"get\":true,\"ver\":true,\"ulen\":6,\"num\":true,\"xhex\":431}"
#define J2 "{\"method\":\"POST\",\"host\":\"a.b\",\"cl\":5,\"chunked\":false," \
	   "\"hascl\":true,\"get\":false,\"ver\":true,\"ulen\":3,\"num\":false,\"xhex\":0}"
#define J3 "{\"method\":\"POST\",\"host\":\"\",\"cl\":0,\"chunked\":true," \
	   "\"hascl\":false,\"get\":false,\"ver\":true,\"ulen\":2,\"num\":false,\"xhex\":0}"
#define J4 "{\"method\":\"verylong\",\"host\":\"\",\"cl\":0,\"chunked\":false," \
	   "\"hascl\":false,\"get\":false,\"ver\":true,\"ulen\":1,\"num\":false,\"xhex\":0}"
#define L(s) (sizeof(s) - 1)

static void test_text(void **state)
{
	struct tb *b = spec_http();
	static const char s[] = REQ1 REQ2 REQ3 REQ4;
	static const struct want w[] = {
		{ 0, L(REQ1), "request", J1, 0, 0 },
		{ L(REQ1), L(REQ2), "request", J2, 0, 0 },
		{ L(REQ1 REQ2), L(REQ3), "request", J3, 0, 0 },
		{ L(REQ1 REQ2 REQ3), L(REQ4), "request", J4, 0, 0 },
	};

	/* examined: all but the body and the chunk data (+ CRLF) */
	check_stream(&b->spec, PNE_C2S, LIT(s), w, WANT(w), 1, L(s) - 5 - 6 - 7);
	free(b);
}

/* Mid-stream pickup: the anchor is found after garbage (its first bytes
 * in the garbage too); the first ADU is unsynced, later ones synced. */
static void test_text_anchor(void **state)
{
	struct tb *b = spec_http();
	static const char s[] = "xx\r\nGEGET / HTTP/1.1\r\n\r\n" REQ2;
	static const struct want w[] = {
		{ 6, 18, "request", NULL, 1, 0 },
		{ 24, L(REQ2), "request", J2, 0, 0 },
	};

	check_stream(&b->spec, PNE_C2S, LIT(s), w, WANT(w), 0, L(s) - 5);
	free(b);
}

/* Invalid texts resynchronise on the anchors. */
static void test_text_invalid(void **state)
{
	struct tb *b = spec_http();
	static const char big[] = "POST / HTTP/1.1\r\nContent-Length: 999999\r\n\r\n";
	static const char s[] = "POST / HTTP/1.1\r\nContent-Length: 999999\r\n\r\n"
				"junk" REQ1 REQ2;
	const size_t o1 = L(big) + 4;
	const struct want w[] = {
		{ o1, L(REQ1), "request", J1, 1, 0 },
		{ o1 + L(REQ1), L(REQ2), "request", J2, 0, 0 },
	};
	static char many[600];
	struct pne_interp_conn *c;
	size_t n;

	check_stream(&b->spec, PNE_C2S, LIT(s), w, WANT(w), 1, L(s) - 5);
	c = conn_new(&b->spec, NULL, 1, 1);
	R.n = 0;
	feed(c, PNE_C2S, LIT(big), &R);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "number over its max");
	free(c);

	/* a text over its max */
	c = conn_new(&b->spec, NULL, 1, 1);
	memset(many, 'a', sizeof(many));
	feed(c, PNE_C2S, (const uint8_t *)many, 600, &R);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_OK);
	feed(c, PNE_C2S, (const uint8_t *)many, 600, &R);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "text longer than its max");
	free(c);

	/* more chunks than the repeat allows */
	n = (size_t)snprintf(many, sizeof(many), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (int k = 0; k < 11; k++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "1\r\na\r\n");
	c = conn_new(&b->spec, NULL, 1, 1);
	R.n = 0;
	feed(c, PNE_C2S, (const uint8_t *)many, n, &R);
	assert_int_equal(R.n, 0);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "repeat limit");
	free(c);
	free(b);
}

/* suffix: case-insensitive, trailing blanks ignored, absent source 0 */
static void test_text_suffix(void **state)
{
	struct tb *b = tb_new("suffix", 3);
	uint32_t e0;
	static const char s[] =
		"TE: gzip, chunked\n" "TE: chunked, gzip\n" "te: gzip,CHUNKED \t\n"
		"TE: ked\n" "xx ked \t\n" "ked\n";
	static const struct want w[] = {
		{ 0, 18, "line", "{\"te\":true,\"ked\":true,\"empty\":true}", 0, 0 },
		{ 18, 18, "line", "{\"te\":false,\"ked\":false,\"empty\":true}", 0, 0 },
		{ 36, 19, "line", "{\"te\":true,\"ked\":true,\"empty\":true}", 0, 0 },
		{ 55, 8, "line", "{\"te\":false,\"ked\":true,\"empty\":true}", 0, 0 },
		{ 63, 9, "line", "{\"te\":false,\"ked\":true,\"empty\":true}", 0, 0 },
		{ 72, 4, "line", "{\"te\":false,\"ked\":true,\"empty\":true}", 0, 0 },
	};

	(void)state;
	tb_text(b, "\n", PNE_NO_EXPR, 64);
	tb_tfield(b, PNE_TS_HEADER, 0, "TE", PNE_TC_SUFFIX, "chunked", 0, 0);
	tb_tfield(b, PNE_TS_ALL, 0, NULL, PNE_TC_SUFFIX, "KED", 1, 0);
	tb_tfield(b, PNE_TS_LINE, 0, NULL, PNE_TC_SUFFIX, "", 2, 0);
	e0 = OP(b, TEXT, 0, 0, NOX);
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "line", e0, 100);
	tb_report(b, "te", 0, PNE_RK_BOOL);
	tb_report(b, "ked", 1, PNE_RK_BOOL);
	tb_report(b, "empty", 2, PNE_RK_BOOL);
	check_stream(&b->spec, PNE_C2S, LIT(s), w, WANT(w), 1, L(s));
	free(b);
}

/*
 * as list: every present, non-empty value is appended to the slot's
 * string after ", ", in place while it is the arena's last string, else
 * copied to the end first; an absent source leaves the slot. fold: the
 * first line, trimmed, when it starts with a blank (NUL included).
 */
static struct tb *list_spec(uint32_t str_max)
{
	struct tb *b = tb_new("list", 2);
	uint32_t e0;

	b->spec.str_max = str_max;
	tb_text(b, "\n", PNE_NO_EXPR, 64);
	tb_tfield(b, PNE_TS_HEADER, 0, "CE", PNE_TC_LIST, NULL, 0, 12);
	tb_tfield(b, PNE_TS_HEADER, 0, "X", PNE_TC_STRING, NULL, 1, 8);
	b->texts[0].linesep = tb_str(b, "\r");
	tb_text(b, "\n", PNE_NO_EXPR, 64);
	tb_tfield(b, PNE_TS_FOLD, 0, NULL, PNE_TC_LIST, NULL, 0, 12);
	tb_tfield(b, PNE_TS_HEADER, 0, "CE", PNE_TC_LIST, NULL, 0, 12);
	tb_text(b, "\n", PNE_NO_EXPR, 64);
	tb_tfield(b, PNE_TS_HEADER, 0, "CE", PNE_TC_LIST, NULL, 0, 12);
	e0 = OP(b, TEXT, 0, 0, NOX);
	OP(b, TEXT, 0, 1, NOX);
	OP(b, TEXT, 0, 2, NOX);
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "msg", e0, 100);
	tb_report(b, "ce", 0, PNE_RK_STRING);
	tb_report(b, "x", 1, PNE_RK_STRING);
	return b;
}

static void test_text_list(void **state)
{
	static const char s[] =
		"CE: gzip\n  br \nCE: x\n"              /* grows in place */
		"X: 1\nCE: a\nCE: bbbbbbbbbbbb\n"       /* starts late, cut at 12 */
		"CE: d\rX: yy\n\t\0e\nCE:\n"             /* moved past "yy" */
		"A: b\n :c\n\n"                         /* a folded sep is dropped */
		"A: b\nB: \n\n";                        /* absent, empty: none */
	static const struct want w[] = {
		{ 0, 21, "msg", "{\"ce\":\"gzip, br, x\",\"x\":\"\"}", 0, 0 },
		{ 21, 28, "msg", "{\"ce\":\"a, bbbbbbbbb\",\"x\":\"1\"}", 0, 0 },
		{ 49, 20, "msg", "{\"ce\":\"d, e\",\"x\":\"yy\"}", 0, 0 },
		{ 69, 10, "msg", "{\"ce\":\"c\",\"x\":\"\"}", 0, 0 },
		{ 79, 10, "msg", "{\"ce\":\"\",\"x\":\"\"}", 0, 0 },
	};
	/* a 6-byte arena: no room for ", " and a byte after "abcd", nor
	 * to move "ef" past "g" */
	static const char t[] = "CE: abcd\nCE: ef\nCE: gh\n" "CE: ef\rX: g\n\tij\nCE: k\n";
	static const struct want wt[] = {
		{ 0, 23, "msg", "{\"ce\":\"abcd\",\"x\":\"\"}", 0, 0 },
		{ 23, 22, "msg", "{\"ce\":\"ef\",\"x\":\"g\"}", 0, 0 },
	};
	struct tb *b = list_spec(128);

	(void)state;
	check_stream(&b->spec, PNE_C2S, LIT(s), w, WANT(w), 1, L(s));
	free(b);
	b = list_spec(6);
	check_stream(&b->spec, PNE_C2S, LIT(t), wt, WANT(wt), 1, L(t));
	free(b);
}

/*
 * Texts without fields need no buffer: a 4 KiB line and a 200-byte sized
 * text pass through a 16-byte header buffer, split anywhere, and the
 * field text between them is parsed in place or from the buffer.
 */
static void test_text_no_buffer(void **state)
{
	struct tb *b = tb_new("nobuf", 1);
	uint32_t e0;
	static char s[2 * (300 + 2 + 6 + 200)];
	static char big[4097];
	struct want w[2];
	size_t n = 0;

	(void)state;
	tb_text(b, "\r\n", PNE_NO_EXPR, 4096);
	tb_text(b, "\n", PNE_NO_EXPR, 16);
	tb_tfield(b, PNE_TS_ALL, 0, NULL, PNE_TC_DECIMAL, NULL, 0, 99999);
	tb_text(b, NULL, EX(b, I(200)), 4096);
	b->spec.hdr_max = 16;  /* what pnec computes: the field text only */
	e0 = OP(b, TEXT, 0, 0, NOX);
	OP(b, TEXT, 0, 1, NOX);
	OP(b, TEXT, 0, 2, NOX);
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "u", e0, 10000);
	tb_report(b, "n", 0, PNE_RK_UINT);
	assert_true(pne_interp_conn_size(&b->spec) < 1024);
	for (int k = 0; k < 2; k++) {
		memset(s + n, 'A' + k, 300);
		memcpy(s + n + 300, "\r\n", 2);
		memcpy(s + n + 302, k ? "12345\n" : "00042\n", 6);
		memset(s + n + 308, 'z', 200);
		w[k] = (struct want){ n, 508, "u", k ? "{\"n\":12345}" : "{\"n\":42}", 0, 0 };
		n += 508;
	}
	check_stream(&b->spec, PNE_C2S, (const uint8_t *)s, n, w, 2, 1, n);

	/* the max still holds, however the bytes come */
	memset(big, 'a', sizeof(big));
	for (unsigned k = 0; k < 6; k++) {
		static const size_t steps[] = { 1, 5, 85, 1365, 4096, sizeof(big) };
		size_t step = steps[k];
		struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);

		for (size_t pos = 0; pos < sizeof(big); pos += step)
			feed(c, PNE_C2S, (const uint8_t *)big + pos,
			     step < sizeof(big) - pos ? step : sizeof(big) - pos, &R);
		assert_string_equal(pne_interp_error(c, PNE_C2S), "text longer than its max");
		free(c);
	}
	free(b);
}

/* ---- sized text, tail/all/line sources, computed header, cvar writes ---- */

enum { Z_N, Z_ALL, Z_L1, Z_L5, Z_NUM, Z__N };

static struct tb *spec_sized(void)
{
	struct tb *b = tb_new("sized", Z__N);
	uint16_t t0, t1, h;
	uint32_t e0;

	t0 = tb_text(b, "\r\n", PNE_NO_EXPR, 16);
	tb_tfield(b, PNE_TS_TAIL, 0, NULL, PNE_TC_DECIMAL, NULL, Z_N, 100);
	t1 = tb_text(b, NULL, EX(b, S(Z_N)), 64);
	tb_tfield(b, PNE_TS_ALL, 0, NULL, PNE_TC_STRING, NULL, Z_ALL, 8);
	tb_tfield(b, PNE_TS_LINE, 1, NULL, PNE_TC_STRING, NULL, Z_L1, 8);
	tb_tfield(b, PNE_TS_LINE, 5, NULL, PNE_TC_PRESENT, NULL, Z_L5, 0);
	tb_tfield(b, PNE_TS_ALL, 0, NULL, PNE_TC_NUMERIC, NULL, Z_NUM, 0);
	h = tb_hdr(b, 0, 2);
	b->cvars[b->spec.ncvars++] = (struct pne_cvar){ tb_str(b, "last"), 0, 1, 0, 0 };
	e0 = OP(b, TEXT, 0, t0, NOX);
	OP(b, TEXT, 0, t1, NOX);
	OP(b, HDR, 0, h, EX(b, S(Z_N), I(3), PNE_X_AND));
	OP(b, SET, PNE_SLOT_CVAR | 0, 0, EX(b, S(Z_N), I(250), PNE_X_ADD));
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "bulk", e0, 100);
	tb_report(b, "n", Z_N, PNE_RK_UINT);
	tb_report(b, "all", Z_ALL, PNE_RK_STRING);
	tb_report(b, "l1", Z_L1, PNE_RK_STRING);
	tb_report(b, "l5", Z_L5, PNE_RK_BOOL);
	tb_report(b, "num", Z_NUM, PNE_RK_BOOL);
	tb_report(b, "last", PNE_SLOT_CVAR | 0, PNE_RK_UINT);
	return b;
}

static void test_sized_text(void **state)
{
	struct tb *b = spec_sized();
	static const char s[] = "$5\r\n12345z" "$12\r\nab\r\ncdefghij" "$0\r\n";
	static const struct want w[] = {
		{ 0, 10, "bulk", "{\"n\":5,\"all\":\"12345\",\"l1\":\"\",\"l5\":false,"
				 "\"num\":true,\"last\":255}", 0, 0 },
		{ 10, 17, "bulk", "{\"n\":12,\"all\":\"ab\\u000d\\u000acdef\","
				  "\"l1\":\"cdefghij\",\"l5\":false,\"num\":false,\"last\":6}", 0, 0 },
		{ 27, 4, "bulk", "{\"n\":0,\"all\":\"\",\"l1\":\"\",\"l5\":false,"
				 "\"num\":false,\"last\":250}", 0, 0 },
	};
	static const struct { const char *in; const char *err; } bad[] = {
		{ "$101\r\n", "number over its max" },
		{ "$70\r\n", "text longer than its max" },
		{ "$3\r\nabc", "header size over its max" },
		{ "$99\r\n", "text longer than its max" },
	};

	check_stream(&b->spec, PNE_C2S, LIT(s), w, WANT(w), 1, L(s));
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);

		feed(c, PNE_C2S, (const uint8_t *)bad[k].in, strlen(bad[k].in), &R);
		assert_string_equal(pne_interp_error(c, PNE_C2S), bad[k].err);
		free(c);
	}
	free(b);
}

/* ---- anchor resync into a unit that waits on the other direction ---- */

static struct tb *spec_pop_anchor(void)
{
	static const char *const anchors[] = { "OK " };
	struct tb *b = tb_new("popanchor", 3);
	struct pne_unit *u;
	uint16_t t0 = tb_text(b, "\n", PNE_NO_EXPR, 64), t1;
	uint32_t e0, e1;

	t1 = tb_text(b, "\n", PNE_NO_EXPR, 64);
	tb_tfield(b, PNE_TS_WORD, 1, NULL, PNE_TC_DECIMAL, NULL, 1, 1000);
	b->fifos[b->spec.nfifos++] = (struct pne_fifo){ tb_str(b, "q"), 8, 2, {0} };
	e0 = OP(b, TEXT, 0, t0, NOX);
	OP(b, PUSH, 0, 0, EX(b, I(42)));
	OP(b, END, 0, 0, NOX);
	e1 = OP(b, POP, 0, 0, NOX);
	OP(b, TEXT, 0, t1, NOX);
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "req", e0, 100);
	u = tb_unit(b, "resp", e1, 100);
	u->resync = PNE_RESYNC_ANCHOR;
	u->anchor_dfa = tb_dfa(b, anchors, 1, true);
	tb_report(b, "m", 0, PNE_RK_UINT);
	tb_report(b, "v", 1, PNE_RK_UINT);
	b->spec.start[1] = 1;
	return b;
}

static void test_anchor_replay_waits(void **state)
{
	struct tb *b = spec_pop_anchor();
	struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 0);

	R.n = 0;
	/* "ok " matches across segments; its "o" must be replayed, but the
	 * unit blocks first on its pop */
	assert_int_equal(feed(c, PNE_S2C, LIT("xxo"), &R), 3);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_RESYNC);
	assert_int_equal(feed(c, PNE_S2C, LIT("K 1\nOK 2\n"), &R), 0);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_WAITING);
	assert_int_equal(feed(c, PNE_C2S, LIT("a\nb\n"), &R), 4);
	assert_int_equal(R.n, 2);
	assert_int_equal(feed(c, PNE_S2C, LIT("K 1\nOK 2\n"), &R), 9);
	assert_int_equal(R.n, 4);
	assert_int_equal(R.a[2].off, 2);
	assert_int_equal(R.a[2].len, 5);
	assert_int_equal(R.a[2].synced, 0);
	assert_string_equal(R.a[2].json, "{\"m\":42,\"v\":1}");
	assert_int_equal(R.a[3].off, 7);
	assert_int_equal(R.a[3].synced, 1);
	assert_int_equal(pne_interp_stats(c)->bytes_examined, 4 + 12);
	free(c);

	/* blocked with replayed bytes pending, then closed: a partial ADU */
	c = conn_new(&b->spec, NULL, 1, 0);
	feed(c, PNE_S2C, LIT("o"), &R);
	assert_int_equal(feed(c, PNE_S2C, LIT("K "), &R), 0);
	pne_interp_close(c, PNE_S2C, on_adu, &R);
	assert_int_equal(pne_interp_stats(c)->partial, 1);
	free(c);

	/* a gap while scanning restarts the scan after it */
	c = conn_new(&b->spec, NULL, 1, 0);
	R.n = 0;
	feed(c, PNE_C2S, LIT("a\n"), &R);
	feed(c, PNE_S2C, LIT("zzO"), &R);
	assert_int_equal(pne_interp_gap(c, PNE_S2C, 3, on_adu, &R), 1);
	feed(c, PNE_S2C, LIT("K 3\nok 4\n"), &R);
	assert_int_equal(R.n, 2);
	assert_int_equal(R.a[1].off, 10);
	assert_string_equal(R.a[1].json, "{\"m\":42,\"v\":4}");
	free(c);
	free(b);
}

/* ---- FIFOs across directions, wait, force ---- */

enum { G_HEAD, G_N, G_Q, G_H, G_LEN };

static struct tb *spec_fifo(void)
{
	struct tb *b = tb_new("fifo", 5);
	struct pne_unit *u;
	uint32_t e0, e1, jz, jmp;
	uint16_t t = tb_text(b, "\n", PNE_NO_EXPR, 64), h;

	tb_tfield(b, PNE_TS_WORD, 0, NULL, PNE_TC_IS, "HEAD", G_HEAD, 0);
	tb_tfield(b, PNE_TS_WORD, 1, NULL, PNE_TC_DECIMAL, NULL, G_N, 100);
	h = tb_hdr(b, 2, 0);
	tb_field(b, 0, PNE_FT_U16, 0, G_LEN, 0xffff);
	b->cvars[b->spec.ncvars++] = (struct pne_cvar){ tb_str(b, "hold"), 1, 1, 0, 0 };
	b->fifos[b->spec.nfifos++] = (struct pne_fifo){ tb_str(b, "methods"), 2, 1, {0} };

	e0 = OP(b, WAIT, 0, 0, EX(b, CV(0), I(0), PNE_X_EQ));
	OP(b, TEXT, 0, t, NOX);
	OP(b, PUSH, 0, 0, EX(b, S(G_HEAD)));
	OP(b, SET, G_Q, 0, EX(b, PNE_X_FIFOLEN, 0));
	OP(b, SKIP, 0, 0, EX(b, S(G_N)));
	OP(b, END, 0, 0, NOX);
	e1 = OP(b, POP, G_H, 0, EX(b, I(7)));
	OP(b, HDR, 0, h, NOX);
	jz = OP(b, JZ, 0, 0, EX(b, S(G_H)));
	jmp = OP(b, JMP, 0, 0, NOX);
	b->ops[jz].aux = (uint16_t)OP(b, SKIP, 0, 0, EX(b, S(G_LEN)));
	b->ops[jmp].aux = (uint16_t)OP(b, END, 0, 0, NOX);

	tb_unit(b, "req", e0, 1000);
	tb_report(b, "head", G_HEAD, PNE_RK_BOOL);
	tb_report(b, "n", G_N, PNE_RK_UINT);
	tb_report(b, "q", G_Q, PNE_RK_UINT);
	u = tb_unit(b, "resp", e1, 70000);
	tb_report(b, "h", G_H, PNE_RK_UINT);
	tb_report(b, "len", G_LEN, PNE_RK_UINT);
	b->spec.start[0] = 0;
	b->spec.start[1] = 1;
	(void)u;
	return b;
}

struct msg {
	enum pne_dir dir;
	const char *s;
	size_t len;
};
#define M(d, s) { d, s, sizeof(s) - 1 }

/*
 * Sends msgs in order in pieces of step bytes (0: whole), keeping what a
 * waiting direction did not take and offering it again whenever the other
 * direction moved; forces what still waits at the end, then closes.
 */
static void converse(struct pne_interp_conn *c, const struct msg *m, unsigned nm,
		     size_t step, struct rec *out)
{
	static uint8_t q[2][4096];
	size_t nq[2] = { 0, 0 };
	bool moved = true;

	for (unsigned k = 0; k <= nm; k++) {
		size_t pos = 0;

		while (k < nm && pos < m[k].len) {
			size_t piece = step && step < m[k].len - pos ? step : m[k].len - pos;

			memcpy(q[m[k].dir] + nq[m[k].dir], m[k].s + pos, piece);
			nq[m[k].dir] += piece;
			pos += piece;
			for (moved = true; moved;) {
				moved = false;
				for (int d = 0; d < 2; d++) {
					size_t used = nq[d] ? feed(c, (enum pne_dir)d, q[d], nq[d], out) : 0;

					memmove(q[d], q[d] + used, nq[d] - used);
					nq[d] -= used;
					moved |= used > 0;
				}
			}
		}
	}
	for (int d = 0; d < 2; d++) {
		while (nq[d] > 0 && pne_interp_status(c, (enum pne_dir)d) == PNE_IS_WAITING) {
			size_t used;

			pne_interp_force(c, (enum pne_dir)d);
			used = feed(c, (enum pne_dir)d, q[d], nq[d], out);
			memmove(q[d], q[d] + used, nq[d] - used);
			nq[d] -= used;
		}
		pne_interp_close(c, (enum pne_dir)d, on_adu, out);
	}
}

/* The ADUs of one direction, in order. */
static bool same_dir(const struct rec *r, enum pne_dir d, const struct want *w, unsigned nw)
{
	struct rec one = { .n = 0 };

	for (unsigned k = 0; k < r->n; k++)
		if (r->a[k].dir == (int)d)
			one.a[one.n++] = r->a[k];
	if (!same(&one, w, nw)) {
		dump(d == PNE_C2S ? "c2s" : "s2c", 0, &one, w, nw);
		return false;
	}
	return true;
}

static void test_fifo(void **state)
{
	struct tb *b = spec_fifo();
	static const struct msg conv[] = {
		M(PNE_S2C, "\x00\x03"), M(PNE_C2S, "GET 0\n"), M(PNE_S2C, "abc"),
		M(PNE_C2S, "HEAD 2\nxy"), M(PNE_S2C, "\x00\x09"),
		M(PNE_C2S, "GET 1\nz"), M(PNE_S2C, "\x00\x01q"),
	};
	static const struct want wc[] = {
		{ 0, 6, "req", "{\"head\":false,\"n\":0,\"q\":1}", 0, 0 },
		{ 6, 9, "req", "{\"head\":true,\"n\":2,\"q\":1}", 0, 0 },
		{ 15, 7, "req", "{\"head\":false,\"n\":1,\"q\":1}", 0, 0 },
	};
	static const struct want ws[] = {
		{ 0, 5, "resp", "{\"h\":0,\"len\":3}", 0, 0 },
		{ 5, 2, "resp", "{\"h\":1,\"len\":9}", 0, 0 },
		{ 7, 3, "resp", "{\"h\":0,\"len\":1}", 0, 0 },
	};

	for (size_t step = 0; step <= 3; step++) {
		struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);

		R.n = 0;
		converse(c, conv, WANT(conv), step, &R);
		assert_true(same_dir(&R, PNE_C2S, wc, WANT(wc)));
		assert_true(same_dir(&R, PNE_S2C, ws, WANT(ws)));
		assert_int_equal(pne_interp_stats(c)->forced, 0);
		free(c);
	}
	free(b);
}

static void test_fifo_wait_force(void **state)
{
	struct tb *b = spec_fifo();
	struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);
	static const uint64_t hold[1] = { 1 };

	/* a response with no request waits, consuming nothing */
	R.n = 0;
	assert_int_equal(feed(c, PNE_S2C, LIT("\x00\x05"), &R), 0);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_WAITING);
	assert_int_equal(pne_interp_skippable(c, PNE_S2C), 0);
	pne_interp_force(c, PNE_S2C);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_OK);
	assert_int_equal(feed(c, PNE_S2C, LIT("\x00\x05"), &R), 2);
	assert_int_equal(R.n, 1);
	assert_string_equal(R.a[0].json, "{\"h\":7,\"len\":5}");
	assert_int_equal(pne_interp_stats(c)->forced, 1);
	/* the fifo holds two entries; a third push is invalid */
	assert_int_equal(feed(c, PNE_C2S, LIT("GET 0\nGET 0\nGET 0\n"), &R), 18);
	assert_int_equal(R.n, 3);
	assert_string_equal(R.a[2].json, "{\"head\":false,\"n\":0,\"q\":2}");
	assert_string_equal(pne_interp_error(c, PNE_C2S), "push onto a full fifo");
	free(c);

	/* wait on a parameter */
	c = conn_new(&b->spec, hold, 1, 1);
	R.n = 0;
	assert_int_equal(feed(c, PNE_C2S, LIT("GET 0\n"), &R), 0);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_WAITING);
	pne_interp_force(c, PNE_C2S);
	assert_int_equal(feed(c, PNE_C2S, LIT("GET 0\n"), &R), 6);
	assert_int_equal(R.n, 1);
	/* a waiting direction's partial ADU is counted at close */
	pne_interp_close(c, PNE_S2C, on_adu, &R);
	assert_int_equal(pne_interp_stats(c)->partial, 0);
	free(c);
	free(b);
}

/*
 * Waits that can't end. c2s: a line that must be "ok", wait until the
 * cvar go is set, push 1, END; s2c: a 1-byte header, pop q into h else 9,
 * set go, END. The pop comes after a header so that a waiting ADU
 * already has bytes; the push after the wait makes a deadlock possible.
 */
enum { K_X, K_H };

static struct tb *spec_stuck(void)
{
	struct tb *b = tb_new("stuck", 2);
	uint16_t t = tb_text(b, "\n", PNE_NO_EXPR, 64), h;
	uint32_t e0, e1;

	tb_tfield(b, PNE_TS_ALL, 0, NULL, PNE_TC_IS, "ok", K_X, 0);
	h = tb_hdr(b, 1, 0);
	tb_field(b, 0, PNE_FT_U8, 0, K_X, 0xff);
	b->cvars[b->spec.ncvars++] = (struct pne_cvar){ tb_str(b, "go"), 0, 1, 0, 0 };
	b->fifos[b->spec.nfifos++] = (struct pne_fifo){ tb_str(b, "q"), 4, 1, {0} };
	e0 = OP(b, TEXT, 0, t, NOX);
	OP(b, REQUIRE, 0, PNE_NO_STR, EX(b, S(K_X)));
	OP(b, WAIT, 0, 0, EX(b, CV(0)));
	OP(b, PUSH, 0, 0, EX(b, I(1)));
	OP(b, END, 0, 0, NOX);
	e1 = OP(b, HDR, 0, h, NOX);
	OP(b, POP, K_H, 0, EX(b, I(9)));
	OP(b, SET, PNE_SLOT_CVAR | 0, 0, EX(b, I(1)));
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "req", e0, 100);
	tb_unit(b, "resp", e1, 100);
	tb_report(b, "h", K_H, PNE_RK_UINT);
	b->spec.start[1] = 1;
	return b;
}

/* The other direction is lost, closed, or gets lost while this one
 * waits: the pop takes its default rather than block for good. */
static void test_wait_other_stuck(void **state)
{
	struct tb *b = spec_stuck();
	struct pne_interp_conn *c;
	const struct pne_interp_stats *st;

	(void)state;
	/* lost from the start (no resync mode: for good): at once, in one
	 * piece or two */
	for (int split = 0; split < 2; split++) {
		c = conn_new(&b->spec, NULL, 0, 1);
		st = pne_interp_stats(c);
		R.n = 0;
		if (split) {
			assert_int_equal(feed(c, PNE_S2C, LIT("a"), &R), 1);
			assert_int_equal(feed(c, PNE_S2C, LIT("b"), &R), 1);
		} else {
			assert_int_equal(feed(c, PNE_S2C, LIT("ab"), &R), 2);
		}
		assert_int_equal(R.n, 2);
		assert_string_equal(R.a[1].json, "{\"h\":9}");
		assert_int_equal(st->forced, 2);
		/* idle at the next ADU's start: no decision, nothing at close */
		assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_OK);
		pne_interp_close(c, PNE_S2C, on_adu, &R);
		assert_int_equal(st->forced, 2);
		assert_int_equal(st->partial, 0);
		free(c);
	}

	/* it waits while the other side may still push; once that side
	 * closes, the next feed goes on */
	c = conn_new(&b->spec, NULL, 1, 1);
	st = pne_interp_stats(c);
	R.n = 0;
	assert_int_equal(feed(c, PNE_S2C, LIT("a"), &R), 1);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_WAITING);
	assert_int_equal(feed(c, PNE_S2C, LIT("b"), &R), 0);
	pne_interp_close(c, PNE_C2S, on_adu, &R);
	assert_int_equal(feed(c, PNE_S2C, LIT("b"), &R), 1);
	assert_int_equal(R.n, 2);
	assert_string_equal(R.a[0].json, "{\"h\":9}");
	assert_int_equal(R.a[1].off, 1);
	assert_int_equal(st->forced, 2);
	free(c);

	/* ... or when it gets lost: the next close goes on and reports */
	c = conn_new(&b->spec, NULL, 1, 1);
	st = pne_interp_stats(c);
	R.n = 0;
	assert_int_equal(feed(c, PNE_S2C, LIT("a"), &R), 1);
	assert_int_equal(feed(c, PNE_C2S, LIT("bad\n"), &R), 4);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_WAITING);
	pne_interp_close(c, PNE_S2C, on_adu, &R);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.a[0].len, 1);
	assert_string_equal(R.a[0].json, "{\"h\":9}");
	assert_int_equal(st->forced, 1);
	assert_int_equal(st->partial, 0);
	free(c);
	free(b);
}

/* Both directions wait on each other: the second to block takes its
 * default instead of deadlocking, which releases the first. */
static void test_wait_deadlock(void **state)
{
	struct tb *b = spec_stuck();
	struct pne_interp_conn *c;
	const struct pne_interp_stats *st;

	(void)state;
	/* c2s waits for go first; s2c's pop then can't be fed: default */
	c = conn_new(&b->spec, NULL, 1, 1);
	st = pne_interp_stats(c);
	R.n = 0;
	assert_int_equal(feed(c, PNE_C2S, LIT("ok\n"), &R), 3);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_WAITING);
	assert_int_equal(feed(c, PNE_S2C, LIT("a"), &R), 1);
	assert_int_equal(R.n, 1);
	assert_string_equal(R.a[0].json, "{\"h\":9}");
	assert_int_equal(st->forced, 1);
	/* go is set: c2s goes on (and pushes) at its next feed */
	assert_int_equal(feed(c, PNE_C2S, LIT(""), &R), 0);
	assert_int_equal(R.n, 2);
	assert_int_equal(R.a[1].dir, PNE_C2S);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_OK);
	assert_int_equal(feed(c, PNE_S2C, LIT("b"), &R), 1);
	assert_string_equal(R.a[2].json, "{\"h\":1}");
	assert_int_equal(st->forced, 1);
	free(c);

	/* s2c waits first; c2s's wait can't be released: it goes on and
	 * pushes, which releases s2c */
	c = conn_new(&b->spec, NULL, 1, 1);
	st = pne_interp_stats(c);
	R.n = 0;
	assert_int_equal(feed(c, PNE_S2C, LIT("a"), &R), 1);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_WAITING);
	assert_int_equal(feed(c, PNE_C2S, LIT("ok\n"), &R), 3);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.a[0].dir, PNE_C2S);
	assert_int_equal(st->forced, 1);
	pne_interp_close(c, PNE_S2C, on_adu, &R);
	assert_int_equal(R.n, 2);
	assert_string_equal(R.a[1].json, "{\"h\":1}");
	assert_int_equal(st->forced, 1);
	free(c);
	free(b);
}

/* ---- until_close and opaque ---- */

static struct tb *spec_cmd(void)
{
	struct tb *b = tb_new("cmd", 3);
	uint16_t t = tb_text(b, "\n", PNE_NO_EXPR, 64);
	uint32_t e0, jz1, jz2;

	tb_tfield(b, PNE_TS_WORD, 0, NULL, PNE_TC_IS, "UPGRADE", 0, 0);
	tb_tfield(b, PNE_TS_WORD, 0, NULL, PNE_TC_IS, "STREAM", 1, 0);
	tb_tfield(b, PNE_TS_WORD, 0, NULL, PNE_TC_STRING, NULL, 2, 16);
	e0 = OP(b, TEXT, 0, t, NOX);
	jz1 = OP(b, JZ, 0, 0, EX(b, S(0)));
	OP(b, OPAQUE, 0, 0, NOX);
	b->ops[jz1].aux = (uint16_t)(jz2 = OP(b, JZ, 0, 0, EX(b, S(1))));
	OP(b, UNTIL_CLOSE, 0, 0, NOX);
	b->ops[jz2].aux = (uint16_t)OP(b, END, 0, 0, NOX);
	tb_unit(b, "cmd", e0, 1000);
	tb_report(b, "w", 2, PNE_RK_STRING);
	return b;
}

static void test_until_close(void **state)
{
	struct tb *b = spec_cmd();
	static const struct want w[] = {
		{ 0, 6, "cmd", "{\"w\":\"HELLO\"}", 0, 0 },
		{ 6, 14, "cmd", "{\"w\":\"STREAM\"}", 0, 1 },
	};
	static char big[1100];
	struct pne_interp_conn *c;

	check_stream(&b->spec, PNE_C2S, LIT("HELLO\nSTREAM\nabcdefg"), w, WANT(w), 1, 13);

	c = conn_new(&b->spec, NULL, 1, 1);
	R.n = 0;
	feed(c, PNE_C2S, LIT("STREAM\nab"), &R);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 1000 - 9);
	assert_int_equal(pne_interp_gap(c, PNE_C2S, 100, on_adu, &R), 0);
	memset(big, 'x', sizeof(big));
	feed(c, PNE_C2S, (const uint8_t *)big, 1000, &R);
	assert_int_equal(R.n, 0);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "ADU longer than its unit's max");
	free(c);
	free(b);
}

static void test_opaque(void **state)
{
	struct tb *b = spec_cmd();
	static const struct want w[] = {
		{ 0, 6, "cmd", NULL, 0, 0 },
		{ 6, 8, "cmd", "{\"w\":\"UPGRADE\"}", 0, 0 },
	};
	struct pne_interp_conn *c;

	check_stream(&b->spec, PNE_C2S, LIT("HELLO\nUPGRADE\nzzzz"), w, WANT(w), 1, 14);

	c = conn_new(&b->spec, NULL, 1, 1);
	R.n = 0;
	feed(c, PNE_S2C, LIT("HEL"), &R);
	feed(c, PNE_C2S, LIT("UPGRADE\n\x01\x02"), &R);
	assert_int_equal(R.n, 1);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_OPAQUE);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_OPAQUE);
	assert_int_equal(pne_interp_skippable(c, PNE_S2C), UINT64_MAX);
	assert_int_equal(feed(c, PNE_S2C, LIT("LO\n"), &R), 3);
	assert_int_equal(pne_interp_gap(c, PNE_S2C, 10, on_adu, &R), 0);
	pne_interp_advance(c, PNE_C2S, 1 << 20, on_adu, &R);
	pne_interp_close(c, PNE_C2S, on_adu, &R);
	pne_interp_close(c, PNE_S2C, on_adu, &R);
	assert_int_equal(R.n, 1);
	assert_int_equal(pne_interp_stats(c)->partial, 0);
	free(c);
	free(b);
}

/* ---- optional reports: HEAD, SKIP, ABORT (pne_interp_events) ---- */

#define MAX_EVS 64

struct ev {
	int event;
	uint64_t off, len, skip;
};

struct evrec {
	struct ev e[MAX_EVS];
	unsigned n;
	const uint8_t *stream;   /* the direction's whole stream */
	size_t stream_len;
	uint64_t handed;         /* skip bytes handed with SKIP reports */
	int bad;                 /* a report broke the contract */
};

static void on_event(const struct pne_adu *adu, void *arg)
{
	struct evrec *r = arg;
	uint64_t at = adu->off + adu->len;

	assert_true(r->n < MAX_EVS);
	r->e[r->n++] = (struct ev){ adu->event, adu->off, adu->len, adu->skip };
	if (adu->event != PNE_ADU_SKIP) {
		if (adu->skip != 0 || adu->data != NULL || adu->avail != 0)
			r->bad = 1;
		return;
	}
	/* the bytes handed with a SKIP are the stream's at its start */
	if (adu->avail > adu->skip || at + adu->avail > r->stream_len ||
	    (adu->avail > 0 && memcmp(adu->data, r->stream + at, adu->avail) != 0))
		r->bad = 1;
	r->handed += adu->avail;
}

static bool ev_same(const struct ev *a, const struct ev *b, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (a[k].event != b[k].event || a[k].off != b[k].off || a[k].len != b[k].len ||
		    a[k].skip != b[k].skip)
			return false;
	return true;
}

static void ev_dump(const char *how, size_t cut, const struct evrec *r,
		    const struct ev *w, unsigned nw)
{
	static const char *const names[] = { "END", "HEAD", "SKIP", "ABORT" };

	print_message("events differ (%s, cut %zu): got %u, want %u\n", how, cut, r->n, nw);
	for (unsigned k = 0; k < r->n; k++)
		print_message("  got  %s off=%" PRIu64 " len=%" PRIu64 " skip=%" PRIu64 "\n",
			      names[r->e[k].event & 3], r->e[k].off, r->e[k].len, r->e[k].skip);
	for (unsigned k = 0; k < nw; k++)
		print_message("  want %s off=%" PRIu64 " len=%" PRIu64 " skip=%" PRIu64 "\n",
			      names[w[k].event & 3], w[k].off, w[k].len, w[k].skip);
}

/*
 * Frames one direction's stream every way (as check_stream()) with HEAD
 * and SKIP reports on, and checks the reports against want; examined as
 * in check_stream(): turning the reports on must not change it.
 */
static void check_events(const struct pne_spec *spec, enum pne_dir d, const uint8_t *data,
			 size_t len, const struct ev *w, unsigned nw, uint64_t examined)
{
	static const struct { size_t step; bool fast; bool cuts; const char *how; } ways[] = {
		{ 0, false, false, "whole" },
		{ 0, false, true,  "two pieces" },
		{ 1, false, false, "bytes" },
		{ 1, true,  false, "fast bytes" },
		{ 0, true,  true,  "fast two pieces" },
	};
	static struct evrec r;

	for (unsigned k = 0; k < sizeof(ways) / sizeof(ways[0]); k++) {
		size_t ncut = ways[k].cuts ? len : 1;

		for (size_t cut = ways[k].cuts ? 1 : 0; cut < ncut || cut == 0; cut++) {
			struct pne_interp_conn *c = conn_new(spec, NULL, 1, 1);
			const struct pne_interp_stats *st = pne_interp_stats(c);

			memset(&r, 0, sizeof(r));
			r.stream = data;
			r.stream_len = len;
			pne_interp_events(c, d, PNE_EV_HEAD | PNE_EV_SKIP);
			frame_cb(c, d, data, len, cut, ways[k].step, ways[k].fast, on_event, &r);
			if (r.n != nw || !ev_same(r.e, w, nw)) {
				ev_dump(ways[k].how, cut, &r, w, nw);
				fail();
			}
			assert_false(r.bad);
			assert_int_equal(st->bytes_examined, examined);
			assert_int_equal(st->bytes_examined + st->bytes_skipped, len);
			/* the fast path passes over what it can: less is handed */
			if (!ways[k].fast && ways[k].step == 0 && !ways[k].cuts) {
				uint64_t skipped = 0;

				for (unsigned e = 0; e < nw; e++)
					if (w[e].event == PNE_ADU_SKIP)
						skipped += w[e].skip;
				assert_true(r.handed <= skipped);
			}
			free(c);
			if (cut == 0)
				break;
		}
	}
}

#define EV(e, o, l, s) { PNE_ADU_##e, (o), (l), (s) }

/* HEAD when a message's head is parsed, a SKIP per body range (each
 * chunk's data and CRLF here), then END: at every split, through the
 * fast path or not; the ADUs themselves don't change. */
static void test_events(void **state)
{
	struct tb *b = spec_http();
	static const char s[] = REQ1 REQ2 REQ3 REQ4;
	const uint64_t o2 = L(REQ1), o3 = o2 + L(REQ2), o4 = o3 + L(REQ3);
	const uint64_t h3 = L("POST /c HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n");
	const struct ev w[] = {
		EV(HEAD, 0, L(REQ1), 0),         /* at the skip of 0 bytes: no SKIP */
		EV(END, 0, L(REQ1), 0),
		EV(HEAD, o2, L(REQ2) - 5, 0),
		EV(SKIP, o2, L(REQ2) - 5, 5),
		EV(END, o2, L(REQ2), 0),
		EV(HEAD, o3, h3 + 3, 0),         /* the first chunk's size line read */
		EV(SKIP, o3, h3 + 3, 6),         /* "wiki\r\n" */
		EV(SKIP, o3, h3 + 3 + 6 + 3, 7), /* "pedia\r\n" */
		EV(END, o3, L(REQ3), 0),
		EV(HEAD, o4, L(REQ4), 0),
		EV(END, o4, L(REQ4), 0),
	};
	const struct want wa[] = {
		{ 0, L(REQ1), "request", J1, 0, 0 },
		{ o2, L(REQ2), "request", J2, 0, 0 },
		{ o3, L(REQ3), "request", J3, 0, 0 },
		{ o4, L(REQ4), "request", J4, 0, 0 },
	};

	check_events(&b->spec, PNE_C2S, LIT(s), w, WANT(w), L(s) - 5 - 6 - 7);
	check_events(&b->spec, PNE_S2C, LIT(s), w, WANT(w), L(s) - 5 - 6 - 7);
	/* and without them, the same ADUs */
	check_stream(&b->spec, PNE_C2S, LIT(s), wa, WANT(wa), 1, L(s) - 5 - 6 - 7);
	free(b);
}

/* An ADU whose HEAD was reported and that breaks later is ABORTed; the
 * next one found by the anchors gets its own HEAD. */
static void test_events_abort(void **state)
{
	struct tb *b = spec_http();
	static const char bad[] = "POST /c HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
				  "4\r\nwiki\r\n123456789012345678901234\r\n";
	static const char s[] = "POST /c HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
				"4\r\nwiki\r\n123456789012345678901234\r\n" REQ1;
	const uint64_t h3 = L("POST /c HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n");
	const struct ev w[] = {
		EV(HEAD, 0, h3 + 3, 0),
		EV(SKIP, 0, h3 + 3, 6),
		EV(ABORT, 0, h3 + 3 + 6 + 20, 0),   /* the size line hit its max */
		EV(HEAD, L(bad), L(REQ1), 0),
		EV(END, L(bad), L(REQ1), 0),
	};

	check_events(&b->spec, PNE_C2S, LIT(s), w, WANT(w), L(s) - 6);
	free(b);
}

/* until_close: its SKIP runs up to the unit's max; a partial ADU at
 * close, and one dropped by the other direction's opaque, are ABORTed
 * (the latter through the callback of the call that went opaque). */
static void test_events_until_close(void **state)
{
	struct tb *b = spec_cmd();
	static const struct ev w[] = {
		EV(HEAD, 0, 6, 0), EV(END, 0, 6, 0),
		EV(HEAD, 6, 7, 0), EV(SKIP, 6, 7, 1000 - 7), EV(END, 6, 14, 0),
	};
	static const struct ev w_opaque[] = {
		EV(HEAD, 0, 7, 0), EV(SKIP, 0, 7, 1000 - 7),     /* s2c */
		EV(HEAD, 0, 8, 0), EV(END, 0, 8, 0),              /* c2s */
		EV(ABORT, 0, 9, 0),                               /* s2c */
	};
	static struct evrec r;
	struct tb *lp = spec_lenpfx(PNE_RESYNC_NONE);
	struct pne_interp_conn *c;

	check_events(&b->spec, PNE_C2S, LIT("HELLO\nSTREAM\nabcdefg"), w, WANT(w), 13);

	memset(&r, 0, sizeof(r));
	r.stream = (const uint8_t *)"STREAM\nab";
	r.stream_len = 9;
	c = conn_new(&b->spec, NULL, 1, 1);
	pne_interp_events(c, PNE_S2C, PNE_EV_HEAD | PNE_EV_SKIP);
	pne_interp_events(c, PNE_C2S, PNE_EV_HEAD);
	pne_interp_feed(c, PNE_S2C, guarded(LIT("STREAM\nab")), 9, on_event, &r);
	pne_interp_feed(c, PNE_C2S, guarded(LIT("UPGRADE\n")), 8, on_event, &r);
	assert_int_equal(r.n, WANT(w_opaque));
	assert_true(ev_same(r.e, w_opaque, WANT(w_opaque)));
	assert_int_equal(r.handed, 2);
	assert_false(r.bad);
	free(c);

	/* a partial ADU at close; reports off: nothing but ENDs */
	memset(&r, 0, sizeof(r));
	c = conn_new(&lp->spec, NULL, 1, 1);
	pne_interp_events(c, PNE_C2S, PNE_EV_HEAD);
	pne_interp_feed(c, PNE_C2S, guarded(LIT("\x00\x01\x01" "a" "\x00\x05\x01" "ab")), 9,
			on_event, &r);
	pne_interp_feed(c, PNE_S2C, guarded(LIT("\x00\x01\x01" "a" "\x00\x05\x01" "ab")), 9,
			on_event, &r);
	pne_interp_close(c, PNE_C2S, on_event, &r);
	pne_interp_close(c, PNE_S2C, on_event, &r);
	{
		static const struct ev w_close[] = {
			EV(HEAD, 0, 3, 0), EV(END, 0, 4, 0), EV(HEAD, 4, 3, 0),  /* c2s */
			EV(END, 0, 4, 0),                                        /* s2c */
			EV(ABORT, 4, 5, 0),                                      /* c2s close */
		};

		assert_int_equal(r.n, WANT(w_close));
		assert_true(ev_same(r.e, w_close, WANT(w_close)));
	}
	assert_int_equal(pne_interp_stats(c)->partial, 2);
	free(c);
	free(lp);
	free(b);
}

/* A skip that starts inside the replayed bytes of an anchor match (the
 * literal is longer than the head) and goes on in the next segment: the
 * rest is reported as a skip of its own, so every skipped byte is handed
 * over once, in order. */
static void test_events_replayed_skip(void **state)
{
	static const char *const anchors[] = { "\xaa\x05" "ab" };
	static const char s[] = "xy\xaa\x05" "abcde" "\xaa\x01z";
	struct tb *b = tb_new("short", 1);
	struct pne_unit *u;
	static struct evrec r;
	struct pne_interp_conn *c;
	uint16_t h = tb_hdr(b, 2, 0);
	uint32_t e0;

	tb_field(b, 1, PNE_FT_U8, 0, 0, 0xff);
	e0 = OP(b, HDR, 0, h, NOX);
	OP(b, SKIP, 0, 0, EX(b, S(0)));
	OP(b, END, 0, 0, NOX);
	u = tb_unit(b, "m", e0, 1000);
	u->resync = PNE_RESYNC_ANCHOR;
	u->anchor_dfa = tb_dfa(b, anchors, 1, false);
	for (size_t cut = 1; cut < L(s); cut++) {
		static const struct ev w[] = {
			EV(HEAD, 2, 2, 0), EV(SKIP, 2, 2, 5), EV(END, 2, 7, 0),
			EV(HEAD, 9, 2, 0), EV(SKIP, 9, 2, 1), EV(END, 9, 3, 0),
		};
		/* cut inside the literal: "\xaa\x05a" replayed, then "bcde" */
		static const struct ev w_replay[] = {
			EV(HEAD, 2, 2, 0), EV(SKIP, 2, 2, 5), EV(SKIP, 2, 3, 4), EV(END, 2, 7, 0),
			EV(HEAD, 9, 2, 0), EV(SKIP, 9, 2, 1), EV(END, 9, 3, 0),
		};
		bool replay = cut == 5;

		memset(&r, 0, sizeof(r));
		r.stream = (const uint8_t *)s;
		r.stream_len = L(s);
		c = conn_new(&b->spec, NULL, 0, 1);
		pne_interp_events(c, PNE_C2S, PNE_EV_HEAD | PNE_EV_SKIP);
		frame_cb(c, PNE_C2S, (const uint8_t *)s, L(s), cut, 0, false, on_event, &r);
		if (!(replay ? r.n == WANT(w_replay) && ev_same(r.e, w_replay, r.n)
			     : r.n == WANT(w) && ev_same(r.e, w, r.n))) {
			ev_dump("replayed skip", cut, &r, replay ? w_replay : w,
				replay ? WANT(w_replay) : WANT(w));
			fail();
		}
		assert_false(r.bad);
		/* a skip that starts in the second piece comes whole with its
		 * reports, also when it starts in replayed bytes */
		if (cut <= 5)
			assert_int_equal(r.handed, 6);
		free(c);
	}
	free(b);
}

/* Fixed-size blocks made only of skips: 5 bytes, a SET, 3 bytes, END. */
static struct tb *spec_blocks(void)
{
	struct tb *b = tb_new("blocks", 1);
	uint32_t e0;

	e0 = OP(b, SKIP, 0, 0, EX(b, I(5)));
	OP(b, SET, 0, 0, EX(b, I(7)));
	OP(b, SKIP, 0, 0, EX(b, I(3)));
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "block", e0, 8);
	tb_report(b, "v", 0, PNE_RK_UINT);
	return b;
}

/* advance() that completes a skip runs what follows it at once, up to
 * the next operation that needs a byte: here the next skip, so the
 * whole stream is passed over unread, skip after skip, and every block
 * is reported by the advance() that passes its last byte. */
static void test_advance_skip_chain(void **state)
{
	struct tb *b = spec_blocks();
	struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);
	static const struct want w[] = {
		{ 0, 8, "block", "{\"v\":7}", 0, 0 },
		{ 8, 8, "block", "{\"v\":7}", 0, 0 },
		{ 16, 8, "block", "{\"v\":7}", 0, 0 },
	};
	static const uint8_t zeros[24];

	R.n = 0;
	/* the first skip starts when the operations first run: a feed */
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 0);
	assert_int_equal(pne_interp_feed(c, PNE_C2S, NULL, 0, on_adu, &R), 0);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 5);
	pne_interp_advance(c, PNE_C2S, 5, on_adu, &R);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 3);
	assert_int_equal(R.n, 0);
	pne_interp_advance(c, PNE_C2S, 2, on_adu, &R);
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 1);
	pne_interp_advance(c, PNE_C2S, 1, on_adu, &R);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.a[0].off, 0);
	assert_int_equal(R.a[0].len, 8);
	assert_string_equal(R.a[0].json, "{\"v\":7}");
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), 5);
	/* more than the skip under way is a gap, even if the next one would
	 * take the rest */
	pne_interp_advance(c, PNE_C2S, 6, on_adu, &R);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_int_equal(R.n, 1);
	free(c);

	/* every way of framing, the fast path included, examines nothing */
	check_stream(&b->spec, PNE_C2S, zeros, sizeof(zeros), w, WANT(w), 1, 0);
	{
		const struct ev ev[] = {
			EV(HEAD, 0, 0, 0), EV(SKIP, 0, 0, 5), EV(SKIP, 0, 5, 3), EV(END, 0, 8, 0),
			EV(HEAD, 8, 0, 0), EV(SKIP, 8, 0, 5), EV(SKIP, 8, 5, 3), EV(END, 8, 8, 0),
			EV(HEAD, 16, 0, 0), EV(SKIP, 16, 0, 5), EV(SKIP, 16, 5, 3),
			EV(END, 16, 8, 0),
			/* the next block starts at once with its skip: its
			 * HEAD, then nothing, ABORTed at close */
			EV(HEAD, 24, 0, 0), EV(SKIP, 24, 0, 5), EV(ABORT, 24, 0, 0),
		};

		check_events(&b->spec, PNE_C2S, zeros, sizeof(zeros), ev, WANT(ev), 0);
	}
	free(b);
}

/* pne_interp_unsync(): resynchronise where the direction is, counting
 * no invalidity and recording no error (unlike a gap of 0 bytes). */
static void test_unsync(void **state)
{
	struct tb *lp = spec_lenpfx(PNE_RESYNC_NONE);
	struct tb *h = spec_http();
	static struct evrec r;
	struct pne_interp_conn *c;

	/* a partial ADU whose HEAD was reported is ABORTed */
	memset(&r, 0, sizeof(r));
	r.stream = (const uint8_t *)"\x00\x05\x01" "ab";
	r.stream_len = 5;
	c = conn_new(&lp->spec, NULL, 1, 1);
	pne_interp_events(c, PNE_C2S, PNE_EV_HEAD | PNE_EV_SKIP);
	pne_interp_feed(c, PNE_C2S, guarded(LIT("\x00\x05\x01" "ab")), 5, on_event, &r);
	assert_int_equal(r.n, 2);
	pne_interp_unsync(c, PNE_C2S, on_event, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.e[2].event, PNE_ADU_ABORT);
	assert_int_equal(r.e[2].len, 5);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_null(pne_interp_error(c, PNE_C2S));
	assert_int_equal(pne_interp_stats(c)->invalid, 0);
	/* no resync rule: lost for good */
	assert_int_equal(pne_interp_skippable(c, PNE_C2S), UINT64_MAX);
	pne_interp_close(c, PNE_C2S, on_event, &r);
	assert_int_equal(r.n, 3);
	assert_int_equal(pne_interp_stats(c)->partial, 0);
	/* closed, or already resynchronising: left alone */
	pne_interp_unsync(c, PNE_C2S, on_event, &r);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_CLOSED);
	pne_interp_unsync(c, (enum pne_dir)2, on_event, &r);
	free(c);

	/* a gap of 0 bytes resynchronises too, but records the gap */
	c = conn_new(&lp->spec, NULL, 1, 1);
	assert_int_equal(pne_interp_gap(c, PNE_C2S, 0, on_adu, &R), 1);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "gap in the stream");
	free(c);

	/* with anchors: the next request is found after the junk, unsynced */
	c = conn_new(&h->spec, NULL, 1, 1);
	R.n = 0;
	assert_int_equal(feed(c, PNE_C2S, LIT("ET /x"), &R), 5);
	pne_interp_unsync(c, PNE_C2S, on_adu, &R);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	pne_interp_unsync(c, PNE_C2S, on_adu, &R);
	assert_int_equal(feed(c, PNE_C2S, LIT(" HTTP/1.1\r\n\r\n" REQ2), &R),
			 L(" HTTP/1.1\r\n\r\n" REQ2));
	assert_int_equal(R.n, 1);
	assert_int_equal(R.a[0].off, 5 + L(" HTTP/1.1\r\n\r\n"));
	assert_false(R.a[0].synced);
	assert_int_equal(pne_interp_stats(c)->invalid, 0);
	assert_int_equal(pne_interp_stats(c)->resyncs, 1);
	assert_null(pne_interp_error(c, PNE_C2S));
	free(c);
	free(h);
	free(lp);
}

/* ---- JSON escaping ---- */

static void test_json(void **state)
{
	struct tb *b = spec_cmd();
	struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);
	struct pne_adu adu;
	uint64_t slots[3];
	uint8_t arena[32];
	char buf[8];

	R.n = 0;
	feed(c, PNE_C2S, LIT("\x01\"\\\xc3\xa9\xff\xc3\x7f\n"
			     "\xf0\x9f\x98\x80\xc0\x80\xed\xa0\x80\n"), &R);
	assert_int_equal(R.n, 2);
	assert_string_equal(R.a[0].json, "{\"w\":\"\\u0001\\\"\\\\\xc3\xa9\\u00ff\\u00c3\x7f\"}");
	assert_string_equal(R.a[1].json,
			    "{\"w\":\"\xf0\x9f\x98\x80\\u00c0\\u0080\\u00ed\\u00a0\\u0080\"}");
	free(c);

	/* snprintf-like: the length it needs, a NUL-terminated prefix */
	memcpy(arena, "abcdef", 6);
	slots[2] = 6;
	adu = (struct pne_adu){ .spec = &b->spec, .unit = 0, .slots = slots,
				.strings = arena };
	assert_int_equal(pne_adu_fields_json(&adu, buf, sizeof(buf)), 14);
	assert_string_equal(buf, "{\"w\":\"a");
	assert_int_equal(pne_adu_fields_json(&adu, NULL, 0), 14);
	/* a string slot pointing outside the arena reads as empty */
	slots[2] = (UINT64_C(1000) << 32) | 6;
	assert_int_equal(pne_adu_fields_json(&adu, NULL, 0), 8);
	free(b);
}

/* ---- malformed tables: invalid, never a crash or a hang ---- */

static void expect_broken(struct tb *b, const char *in, size_t len, const char *err)
{
	struct pne_interp_conn *c = conn_new(&b->spec, NULL, 1, 1);

	R.n = 0;
	assert_int_equal(feed(c, PNE_C2S, (const uint8_t *)in, len, &R), len);
	assert_int_equal(pne_interp_status(c, PNE_C2S), PNE_IS_RESYNC);
	assert_string_equal(pne_interp_error(c, PNE_C2S), err);
	pne_interp_close(c, PNE_C2S, on_adu, &R);
	free(c);
}

static void test_malformed(void **state)
{
	struct tb *b;
	struct pne_interp_conn *c;
	uint32_t e0;
	uint16_t h;

	b = tb_new("bad", 1);
	tb_op(b, 0x77, 0, 0, NOX, 0);
	tb_unit(b, "u", 0, 10);
	expect_broken(b, "abc", 3, "malformed table");
	b->ops[0] = (struct pne_op){ PNE_OP_JMP, 0, 5, NOX, 0 };
	expect_broken(b, "abc", 3, "malformed table");
	b->ops[0] = (struct pne_op){ PNE_OP_JMP, 0, 0, NOX, 0 };
	expect_broken(b, "abc", 3, "operations loop without consuming bytes");
	b->ops[0] = (struct pne_op){ PNE_OP_HDR, 0, 3, NOX, 0 };
	expect_broken(b, "abc", 3, "malformed table");
	b->ops[0] = (struct pne_op){ PNE_OP_TEXT, 0, 3, NOX, 0 };
	expect_broken(b, "abc", 3, "malformed table");
	b->ops[0] = (struct pne_op){ PNE_OP_SET, 9, 0, EX(b, I(1)), 0 };
	expect_broken(b, "abc", 3, "malformed table");
	b->ops[0] = (struct pne_op){ PNE_OP_SET, 0, 0, 5000, 0 };
	expect_broken(b, "abc", 3, "malformed expression");
	b->ops[0] = (struct pne_op){ PNE_OP_PUSH, 0, 0, EX(b, I(1)), 0 };
	expect_broken(b, "abc", 3, "malformed table");
	b->ops[0] = (struct pne_op){ PNE_OP_END, 0, 0, NOX, 0 };
	expect_broken(b, "abc", 3, "ADU without bytes");
	b->units[0].entry = 40;
	expect_broken(b, "abc", 3, "malformed table");
	free(b);

	/* a field past its header */
	b = tb_new("bad", 1);
	h = tb_hdr(b, 2, 0);
	tb_field(b, 1, PNE_FT_U16, 0, 0, 0xffff);
	e0 = OP(b, HDR, 0, h, NOX);
	OP(b, END, 0, 0, NOX);
	tb_unit(b, "u", e0, 10);
	expect_broken(b, "abc", 3, "malformed table");
	free(b);

	/* a wrong ABI: nothing is framed, nothing is read */
	b = spec_lenpfx(PNE_RESYNC_NONE);
	b->spec.abi = PNE_TABLE_ABI + 1;
	c = conn_new(&b->spec, NULL, 1, 1);
	R.n = 0;
	assert_int_equal(feed(c, PNE_C2S, LIT(lenpfx_stream), &R), sizeof(lenpfx_stream) - 1);
	assert_int_equal(R.n, 0);
	assert_int_equal(pne_interp_status(c, PNE_S2C), PNE_IS_RESYNC);
	assert_string_equal(pne_interp_error(c, PNE_C2S), "spec table ABI mismatch");
	free(c);
	free(b);

	/* a confirm unit whose header exceeds its max: every candidate fails
	 * before its first byte, and the scan still moves on */
	b = spec_bhs();
	b->units[0].max_len = 40;
	c = conn_new(&b->spec, NULL, 0, 0);
	{
		uint8_t s[600];
		size_t n = pdu(s, 1, 0, 0);

		n += pdu(s + n, 1, 0, 0);
		assert_int_equal(feed(c, PNE_C2S, s, n, &R), n);
		assert_int_equal(pne_interp_stats(c)->resyncs, 2);
		assert_int_equal(pne_interp_stats(c)->adus, 0);
	}
	free(c);
	free(b);

	/* a lost direction absorbs gaps */
	b = spec_lenpfx(PNE_RESYNC_NONE);
	c = conn_new(&b->spec, NULL, 0, 1);
	assert_int_equal(pne_interp_gap(c, PNE_C2S, 10, on_adu, &R), 0);
	free(c);
	free(b);

	/* an anchor-resynced unit failing at its first byte can't loop */
	b = spec_http();
	b->ops[b->units[0].entry] = (struct pne_op){ PNE_OP_REQUIRE, 0, PNE_NO_STR,
						     EX(b, I(0)), 0 };
	c = conn_new(&b->spec, NULL, 0, 0);
	R.n = 0;
	assert_int_equal(feed(c, PNE_C2S, LIT("GET GET POST GET "), &R), 17);
	assert_int_equal(R.n, 0);
	assert_int_equal(pne_interp_stats(c)->resyncs, 4);
	free(c);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lenpfx),
		cmocka_unit_test(test_lenpfx_invalid_lost),
		cmocka_unit_test(test_gap_and_advance),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_bhs),
		cmocka_unit_test(test_bhs_confirm),
		cmocka_unit_test(test_bhs_invalid),
		cmocka_unit_test(test_le),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_expression_unterminated),
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_suffix),
		cmocka_unit_test(test_text_list),
		cmocka_unit_test(test_text_no_buffer),
		cmocka_unit_test(test_text_anchor),
		cmocka_unit_test(test_text_invalid),
		cmocka_unit_test(test_sized_text),
		cmocka_unit_test(test_anchor_replay_waits),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_fifo_wait_force),
		cmocka_unit_test(test_wait_other_stuck),
		cmocka_unit_test(test_wait_deadlock),
		cmocka_unit_test(test_until_close),
		cmocka_unit_test(test_opaque),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_events_abort),
		cmocka_unit_test(test_events_until_close),
		cmocka_unit_test(test_events_replayed_skip),
		cmocka_unit_test(test_advance_skip_chain),
		cmocka_unit_test(test_unsync),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("interp", tests, guard_setup, guard_teardown);
}
