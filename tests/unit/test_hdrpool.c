/*
 * Header buffers on loan (pne/interp.h): connections set up with
 * pne_interp_init_pooled() embed no big header buffer and borrow a block
 * only while a header, text or peek straddles calls. Checked here: the
 * per-connection sizes, identical framing at every split of straddling
 * headers (and the block going back each time), exhaustion of a tiny
 * pool (counted, the direction resynchronises, nothing crashes), blocks
 * given back at close and on resynchronisation, and the same through the
 * tracker (hdr_memcap, its counters) with many flows.
 */
#include <errno.h>

#include "spec_harness.h"

#include "pne/packet.h"
#include "pne/tracker.h"

/* ---- a connection fed by hand ------------------------------------------ */

struct hp_adu {
	enum pne_dir dir;
	uint64_t off, len;
	int synced;
	char fields[512];
};

struct hp_log {
	struct hp_adu adus[64];
	size_t n;
	int overflow;
};

static void hp_on_adu(const struct pne_adu *adu, void *arg)
{
	struct hp_log *l = arg;
	struct hp_adu *a;

	if (l->n == SH_NELEM(l->adus)) {
		l->overflow = 1;
		return;
	}
	a = &l->adus[l->n++];
	a->dir = adu->dir;
	a->off = adu->off;
	a->len = adu->len;
	a->synced = adu->synced != 0;
	if (pne_adu_fields_json(adu, a->fields, sizeof(a->fields)) >= sizeof(a->fields))
		l->overflow = 1;
}

static struct pne_interp_conn *hp_conn(const struct pne_spec *spec, struct pne_hdr_pool *pool,
				       int pooled)
{
	size_t size = pooled ? pne_interp_conn_size_pooled(spec) : pne_interp_conn_size(spec);
	struct pne_interp_conn *c = aligned_alloc(64, (size + 63) / 64 * 64);

	assert_non_null(c);
	memset(c, 0xa5, size);
	if (pooled)
		pne_interp_init_pooled(c, spec, NULL, NULL, pool);
	else
		pne_interp_init(c, spec, NULL, NULL);
	return c;
}

/* Feed p[0..n) in pieces cut at cut (0: whole), each piece a fresh copy
 * that is scribbled over afterwards, so a kept pointer shows. */
static void hp_feed(struct pne_interp_conn *c, enum pne_dir d, const char *p, size_t n,
		    size_t cut, struct hp_log *l)
{
	size_t at[3] = { 0, cut > 0 && cut < n ? cut : n, n };

	for (int k = 0; k < 2; k++) {
		size_t len = at[k + 1] - at[k];
		uint8_t *b = malloc(len ? len : 1);

		if (len == 0) {
			free(b);
			continue;
		}
		assert_non_null(b);
		memcpy(b, p + at[k], len);
		assert_int_equal(pne_interp_feed(c, d, b, len, hp_on_adu, l), len);
		memset(b, 0x5a, len);
		free(b);
	}
}

static void hp_same(const struct hp_log *x, const struct hp_log *y)
{
	assert_false(x->overflow || y->overflow);
	assert_int_equal(x->n, y->n);
	for (size_t i = 0; i < x->n; i++) {
		assert_int_equal(x->adus[i].dir, y->adus[i].dir);
		assert_int_equal(x->adus[i].off, y->adus[i].off);
		assert_int_equal(x->adus[i].len, y->adus[i].len);
		assert_int_equal(x->adus[i].synced, y->adus[i].synced);
		assert_string_equal(x->adus[i].fields, y->adus[i].fields);
	}
}

/* An HTTP request whose header lines are long (a cookie of ck bytes). */
static char *http_req(size_t ck, const char *path, size_t *len)
{
	size_t cap = ck + 256;
	char *s = malloc(cap);
	int n;

	assert_non_null(s);
	n = snprintf(s, cap, "GET %s HTTP/1.1\r\nHost: example.com\r\nCookie: ", path);
	assert_true(n > 0);
	memset(s + n, 'c', ck);
	n += (int)ck;
	n += snprintf(s + n, cap - (size_t)n, "\r\nUser-Agent: t\r\n\r\n");
	*len = (size_t)n;
	return s;
}

