/*
 * Unit tests of the flow table (runtime/flow_table.c): lookups from both
 * directions, the cap and its eviction callback, bounded expiry, LRU
 * order, the TCP lifecycle and its timeout classes, bulk lookups against
 * single ones, and 100k random operations against a naive model.
 *
 * Every table is created through a counting allocator: the teardown
 * checks that each table made exactly one allocation, at create, and
 * freed it.
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

#include "pne/flow_table.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- counting allocator ---- */

static unsigned n_alloc, n_free;

static void *count_alloc(size_t size, size_t align, void *arg)
{
	n_alloc++;
	return aligned_alloc(align, size);
}

static void count_free(void *p, void *arg)
{
	n_free++;
	free(p);
}

static int setup(void **state)
{
	n_alloc = n_free = 0;
	return 0;
}

static int teardown(void **state)
{
	/* every table made exactly one allocation and gave it back */
	return n_alloc == n_free ? 0 : -1;
}

/* ---- eviction log ---- */

struct evicted {
	uint32_t id[64];             /* payload ids, in eviction order */
	enum pne_flow_evict_reason reason[64];
	unsigned n;
	unsigned total;
};

struct payload {
	uint32_t id;
	uint32_t magic;
};

static void on_evict(struct pne_flow_entry *e, void *payload,
		     enum pne_flow_evict_reason reason, void *arg)
{
	struct evicted *log = arg;
	struct payload *pl = payload;

	assert_ptr_equal(payload, pne_flow_payload(e));
	assert_int_equal(pl->magic, 0xf10f);
	if (log->n < NELEM(log->id)) {
		log->id[log->n] = pl->id;
		log->reason[log->n] = reason;
		log->n++;
	}
	log->total++;
}

static struct pne_flow_table_conf conf_of(uint32_t max, uint32_t nb,
					  uint64_t est, uint64_t closing,
					  uint64_t half, struct evicted *log)
{
	struct pne_flow_table_conf c = {
		.max_flows = max, .nbuckets = nb,
		.payload_size = sizeof(struct payload),
		.timeout = { [PNE_FLOW_TMO_ESTABLISHED] = est,
			     [PNE_FLOW_TMO_CLOSING] = closing,
			     [PNE_FLOW_TMO_HALF_OPEN] = half },
		.on_evict = on_evict, .evict_arg = log,
		.alloc = count_alloc, .free = count_free,
	};
	return c;
}

static struct pne_flow_table *make(uint32_t max, uint32_t nb, uint64_t est,
				   uint64_t closing, uint64_t half,
				   struct evicted *log)
{
	struct pne_flow_table_conf c = conf_of(max, nb, est, closing, half, log);
	struct pne_flow_table *t = pne_flow_table_create(&c);

	assert_non_null(t);
	return t;
}

