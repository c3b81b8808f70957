/*
 * Shared harness for the spec tests (tests/unit/test_spec_*.c): runs a
 * compiled spec over a hand-built conversation and checks the ADUs it
 * reports against a list written from the protocol's RFC.
 *
 * A conversation is an array of messages {dir, bytes, len} in the order
 * they were sent. sh_check() runs it in several ways and requires every
 * way to report the same ADUs, equal to the expected list:
 *   (a) each message fed whole;
 *   (b) for every byte position p of the concatenated conversation, the
 *       same with the message holding p cut in two at p;
 *   (c) one byte at a time;
 *   (d) as (b), but whenever the interpreter says the next bytes would be
 *       skipped unseen (pne_interp_skippable), they are passed over with
 *       pne_interp_advance() instead of being fed (the fast path): never
 *       read, so the guard page catches a fast path that reads them.
 * Every fed buffer ends right before a PROT_NONE guard page, so reading
 * one byte past what was given crashes the test (picohttpparser style).
 *
 * A direction that waits on the other (pop/wait) consumes less than it is
 * given: the remainder is kept, in order, and fed again each time the
 * other direction makes progress; when nothing more can arrive, the
 * harness calls pne_interp_force() like the runtime does. Both directions
 * are closed at the end (pne_interp_close), so until_close ADUs show up.
 *
 * ADUs are compared sorted by (direction, offset): the interleaving of
 * the two directions' reports depends on the feeding order, the ADUs of
 * each direction do not. Write the expected list in that order:
 *
 *	const struct sh_msg msgs[] = { SH_C2S("GET / HTTP/1.1\r\n\r\n"), ... };
 *	const struct sh_expect exp[] = {
 *		SH_EXP(PNE_C2S, 0, 18, "request", "\"method\":\"GET\""),
 *		SH_EXP(PNE_S2C, 0, 38, "response", NULL, 0, 1),   (until close)
 *	};
 *	sh_check("http", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
 *
 * sh_check_conv() takes parameters and unsynchronised starts, and can
 * hand back the whole-message run (stats, final status) for more checks.
 *
 * Header-only (static inline functions) so each test file is one translation
 * unit; include it after cmocka's prerequisites, or let it include them.
 */
#ifndef PNE_SPEC_HARNESS_H
#define PNE_SPEC_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "pne/interp.h"
#include "pne/specs.h"
#include "pne/table.h"

/* One message of a conversation, as sent. */
struct sh_msg {
	enum pne_dir dir;
	const void *data;
	size_t len;
};

/* A message from a string literal (NUL bytes inside are kept). */
#define SH_MSG(d, lit) { (d), (lit), sizeof(lit) - 1 }
#define SH_C2S(lit) SH_MSG(PNE_C2S, lit)
#define SH_S2C(lit) SH_MSG(PNE_S2C, lit)

/*
 * An expected ADU. fields: NULL is not checked; a string starting with
 * '{' must equal the reported JSON object exactly; anything else must
 * occur in it. unsynced: expect "synced": false. closed: expect an ADU
 * ended by the stream's end (until_close).
 */
struct sh_expect {
	enum pne_dir dir;
	uint64_t off;
	uint64_t len;
	const char *type;
	const char *fields;
	int unsynced;
	int closed;
};

/* An expected ADU: SH_EXP(dir, off, len, type, fields[, unsynced[, closed]]). */
#define SH_EXP_(d, o, l, t, f, u, c, ...) { (d), (o), (l), (t), (f), (u), (c) }
#define SH_EXP(...) SH_EXP_(__VA_ARGS__, 0, 0, 0)

#define SH_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* What to run: the spec, the messages, optional parameters and start. */
struct sh_conv {
	const struct pne_spec *spec;
	const struct sh_msg *msgs;
	size_t nmsgs;
	const uint64_t *params;   /* spec->ncvars values, or NULL: defaults */
	int unsynced_start[2];    /* 1: direction starts unsynchronised */
};

/* An ADU as reported, copied out of the callback. */
struct sh_adu {
	enum pne_dir dir;
	uint64_t off;
	uint64_t len;
	int synced;
	int closed;
	char type[48];
	char fields[512];
};