/* ---- sizes --------------------------------------------------------------- */

static void test_sizes(void **state)
{
	(void)state;
	for (size_t i = 0; pne_builtin_specs[i] != NULL; i++) {
		const struct pne_spec *s = pne_builtin_specs[i];
		size_t in = pne_interp_conn_size(s), po = pne_interp_conn_size_pooled(s);

		print_message("%-10s inline %6zu  pooled %6zu\n", s->name, in, po);
		assert_true(po <= in);
		/* one that doesn't borrow is exactly as big */
		assert_true(po == in || in - po > 2 * PNE_HDR_INLINE);
		/* nothing of a big buffer stays: at most a confirm window */
		assert_true(po < 4096);
	}
	/* the two big ones of the issue */
	assert_true(pne_interp_conn_size(pne_builtin_spec("http")) > 2 * 16384);
	assert_true(pne_interp_conn_size_pooled(pne_builtin_spec("http")) < 3072);
	assert_true(pne_interp_conn_size(pne_builtin_spec("iscsi")) > 2 * 8192);
	assert_true(pne_interp_conn_size_pooled(pne_builtin_spec("iscsi")) < 1280);
	/* small specs embed their buffers either way */
	assert_int_equal(pne_interp_conn_size(pne_builtin_spec("tls")),
			 pne_interp_conn_size_pooled(pne_builtin_spec("tls")));
}

/* ---- every split --------------------------------------------------------- */

/* Two requests, the first with a 3000-byte header line, cut at every
 * offset: a pooled connection reports what an inline one does, borrows
 * for each cut inside a kept header line, and gives every block back
 * once the gather is done, before the close. */
static void test_every_split(void **state)
{
	const struct pne_spec *spec = pne_builtin_spec("http");
	struct pne_hdr_pool *pool = pne_hdr_pool_create(PNE_HDR_BLOCK);
	size_t l1, l2, n;
	char *r1 = http_req(3000, "/a", &l1), *r2 = http_req(10, "/b", &l2);
	char *all = malloc(l1 + l2);
	struct hp_log ref = { 0 };
	struct pne_interp_conn *c;
	uint64_t borrows = 0;

	(void)state;
	assert_non_null(pool);
	assert_non_null(all);
	memcpy(all, r1, l1);
	memcpy(all + l1, r2, l2);
	n = l1 + l2;
	c = hp_conn(spec, NULL, 0);
	hp_feed(c, PNE_C2S, all, n, 0, &ref);
	pne_interp_close(c, PNE_C2S, hp_on_adu, &ref);
	free(c);
	assert_int_equal(ref.n, 2);
	for (size_t cut = 1; cut < n; cut++) {
		struct hp_log got = { 0 };

		c = hp_conn(spec, pool, 1);
		hp_feed(c, PNE_C2S, all, n, cut, &got);
		/* the gather that straddled is over: its block is back */
		assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 0);
		pne_interp_close(c, PNE_C2S, hp_on_adu, &got);
		hp_same(&ref, &got);
		assert_int_equal(pne_interp_stats(c)->invalid, 0);
		free(c);
	}
	borrows = pne_hdr_pool_stats(pool)->borrows;
	/* most cuts fall inside the long cookie line: a borrow each */
	assert_true(borrows >= 3000);
	assert_true(borrows < n);
	assert_int_equal(pne_hdr_pool_stats(pool)->peak, 1);
	assert_int_equal(pne_hdr_pool_stats(pool)->exhausted, 0);
	pne_hdr_pool_destroy(pool);
	free(all);
	free(r1);
	free(r2);
}

/* ---- exhaustion ------------------------------------------------------------ */