/* A distinct key per id (IPv4 mapped, client port from id). */
static void key_of(uint32_t id, struct pne_flow_key *k, uint32_t *hash,
		   unsigned *flip, int reverse)
{
	uint8_t a[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
	uint8_t b[16] = { [10] = 0xff, [11] = 0xff, 10, 1, 0, 0 };
	uint16_t pa = (uint16_t)(1024 + (id & 0x7fff)), pb = 80;
	unsigned f;

	b[13] = (uint8_t)(id >> 15);
	b[14] = (uint8_t)(id >> 23);
	b[15] = (uint8_t)(id >> 31);
	f = reverse ? pne_flow_key_make(k, b, pb, a, pa) :
		      pne_flow_key_make(k, a, pa, b, pb);
	*hash = pne_flow_key_hash(k);
	if (flip)
		*flip = f;
}

static struct pne_flow_entry *add(struct pne_flow_table *t, uint32_t id,
				  uint64_t now)
{
	struct pne_flow_key k;
	struct pne_flow_entry *e = NULL;
	struct payload *pl;
	uint32_t h;

	key_of(id, &k, &h, NULL, 0);
	assert_int_equal(pne_flow_lookup_or_insert(t, &k, h, now, &e), 1);
	pl = pne_flow_payload(e);
	pl->id = id;
	pl->magic = 0xf10f;
	return e;
}

static struct pne_flow_entry *find(struct pne_flow_table *t, uint32_t id,
				   uint64_t now)
{
	struct pne_flow_key k;
	struct pne_flow_entry *e = NULL;
	uint32_t h;

	key_of(id, &k, &h, NULL, 0);
	return pne_flow_lookup(t, &k, h, now, &e) == 0 ? e : NULL;
}

/* ---- tests ---- */

static void test_create_invalid(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table_conf c;

	c = conf_of(0, 0, 10, 10, 10, &log);
	errno = 0;
	assert_null(pne_flow_table_create(&c));
	assert_int_equal(errno, EINVAL);
	c = conf_of(100, 100, 10, 10, 10, &log);          /* not a power of two */
	assert_null(pne_flow_table_create(&c));
	c = conf_of(100, 0, 10, 0, 10, &log);             /* zero timeout */
	assert_null(pne_flow_table_create(&c));
	c = conf_of(100, 0, 10, 10, 10, &log);
	c.free = NULL;                                    /* alloc without free */
	assert_null(pne_flow_table_create(&c));
	c = conf_of(100, 0, 10, 10, 10, &log);
	c.payload_size = (1u << 20) + 1;
	assert_null(pne_flow_table_create(&c));
	assert_int_equal(pne_flow_table_memsize(&c), 0);
	assert_null(pne_flow_table_create(NULL));
	pne_flow_table_destroy(NULL);
	assert_int_equal(n_alloc, 0);
}

static void test_sizes(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table_conf c = conf_of(1000, 0, 10, 10, 10, &log);
	struct pne_flow_table *t;
	size_t sz, with;

	assert_int_equal(sizeof(struct pne_flow_entry), 64);
	assert_int_equal(_Alignof(struct pne_flow_entry), 64);
	c.payload_size = 0;
	sz = pne_flow_table_memsize(&c);
	/* 1000 flows: 1024 buckets of 4 bytes, 64 bytes per entry, a header */
	assert_true(sz >= 1000 * 64 + 1024 * 4);
	assert_true(sz <= 1000 * 64 + 1024 * 4 + 1024);
	c.payload_size = 1;
	with = pne_flow_table_memsize(&c);
	assert_int_equal(with - sz, 1000 * 64);           /* payload rounds to 64 */
	c.payload_size = 200;
	assert_int_equal(pne_flow_table_memsize(&c) - sz, 1000 * 256);
	printf("sizeof(struct pne_flow_entry) = %zu; per flow without payload: "
	       "%zu bytes (+4 per bucket); 1000 flows, 200-byte payload: %zu bytes\n",
	       sizeof(struct pne_flow_entry), sizeof(struct pne_flow_entry),
	       pne_flow_table_memsize(&c));
	t = pne_flow_table_create(&c);
	assert_non_null(t);
	assert_int_equal(n_alloc, 1);
	pne_flow_table_destroy(t);
	assert_int_equal(n_free, 1);
}

static void test_both_directions(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(16, 0, 100, 100, 100, &log);
	struct pne_flow_key k1, k2;
	struct pne_flow_entry *e1 = NULL, *e2 = NULL;
	uint32_t h1, h2;
	unsigned f1, f2;

	key_of(7, &k1, &h1, &f1, 0);
	key_of(7, &k2, &h2, &f2, 1);
	assert_int_equal(h1, h2);
	assert_int_equal(f1, !f2);
	assert_int_equal(pne_flow_lookup(t, &k1, h1, 1, &e1), -ENOENT);
	assert_int_equal(pne_flow_lookup_or_insert(t, &k1, h1, 1, &e1), 1);
	assert_int_equal(pne_flow_state(e1), PNE_FLOW_NEW);
	assert_int_equal((uintptr_t)pne_flow_payload(e1) % 64, 0);
	assert_ptr_equal(pne_flow_entry_of(pne_flow_payload(e1)), e1);
	assert_int_equal(pne_flow_lookup_or_insert(t, &k2, h2, 2, &e2), 0);
	assert_ptr_equal(e1, e2);
	assert_int_equal(e1->last_seen, 2);
	e2 = NULL;
	assert_int_equal(pne_flow_lookup(t, &k2, h2, 3, &e2), 0);
	assert_ptr_equal(e1, e2);
	assert_int_equal(pne_flow_count(t), 1);
	assert_int_equal(pne_flow_stats(t)->inserts, 1);
	assert_int_equal(pne_flow_stats(t)->lookups, 4);
	assert_int_equal(pne_flow_stats(t)->hits, 2);
	/* time never runs backwards */
	assert_int_equal(pne_flow_lookup(t, &k2, h2, 1, &e2), 0);
	assert_int_equal(e2->last_seen, 3);
	assert_int_equal(pne_flow_remove(t, e1), 0);
	assert_int_equal(pne_flow_remove(t, e1), -EINVAL);
	assert_int_equal(pne_flow_remove(t, (struct pne_flow_entry *)((uint8_t *)e1 + 64)),
			 -EINVAL);
	assert_int_equal(pne_flow_lookup(t, &k1, h1, 4, &e1), -ENOENT);
	assert_int_equal(pne_flow_count(t), 0);
	assert_int_equal(log.total, 0);
	pne_flow_table_destroy(t);
}

static void test_cap_and_evict(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(4, 4, 1000, 1000, 10, &log);
	struct pne_flow_key k;
	struct pne_flow_entry *e = NULL;
	uint32_t h, i;

	for (i = 0; i < 4; i++)
		add(t, i, 100 + i);
	/* full, nothing expired: refused and counted */
	key_of(4, &k, &h, NULL, 0);
	assert_int_equal(pne_flow_lookup_or_insert(t, &k, h, 105, &e), -ENOSPC);
	assert_null(e);
	assert_int_equal(pne_flow_stats(t)->flows_dropped, 1);
	assert_int_equal(log.total, 0);
	/* flow 0 (last seen 100) is past the half-open timeout at 110 */
	assert_non_null(add(t, 4, 110));
	assert_int_equal(log.n, 1);
	assert_int_equal(log.id[0], 0);
	assert_int_equal(log.reason[0], PNE_FLOW_EVICT_FULL);
	assert_int_equal(pne_flow_stats(t)->evicted[PNE_FLOW_EVICT_FULL], 1);
	assert_null(find(t, 0, 110));
	assert_int_equal(pne_flow_count(t), 4);
	assert_int_equal(pne_flow_flush(t), 4);
	assert_int_equal(log.total, 5);
	assert_int_equal(log.reason[4], PNE_FLOW_EVICT_FLUSH);
	assert_int_equal(pne_flow_count(t), 0);
	pne_flow_table_destroy(t);
}

static void test_expire_budget(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(64, 0, 10, 10, 10, &log);
	uint32_t i;

	for (i = 0; i < 10; i++)
		add(t, i, i);
	assert_int_equal(pne_flow_expire(t, 9, 100), 0);  /* none idle 10 yet */
	assert_int_equal(pne_flow_expire(t, 15, 3), 3);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.id[0], 0);
	assert_int_equal(log.id[1], 1);
	assert_int_equal(log.id[2], 2);
	assert_int_equal(log.reason[0], PNE_FLOW_EVICT_IDLE);
	/* the rest of those idle >= 10 at 15: flows 3, 4, 5 */
	assert_int_equal(pne_flow_expire(t, 15, 100), 3);
	assert_int_equal(log.id[5], 5);
	assert_int_equal(pne_flow_count(t), 4);
	assert_int_equal(pne_flow_expire(t, 15, 0), 0);
	assert_int_equal(pne_flow_stats(t)->evicted[PNE_FLOW_EVICT_IDLE], 6);
	pne_flow_table_destroy(t);
}