/* The result of one run. */
struct sh_result {
	struct sh_adu *adus;
	size_t n, cap;
	struct pne_interp_stats stats;
	enum pne_interp_status status[2];  /* after the last byte, before close */
	int bad_callback;                  /* a report broke the API contract */
	uint64_t advanced;                 /* bytes passed with pne_interp_advance */
	uint64_t fast_advanced;            /* sh_check_conv: the same, summed over
					      its fast-path runs */
};

/* ---- guarded buffers -------------------------------------------------- */

/* A copy of len bytes that ends right before an unreadable page. */
struct sh_guarded {
	uint8_t *map;
	size_t maplen;
	uint8_t *data;
	size_t len;
};

static inline void sh_guard_alloc(struct sh_guarded *g, const void *src, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (len + page - 1) / page * page;

	g->maplen = body + page;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map + body, page, PROT_NONE), 0);
	g->data = g->map + body - len;
	g->len = len;
	if (len > 0)
		memcpy(g->data, src, len);
}

static inline void sh_guard_free(struct sh_guarded *g)
{
	if (g->map != NULL && g->map != MAP_FAILED)
		munmap(g->map, g->maplen);
	g->map = NULL;
}

/* ---- one run ------------------------------------------------------------ */

/* A piece of one direction's stream still to be fed, in order. */
struct sh_piece {
	const uint8_t *data;
	size_t len;
};

struct sh_run {
	const struct sh_conv *conv;
	struct pne_interp_conn *conn;
	struct sh_result *res;
	int fast;                      /* use skippable/advance */
	struct sh_piece *q[2];         /* pending pieces per direction */
	size_t qhead[2], qn[2], qcap[2];
};

static inline void sh_result_free(struct sh_result *r)
{
	free(r->adus);
	memset(r, 0, sizeof(*r));
}

static inline void sh_on_adu(const struct pne_adu *adu, void *arg)
{
	struct sh_run *run = arg;
	struct sh_result *r = run->res;
	struct sh_adu *a;

	if (adu->spec != run->conv->spec || adu->type == NULL ||
	    (adu->dir != PNE_C2S && adu->dir != PNE_S2C)) {
		r->bad_callback = 1;
		return;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct sh_adu *p = realloc(r->adus, cap * sizeof(*p));

		assert_non_null(p);
		r->adus = p;
		r->cap = cap;
	}
	a = &r->adus[r->n++];
	memset(a, 0, sizeof(*a));
	a->dir = adu->dir;
	a->off = adu->off;
	a->len = adu->len;
	a->synced = adu->synced != 0;
	a->closed = adu->closed != 0;
	snprintf(a->type, sizeof(a->type), "%s", adu->type);
	if (pne_adu_fields_json(adu, a->fields, sizeof(a->fields)) >= sizeof(a->fields))
		r->bad_callback = 1; /* tests keep reports short: a cut is a bug */
}

static inline void sh_enqueue(struct sh_run *run, enum pne_dir d, const uint8_t *data, size_t len)
{
	if (len == 0)
		return;
	if (run->qn[d] == run->qcap[d]) {
		size_t cap = run->qcap[d] ? 2 * run->qcap[d] : 16;
		struct sh_piece *p = realloc(run->q[d], cap * sizeof(*p));

		assert_non_null(p);
		run->q[d] = p;
		run->qcap[d] = cap;
	}
	run->q[d][run->qn[d]++] = (struct sh_piece){ data, len };
}

/* Feed direction d's oldest pending piece; returns bytes consumed. */
static inline size_t sh_feed_front(struct sh_run *run, enum pne_dir d)
{
	struct sh_piece *pc = &run->q[d][run->qhead[d]];
	size_t done = 0;

	/* skip after skip: ending one may start the next without a byte */
	while (run->fast && done < pc->len) {
		uint64_t sk = pne_interp_skippable(run->conn, d);
		size_t adv = sk < pc->len - done ? (size_t)sk : pc->len - done;

		if (adv == 0)
			break;
		pne_interp_advance(run->conn, d, adv, sh_on_adu, run);
		run->res->advanced += adv;
		done += adv;
	}
	if (done < pc->len)
		done += pne_interp_feed(run->conn, d, pc->data + done, pc->len - done,
					sh_on_adu, run);
	assert_true(done <= pc->len);
	pc->data += done;
	pc->len -= done;
	if (pc->len == 0)
		run->qhead[d]++;
	return done;
}

