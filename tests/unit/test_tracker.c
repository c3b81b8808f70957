/*
 * The stream tracker (runtime/tracker.c) fed hand-built TCP segments of
 * HTTP/1.1 conversations. The reference is the interpreter fed each
 * direction's bytes directly (spec_harness.h, sh_run_whole): in-order,
 * reordered, duplicated, overlapping and wrapping segment streams must
 * all frame exactly like it. Lost segments, mid-stream pickup, memory
 * caps and the fast path are checked against hand-computed outcomes.
 *
 * Every segment is copied right before an unreadable page, and the copy
 * is scribbled over after the call, so a read past a segment or a kept
 * pointer shows. Segments the fast path must not read point into a
 * PROT_NONE mapping.
 */
#include <errno.h>

#include "spec_harness.h"

#include "pne/packet.h"
#include "pne/tracker.h"

#define MAXSEG 4096

/* ---- conversations ------------------------------------------------------ */

/* One direction's stream and the conversation's messages over it. */
struct conv {
	struct sh_msg msgs[64];
	size_t nmsgs;
	uint8_t *buf[2];
	size_t len[2];
	size_t cap[2];
};

static void conv_add(struct conv *c, enum pne_dir d, const void *data, size_t len)
{
	if (c->len[d] + len > c->cap[d]) {
		size_t cap = (c->len[d] + len) * 2;
		uint8_t *p = realloc(c->buf[d], cap);

		assert_non_null(p);
		c->buf[d] = p;
		c->cap[d] = cap;
	}
	memcpy(c->buf[d] + c->len[d], data, len);
	assert_true(c->nmsgs < SH_NELEM(c->msgs));
	/* offsets for now: pointers are fixed in conv_done() */
	c->msgs[c->nmsgs++] = (struct sh_msg){ d, (const void *)(uintptr_t)c->len[d], len };
	c->len[d] += len;
}

static void conv_adds(struct conv *c, enum pne_dir d, const char *s)
{
	conv_add(c, d, s, strlen(s));
}

static void conv_done(struct conv *c)
{
	for (size_t i = 0; i < c->nmsgs; i++)
		c->msgs[i].data = c->buf[c->msgs[i].dir] + (uintptr_t)c->msgs[i].data;
}

static void conv_free(struct conv *c)
{
	free(c->buf[0]);
	free(c->buf[1]);
	memset(c, 0, sizeof(*c));
}

/* A body of n bytes that varies with its offset. */
static void conv_body(struct conv *c, enum pne_dir d, size_t n, uint8_t salt)
{
	uint8_t *b = malloc(n ? n : 1);

	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)('a' + (i * 7 + salt) % 26);
	conv_add(c, d, b, n);
	free(b);
}

/* Pipelined requests (GET, POST with a body, HEAD), then their responses
 * (a Content-Length body, a chunked body, a HEAD answer). */