/* Least recently used goes first, whatever the insertion order. */
static void test_lru_order(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(3, 0, 10, 10, 10, &log);

	add(t, 1, 1);
	add(t, 2, 2);
	add(t, 3, 3);
	assert_non_null(find(t, 1, 4));          /* 1 is now the newest */
	assert_non_null(find(t, 2, 5));
	add(t, 4, 20);                           /* evicts 3 */
	add(t, 5, 21);                           /* then 1 */
	add(t, 6, 22);                           /* then 2 */
	assert_int_equal(log.n, 3);
	assert_int_equal(log.id[0], 3);
	assert_int_equal(log.id[1], 1);
	assert_int_equal(log.id[2], 2);
	pne_flow_table_destroy(t);
}

/* With a coarse tick a flow's list position lags, but expiry is late
 * by less than a tick: timeout 1600 -> tick 64. */
static void test_tick_bound(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(8, 0, 1600, 1600, 1600, &log);

	add(t, 1, 0);
	add(t, 2, 1);
	assert_non_null(find(t, 1, 10));         /* same tick: not moved */
	assert_int_equal(pne_flow_expire(t, 1600, 8), 0);
	/* flow 2 is due at 1601, flow 1 at 1610: both gone within a tick */
	assert_int_equal(pne_flow_expire(t, 1610 + 64, 8), 2);
	/* a touch in a later tick moves the flow behind the others */
	add(t, 3, 2000);
	add(t, 4, 2001);
	assert_non_null(find(t, 3, 2100));
	assert_int_equal(pne_flow_expire(t, 2001 + 1600, 8), 1);
	assert_int_equal(log.id[2], 4);
	pne_flow_table_destroy(t);
}