/* One block, two connections straddling at once: the second can't keep
 * its bytes, counts it, resynchronises and finds the next request
 * (unsynced); once the first is done, the block serves again. */
static void test_exhaustion(void **state)
{
	const struct pne_spec *spec = pne_builtin_spec("http");
	struct pne_hdr_pool *pool = pne_hdr_pool_create(PNE_HDR_BLOCK);
	size_t l1, l2;
	char *r1 = http_req(100, "/a", &l1), *r2 = http_req(100, "/b", &l2);
	struct pne_interp_conn *a = hp_conn(spec, pool, 1), *b = hp_conn(spec, pool, 1);
	struct hp_log la = { 0 }, lb = { 0 };

	(void)state;
	assert_non_null(pool);
	assert_int_equal(pne_hdr_pool_stats(pool)->blocks, 1);
	hp_feed(a, PNE_C2S, r1, 60, 0, &la);          /* a borrows */
	assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 1);
	hp_feed(b, PNE_C2S, r1, 60, 0, &lb);          /* b can't */
	assert_int_equal(pne_interp_stats(b)->invalid, 1);
	assert_int_equal(pne_interp_status(b, PNE_C2S), PNE_IS_RESYNC);
	assert_string_equal(pne_interp_error(b, PNE_C2S), "header buffer pool exhausted");
	assert_int_equal(pne_hdr_pool_stats(pool)->exhausted, 1);
	assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 1);
	hp_feed(a, PNE_C2S, r1 + 60, l1 - 60, 0, &la);  /* a done: block back */
	assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 0);
	hp_feed(b, PNE_C2S, r1 + 60, l1 - 60, 0, &lb);
	/* the next request, itself split: b borrows now */
	hp_feed(a, PNE_C2S, r2, l2, 30, &la);
	hp_feed(b, PNE_C2S, r2, l2, 30, &lb);
	assert_int_equal(pne_hdr_pool_stats(pool)->borrows, 3);
	pne_interp_close(a, PNE_C2S, hp_on_adu, &la);
	pne_interp_close(b, PNE_C2S, hp_on_adu, &lb);
	assert_int_equal(la.n, 2);
	assert_int_equal(la.adus[0].synced, 1);
	assert_int_equal(lb.n, 1);           /* the first request is lost */
	assert_int_equal(lb.adus[0].off, l1);
	assert_int_equal(lb.adus[0].len, l2);
	assert_int_equal(lb.adus[0].synced, 0);
	assert_string_equal(lb.adus[0].fields, la.adus[1].fields);
	assert_int_equal(pne_interp_stats(a)->invalid, 0);
	assert_int_equal(pne_interp_stats(b)->invalid, 1);
	assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 0);
	free(a);
	free(b);
	pne_hdr_pool_destroy(pool);
	free(r1);
	free(r2);
}

/* No pool at all (or an empty one): every straddling gather is lost, the
 * ones read in place frame as ever. */
static void test_no_blocks(void **state)
{
	const struct pne_spec *spec = pne_builtin_spec("http");
	struct pne_hdr_pool *empty = pne_hdr_pool_create(PNE_HDR_BLOCK - 1);
	size_t l1;
	char *r1 = http_req(50, "/a", &l1);

	(void)state;
	assert_non_null(empty);
	assert_int_equal(pne_hdr_pool_stats(empty)->blocks, 0);
	for (int k = 0; k < 2; k++) {
		struct pne_interp_conn *c = hp_conn(spec, k ? empty : NULL, 1);
		struct hp_log l = { 0 };

		hp_feed(c, PNE_C2S, r1, l1, 0, &l);           /* in place */
		for (size_t cut = 1; cut < l1; cut++)       /* lost, resynced */
			hp_feed(c, PNE_C2S, r1, l1, cut, &l);
		hp_feed(c, PNE_C2S, r1, l1, 0, &l);
		pne_interp_close(c, PNE_C2S, hp_on_adu, &l);
		assert_false(l.overflow);
		assert_true(l.n >= 2);
		assert_int_equal(l.adus[0].synced, 1);
		assert_int_equal(l.adus[l.n - 1].off, l1 * l1);
		assert_true(pne_interp_stats(c)->invalid > 0);
		assert_string_equal(pne_interp_error(c, PNE_C2S), "header buffer pool exhausted");
		free(c);
	}
	assert_true(pne_hdr_pool_stats(empty)->exhausted > 0);
	assert_int_equal(pne_hdr_pool_stats(empty)->borrows, 0);
	pne_hdr_pool_destroy(empty);
	pne_hdr_pool_destroy(NULL);
	free(r1);
}