static void conv_http(struct conv *c)
{
	memset(c, 0, sizeof(*c));
	conv_adds(c, PNE_C2S, "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n");
	conv_adds(c, PNE_C2S, "POST /submit HTTP/1.1\r\nHost: example.com\r\n"
			      "Content-Length: 300\r\n\r\n");
	conv_body(c, PNE_C2S, 300, 1);
	conv_adds(c, PNE_C2S, "HEAD /x HTTP/1.1\r\nHost: e\r\n\r\n");
	conv_adds(c, PNE_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n");
	conv_body(c, PNE_S2C, 2000, 2);
	conv_adds(c, PNE_S2C, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n");
	conv_body(c, PNE_S2C, 256, 3);
	conv_adds(c, PNE_S2C, "\r\n0\r\n\r\n");
	conv_adds(c, PNE_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n");
	conv_done(c);
}

static void reference(const struct conv *c, struct sh_result *ref)
{
	struct sh_conv sc = { .spec = pne_builtin_spec("http"), .msgs = c->msgs,
			      .nmsgs = c->nmsgs };

	sh_run_whole(&sc, ref);
}

/* ---- the tracker under test --------------------------------------------- */

struct payload_log {
	uint8_t *buf;           /* stream bytes received, at their offsets */
	size_t cap;
	uint64_t next;          /* offset the next piece must start at */
	uint64_t gap_bytes;
	int ended;
	int out_of_order;
	size_t zero_copy;       /* pieces that pointed into the fed segment */
};

struct tk {
	struct pne_tracker *tr;
	void *state;
	const struct pne_spec *spec;
	struct sh_result res;
	uint32_t isn[2];
	const struct conv *c;
	uint64_t now;
	const uint8_t *fed;      /* the segment copy being fed */
	size_t fedlen;
	int pl_id;
	struct payload_log pl[2];
	int bad;                 /* a callback broke the contract */
};

static void tk_on_adu(void *flow, const struct pne_adu *adu, void *arg)
{
	struct tk *k = arg;
	struct sh_result *r = &k->res;
	struct sh_adu *a;

	if (flow != k || adu->spec != k->spec)
		k->bad = 1;
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
		k->bad = 1;
}

static void tk_on_payload(const struct pne_tracker_payload *p, void *arg)
{
	struct tk *k = arg;
	struct payload_log *l = &k->pl[p->dir];

	if (p->flow != k || l->ended)
		k->bad = 1;
	if (p->off != l->next)
		l->out_of_order = 1;
	switch (p->kind) {
	case PNE_PAYLOAD_DATA:
		if (p->off + p->len > l->cap) {
			size_t cap = (size_t)(p->off + p->len) * 2;
			uint8_t *b = realloc(l->buf, cap);

			assert_non_null(b);
			memset(b + l->cap, 0, cap - l->cap);
			l->buf = b;
			l->cap = cap;
		}
		memcpy(l->buf + p->off, p->data, p->len);
		if (p->data >= k->fed && p->data + p->len <= k->fed + k->fedlen)
			l->zero_copy++;
		break;
	case PNE_PAYLOAD_GAP:
		l->gap_bytes += p->len;
		break;
	case PNE_PAYLOAD_END:
		l->ended = 1;
		break;
	default:   /* ADU pieces go to body consumers only */
		k->bad = 1;
		break;
	}
	l->next = p->off + p->len;
}

struct body_log;
static void body_register(struct tk *k, struct body_log *b);

/* Open a tracker and a flow; body: a body consumer to register (NULL:
 * none). */
static void tk_open_full(struct tk *k, const struct conv *c, const struct pne_tracker_conf *conf,
			 uint32_t isn_c, uint32_t isn_s, struct body_log *body)
{
	size_t size;

	memset(k, 0, sizeof(*k));
	k->spec = pne_builtin_spec("http");
	assert_non_null(k->spec);
	k->c = c;
	k->isn[0] = isn_c;
	k->isn[1] = isn_s;
	k->tr = pne_tracker_create(conf);
	assert_non_null(k->tr);
	assert_int_equal(pne_tracker_on_adu(k->tr, tk_on_adu, k), 0);
	k->pl_id = pne_tracker_on_payload(k->tr, tk_on_payload, k);
	assert_true(k->pl_id >= 0);
	if (body)
		body_register(k, body);
	size = pne_tracker_flow_size(k->spec);
	assert_true(size > 0 && size % 64 == 0);
	k->state = aligned_alloc(64, size);
	assert_non_null(k->state);
	memset(k->state, 0xa5, size);  /* init must not rely on zeroed memory */
	assert_int_equal(pne_tracker_flow_init(k->tr, k->state, k->spec, NULL, k), 0);
}

static void tk_open_conf(struct tk *k, const struct conv *c, const struct pne_tracker_conf *conf,
			 uint32_t isn_c, uint32_t isn_s)
{
	tk_open_full(k, c, conf, isn_c, isn_s, NULL);
}

static void tk_open(struct tk *k, const struct conv *c, uint32_t isn_c, uint32_t isn_s)
{
	struct pne_tracker_conf conf = { 0 };

	tk_open_conf(k, c, &conf, isn_c, isn_s);
}

/* Feed one segment; payload at payload (NULL: a copy of stream bytes
 * [off, off + len) placed right before a guard page). */
static void tk_seg_raw(struct tk *k, enum pne_dir d, uint32_t seq, uint8_t flags,
		       const uint8_t *payload, uint32_t len, uint32_t wire)
{
	/* the receiver acknowledges no more than the other direction's
	 * SYN: holes wait for their bytes (tk_ack() says otherwise) */
	struct pne_tracker_seg seg = { .seq = seq, .flags = flags, .payload = payload,
				       .len = len, .wire_len = wire,
				       .ack = k->isn[!d] + 1 };

	k->fed = payload;
	k->fedlen = len;
	pne_tracker_segment(k->tr, k->state, d, &seg, k->now);
	k->fed = NULL;
}

static void tk_seg(struct tk *k, enum pne_dir d, size_t off, size_t len, uint8_t flags)
{
	struct sh_guarded g;

	assert_true(off + len <= k->c->len[d]);
	sh_guard_alloc(&g, k->c->buf[d] + off, len);
	tk_seg_raw(k, d, k->isn[d] + 1 + (uint32_t)off, flags | PNE_TCP_ACK, g.data,
		   (uint32_t)len, 0);
	memset(g.data, 0xee, len);   /* a kept pointer would now read junk */
	sh_guard_free(&g);
}

/* A bare ACK from d: its receiver has every byte of the other direction
 * before offset off. */
static void tk_ack(struct tk *k, enum pne_dir d, uint64_t off)
{
	struct pne_tracker_seg seg = { .seq = k->isn[d] + 1, .flags = PNE_TCP_ACK,
				       .ack = k->isn[!d] + 1 + (uint32_t)off };

	pne_tracker_segment(k->tr, k->state, d, &seg, k->now);
}

static void tk_handshake(struct tk *k)
{
	tk_seg_raw(k, PNE_C2S, k->isn[0], PNE_TCP_SYN, NULL, 0, 0);
	tk_seg_raw(k, PNE_S2C, k->isn[1], PNE_TCP_SYN | PNE_TCP_ACK, NULL, 0, 0);
	tk_seg_raw(k, PNE_C2S, k->isn[0] + 1, PNE_TCP_ACK, NULL, 0, 0);
}

static void tk_fin(struct tk *k, enum pne_dir d)
{
	tk_seg_raw(k, d, k->isn[d] + 1 + (uint32_t)k->c->len[d], PNE_TCP_FIN | PNE_TCP_ACK,
		   NULL, 0, 0);
}

/* Close the flow and collect the result (ADUs sorted). */
static void tk_close(struct tk *k)
{
	pne_tracker_flow_close(k->tr, k->state);
	k->res.stats = *pne_interp_stats(pne_tracker_flow_conn(k->state));
	sh_sort(&k->res);
	assert_false(k->bad);
}

static void tk_free(struct tk *k)
{
	const struct pne_tracker_stats *st = pne_tracker_stats(k->tr);

	/* the flow is closed: nothing may stay held (teardown leak check) */
	assert_int_equal(st->held_bytes, 0);
	assert_int_equal(pne_tracker_flow_held(k->state), 0);
	assert_int_equal(st->examined + st->skipped + st->ignored + st->delivered,
			 st->payload_packets);
	pne_tracker_destroy(k->tr);
	free(k->state);
	sh_result_free(&k->res);
	free(k->pl[0].buf);
	free(k->pl[1].buf);
}

static void require_same(const struct sh_result *ref, const struct sh_result *got,
			 const char *what)
{
	if (sh_same(ref, got))
		return;
	sh_print("interpreter fed directly", ref);
	sh_print(what, got);
	fail_msg("%s: the tracker frames differently", what);
}

/* ---- deterministic randomness ------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)(rng_state % n) : 0;
}

struct piece {
	uint32_t off, len;
};

/*
 * Cut [lo, hi) into random pieces, move some of them a few places later,
 * repeat some (duplicates) and add overlapping retransmissions of the
 * same bytes. Every byte arrives at least once. Returns the count.
 */
static size_t scramble(struct piece *out, size_t cap, uint32_t lo, uint32_t hi, uint32_t maxlen)
{
	size_t n = 0;

	for (uint32_t off = lo; off < hi;) {
		uint32_t len = 1 + rnd(maxlen);

		if (len > hi - off)
			len = hi - off;
		assert_true(n < cap);
		out[n++] = (struct piece){ off, len };
		off += len;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		if (rnd(3) == 0) {          /* reorder: swap with a near follower */
			size_t j = i + 1 + rnd(6);
			struct piece t;

			if (j >= n)
				j = n - 1;
			t = out[i];
			out[i] = out[j];
			out[j] = t;
		}
	}
	for (size_t i = 0, m = n; i < m; i++) {
		struct piece p = out[rnd((uint32_t)m)];
		uint32_t a, b;

		if (rnd(5) != 0)
			continue;
		a = p.off > lo + 20 ? p.off - rnd(20) : lo;
		b = p.off + p.len + rnd(20);
		if (b > hi)
			b = hi;
		if (b - a > MAXSEG)
			b = a + MAXSEG;
		assert_true(n < cap);
		if (rnd(2) == 0)
			out[n++] = p;                            /* duplicate */
		else
			out[n++] = (struct piece){ a, b - a };   /* overlapping */
	}
	return n;
}

/* ---- tests -------------------------------------------------------------- */

/* Segments in order, several sizes: the interpreter's own ADUs. */
static void test_in_order(void **state)
{
	static const uint32_t mss[] = { 1, 7, 100, 536, 1460 };
	struct conv c;
	struct sh_result ref;

	(void)state;
	conv_http(&c);
	reference(&c, &ref);
	assert_int_equal(ref.n, 6);
	for (size_t m = 0; m < SH_NELEM(mss); m++) {
		struct tk k;

		tk_open(&k, &c, 1000, 50000);
		tk_handshake(&k);
		for (int d = 0; d < 2; d++)
			for (size_t off = 0; off < c.len[d]; off += mss[m])
				tk_seg(&k, (enum pne_dir)d, off,
				       c.len[d] - off < mss[m] ? c.len[d] - off : mss[m], 0);
		tk_fin(&k, PNE_C2S);
		tk_fin(&k, PNE_S2C);
		/* both FINs reached: the directions closed without flow_close */
		assert_int_equal(k.res.n, ref.n);
		tk_close(&k);
		require_same(&ref, &k.res, "in order");
		assert_int_equal(pne_tracker_stats(k.tr)->flows_midstream, 0);
		assert_int_equal(pne_tracker_stats(k.tr)->gaps, 0);
		assert_int_equal(pne_tracker_stats(k.tr)->held_peak, 0);
		tk_free(&k);
	}
	sh_result_free(&ref);
	conv_free(&c);
}

/* Random segmentation, reordering, duplicates and overlapping
 * retransmissions of the same bytes, sequence numbers near 2^32 or not:
 * the same ADUs, and no overlap counted as differing. */
static void run_scrambled(uint32_t isn_c, uint32_t isn_s, int iterations)
{
	struct conv c;
	struct sh_result ref;
	struct piece *pc = calloc(8192, sizeof(*pc));

	assert_non_null(pc);
	conv_http(&c);
	reference(&c, &ref);
	for (int it = 0; it < iterations; it++) {
		struct tk k;

		rng_state = 0x9e3779b97f4a7c15ull ^ (uint64_t)(it + 1) * 0x100000001b3ull;
		tk_open(&k, &c, isn_c, isn_s);
		tk_handshake(&k);
		for (int d = 0; d < 2; d++) {
			size_t n = scramble(pc, 8192, 0, (uint32_t)c.len[d], 1 + rnd(600));

			for (size_t i = 0; i < n; i++)
				tk_seg(&k, (enum pne_dir)d, pc[i].off, pc[i].len, 0);
		}
		tk_fin(&k, PNE_C2S);
		tk_fin(&k, PNE_S2C);
		tk_close(&k);
		require_same(&ref, &k.res, "scrambled");
		assert_int_equal(pne_tracker_stats(k.tr)->overlap_diff, 0);
		assert_int_equal(pne_tracker_stats(k.tr)->gaps, 0);
		assert_int_equal(pne_tracker_stats(k.tr)->hold_drops, 0);
		tk_free(&k);
	}
	free(pc);
	sh_result_free(&ref);
	conv_free(&c);
}

static void test_scrambled(void **state)
{
	(void)state;
	run_scrambled(1000, 50000, 300);
}

/* ISNs just below 2^32: the streams' sequence numbers wrap to 0. */
static void test_wraparound(void **state)
{
	(void)state;
	run_scrambled(0xffffff00u, 0xfffffff0u, 100);
	run_scrambled(0x7fffff00u, 0xffffffffu, 20);
}

/* A retransmission whose bytes differ from held ones: the first copy
 * frames, the difference is counted. */
static void test_overlap_differs(void **state)
{
	const char *req = "GET /aaaa HTTP/1.1\r\nHost: x\r\n\r\n";
	uint8_t alt[64];
	struct conv c;
	struct tk k;

	(void)state;
	memset(&c, 0, sizeof(c));
	conv_adds(&c, PNE_C2S, req);
	conv_done(&c);
	memcpy(alt, req, strlen(req));
	memcpy(alt + 5, "bbbb", 4);

	tk_open(&k, &c, 7, 9);
	tk_handshake(&k);
	tk_seg(&k, PNE_C2S, 5, 4, 0);                        /* "aaaa", held */
	tk_seg_raw(&k, PNE_C2S, 7 + 1 + 3, PNE_TCP_ACK, alt + 3, 10, 0);  /* differs */
	assert_int_equal(pne_tracker_stats(k.tr)->overlap_diff, 1);
	tk_seg_raw(&k, PNE_C2S, 7 + 1 + 4, PNE_TCP_ACK, (const uint8_t *)req + 4, 6, 0);   /* same bytes */
	assert_int_equal(pne_tracker_stats(k.tr)->overlap_diff, 1);
	tk_seg(&k, PNE_C2S, 0, 3, 0);
	tk_seg(&k, PNE_C2S, 10, strlen(req) - 10, 0);
	tk_close(&k);
	assert_int_equal(k.res.n, 1);
	/* the first copy won */
	assert_non_null(strstr(k.res.adus[0].fields, "\"uri\":\"/aaaa\""));
	assert_true(pne_tracker_stats(k.tr)->ooo_packets >= 2);
	assert_true(pne_tracker_stats(k.tr)->retrans_packets >= 2);
	tk_free(&k);
	conv_free(&c);
}

/* Two responses with bodies; a segment of the first body never comes. */
static void conv_two_bodies(struct conv *c, size_t body)
{
	char h[128];

	memset(c, 0, sizeof(*c));
	conv_adds(c, PNE_C2S, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
	conv_adds(c, PNE_C2S, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	conv_adds(c, PNE_C2S, "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
	snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
	for (int i = 0; i < 3; i++) {
		conv_adds(c, PNE_S2C, h);
		conv_body(c, PNE_S2C, body, (uint8_t)i);
	}
	conv_done(c);
}

/* Feed direction d in segments of mss, leaving out [lo, hi). */
static void feed_except(struct tk *k, enum pne_dir d, size_t mss, size_t lo, size_t hi)
{
	for (size_t off = 0; off < k->c->len[d]; off += mss) {
		size_t len = k->c->len[d] - off < mss ? k->c->len[d] - off : mss;

		if (off + len <= lo || off >= hi) {
			tk_seg(k, d, off, len, 0);
		} else {
			if (off < lo)
				tk_seg(k, d, off, lo - off, 0);
			if (off + len > hi)
				tk_seg(k, d, hi, off + len - hi, 0);
		}
		k->now++;
	}
}

/* A hole inside a known-length body is absorbed, by close, by the
 * timeout or by the per-flow cap: every ADU stays synced. */
static void test_gap_in_body_absorbed(void **state)
{
	struct conv c;
	struct sh_result ref;
	size_t hdr = strlen("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");

	(void)state;
	conv_two_bodies(&c, 5000);
	reference(&c, &ref);
	assert_int_equal(ref.n, 6);
	for (int how = 0; how < 3; how++) {
		struct pne_tracker_conf conf = { 0 };
		struct tk k;
		const struct pne_tracker_stats *st;

		if (how == 1)
			conf.gap_timeout = 5;
		if (how == 2)
			conf.flow_hold = 2048;
		tk_open_conf(&k, &c, &conf, 100, 200);
		tk_handshake(&k);
		feed_except(&k, PNE_C2S, 1460, 0, 0);
		/* lose bytes [hdr + 1000, hdr + 1500) of the first body */
		feed_except(&k, PNE_S2C, 500, hdr + 1000, hdr + 1500);
		st = pne_tracker_stats(k.tr);
		if (how == 0) {
			/* nothing forces the hole yet: later responses wait */
			assert_int_equal(st->gaps, 0);
			assert_true(k.res.n < 6);
			assert_true(st->held_bytes > 0);
		} else {
			k.now += 10;
			tk_seg(&k, PNE_C2S, 0, 1, 0);   /* any segment: stale hole */
			assert_int_equal(st->gaps, 1);
			assert_int_equal(k.res.n, 6);
		}
		/* body bytes after the hole were never held: covered (until
		 * the timeout gave the hole up: then in order again) */
		if (how != 1)
			assert_true(st->covered_bytes >= 5000 - 1500 - 500 - hdr);
		tk_close(&k);
		require_same(&ref, &k.res, "hole in a body");
		assert_int_equal(st->gaps, 1);
		assert_int_equal(st->gap_bytes, 500);
		assert_int_equal(st->gaps_absorbed, 1);
		assert_int_equal(st->resyncs, 0);
		assert_int_equal(st->hold_drops, 0);
		tk_free(&k);
	}
	sh_result_free(&ref);
	conv_free(&c);
}

/* A hole across a response head: the direction resynchronises on the
 * next "HTTP/1." and reports what follows unsynced until confirmed. */
static void test_gap_across_header(void **state)
{
	struct conv c;
	struct tk k;
	size_t r1 = strlen("HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n") + 300;
	const struct pne_tracker_stats *st;

	(void)state;
	conv_two_bodies(&c, 300);
	tk_open(&k, &c, 1, 2);
	tk_handshake(&k);
	feed_except(&k, PNE_C2S, 1460, 0, 0);
	feed_except(&k, PNE_S2C, 100, r1 + 10, r1 + 20);   /* inside response 2's head */
	tk_close(&k);
	st = pne_tracker_stats(k.tr);
	assert_int_equal(st->gaps, 1);
	assert_int_equal(st->resyncs, 1);
	assert_int_equal(st->gaps_absorbed, 0);
	/* 3 requests, response 1 synced, response 3 found unsynced */
	assert_int_equal(k.res.n, 5);
	assert_int_equal(k.res.adus[3].dir, PNE_S2C);
	assert_int_equal(k.res.adus[3].off, 0);
	assert_true(k.res.adus[3].synced);
	assert_int_equal(k.res.adus[4].off, 2 * r1);
	assert_int_equal(k.res.adus[4].len, r1);
	assert_false(k.res.adus[4].synced);
	tk_free(&k);
	conv_free(&c);
}

/* No handshake seen: offsets count from the first byte seen, framing
 * starts at the first anchor, unsynced. */
static void test_midstream(void **state)
{
	struct conv c;
	struct tk k;
	size_t r1 = strlen("HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n") + 300;
	size_t q1 = strlen("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");

	(void)state;
	conv_two_bodies(&c, 300);
	tk_open(&k, &c, 1, 2);
	/* pick up both directions inside their first message */
	for (size_t off = 5; off < c.len[0]; off += 20)
		tk_seg(&k, PNE_C2S, off, c.len[0] - off < 20 ? c.len[0] - off : 20, 0);
	for (size_t off = 50; off < c.len[1]; off += 90)
		tk_seg(&k, PNE_S2C, off, c.len[1] - off < 90 ? c.len[1] - off : 90, 0);
	tk_close(&k);
	assert_int_equal(pne_tracker_stats(k.tr)->flows_midstream, 1);
	assert_int_equal(k.res.n, 4);
	assert_int_equal(k.res.adus[0].dir, PNE_C2S);
	assert_int_equal(k.res.adus[0].off, q1 - 5);   /* GET /2 */
	assert_false(k.res.adus[0].synced);
	assert_int_equal(k.res.adus[1].off, 2 * q1 - 5);
	assert_true(k.res.adus[1].synced);
	assert_int_equal(k.res.adus[2].dir, PNE_S2C);
	assert_int_equal(k.res.adus[2].off, r1 - 50);
	assert_false(k.res.adus[2].synced);
	assert_int_equal(k.res.adus[3].off, 2 * r1 - 50);
	assert_true(k.res.adus[3].synced);
	tk_free(&k);
	conv_free(&c);
}

/* The global pool runs out: another flow's pieces are dropped and
 * counted, everything is released at close, nothing crashes. */
static void test_memcap(void **state)
{
	struct pne_tracker_conf conf = { .memcap = 16 * 1024 };
	struct conv c;
	struct tk k;
	void *state2;
	size_t size;
	const struct pne_tracker_stats *st;

	(void)state;
	conv_two_bodies(&c, 300);
	tk_open_conf(&k, &c, &conf, 1, 2);
	size = pne_tracker_flow_size(k.spec);
	state2 = aligned_alloc(64, size);
	assert_non_null(state2);
	assert_int_equal(pne_tracker_flow_init(k.tr, state2, k.spec, NULL, &k), 0);
	tk_handshake(&k);
	/* flow 1: requests from byte 1 on, the first byte missing */
	feed_except(&k, PNE_C2S, 7, 0, 1);
	for (int i = 0; i < 200; i++) {
		uint8_t junk[100];
		struct pne_tracker_seg seg = { .seq = 1000 + 200 * (uint32_t)i + 50,
					       .flags = PNE_TCP_ACK, .payload = junk,
					       .len = sizeof(junk) };

		memset(junk, 'x', sizeof(junk));
		/* flow 2: every other 100 bytes, mid-stream, never filled;
		 * the first segment sets its base */
		if (i == 0)
			seg.seq = 1000;
		pne_tracker_segment(k.tr, state2, PNE_C2S, &seg, 0);
	}
	st = pne_tracker_stats(k.tr);
	assert_true(st->held_bytes <= 16 * 1024);
	assert_true(st->hold_drops > 0 || st->gaps > 0);
	assert_true(st->held_peak > 0);
	pne_tracker_flow_close(k.tr, state2);
	tk_close(&k);
	/* flow 1's requests were held whole and framed after its gap */
	assert_int_equal(k.res.n, 2);
	free(state2);
	tk_free(&k);
	conv_free(&c);
}

/* The per-flow cap: a hole with more than flow_hold bytes behind it is
 * declared lost to make room; the flow's pieces never exceed the cap. */
static void test_flow_cap(void **state)
{
	struct pne_tracker_conf conf = { .flow_hold = 256 };
	struct conv c;
	struct tk k;
	const struct pne_tracker_stats *st;

	(void)state;
	conv_http(&c);
	tk_open_conf(&k, &c, &conf, 5, 6);
	tk_handshake(&k);
	feed_except(&k, PNE_C2S, 100, 0, 10);   /* the request line's start lost */
	st = pne_tracker_stats(k.tr);
	assert_true(st->held_peak <= 256);
	assert_int_equal(st->gaps, 1);
	assert_int_equal(st->resyncs, 1);
	tk_close(&k);
	/* the POST and the HEAD are found by the anchors */
	assert_int_equal(k.res.n, 2);
	assert_string_equal(k.res.adus[0].type, "request");
	assert_false(k.res.adus[0].synced);
	tk_free(&k);
	conv_free(&c);
}

/* A lost segment's retransmission comes after many more segments (a
 * sender keeps a full window in flight): the bytes behind the hole,
 * which the interpreter must read, arrive in order and extend one held
 * range -- they must not use up the direction's ranges (64 by default)
 * and get the hole declared lost before it is filled. */
static void test_burst_behind_hole(void **state)
{
	struct conv c;
	struct sh_result ref;
	struct tk k;
	const struct pne_tracker_stats *st;

	(void)state;
	conv_http(&c);
	reference(&c, &ref);
	assert_true(c.len[PNE_C2S] > 10 + 4 * PNE_TRACKER_DEF_DIR_RANGES);
	tk_open(&k, &c, 7, 8);
	tk_handshake(&k);
	feed_except(&k, PNE_S2C, 1460, 0, 0);
	feed_except(&k, PNE_C2S, 3, 0, 10);     /* 3-byte segments, the first 10 bytes lost */
	st = pne_tracker_stats(k.tr);
	assert_int_equal(st->gaps, 0);
	/* the responses wait for their requests: held too */
	assert_true(st->held_bytes >= c.len[PNE_C2S] - 10);
	tk_seg(&k, PNE_C2S, 0, 10, 0);          /* the retransmission */
	assert_int_equal(st->held_bytes, 0);
	tk_fin(&k, PNE_C2S);
	tk_fin(&k, PNE_S2C);
	tk_close(&k);
	require_same(&ref, &k.res, "burst behind a hole");
	assert_int_equal(st->gaps, 0);
	assert_int_equal(st->hold_drops, 0);
	tk_free(&k);
	sh_result_free(&ref);
	conv_free(&c);
}

/* A hole the receiver acknowledged past (the capture lost bytes that
 * reached it) is lost at once: inside a body it is absorbed, and the
 * bytes held behind it are delivered without waiting for close. ACKs at
 * or before the hole, or absurdly far beyond, change nothing. */
static void test_acked_hole_absorbed(void **state)
{
	struct conv c;
	struct sh_result ref;
	struct tk k;
	const struct pne_tracker_stats *st;

	(void)state;
	conv_two_bodies(&c, 5000);
	reference(&c, &ref);
	tk_open(&k, &c, 0xfffff000u, 0xffffff00u);   /* both wrap */
	tk_handshake(&k);
	feed_except(&k, PNE_C2S, 1460, 0, 0);
	feed_except(&k, PNE_S2C, 1000, 100, 1100);
	st = pne_tracker_stats(k.tr);
	assert_int_equal(st->gaps, 0);
	assert_true(st->held_bytes > 0);          /* the next heads, after the hole */
	tk_ack(&k, PNE_C2S, 100);                 /* the hole's start: nothing new */
	tk_ack(&k, PNE_C2S, 50);
	tk_ack(&k, PNE_C2S, 100 + (UINT64_C(3) << 30));
	assert_int_equal(st->gaps, 0);
	assert_int_equal(st->acked_holes, 0);
	tk_ack(&k, PNE_C2S, 600);                 /* half of the hole */
	assert_int_equal(st->gaps, 1);
	assert_int_equal(st->gap_bytes, 500);
	assert_true(st->held_bytes > 0);          /* [600, 1100) may still come */
	tk_ack(&k, PNE_C2S, c.len[PNE_S2C]);      /* everything */
	assert_int_equal(st->gaps, 2);
	assert_int_equal(st->gap_bytes, 1000);
	assert_int_equal(st->acked_holes, 2);
	assert_int_equal(st->gaps_absorbed, 2);
	assert_int_equal(st->resyncs, 0);
	assert_int_equal(st->held_bytes, 0);
	assert_int_equal(k.res.n, 6);             /* reported before any close */
	tk_fin(&k, PNE_C2S);
	tk_fin(&k, PNE_S2C);
	tk_close(&k);
	require_same(&ref, &k.res, "acked hole in a body");
	tk_free(&k);
	sh_result_free(&ref);
	conv_free(&c);
}

/* An acknowledged hole in a head: the direction resynchronises at once,
 * and a bare FIN beyond an acknowledged hole is reached too. */
static void test_acked_hole_resync(void **state)
{
	struct conv c;
	struct tk k;
	const struct pne_tracker_stats *st;

	(void)state;
	conv_http(&c);
	tk_open(&k, &c, 7, 8);
	tk_handshake(&k);
	feed_except(&k, PNE_C2S, 100, 0, 10);
	st = pne_tracker_stats(k.tr);
	assert_int_equal(st->gaps, 0);
	assert_true(st->held_bytes >= c.len[PNE_C2S] - 10);
	tk_ack(&k, PNE_S2C, 10);
	assert_int_equal(st->acked_holes, 1);
	assert_int_equal(st->gaps, 1);
	assert_int_equal(st->gap_bytes, 10);
	assert_int_equal(st->resyncs, 1);
	assert_int_equal(st->held_bytes, 0);
	/* the server's side: its last 20 bytes never seen, then its FIN */
	feed_except(&k, PNE_S2C, 1460, c.len[PNE_S2C] - 20, c.len[PNE_S2C]);
	tk_fin(&k, PNE_S2C);
	assert_int_not_equal(pne_interp_status(pne_tracker_flow_conn(k.state), PNE_S2C), PNE_IS_CLOSED);
	tk_ack(&k, PNE_C2S, c.len[PNE_S2C] + 1);  /* the FIN acknowledged */
	assert_int_equal(pne_interp_status(pne_tracker_flow_conn(k.state), PNE_S2C), PNE_IS_CLOSED);
	assert_int_equal(st->acked_holes, 2);
	assert_int_equal(st->gap_bytes, 30);
	tk_fin(&k, PNE_C2S);
	tk_close(&k);
	tk_free(&k);
	conv_free(&c);
}

/* The fast path: the inner segments of a big body are passed over
 * without a read -- their payload pointers lead to an unreadable page --
 * in order, reordered and duplicated. */
static void test_fast_path_untouched(void **state)
{
	const size_t body = 200000, mss = 1000;
	struct conv c;
	char h[128];
	size_t pagesz = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *none = mmap(NULL, 2 * pagesz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(none != MAP_FAILED);
	memset(&c, 0, sizeof(c));
	conv_adds(&c, PNE_C2S, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
	snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
	conv_adds(&c, PNE_S2C, h);
	conv_body(&c, PNE_S2C, body, 9);
	conv_adds(&c, PNE_S2C, "HTTP/1.1 204 No Content\r\n\r\n");
	conv_done(&c);

	for (int variant = 0; variant < 3; variant++) {
		size_t end = strlen(h) + body, n = 0, inner = 0;
		struct piece *pc = calloc(1024, sizeof(*pc));
		struct tk k;
		const struct pne_tracker_stats *st;

		assert_non_null(pc);
		rng_state = 12345 + (uint64_t)variant;
		tk_open(&k, &c, 77, 88);
		tk_handshake(&k);
		tk_seg(&k, PNE_C2S, 0, c.len[0], 0);
		for (size_t off = 0; off < c.len[1]; off += mss)
			pc[n++] = (struct piece){ (uint32_t)off,
				(uint32_t)(c.len[1] - off < mss ? c.len[1] - off : mss) };
		/* keep the head first and the last body byte's segment late */
		for (size_t i = 1; variant > 0 && i + 3 < n; i++) {
			size_t j = i + 1 + rnd(5);

			if (j + 3 < n) {
				struct piece t = pc[i];

				pc[i] = pc[j];
				pc[j] = t;
			}
		}
		for (size_t i = 0; i < n; i++) {
			int untouchable = i > 0 && pc[i].off + pc[i].len < end;

			for (int rep = 0; rep < (variant == 2 && i % 7 == 3 ? 2 : 1); rep++) {
				if (untouchable) {
					tk_seg_raw(&k, PNE_S2C, k.isn[1] + 1 + pc[i].off, PNE_TCP_ACK,
						   none, pc[i].len, 0);
					inner += rep == 0;
				} else {
					tk_seg(&k, PNE_S2C, pc[i].off, pc[i].len, 0);
				}
			}
		}
		tk_fin(&k, PNE_C2S);
		tk_fin(&k, PNE_S2C);
		tk_close(&k);
		st = pne_tracker_stats(k.tr);
		assert_int_equal(k.res.n, 3);
		assert_int_equal(k.res.adus[1].len, end);
		assert_true(k.res.adus[1].synced);
		assert_int_equal(k.res.adus[2].off, end);
		assert_int_equal(st->skipped, inner);
		assert_true(st->bytes_skipped >= inner * mss);
		if (variant == 0)
			assert_int_equal(st->examined, 3);   /* request, head, last */
		else
			assert_true(st->covered_bytes > 0);
		assert_int_equal(st->held_peak, 0);      /* nothing was copied */
		free(pc);
		tk_free(&k);
	}
	munmap(none, 2 * pagesz);
	conv_free(&c);
}

/*
 * "Examined" is exact: a segment whose bytes all lie inside a body -- the
 * one that ends it included -- is passed over unread (its payload is an
 * unreadable page), and the response it ends is reported by that very
 * segment, before the next response's first byte arrives. Only segments
 * with a header byte are examined. In order, and with the body's last
 * segment arriving before the one ahead of it (covered, then passed over
 * when the hole fills).
 */
static void test_skip_end_not_examined(void **state)
{
	const size_t body = 10000, mss = 1000;
	size_t pagesz = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *none = mmap(NULL, 2 * pagesz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct conv c;
	char h[128];
	size_t start, end;

	(void)state;
	assert_true(none != MAP_FAILED);
	memset(&c, 0, sizeof(c));
	conv_adds(&c, PNE_C2S, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
	snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
	conv_adds(&c, PNE_S2C, h);
	start = c.len[PNE_S2C];
	conv_body(&c, PNE_S2C, body, 5);
	end = c.len[PNE_S2C];
	conv_adds(&c, PNE_S2C, "HTTP/1.1 204 No Content\r\n\r\n");
	conv_done(&c);

	for (int variant = 0; variant < 2; variant++) {
		struct piece pc[16];
		size_t n = 0;
		struct tk k;
		const struct pne_tracker_stats *st;

		tk_open(&k, &c, 77, 88);
		tk_handshake(&k);
		tk_seg(&k, PNE_C2S, 0, c.len[PNE_C2S], 0);
		pc[n++] = (struct piece){ 0, (uint32_t)start };   /* the head alone */
		for (size_t off = start; off < end; off += mss)
			pc[n++] = (struct piece){ (uint32_t)off,
				(uint32_t)(end - off < mss ? end - off : mss) };
		assert_int_equal(pc[n - 1].off + pc[n - 1].len, end);
		if (variant == 1) {
			struct piece t = pc[n - 1];

			pc[n - 1] = pc[n - 2];
			pc[n - 2] = t;
		}
		tk_seg(&k, PNE_S2C, pc[0].off, pc[0].len, 0);
		for (size_t i = 1; i < n; i++)
			tk_seg_raw(&k, PNE_S2C, k.isn[1] + 1 + pc[i].off, PNE_TCP_ACK, none,
				   pc[i].len, 0);
		assert_int_equal(k.res.n, 3);
		assert_int_equal(k.res.adus[2].dir, PNE_S2C);
		assert_int_equal(k.res.adus[2].len, end);
		tk_seg(&k, PNE_S2C, end, c.len[PNE_S2C] - end, 0);
		assert_int_equal(k.res.n, 4);
		tk_fin(&k, PNE_C2S);
		tk_fin(&k, PNE_S2C);
		tk_close(&k);
		st = pne_tracker_stats(k.tr);
		assert_int_equal(k.res.adus[3].off, end);
		/* the requests' segment, the 200's head, the 204 */
		assert_int_equal(st->examined, 3);
		assert_int_equal(st->skipped, body / mss);
		assert_int_equal(st->bytes_skipped, body);
		assert_int_equal(st->covered_bytes, variant == 1 ? mss : 0);
		assert_int_equal(st->held_peak, 0);
		tk_free(&k);
	}
	munmap(none, 2 * pagesz);
	conv_free(&c);
}

/* A subscribed direction gets every byte, in order, once, pointing into
 * the segments where they arrived in order, then its END; the fast path
 * is off for it. */
static void test_payload_subscription(void **state)
{
	struct conv c;
	struct sh_result ref;
	struct piece *pc = calloc(8192, sizeof(*pc));

	(void)state;
	assert_non_null(pc);
	conv_two_bodies(&c, 3000);
	reference(&c, &ref);
	for (int it = 0; it < 20; it++) {
		struct tk k;
		size_t n;

		rng_state = 777 + (uint64_t)it;
		tk_open(&k, &c, 0xfffff000u, 3);
		assert_int_equal(pne_tracker_subscribe(k.tr, k.state, PNE_S2C, k.pl_id, true), 0);
		assert_int_equal(pne_tracker_subscribe(k.tr, k.state, PNE_S2C, 3, true), -EINVAL);
		tk_handshake(&k);
		feed_except(&k, PNE_C2S, 1460, 0, 0);
		n = it == 0 ? 0 : scramble(pc, 8192, 0, (uint32_t)c.len[1], 1 + rnd(1400));
		if (it == 0)
			feed_except(&k, PNE_S2C, 1000, 0, 0);
		for (size_t i = 0; i < n; i++)
			tk_seg(&k, PNE_S2C, pc[i].off, pc[i].len, 0);
		tk_fin(&k, PNE_S2C);
		assert_true(k.pl[1].ended);
		tk_close(&k);
		require_same(&ref, &k.res, "subscribed");
		assert_false(k.pl[1].out_of_order);
		assert_int_equal(k.pl[1].next, c.len[1]);
		assert_int_equal(k.pl[1].gap_bytes, 0);
		assert_memory_equal(k.pl[1].buf, c.buf[1], c.len[1]);
		assert_int_equal(k.pl[0].next, 0);   /* c2s not subscribed */
		if (it == 0) {
			assert_true(k.pl[1].zero_copy >= c.len[1] / 1000);
			/* every s2c segment was read: only c2s took the fast path */
			assert_int_equal(pne_tracker_stats(k.tr)->skipped, 0);
		}
		tk_free(&k);
	}
	free(pc);
	sh_result_free(&ref);
	conv_free(&c);
}

/* A CONNECT refused: the client's next request waits for the response;
 * the tracker holds it meanwhile, or forces the wait at close. */
static void test_wait_held(void **state)
{
	struct conv c;
	struct sh_result ref;

	(void)state;
	memset(&c, 0, sizeof(c));
	conv_adds(&c, PNE_C2S, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
			       "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	conv_adds(&c, PNE_S2C, "HTTP/1.1 407 Proxy Authentication Required\r\n"
			       "Content-Length: 0\r\n\r\n");
	conv_done(&c);
	reference(&c, &ref);
	assert_int_equal(ref.n, 3);
	for (int answered = 0; answered < 3; answered++) {
		struct pne_tracker_conf conf = { .gap_timeout = answered == 2 ? 100 : 0 };
		struct tk k;

		tk_open_conf(&k, &c, &conf, 10, 20);
		tk_handshake(&k);
		tk_seg(&k, PNE_C2S, 0, c.len[0], 0);
		assert_int_equal(k.res.n, 1);
		assert_true(pne_tracker_flow_held(k.state) > 0);
		if (answered == 2) {
			/* nobody answers: the wait is given up after the timeout */
			pne_tracker_flow_tick(k.tr, k.state, 50);
			assert_int_equal(k.res.n, 1);
			pne_tracker_flow_tick(k.tr, k.state, 150);
			assert_int_equal(k.res.n, 2);
			assert_int_equal(pne_tracker_stats(k.tr)->forced_waits, 1);
			assert_int_equal(pne_tracker_flow_held(k.state), 0);
		} else if (answered) {
			tk_seg(&k, PNE_S2C, 0, c.len[1], 0);
			assert_int_equal(pne_tracker_flow_held(k.state), 0);
			assert_int_equal(k.res.n, 3);
		}
		tk_close(&k);
		if (answered == 1) {
			require_same(&ref, &k.res, "wait released by the response");
			assert_int_equal(pne_tracker_stats(k.tr)->forced_waits, 0);
		} else {
			assert_int_equal(k.res.n, 2);
			assert_int_equal(pne_tracker_stats(k.tr)->forced_waits, 1);
		}
		tk_free(&k);
	}
	sh_result_free(&ref);
	conv_free(&c);
}

/* A capture that cut segments short: the missing bytes are a hole,
 * absorbed inside a body. */
static void test_truncated_capture(void **state)
{
	struct conv c;
	struct sh_result ref;
	struct tk k;
	size_t hdr = strlen("HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n");

	(void)state;
	conv_two_bodies(&c, 3000);
	reference(&c, &ref);
	tk_open(&k, &c, 1, 2);
	tk_handshake(&k);
	feed_except(&k, PNE_C2S, 1460, 0, 0);
	for (size_t off = 0; off < c.len[1]; off += 1000) {
		size_t len = c.len[1] - off < 1000 ? c.len[1] - off : 1000;
		uint32_t cap = off == 1000 ? 64 : (uint32_t)len;   /* inside body 1 */

		tk_seg_raw(&k, PNE_S2C, k.isn[1] + 1 + (uint32_t)off, PNE_TCP_ACK,
			   c.buf[1] + off, cap, (uint32_t)len);
	}
	tk_close(&k);
	require_same(&ref, &k.res, "truncated");
	assert_int_equal(pne_tracker_stats(k.tr)->gaps_absorbed, 1);
	assert_int_equal(pne_tracker_stats(k.tr)->gap_bytes, 1000 - 64);
	assert_true(hdr < 1000);
	tk_free(&k);
	sh_result_free(&ref);
	conv_free(&c);
}

/* RST closes the flow at once; later segments are ignored. */
static void test_rst(void **state)
{
	struct conv c;
	struct tk k;
	const struct pne_tracker_stats *st;

	(void)state;
	conv_http(&c);
	tk_open(&k, &c, 1, 2);
	tk_handshake(&k);
	tk_seg(&k, PNE_C2S, 0, 40, 0);
	tk_seg(&k, PNE_C2S, 60, 40, 0);   /* held behind a hole */
	/* far beyond any window: not this stream's */
	tk_seg_raw(&k, PNE_C2S, k.isn[0] + 0x50000000u, PNE_TCP_ACK, c.buf[0], 10, 0);
	assert_int_equal(pne_tracker_stats(k.tr)->out_of_window, 1);
	assert_int_equal(pne_tracker_flow_held(k.state), 40);
	tk_seg_raw(&k, PNE_S2C, k.isn[1] + 1, PNE_TCP_RST, NULL, 0, 0);
	st = pne_tracker_stats(k.tr);
	assert_int_equal(st->resets, 1);
	assert_int_equal(st->held_bytes, 0);
	tk_seg(&k, PNE_C2S, 100, 100, 0);
	assert_int_equal(st->ignored, 2);
	tk_close(&k);
	tk_free(&k);
	conv_free(&c);
}

/* ---- ADU bodies --------------------------------------------------------- */

#define MAX_BODIES 8

/* What a body consumer received for one wanted ADU. */
struct body_got {
	uint64_t off;            /* the ADU's first byte, from its HEAD */
	uint64_t len;            /* from its ADU_END */
	uint8_t *data;           /* the DATA pieces, concatenated */
	size_t n, cap;
	uint64_t gap;            /* GAP bytes */
	int ended, aborted, closed;
};

/* A body consumer that wants the responses with status 200. */
struct body_log {
	struct tk *k;
	const char *spec;        /* registered for (NULL: any spec) */
	unsigned dirs;
	unsigned heads;          /* HEADs it was asked about */
	struct body_got b[MAX_BODIES];
	unsigned n;
	uint64_t last;           /* end of the last piece: pieces only move on */
	size_t data_pieces, zero_copy;
	int bad;                 /* a piece broke the contract */
};

static bool body_want(void *flow, const struct pne_adu *head, void *arg)
{
	struct body_log *l = arg;
	struct body_got *prev = l->n > 0 ? &l->b[l->n - 1] : NULL;
	char json[256];

	l->heads++;
	if (flow != l->k || head->event != PNE_ADU_HEAD || !(l->dirs & PNE_DIR_BIT(head->dir)) ||
	    head->off < l->last || (prev != NULL && !prev->ended && !prev->aborted))
		l->bad = 1;
	if (pne_adu_fields_json(head, json, sizeof(json)) >= sizeof(json))
		l->bad = 1;
	if (strstr(json, "\"status\":200,") == NULL)
		return false;
	assert_true(l->n < MAX_BODIES);
	memset(&l->b[l->n], 0, sizeof(l->b[0]));
	l->b[l->n++].off = head->off;
	l->last = head->off + head->len;
	return true;
}

static void body_piece(const struct pne_tracker_payload *p, void *arg)
{
	struct body_log *l = arg;
	const struct tk *k = l->k;
	struct body_got *g = l->n > 0 ? &l->b[l->n - 1] : NULL;

	if (g == NULL || g->ended || g->aborted || p->flow != k || p->dir != PNE_S2C ||
	    p->off < l->last) {
		l->bad = 1;
		return;
	}
	switch (p->kind) {
	case PNE_PAYLOAD_DATA:
		/* the stream's own bytes at their offset */
		if (p->len == 0 || p->data == NULL || p->adu != NULL ||
		    p->off + p->len > k->c->len[PNE_S2C] ||
		    memcmp(p->data, k->c->buf[PNE_S2C] + p->off, p->len) != 0) {
			l->bad = 1;
			return;
		}
		if (g->n + p->len > g->cap) {
			g->cap = (g->n + p->len) * 2;
			g->data = realloc(g->data, g->cap);
			assert_non_null(g->data);
		}
		memcpy(g->data + g->n, p->data, p->len);
		g->n += p->len;
		l->data_pieces++;
		if (p->data >= k->fed && p->data + p->len <= k->fed + k->fedlen)
			l->zero_copy++;
		break;
	case PNE_PAYLOAD_GAP:
		if (p->data != NULL || p->len == 0)
			l->bad = 1;
		g->gap += p->len;
		break;
	case PNE_PAYLOAD_ADU_END:
		if (p->adu == NULL || p->adu->event != PNE_ADU_END || p->adu->off != g->off ||
		    p->off != p->adu->off + p->adu->len || p->len != 0)
			l->bad = 1;
		g->len = p->adu != NULL ? p->adu->len : 0;
		g->closed = p->adu != NULL && p->adu->closed;
		g->ended = 1;
		break;
	case PNE_PAYLOAD_ADU_ABORT:
		if (p->adu == NULL || p->adu->event != PNE_ADU_ABORT || p->adu->off != g->off)
			l->bad = 1;
		g->aborted = 1;
		break;
	default:
		l->bad = 1;
		break;
	}
	l->last = p->off + p->len;
}

static void body_register(struct tk *k, struct body_log *l)
{
	l->k = k;
	assert_true(pne_tracker_on_body(k->tr, l->spec, l->dirs, body_want, body_piece, l) >= 0);
}

static void body_log_init(struct body_log *l, const char *spec, unsigned dirs)
{
	memset(l, 0, sizeof(*l));
	l->spec = spec;
	l->dirs = dirs;
}

static void body_log_free(struct body_log *l)
{
	for (unsigned i = 0; i < MAX_BODIES; i++)
		free(l->b[i].data);
}

/* The bodies a consumer of status 200 must get. */
struct want_bodies {
	uint64_t off[MAX_BODIES];   /* the response's first byte */
	uint8_t *data[MAX_BODIES];
	size_t len[MAX_BODIES];
	unsigned n;
};

/* n more bytes of the current wanted body, as conv_body() makes them. */
static void want_add(struct want_bodies *w, size_t n, uint8_t salt)
{
	unsigned i = w->n;

	w->data[i] = realloc(w->data[i], w->len[i] + n + 1);
	assert_non_null(w->data[i]);
	for (size_t j = 0; j < n; j++)
		w->data[i][w->len[i] + j] = (uint8_t)('a' + (j * 7 + salt) % 26);
	w->len[i] += n;
}

static void want_free(struct want_bodies *w)
{
	for (unsigned i = 0; i < MAX_BODIES; i++)
		free(w->data[i]);
}

/* Six requests; responses: 200 with a Content-Length body, 404 with a
 * body, 200 chunked (with an extension and a trailer), 500 chunked, 200
 * with an empty body, and 200 until the server closes. */
static void conv_bodies(struct conv *c, struct want_bodies *w, size_t big)
{
	char h[128];

	memset(c, 0, sizeof(*c));
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < 6; i++)
		conv_adds(c, PNE_C2S, "GET /r HTTP/1.1\r\nHost: h\r\n\r\n");
	w->off[w->n] = c->len[PNE_S2C];
	snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", big);
	conv_adds(c, PNE_S2C, h);
	conv_body(c, PNE_S2C, big, 1);
	want_add(w, big, 1);
	w->n++;
	snprintf(h, sizeof(h), "HTTP/1.1 404 Not Found\r\nContent-Length: %zu\r\n\r\n", big + 1000);
	conv_adds(c, PNE_S2C, h);
	conv_body(c, PNE_S2C, big + 1000, 2);
	/* the body of a chunked message: the chunks' data only */
	w->off[w->n] = c->len[PNE_S2C];
	conv_adds(c, PNE_S2C, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n400\r\n");
	conv_body(c, PNE_S2C, 1024, 3);
	want_add(w, 1024, 3);
	conv_adds(c, PNE_S2C, "\r\n10;ext=1\r\n");
	conv_body(c, PNE_S2C, 16, 4);
	want_add(w, 16, 4);
	conv_adds(c, PNE_S2C, "\r\n7d0\r\n");
	conv_body(c, PNE_S2C, 2000, 5);
	want_add(w, 2000, 5);
	conv_adds(c, PNE_S2C, "\r\n0\r\nX-Trailer: t\r\n\r\n");
	w->n++;
	conv_adds(c, PNE_S2C, "HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n");
	conv_body(c, PNE_S2C, 32, 6);
	conv_adds(c, PNE_S2C, "\r\n0\r\n\r\n");
	w->off[w->n++] = c->len[PNE_S2C];
	conv_adds(c, PNE_S2C, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	w->off[w->n] = c->len[PNE_S2C];
	conv_adds(c, PNE_S2C, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
	conv_body(c, PNE_S2C, 1500, 7);
	want_add(w, 1500, 7);
	w->n++;
	conv_done(c);
}

/* Every wanted body, whole, in order, ended; the last one by the close. */
static void check_bodies(const struct body_log *l, const struct want_bodies *w)
{
	assert_false(l->bad);
	assert_int_equal(l->n, w->n);
	for (unsigned i = 0; i < w->n; i++) {
		const struct body_got *g = &l->b[i];

		assert_int_equal(g->off, w->off[i]);
		assert_true(g->ended);
		assert_false(g->aborted);
		assert_int_equal(g->gap, 0);
		assert_int_equal(g->n, w->len[i]);
		if (w->len[i] > 0)
			assert_memory_equal(g->data, w->data[i], w->len[i]);
		assert_int_equal(g->closed, i + 1 == w->n);
	}
}

static uint64_t want_total(const struct want_bodies *w)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < w->n; i++)
		t += w->len[i];
	return t;
}

/* In order, every segment size down to single bytes: the consumer gets
 * exactly the 200s' bodies, each piece pointing into its segment; the
 * ADU consumers see what they saw without it. */
static void test_body_in_order(void **state)
{
	static const uint32_t mss[] = { 1, 7, 100, 536, 1460 };
	struct conv c;
	struct want_bodies w;
	struct sh_result ref;

	(void)state;
	conv_bodies(&c, &w, 3000);
	reference(&c, &ref);
	assert_int_equal(ref.n, 12);
	for (size_t m = 0; m < SH_NELEM(mss); m++) {
		struct pne_tracker_conf conf = { 0 };
		struct body_log l;
		struct tk k;
		const struct pne_tracker_stats *st;

		body_log_init(&l, "http", PNE_DIR_BIT(PNE_S2C));
		tk_open_full(&k, &c, &conf, 1000, 50000, &l);
		tk_handshake(&k);
		for (int d = 0; d < 2; d++)
			for (size_t off = 0; off < c.len[d]; off += mss[m])
				tk_seg(&k, (enum pne_dir)d, off,
				       c.len[d] - off < mss[m] ? c.len[d] - off : mss[m], 0);
		tk_fin(&k, PNE_C2S);
		tk_fin(&k, PNE_S2C);
		tk_close(&k);
		require_same(&ref, &k.res, "with a body consumer");
		check_bodies(&l, &w);
		st = pne_tracker_stats(k.tr);
		assert_int_equal(l.heads, 6);
		assert_int_equal(st->bodies, 4);
		assert_int_equal(st->body_bytes, want_total(&w));
		assert_int_equal(l.zero_copy, l.data_pieces);   /* no copy at all */
		assert_int_equal(st->held_peak, 0);
		if (mss[m] >= 100) {
			/* segments inside a wanted body: handed over, not examined;
			 * inside the 404's: passed over */
			assert_true(st->delivered >= 3000 / mss[m] - 2);
			assert_true(st->skipped >= 4000 / mss[m] - 2);
		}
		tk_free(&k);
		body_log_free(&l);
	}
	sh_result_free(&ref);
	want_free(&w);
	conv_free(&c);
}

/* Reordered, duplicated, overlapping segments of random sizes, sequence
 * numbers wrapping or not: the same bodies, in order. */
static void test_body_scrambled(void **state)
{
	struct conv c;
	struct want_bodies w;
	struct sh_result ref;
	struct piece *pc = calloc(8192, sizeof(*pc));

	(void)state;
	assert_non_null(pc);
	conv_bodies(&c, &w, 3000);
	reference(&c, &ref);
	for (int it = 0; it < 150; it++) {
		struct pne_tracker_conf conf = { 0 };
		struct body_log l;
		struct tk k;

		rng_state = 0xb0d1e5ull + (uint64_t)it * 0x9e3779b97f4a7c15ull;
		body_log_init(&l, it % 2 ? NULL : "http", PNE_DIR_BIT(PNE_S2C));
		tk_open_full(&k, &c, &conf, it % 3 ? 4000 : 0xffffff00u,
			     it % 2 ? 0xfffffa00u : 9, &l);
		tk_handshake(&k);
		for (int d = 0; d < 2; d++) {
			size_t n = scramble(pc, 8192, 0, (uint32_t)c.len[d], 1 + rnd(1500));

			for (size_t i = 0; i < n; i++)
				tk_seg(&k, (enum pne_dir)d, pc[i].off, pc[i].len, 0);
		}
		tk_fin(&k, PNE_C2S);
		tk_fin(&k, PNE_S2C);
		tk_close(&k);
		require_same(&ref, &k.res, "scrambled, with a body consumer");
		check_bodies(&l, &w);
		assert_int_equal(pne_tracker_stats(k.tr)->gaps, 0);
		assert_int_equal(pne_tracker_stats(k.tr)->hold_drops, 0);
		tk_free(&k);
		body_log_free(&l);
	}
	free(pc);
	sh_result_free(&ref);
	want_free(&w);
	conv_free(&c);
}

/* Inner segments of an unwanted body keep the fast path -- their
 * payload is an unreadable page -- while those of a wanted one are
 * handed over (in order: straight from the segment, counted delivered). */
static void test_body_fast_path(void **state)
{
	const size_t body = 100000, mss = 1000;
	size_t pagesz = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *none = mmap(NULL, 2 * pagesz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct want_bodies w;
	struct conv c;
	char h1[128], h2[128];
	size_t end1, start2, end2;

	(void)state;
	assert_true(none != MAP_FAILED);
	memset(&c, 0, sizeof(c));
	memset(&w, 0, sizeof(w));
	conv_adds(&c, PNE_C2S, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
			       "GET /c HTTP/1.1\r\nHost: h\r\n\r\n");
	snprintf(h1, sizeof(h1), "HTTP/1.1 404 Not Found\r\nContent-Length: %zu\r\n\r\n", body);
	conv_adds(&c, PNE_S2C, h1);
	conv_body(&c, PNE_S2C, body, 8);
	end1 = c.len[PNE_S2C];
	w.off[0] = end1;
	snprintf(h2, sizeof(h2), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
	conv_adds(&c, PNE_S2C, h2);
	start2 = c.len[PNE_S2C];
	conv_body(&c, PNE_S2C, body, 9);
	want_add(&w, body, 9);
	w.n = 1;
	end2 = c.len[PNE_S2C];
	conv_adds(&c, PNE_S2C, "HTTP/1.1 204 No Content\r\n\r\n");
	conv_done(&c);

	for (int variant = 0; variant < 3; variant++) {
		struct pne_tracker_conf conf = { 0 };
		struct piece *pc = calloc(1024, sizeof(*pc));
		size_t n = 0, inner1 = 0, inner2 = 0;
		struct body_log l;
		struct tk k;
		const struct pne_tracker_stats *st;

		assert_non_null(pc);
		rng_state = 4242 + (uint64_t)variant;
		body_log_init(&l, "http", PNE_DIR_BIT(PNE_S2C));
		tk_open_full(&k, &c, &conf, 77, 88, &l);
		tk_handshake(&k);
		tk_seg(&k, PNE_C2S, 0, c.len[0], 0);
		for (size_t off = 0; off < c.len[1]; off += mss)
			pc[n++] = (struct piece){ (uint32_t)off,
				(uint32_t)(c.len[1] - off < mss ? c.len[1] - off : mss) };
		/* the 404's head first: its inner segments come inside its skip */
		for (size_t i = 1; variant > 0 && i + 3 < n; i++) {
			size_t j = i + 1 + rnd(5);

			if (j + 3 < n) {
				struct piece t = pc[i];

				pc[i] = pc[j];
				pc[j] = t;
			}
		}
		for (size_t i = 0; i < n; i++) {
			int untouchable = i > 0 && pc[i].off + pc[i].len < end1;
			int wanted = pc[i].off >= start2 && pc[i].off + pc[i].len < end2;

			for (int rep = 0; rep < (variant == 2 && i % 7 == 3 ? 2 : 1); rep++) {
				if (untouchable) {
					tk_seg_raw(&k, PNE_S2C, k.isn[1] + 1 + pc[i].off, PNE_TCP_ACK,
						   none, pc[i].len, 0);
					inner1 += rep == 0;
				} else {
					tk_seg(&k, PNE_S2C, pc[i].off, pc[i].len, 0);
					inner2 += rep == 0 && wanted;
				}
			}
		}
		tk_fin(&k, PNE_C2S);
		tk_fin(&k, PNE_S2C);
		tk_close(&k);
		st = pne_tracker_stats(k.tr);
		assert_int_equal(k.res.n, 6);
		assert_int_equal(l.heads, 3);
		l.b[0].closed = 0;
		assert_false(l.bad);
		assert_int_equal(l.n, 1);
		assert_true(l.b[0].ended);
		assert_int_equal(l.b[0].n, body);
		assert_memory_equal(l.b[0].data, w.data[0], body);
		assert_int_equal(st->skipped, inner1);
		if (variant == 0) {
			assert_int_equal(st->delivered, inner2);
			assert_int_equal(l.zero_copy, l.data_pieces);
			assert_int_equal(st->held_peak, 0);
			/* the request, the 404's head, its last byte with the 200's
			 * head, the 200's last byte with the 204 */
			assert_int_equal(st->examined, 4);
		} else {
			assert_true(st->covered_bytes > 0);
			assert_true(st->delivered > 0);
		}
		free(pc);
		tk_free(&k);
		body_log_free(&l);
	}
	munmap(none, 2 * pagesz);
	want_free(&w);
	conv_free(&c);
}

/* Lost bytes inside a wanted body reach the consumer as a GAP of their
 * size (the bytes after them were held, not covered); inside an unwanted
 * one they are absorbed unseen. A flow reset in the middle of a wanted
 * body ABORTs it. */
static void test_body_gap_abort(void **state)
{
	struct conv c;
	struct want_bodies w;
	struct body_log l;
	struct tk k;
	const struct pne_tracker_conf conf = { 0 };
	const struct pne_tracker_stats *st;
	size_t hdr = strlen("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
	size_t r404;

	(void)state;
	conv_bodies(&c, &w, 5000);
	/* segments are 500 bytes: the hole is [1500, 2000), body offsets
	 * [1500 - hdr, 2000 - hdr); the 404's is inside its body */
	r404 = hdr + 5000 + strlen("HTTP/1.1 404 Not Found\r\nContent-Length: 6000\r\n\r\n");
	r404 = (r404 + 1000) / 500 * 500;
	body_log_init(&l, "http", PNE_DIR_BIT(PNE_S2C));
	tk_open_full(&k, &c, &conf, 100, 200, &l);
	tk_handshake(&k);
	feed_except(&k, PNE_C2S, 1460, 0, 0);
	/* lose [1000, 1500) of the first body and 300 bytes of the 404's */
	for (size_t off = 0; off < c.len[1]; off += 500) {
		size_t len = c.len[1] - off < 500 ? c.len[1] - off : 500;

		if (off != 1500 && off != r404)
			tk_seg(&k, PNE_S2C, off, len, 0);
	}
	tk_fin(&k, PNE_S2C);
	tk_fin(&k, PNE_C2S);
	tk_close(&k);
	st = pne_tracker_stats(k.tr);
	assert_int_equal(st->gaps, 2);
	assert_int_equal(st->gaps_absorbed, 2);
	assert_false(l.bad);
	assert_int_equal(l.n, w.n);
	assert_int_equal(l.b[0].gap, 500);
	assert_int_equal(l.b[0].n, 4500);
	assert_true(l.b[0].ended);
	{
		size_t lo = 1500 - hdr;   /* body offset of the hole */

		assert_memory_equal(l.b[0].data, w.data[0], lo);
		assert_memory_equal(l.b[0].data + lo, w.data[0] + lo + 500, 5000 - lo - 500);
	}
	for (unsigned i = 1; i < w.n; i++) {
		assert_int_equal(l.b[i].gap, 0);
		assert_int_equal(l.b[i].n, w.len[i]);
	}
	tk_free(&k);
	body_log_free(&l);

	/* reset in the middle of the first body */
	body_log_init(&l, "http", PNE_DIR_BIT(PNE_S2C));
	tk_open_full(&k, &c, &conf, 100, 200, &l);
	tk_handshake(&k);
	feed_except(&k, PNE_C2S, 1460, 0, 0);
	tk_seg(&k, PNE_S2C, 0, hdr + 2000, 0);
	tk_seg_raw(&k, PNE_S2C, k.isn[1] + 1 + (uint32_t)(hdr + 2000), PNE_TCP_RST, NULL, 0, 0);
	tk_close(&k);
	assert_false(l.bad);
	assert_int_equal(l.n, 1);
	assert_true(l.b[0].aborted);
	assert_false(l.b[0].ended);
	assert_int_equal(l.b[0].n, 2000);
	assert_memory_equal(l.b[0].data, w.data[0], 2000);
	tk_free(&k);
	body_log_free(&l);
	want_free(&w);
	conv_free(&c);
}

/* Registration: bad arguments, the consumer limit; a consumer of
 * another spec, or of the other direction, is never asked and leaves
 * the fast path alone. */
static void test_body_register(void **state)
{
	struct pne_tracker_conf conf = { 0 };
	struct pne_tracker *tr = pne_tracker_create(&conf);
	struct conv c;
	struct want_bodies w;
	struct body_log l;
	struct tk k;

	(void)state;
	assert_non_null(tr);
	assert_int_equal(pne_tracker_on_body(tr, "http", PNE_DIR_BIT(PNE_S2C), NULL, body_piece, NULL),
			 -EINVAL);
	assert_int_equal(pne_tracker_on_body(tr, "http", PNE_DIR_BIT(PNE_S2C), body_want, NULL, NULL),
			 -EINVAL);
	assert_int_equal(pne_tracker_on_body(tr, "http", 0, body_want, body_piece, NULL), -EINVAL);
	assert_int_equal(pne_tracker_on_body(tr, "http", 4, body_want, body_piece, NULL), -EINVAL);
	assert_int_equal(pne_tracker_on_body(NULL, "http", 1, body_want, body_piece, NULL), -EINVAL);
	for (int i = 0; i < PNE_TRACKER_MAX_CONSUMERS; i++)
		assert_int_equal(pne_tracker_on_body(tr, NULL, 3, body_want, body_piece, NULL), i);
	assert_int_equal(pne_tracker_on_body(tr, NULL, 3, body_want, body_piece, NULL), -ENOSPC);
	pne_tracker_destroy(tr);

	conv_bodies(&c, &w, 3000);
	for (int other = 0; other < 2; other++) {
		body_log_init(&l, other ? "dns" : "http", PNE_DIR_BIT(PNE_C2S));
		tk_open_full(&k, &c, &conf, 1, 2, &l);
		tk_handshake(&k);
		feed_except(&k, PNE_C2S, 1460, 0, 0);
		feed_except(&k, PNE_S2C, 1000, 0, 0);
		tk_fin(&k, PNE_S2C);
		tk_close(&k);
		/* http's c2s: asked about each request, never a 200 */
		assert_int_equal(l.heads, other ? 0 : 6);
		assert_false(l.bad);
		assert_int_equal(l.n, 0);
		assert_int_equal(pne_tracker_stats(k.tr)->bodies, 0);
		assert_int_equal(pne_tracker_stats(k.tr)->delivered, 0);
		assert_true(pne_tracker_stats(k.tr)->skipped > 0);
		tk_free(&k);
		body_log_free(&l);
	}
	want_free(&w);
	conv_free(&c);
}

/* Counter names come from tracker_stats.def. */
static void test_stat_names(void **state)
{
	struct pne_tracker_conf conf = { 0 };
	struct pne_tracker *tr = pne_tracker_create(&conf);

	(void)state;
	assert_non_null(tr);
	assert_string_equal(pne_tracker_stat_name(PNE_TRACKER_STAT_flows), "flows");
	assert_string_equal(pne_tracker_stat_name(PNE_TRACKER_STAT_payload_bytes), "payload_bytes");
	assert_null(pne_tracker_stat_name(PNE_TRACKER_STAT__COUNT));
	assert_non_null(pne_tracker_stat_desc(0));
	assert_int_equal(pne_tracker_stat_value(pne_tracker_stats(tr), PNE_TRACKER_STAT_packets), 0);
	assert_null(pne_tracker_create(NULL));
	assert_int_equal(pne_tracker_flow_size(NULL), 0);
	pne_tracker_destroy(tr);
	pne_tracker_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_scrambled),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_overlap_differs),
		cmocka_unit_test(test_gap_in_body_absorbed),
		cmocka_unit_test(test_gap_across_header),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_memcap),
		cmocka_unit_test(test_flow_cap),
		cmocka_unit_test(test_burst_behind_hole),
		cmocka_unit_test(test_acked_hole_absorbed),
		cmocka_unit_test(test_acked_hole_resync),
		cmocka_unit_test(test_fast_path_untouched),
		cmocka_unit_test(test_skip_end_not_examined),
		cmocka_unit_test(test_payload_subscription),
		cmocka_unit_test(test_wait_held),
		cmocka_unit_test(test_truncated_capture),
		cmocka_unit_test(test_rst),
		cmocka_unit_test(test_body_in_order),
		cmocka_unit_test(test_body_scrambled),
		cmocka_unit_test(test_body_fast_path),
		cmocka_unit_test(test_body_gap_abort),
		cmocka_unit_test(test_body_register),
		cmocka_unit_test(test_stat_names),
	};

	return cmocka_run_group_tests_name("tracker", tests, NULL, NULL);
}