static void test_tcp_lifecycle(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(16, 0, 1000, 50, 10, &log);
	struct pne_flow_key k;
	struct pne_flow_entry *e;
	uint32_t h;
	unsigned cf, sf;                         /* client's and server's dir_flip */

	/* handshake: the SYN sender is the client */
	key_of(1, &k, &h, &cf, 0);
	sf = !cf;
	e = add(t, 1, 0);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN, cf, 0), 0);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_SYN);
	assert_int_equal(pne_flow_client_is_high(e), cf);
	assert_int_equal(pne_flow_dir(e, cf), PNE_C2S);
	assert_int_equal(pne_flow_dir(e, sf), PNE_S2C);
	pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, sf, 1);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_SYN);
	pne_flow_tcp_update(t, e, PNE_TCP_ACK, sf, 2);   /* server: not yet */
	assert_int_equal(pne_flow_state(e), PNE_FLOW_SYN);
	pne_flow_tcp_update(t, e, PNE_TCP_ACK, cf, 2);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_ESTABLISHED);
	/* established flows outlive the half-open timeout */
	assert_int_equal(pne_flow_expire(t, 100, 16), 0);
	/* FIN one way, then the other: the closing timeout applies */
	pne_flow_tcp_update(t, e, PNE_TCP_FIN | PNE_TCP_ACK, cf, 100);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_FIN_ONE);
	pne_flow_tcp_update(t, e, PNE_TCP_FIN | PNE_TCP_ACK, cf, 101);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_FIN_ONE);  /* retransmitted */
	pne_flow_tcp_update(t, e, PNE_TCP_FIN | PNE_TCP_ACK, sf, 102);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_FIN_BOTH);
	/* port reuse: a new SYN, from the other side this time */
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN, sf, 103), 1);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_SYN);
	assert_int_equal(pne_flow_dir(e, sf), PNE_C2S);
	assert_int_equal(pne_flow_stats(t)->reopens, 1);
	pne_flow_tcp_update(t, e, PNE_TCP_RST, cf, 104);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_RST);
	pne_flow_tcp_update(t, e, PNE_TCP_FIN, cf, 105);   /* stays reset */
	assert_int_equal(pne_flow_state(e), PNE_FLOW_RST);
	assert_int_equal(pne_flow_expire(t, 154, 16), 0);
	assert_int_equal(pne_flow_expire(t, 155, 16), 1);
	assert_int_equal(log.reason[0], PNE_FLOW_EVICT_CLOSED);

	/* picked up mid-stream: the higher port is the client */
	e = add(t, 2, 200);
	pne_flow_tcp_update(t, e, PNE_TCP_ACK | PNE_TCP_PSH, 0, 200);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_MIDSTREAM);
	assert_int_equal(e->key.port[pne_flow_client_is_high(e)], 1024 + 2);
	/* a half-open flow, SYN-ACK first: the receiver is the client */
	key_of(3, &k, &h, &cf, 0);
	e = add(t, 3, 200);
	pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, !cf, 200);
	assert_int_equal(pne_flow_dir(e, cf), PNE_C2S);
	/* a FIN on one side only, then idle: expires as idle, not closed */
	e = add(t, 4, 200);
	pne_flow_tcp_update(t, e, PNE_TCP_ACK, 0, 200);
	pne_flow_tcp_update(t, e, PNE_TCP_FIN | PNE_TCP_ACK, 1, 200);
	log.n = 0;
	assert_int_equal(pne_flow_expire(t, 210, 16), 1);   /* half-open 3 */
	assert_int_equal(log.id[0], 3);
	assert_int_equal(pne_flow_expire(t, 250, 16), 1);   /* closing 4 */
	assert_int_equal(log.id[1], 4);
	assert_int_equal(log.reason[1], PNE_FLOW_EVICT_IDLE);
	assert_int_equal(pne_flow_expire(t, 1199, 16), 0);
	assert_int_equal(pne_flow_expire(t, 1200, 16), 1);  /* established 2 */
	assert_int_equal(pne_flow_count(t), 0);
	assert_string_equal(pne_flow_state_name(PNE_FLOW_FIN_BOTH), "fin_both");
	assert_string_equal(pne_flow_evict_name(PNE_FLOW_EVICT_CLOSED), "closed");
	assert_string_equal(pne_flow_tmo_name(PNE_FLOW_TMO_HALF_OPEN), "half_open");
	assert_string_equal(pne_flow_state_name(PNE_FLOW_STATE__COUNT), "?");
	pne_flow_table_destroy(t);
}