/* A block lent to a gather comes back when the direction resynchronises
 * (a gap, pne_interp_unsync()) or closes mid-gather. */
static void test_returned(void **state)
{
	const struct pne_spec *spec = pne_builtin_spec("http");
	struct pne_hdr_pool *pool = pne_hdr_pool_create(4 * PNE_HDR_BLOCK);
	size_t l1;
	char *r1 = http_req(50, "/a", &l1);
	struct pne_interp_conn *c[3];
	struct hp_log l = { 0 };

	(void)state;
	assert_non_null(pool);
	for (int k = 0; k < 3; k++) {
		c[k] = hp_conn(spec, pool, 1);
		hp_feed(c[k], PNE_C2S, r1, 40, 0, &l);
	}
	assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 3);
	assert_int_equal(pne_interp_gap(c[0], PNE_C2S, 5, hp_on_adu, &l), 1);
	assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 2);
	pne_interp_unsync(c[1], PNE_C2S, hp_on_adu, &l);
	assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 1);
	pne_interp_close(c[2], PNE_C2S, hp_on_adu, &l);
	assert_int_equal(pne_hdr_pool_stats(pool)->in_use, 0);
	for (int k = 0; k < 3; k++) {
		pne_interp_close(c[k], PNE_C2S, hp_on_adu, &l);
		pne_interp_close(c[k], PNE_S2C, hp_on_adu, &l);
		free(c[k]);
	}
	assert_int_equal(l.n, 0);
	assert_int_equal(pne_hdr_pool_stats(pool)->peak, 3);
	assert_int_equal(pne_hdr_pool_stats(pool)->borrows, 3);
	pne_hdr_pool_destroy(pool);
	free(r1);
}

/* ---- through the tracker -------------------------------------------------- */

#define NFLOWS 200

struct tflow {
	void *state;
	size_t adus;
	size_t synced;
	uint64_t last_off;
};

static void tf_on_adu(void *flow, const struct pne_adu *adu, void *arg)
{
	struct tflow *f = flow;

	(void)arg;
	f->adus++;
	f->synced += adu->synced != 0;
	f->last_off = adu->off;
}

static void seg(struct pne_tracker *tr, struct tflow *f, enum pne_dir d, uint32_t seq,
		uint8_t flags, const void *p, uint32_t len)
{
	struct pne_tracker_seg s = { .seq = seq, .flags = flags, .payload = p, .len = len };

	pne_tracker_segment(tr, f->state, d, &s, 1);
}

/* Many flows whose request lines straddle segments at once, over a pool
 * of 3 blocks: 3 flows borrow, the others lose their first request
 * (counted) and frame the second, unsynced; every block is back once the
 * flows are done, and after they close. */