/* Feed whatever can be fed, alternating directions until neither moves. */
static inline void sh_pump(struct sh_run *run)
{
	int progress = 1;

	while (progress) {
		progress = 0;
		for (int d = 0; d < 2; d++) {
			while (run->qhead[d] < run->qn[d]) {
				size_t before = run->q[d][run->qhead[d]].len;
				size_t n = sh_feed_front(run, (enum pne_dir)d);

				if (n > 0)
					progress = 1;
				if (n < before)
					break; /* waiting on the other direction */
			}
		}
	}
}

/* Nothing more will arrive: release waits the way the runtime would. */
static inline void sh_drain(struct sh_run *run)
{
	for (int round = 0; round < 10000; round++) {
		int stuck = 0;

		sh_pump(run);
		for (int d = 0; d < 2; d++) {
			if (run->qhead[d] < run->qn[d]) {
				pne_interp_force(run->conn, (enum pne_dir)d);
				stuck = 1;
			}
		}
		if (!stuck)
			return;
	}
	fail_msg("a direction stays waiting even after pne_interp_force");
}

/*
 * Run the conversation once. cut: a position in the concatenated
 * conversation where the message holding it is split (0: no cut).
 * bytewise: feed one byte at a time. fast: use the fast path. pool: the
 * connection borrows its header buffers from there (NULL: inline ones);
 * it must have given every one back once both directions closed.
 */
static inline void sh_run_once(const struct sh_conv *conv, size_t cut, int bytewise, int fast,
			       struct pne_hdr_pool *pool, struct sh_guarded *msgbufs,
			       struct sh_result *res)
{
	struct sh_run run;
	struct sh_guarded cutbuf = { 0 };
	struct sh_guarded *bytes = NULL;
	size_t nbytes = 0, pos = 0;
	size_t size = pool != NULL ? pne_interp_conn_size_pooled(conv->spec) :
				     pne_interp_conn_size(conv->spec);
	int synced[2] = { !conv->unsynced_start[0], !conv->unsynced_start[1] };

	memset(&run, 0, sizeof(run));
	memset(res, 0, sizeof(*res));
	run.conv = conv;
	run.res = res;
	run.fast = fast;
	run.conn = aligned_alloc(64, (size + 63) / 64 * 64);
	assert_non_null(run.conn);
	memset(run.conn, 0xa5, size); /* init must not rely on zeroed memory */
	if (pool != NULL)
		pne_interp_init_pooled(run.conn, conv->spec, conv->params, synced, pool);
	else
		pne_interp_init(run.conn, conv->spec, conv->params, synced);

	if (bytewise) {
		for (size_t i = 0; i < conv->nmsgs; i++)
			nbytes += conv->msgs[i].len;
		bytes = calloc(nbytes ? nbytes : 1, sizeof(*bytes));
		assert_non_null(bytes);
	}
	for (size_t i = 0; i < conv->nmsgs; i++) {
		const struct sh_msg *m = &conv->msgs[i];
		const uint8_t *data = msgbufs[i].data;

		if (bytewise) {
			for (size_t j = 0; j < m->len; j++) {
				sh_guard_alloc(&bytes[pos + j], data + j, 1);
				sh_enqueue(&run, m->dir, bytes[pos + j].data, 1);
				sh_pump(&run);
			}
		} else if (cut > pos && cut < pos + m->len) {
			sh_guard_alloc(&cutbuf, data, cut - pos);
			sh_enqueue(&run, m->dir, cutbuf.data, cut - pos);
			sh_pump(&run);
			sh_enqueue(&run, m->dir, data + (cut - pos), m->len - (cut - pos));
			sh_pump(&run);
		} else {
			sh_enqueue(&run, m->dir, data, m->len);
			sh_pump(&run);
		}
		pos += m->len;
	}
	sh_drain(&run);
	res->status[0] = pne_interp_status(run.conn, PNE_C2S);
	res->status[1] = pne_interp_status(run.conn, PNE_S2C);
	pne_interp_close(run.conn, PNE_C2S, sh_on_adu, &run);
	pne_interp_close(run.conn, PNE_S2C, sh_on_adu, &run);
	res->stats = *pne_interp_stats(run.conn);
	if (pool != NULL && pne_hdr_pool_stats(pool)->in_use != 0)
		fail_msg("%llu header buffers not given back after close",
			 (unsigned long long)pne_hdr_pool_stats(pool)->in_use);