/*
 * A reset during the handshake that the endpoints ignore (suricata bug
 * 3286's evasion: the SYN-SENT client drops an RST+ACK with a bad
 * timestamp echo, or retries its SYN): the SYN-ACK that follows starts
 * the connection over, its receiver the client. After an established
 * connection's reset, or a FIN close, a SYN-ACK is stale and ignored.
 */
static void test_reset_in_handshake(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(16, 0, 1000, 50, 10, &log);
	struct pne_flow_key k;
	struct pne_flow_entry *e;
	uint32_t h;
	unsigned cf, sf;

	key_of(1, &k, &h, &cf, 0);
	sf = !cf;
	e = add(t, 1, 0);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN, cf, 0), 0);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_RST | PNE_TCP_ACK, sf, 1), 0);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_RST);
	assert_true(e->flags & PNE_FLOWF_RST_HS);
	/* a FIN and the client's own RST change nothing */
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_FIN | PNE_TCP_ACK, sf, 2), 0);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_RST, cf, 3), 0);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_RST);
	/* an RST+SYN+ACK is no handshake */
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK | PNE_TCP_RST,
					     sf, 4), 0);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_RST);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, sf, 5), 1);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_SYN);
	assert_false(e->flags & PNE_FLOWF_RST_HS);
	assert_int_equal(pne_flow_dir(e, cf), PNE_C2S);
	assert_int_equal(pne_flow_stats(t)->reopens, 1);
	/* the SYN-ACK is retransmitted: the same connection */
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, sf, 6), 0);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_ACK, cf, 7), 0);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_ESTABLISHED);
	/* the established connection is reset: a late SYN-ACK is stale */
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_RST, cf, 8), 0);
	assert_false(e->flags & PNE_FLOWF_RST_HS);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, sf, 9), 0);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_RST);
	/* a SYN still reopens it (port reuse), and clears nothing it needs */
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN, sf, 10), 1);
	assert_int_equal(pne_flow_dir(e, sf), PNE_C2S);
	assert_int_equal(pne_flow_stats(t)->reopens, 2);

	/* the SYN-ACK came first, then the reset: it reopens from the SYN-ACK
	 * again, the same client */
	key_of(2, &k, &h, &cf, 0);
	e = add(t, 2, 20);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, !cf, 20), 0);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_RST, !cf, 21), 0);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, !cf, 22), 1);
	assert_int_equal(pne_flow_dir(e, cf), PNE_C2S);

	/* FIN both ways: a SYN-ACK doesn't reopen, the flow stays closed */
	e = add(t, 3, 30);
	pne_flow_tcp_update(t, e, PNE_TCP_SYN, 0, 30);
	pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, 1, 30);
	pne_flow_tcp_update(t, e, PNE_TCP_FIN | PNE_TCP_ACK, 0, 31);
	pne_flow_tcp_update(t, e, PNE_TCP_FIN | PNE_TCP_ACK, 1, 31);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_FIN_BOTH);
	assert_int_equal(pne_flow_tcp_update(t, e, PNE_TCP_SYN | PNE_TCP_ACK, 1, 32), 0);
	assert_int_equal(pne_flow_state(e), PNE_FLOW_FIN_BOTH);
	/* the reopened ones are half-open again, the closed one closing */
	assert_int_equal(pne_flow_expire(t, 40, 16), 2);
	assert_int_equal(log.reason[0], PNE_FLOW_EVICT_IDLE);
	assert_int_equal(log.reason[1], PNE_FLOW_EVICT_IDLE);
	assert_int_equal(pne_flow_expire(t, 32 + 50 + 8, 16), 1);
	assert_int_equal(log.id[2], 3);
	assert_int_equal(log.reason[2], PNE_FLOW_EVICT_CLOSED);
	pne_flow_table_destroy(t);
}