static void test_tracker_many(void **state)
{
	struct pne_tracker_conf conf = { .hdr_memcap = 3 * PNE_HDR_BLOCK };
	const struct pne_spec *spec = pne_builtin_spec("http");
	size_t size = pne_tracker_flow_size(spec), l1, l2;
	char *r1 = http_req(200, "/a", &l1), *r2 = http_req(20, "/b", &l2);
	struct tflow *fl = calloc(NFLOWS, sizeof(*fl));
	const struct pne_tracker_stats *st;
	struct pne_tracker *tr;
	size_t lost = 0;

	(void)state;
	assert_non_null(fl);
	assert_true(size < 4096);
	tr = pne_tracker_create(&conf);
	assert_non_null(tr);
	assert_int_equal(pne_tracker_on_adu(tr, tf_on_adu, NULL), 0);
	for (int i = 0; i < NFLOWS; i++) {
		fl[i].state = aligned_alloc(64, size);
		assert_non_null(fl[i].state);
		memset(fl[i].state, 0xa5, size);
		assert_int_equal(pne_tracker_flow_init(tr, fl[i].state, spec, NULL, &fl[i]), 0);
		seg(tr, &fl[i], PNE_C2S, 999, PNE_TCP_SYN, NULL, 0);
		seg(tr, &fl[i], PNE_C2S, 1000, PNE_TCP_ACK, r1, 100);
	}
	st = pne_tracker_stats(tr);
	assert_int_equal(st->hdr_pool_in_use, 3);
	assert_int_equal(st->hdr_pool_exhausted, NFLOWS - 3);
	for (int i = 0; i < NFLOWS; i++) {
		seg(tr, &fl[i], PNE_C2S, 1100, PNE_TCP_ACK, r1 + 100, (uint32_t)(l1 - 100));
		seg(tr, &fl[i], PNE_C2S, 1000 + (uint32_t)l1, PNE_TCP_ACK, r2, (uint32_t)l2);
	}
	st = pne_tracker_stats(tr);
	assert_int_equal(st->hdr_pool_in_use, 0);
	assert_int_equal(st->hdr_pool_peak, 3);
	/* flows in the middle of a straddling header hold on to it */
	for (int i = 0; i < NFLOWS; i++)
		seg(tr, &fl[i], PNE_C2S, 1000 + (uint32_t)(l1 + l2), PNE_TCP_ACK, r1, 50);
	st = pne_tracker_stats(tr);
	assert_int_equal(st->hdr_pool_in_use, 3);
	/* and give it back when they close */
	for (int i = 0; i < NFLOWS; i++)
		pne_tracker_flow_close(tr, fl[i].state);
	st = pne_tracker_stats(tr);
	assert_int_equal(st->hdr_pool_in_use, 0);
	assert_int_equal(st->hdr_pool_borrows, 6);
	assert_int_equal(st->hdr_pool_exhausted, 2 * NFLOWS - 6);
	for (int i = 0; i < NFLOWS; i++) {
		const struct pne_interp_stats *is = pne_interp_stats(pne_tracker_flow_conn(fl[i].state));

		if (fl[i].adus == 1) {
			lost++;
			assert_int_equal(fl[i].synced, 0);
			assert_int_equal(fl[i].last_off, l1);
			/* its first request, and the third at close */
			assert_int_equal(is->invalid, 2);
			assert_string_equal(pne_interp_error(pne_tracker_flow_conn(fl[i].state),
							     PNE_C2S),
					    "header buffer pool exhausted");
		} else {
			assert_int_equal(fl[i].adus, 2);
			assert_int_equal(fl[i].synced, 2);
			assert_int_equal(is->invalid, 0);
		}
	}
	assert_int_equal(lost, NFLOWS - 3);
	for (int i = 0; i < NFLOWS; i++)
		free(fl[i].state);
	pne_tracker_destroy(tr);
	free(fl);
	free(r1);
	free(r2);
}

static void test_tracker_conf(void **state)
{
	struct pne_tracker_conf conf = { .hdr_memcap = PNE_HDR_BLOCK - 1 };

	(void)state;
	errno = 0;
	assert_null(pne_tracker_create(&conf));
	assert_int_equal(errno, EINVAL);
	conf.hdr_memcap = 0;  /* the default */
	pne_tracker_destroy(pne_tracker_create(&conf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_no_blocks),
		cmocka_unit_test(test_returned),
		cmocka_unit_test(test_tracker_many),
		cmocka_unit_test(test_tracker_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