	for (size_t j = 0; j < nbytes; j++)
		sh_guard_free(&bytes[j]);
	free(bytes);
	sh_guard_free(&cutbuf);
	free(run.q[0]);
	free(run.q[1]);
	free(run.conn);
}

/* ---- comparison --------------------------------------------------------- */

static inline int sh_adu_cmp(const void *a, const void *b)
{
	const struct sh_adu *x = a, *y = b;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

static inline void sh_sort(struct sh_result *r)
{
	if (r->n > 1)
		qsort(r->adus, r->n, sizeof(r->adus[0]), sh_adu_cmp);
}

static inline void sh_print(const char *what, const struct sh_result *r)
{
	print_message("%s: %zu ADUs (invalid %llu, resyncs %llu, partial %llu, forced %llu)\n",
		      what, r->n, (unsigned long long)r->stats.invalid,
		      (unsigned long long)r->stats.resyncs,
		      (unsigned long long)r->stats.partial,
		      (unsigned long long)r->stats.forced);
	for (size_t i = 0; i < r->n; i++) {
		const struct sh_adu *a = &r->adus[i];

		print_message("  %s off %llu len %llu %s%s%s %s\n",
			      a->dir == PNE_C2S ? "c2s" : "s2c",
			      (unsigned long long)a->off, (unsigned long long)a->len,
			      a->type, a->synced ? "" : " unsynced",
			      a->closed ? " closed" : "", a->fields);
	}
}

/* 1 if two runs reported exactly the same ADUs and invalidity counts. */
static inline int sh_same(const struct sh_result *x, const struct sh_result *y)
{
	if (x->n != y->n || x->stats.invalid != y->stats.invalid ||
	    x->stats.partial != y->stats.partial)
		return 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct sh_adu *a = &x->adus[i], *b = &y->adus[i];

		if (a->dir != b->dir || a->off != b->off || a->len != b->len ||
		    a->synced != b->synced || a->closed != b->closed ||
		    strcmp(a->type, b->type) != 0 || strcmp(a->fields, b->fields) != 0)
			return 0;
	}
	return 1;
}

/* Index of the first expected ADU that r doesn't match, or -1. */
static inline long sh_mismatch(const struct sh_result *r, const struct sh_expect *exp, size_t nexp)
{
	size_t n = r->n < nexp ? r->n : nexp;

	for (size_t i = 0; i < n; i++) {
		const struct sh_adu *a = &r->adus[i];
		const struct sh_expect *e = &exp[i];

		if (a->dir != e->dir || a->off != e->off || a->len != e->len ||
		    a->synced != !e->unsynced || a->closed != !!e->closed ||
		    (e->type != NULL && strcmp(a->type, e->type) != 0))
			return (long)i;
		if (e->fields == NULL)
			continue;
		if (e->fields[0] == '{' ? strcmp(a->fields, e->fields) != 0
					: strstr(a->fields, e->fields) == NULL)
			return (long)i;
	}
	return r->n == nexp ? -1 : (long)n;
}

static inline void sh_print_expect(const struct sh_expect *exp, size_t nexp)
{
	print_message("expected: %zu ADUs\n", nexp);
	for (size_t i = 0; i < nexp; i++)
		print_message("  %s off %llu len %llu %s%s%s %s\n",
			      exp[i].dir == PNE_C2S ? "c2s" : "s2c",
			      (unsigned long long)exp[i].off,
			      (unsigned long long)exp[i].len,
			      exp[i].type ? exp[i].type : "*",
			      exp[i].unsynced ? " unsynced" : "",
			      exp[i].closed ? " closed" : "",
			      exp[i].fields ? exp[i].fields : "");
}

/* ---- the entry points --------------------------------------------------- */

/* Total bytes of the conversation. */
static inline size_t sh_total(const struct sh_conv *conv)
{
	size_t t = 0;

	for (size_t i = 0; i < conv->nmsgs; i++)
		t += conv->msgs[i].len;
	return t;
}