/* Bulk lookups agree with single lookups for every burst size. */
static void test_bulk_equals_single(void **state)
{
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(2048, 256, 1u << 30, 1u << 30, 1u << 30, &log);
	static const unsigned sizes[] = { 1, 2, 3, 7, 8, 9, 63, 64, 65, 100, 300 };
	struct pne_flow_key keys[300];
	const struct pne_flow_key *kp[300];
	uint32_t hashes[300];
	struct pne_flow_entry *bulk[300], *one;
	unsigned i, s, hits, expect;
	uint64_t now = 1;

	for (i = 0; i < 1000; i++)
		add(t, i * 2, now);                /* even ids present */
	srand(7);
	for (s = 0; s < NELEM(sizes); s++) {
		for (i = 0; i < sizes[s]; i++) {
			key_of((uint32_t)rand() % 2000, &keys[i], &hashes[i], NULL,
			       rand() & 1);
			kp[i] = &keys[i];
		}
		hits = pne_flow_lookup_bulk(t, kp, hashes, sizes[s], ++now, bulk);
		for (expect = 0, i = 0; i < sizes[s]; i++) {
			one = NULL;
			if (pne_flow_lookup(t, kp[i], hashes[i], now, &one) != 0)
				one = NULL;
			assert_ptr_equal(bulk[i], one);
			if (one) {
				expect++;
				assert_int_equal(one->last_seen, now);
			}
		}
		assert_int_equal(hits, expect);
	}
	pne_flow_table_destroy(t);
}

/* 100k random inserts, lookups and removes against a naive model, with
 * few buckets so chains are long. */
static void test_random_model(void **state)
{
	enum { N = 100000, OPS = 300000 };
	struct evicted log = { 0 };
	struct pne_flow_table *t = make(N, 4096, UINT64_MAX, UINT64_MAX,
					UINT64_MAX, &log);
	struct pne_flow_entry **model = calloc(N, sizeof(*model));
	struct pne_flow_key k;
	struct pne_flow_entry *e;
	uint32_t h, id, present = 0;
	unsigned op;
	uint64_t now = 0;
	int r;

	assert_non_null(model);
	srand(42);
	for (op = 0; op < OPS; op++) {
		id = (uint32_t)(((unsigned)rand() << 8 ^ (unsigned)rand()) % N);
		key_of(id, &k, &h, NULL, rand() & 1);
		e = NULL;
		switch (rand() % 3) {
		case 0:
			r = pne_flow_lookup_or_insert(t, &k, h, ++now, &e);
			assert_int_equal(r, model[id] ? 0 : 1);
			if (model[id]) {
				assert_ptr_equal(e, model[id]);
			} else {
				((struct payload *)pne_flow_payload(e))->id = id;
				((struct payload *)pne_flow_payload(e))->magic = 0xf10f;
				model[id] = e;
				present++;
			}
			break;
		case 1:
			r = pne_flow_lookup(t, &k, h, ++now, &e);
			assert_int_equal(r, model[id] ? 0 : -ENOENT);
			if (model[id]) {
				assert_ptr_equal(e, model[id]);
				assert_int_equal(((struct payload *)pne_flow_payload(e))->id, id);
			}
			break;
		default:
			if (model[id]) {
				assert_int_equal(pne_flow_remove(t, model[id]), 0);
				model[id] = NULL;
				present--;
			}
			break;
		}
		assert_int_equal(pne_flow_count(t), present);
	}
	assert_true(present > 1000);
	assert_int_equal(pne_flow_flush(t), present);
	assert_int_equal(log.total, present);
	assert_int_equal(n_alloc, 1);            /* nothing allocated after create */
	free(model);
	pne_flow_table_destroy(t);
}