static inline struct sh_guarded *sh_guard_msgs(const struct sh_conv *conv)
{
	struct sh_guarded *g = calloc(conv->nmsgs ? conv->nmsgs : 1, sizeof(*g));

	assert_non_null(g);
	for (size_t i = 0; i < conv->nmsgs; i++)
		sh_guard_alloc(&g[i], conv->msgs[i].data, conv->msgs[i].len);
	return g;
}

static inline void sh_unguard_msgs(const struct sh_conv *conv, struct sh_guarded *g)
{
	for (size_t i = 0; i < conv->nmsgs; i++)
		sh_guard_free(&g[i]);
	free(g);
}

/* Run the conversation with each message fed whole; ADUs sorted. */
static inline void sh_run_whole(const struct sh_conv *conv, struct sh_result *res)
{
	struct sh_guarded *g = sh_guard_msgs(conv);

	sh_run_once(conv, 0, 0, 0, NULL, g, res);
	sh_sort(res);
	sh_unguard_msgs(conv, g);
}

/* Fail the test unless 'got' (variant 'what', cut 'cut') equals 'ref'. */
static inline void sh_require_same(const struct sh_result *ref, const struct sh_result *got,
			    const char *what, size_t cut)
{
	char name[96];

	if (sh_same(ref, got) && !got->bad_callback)
		return;
	snprintf(name, sizeof(name), "%s (cut at %zu)", what, cut);
	sh_print("messages whole", ref);
	sh_print(name, got);
	fail_msg("%s reports differently from whole messages%s", name,
		 got->bad_callback ? " (bad callback data)" : "");
}

/*
 * Run every variant and require each to report exactly the expected ADUs
 * (sorted by direction and offset). res, when not NULL, receives the
 * whole-message run for further checks (free it with sh_result_free).
 * The whole-message run uses inline header buffers; the split and
 * byte-at-a-time runs, and half the fast-path ones, borrow theirs from a
 * pool of two blocks (one per direction: never exhausted), so both kinds
 * of connection frame every split the same.
 */
static inline void sh_check_conv(const struct sh_conv *conv, const struct sh_expect *exp,
			  size_t nexp, struct sh_result *res)
{
	struct sh_guarded *g;
	struct sh_result ref, got;
	struct pne_hdr_pool *pool = pne_hdr_pool_create(2 * PNE_HDR_BLOCK);
	size_t total = sh_total(conv);
	uint64_t fast_advanced = 0;
	long bad;

	assert_non_null(conv->spec);
	assert_non_null(pool);
	g = sh_guard_msgs(conv);
	sh_run_once(conv, 0, 0, 0, NULL, g, &ref);
	sh_sort(&ref);
	bad = sh_mismatch(&ref, exp, nexp);
	if (bad >= 0 || ref.bad_callback) {
		sh_print_expect(exp, nexp);
		sh_print("got (messages whole)", &ref);
		fail_msg("ADU %ld differs from the expected list%s", bad,
			 ref.bad_callback ? " (bad callback data)" : "");
	}
	for (size_t cut = 1; cut < total; cut++) {
		sh_run_once(conv, cut, 0, 0, pool, g, &got);
		sh_sort(&got);
		sh_require_same(&ref, &got, "split", cut);
		sh_result_free(&got);
	}
	for (size_t cut = 0; cut < total; cut++) {
		sh_run_once(conv, cut, 0, 1, cut % 2 ? pool : NULL, g, &got);
		sh_sort(&got);
		sh_require_same(&ref, &got, "fast path", cut);
		fast_advanced += got.advanced;
		sh_result_free(&got);
	}
	sh_run_once(conv, 0, 1, 0, pool, g, &got);
	sh_sort(&got);
	sh_require_same(&ref, &got, "one byte at a time", 0);
	sh_result_free(&got);
	assert_int_equal(pne_hdr_pool_stats(pool)->exhausted, 0);
	pne_hdr_pool_destroy(pool);
	sh_unguard_msgs(conv, g);
	ref.fast_advanced = fast_advanced;
	if (res != NULL)
		*res = ref;
	else
		sh_result_free(&ref);
}

/* sh_check_conv() for a built-in spec with default parameters. */
static inline void sh_check(const char *spec, const struct sh_msg *msgs, size_t nmsgs,
		     const struct sh_expect *exp, size_t nexp)
{
	struct sh_conv conv = { .spec = pne_builtin_spec(spec), .msgs = msgs, .nmsgs = nmsgs };

	if (conv.spec == NULL)
		fail_msg("spec %s is not built in", spec);
	sh_check_conv(&conv, exp, nexp, NULL);
}