/* The model again, now with a small cap, short timeouts, TCP flags that
 * move flows between timeout classes, expiry and eviction at the cap:
 * the callback keeps the model in step, and every flow the model holds
 * must be found, every other one not. */
static struct pne_flow_entry **churn_model;

static void churn_evict(struct pne_flow_entry *e, void *payload,
			enum pne_flow_evict_reason reason, void *arg)
{
	struct payload *pl = payload;

	assert_ptr_equal(churn_model[pl->id], e);
	churn_model[pl->id] = NULL;
	(*(unsigned *)arg)++;
}

static void test_random_churn(void **state)
{
	enum { N = 2000, CAP = 300, OPS = 200000 };
	static const uint8_t flag_set[] = {
		PNE_TCP_SYN, PNE_TCP_SYN | PNE_TCP_ACK, PNE_TCP_ACK,
		PNE_TCP_ACK | PNE_TCP_PSH, PNE_TCP_FIN | PNE_TCP_ACK, PNE_TCP_RST,
	};
	struct pne_flow_table_conf c = conf_of(CAP, 64, 400, 60, 30, NULL);
	struct pne_flow_table *t;
	struct pne_flow_key k;
	struct pne_flow_entry *e;
	unsigned evicted = 0, op, flip;
	uint32_t h, id, i, present;
	uint64_t now = 0;
	int r;

	c.on_evict = churn_evict;
	c.evict_arg = &evicted;
	t = pne_flow_table_create(&c);
	assert_non_null(t);
	churn_model = calloc(N, sizeof(*churn_model));
	assert_non_null(churn_model);
	srand(3);
	for (op = 0; op < OPS; op++) {
		now += (uint64_t)(rand() % 3);
		id = (uint32_t)rand() % N;
		key_of(id, &k, &h, &flip, rand() & 1);
		e = NULL;
		switch (rand() % 8) {
		case 0: case 1: case 2: case 3:
			r = pne_flow_lookup_or_insert(t, &k, h, now, &e);
			if (r == -ENOSPC) {
				assert_null(churn_model[id]);
				break;
			}
			assert_int_equal(r, churn_model[id] ? 0 : 1);
			if (r == 1) {
				((struct payload *)pne_flow_payload(e))->id = id;
				churn_model[id] = e;
			}
			assert_ptr_equal(e, churn_model[id]);
			pne_flow_tcp_update(t, e, flag_set[(unsigned)rand() % sizeof(flag_set)],
					    flip, now);
			break;
		case 4: case 5:
			r = pne_flow_lookup(t, &k, h, now, &e);
			assert_int_equal(r, churn_model[id] ? 0 : -ENOENT);
			break;
		case 6:
			if (churn_model[id]) {
				assert_int_equal(pne_flow_remove(t, churn_model[id]), 0);
				churn_model[id] = NULL;
			}
			break;
		default:
			pne_flow_expire(t, now, (unsigned)rand() % 8);
			break;
		}
	}
	for (present = 0, i = 0; i < N; i++) {
		key_of(i, &k, &h, NULL, 0);
		r = pne_flow_lookup(t, &k, h, now, &e);
		assert_int_equal(r, churn_model[i] ? 0 : -ENOENT);
		present += churn_model[i] != NULL;
	}
	assert_int_equal(pne_flow_count(t), present);
	assert_true(evicted > 1000);
	assert_true(pne_flow_stats(t)->evicted[PNE_FLOW_EVICT_FULL] > 0);
	assert_true(pne_flow_stats(t)->evicted[PNE_FLOW_EVICT_CLOSED] > 0);
	assert_true(pne_flow_stats(t)->evicted[PNE_FLOW_EVICT_IDLE] > 0);
	assert_int_equal(pne_flow_flush(t), present);
	for (i = 0; i < N; i++)
		assert_null(churn_model[i]);
	free(churn_model);
	pne_flow_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_both_directions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_and_evict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expire_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lru_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_in_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_equals_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_churn, setup, teardown),
	};

	return cmocka_run_group_tests_name("flow_table", tests, NULL, NULL);
}