/* ---- conversations too big to build in memory ------------------------- */

/*
 * A piece of such a conversation: bytes, or (data NULL) len bytes of
 * payload that the interpreter must pass over unseen through the fast
 * path: they must be exactly the rest of a skip, and the operations after
 * it (the ADU it ends) run in pne_interp_advance() itself.
 */
struct sh_big {
	enum pne_dir dir;
	const void *data;
	uint64_t len;
};

/* Run built-in spec name over p[0..n), both directions synced, then close
 * both; require exactly the expected ADUs (sorted by direction and
 * offset), no invalidity, and every unseen byte counted as skipped. */
static inline void sh_big_check(const char *name, const struct sh_big *p, size_t n,
				const struct sh_expect *exp, size_t nexp)
{
	struct sh_conv conv = { .spec = pne_builtin_spec(name) };
	struct sh_result res;
	struct sh_run run;
	int synced[2] = { 1, 1 };
	uint64_t skipped = 0, fed = 0;
	size_t size;
	long bad;

	assert_non_null(conv.spec);
	memset(&run, 0, sizeof(run));
	memset(&res, 0, sizeof(res));
	run.conv = &conv;
	run.res = &res;
	size = pne_interp_conn_size(conv.spec);
	run.conn = aligned_alloc(64, (size + 63) / 64 * 64);
	assert_non_null(run.conn);
	pne_interp_init(run.conn, conv.spec, NULL, synced);
	for (size_t i = 0; i < n; i++) {
		if (p[i].data != NULL) {
			assert_int_equal(pne_interp_feed(run.conn, p[i].dir, p[i].data,
							 (size_t)p[i].len, sh_on_adu, &run),
					 p[i].len);
			fed += p[i].len;
			continue;
		}
		assert_true(p[i].len > 0);
		assert_int_equal(pne_interp_skippable(run.conn, p[i].dir), p[i].len);
		pne_interp_advance(run.conn, p[i].dir, p[i].len, sh_on_adu, &run);
		skipped += p[i].len;
	}
	pne_interp_close(run.conn, PNE_C2S, sh_on_adu, &run);
	pne_interp_close(run.conn, PNE_S2C, sh_on_adu, &run);
	res.stats = *pne_interp_stats(run.conn);
	sh_sort(&res);
	bad = sh_mismatch(&res, exp, nexp);
	if (bad >= 0 || res.bad_callback) {
		sh_print_expect(exp, nexp);
		sh_print("got", &res);
		fail_msg("ADU %ld differs from the expected list", bad);
	}
	assert_int_equal(res.stats.invalid, 0);
	assert_int_equal(res.stats.bytes_examined + res.stats.bytes_skipped, fed + skipped);
	assert_true(res.stats.bytes_skipped >= skipped);
	sh_result_free(&res);
	free(run.conn);
}

/* Index of the connection variable or parameter called name, or -1. */
static inline int sh_cvar_index(const struct pne_spec *spec, const char *name)
{
	for (int i = 0; i < spec->ncvars; i++) {
		const struct pne_str *s = &spec->strs[spec->cvars[i].name];

		if (s->len == strlen(name) && memcmp(s->s, name, s->len) == 0)
			return i;
	}
	return -1;
}

/* Fill params[] (PNE_MAX_CVARS entries) with the spec's defaults. */
static inline void sh_params_default(const struct pne_spec *spec, uint64_t *params)
{
	memset(params, 0, PNE_MAX_CVARS * sizeof(*params));
	for (int i = 0; i < spec->ncvars; i++)
		params[i] = spec->cvars[i].init;
}

/* Set parameter name in params[]; fails the test if there is none. */
static inline void sh_param_set(const struct pne_spec *spec, uint64_t *params,
			 const char *name, uint64_t value)
{
	int i = sh_cvar_index(spec, name);

	if (i < 0 || !spec->cvars[i].is_param)
		fail_msg("spec %s has no parameter %s", spec->name, name);
	params[i] = value;
}

#endif /* PNE_SPEC_HARNESS_H */
