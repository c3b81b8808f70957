/*
 * The flow table (include/pne/flow_table.h): chained hash buckets over a
 * preallocated array of cache-line aligned entries, a free list, and one
 * LRU list per timeout class.
 *
 * Invariants:
 *   - an entry is on exactly one of: the free list (flags == 0), or one
 *     bucket chain and the LRU list of its timeout class (IN_USE);
 *   - each LRU list is ordered by queue time, oldest at the head, and an
 *     entry's last_seen lies in the tick it was queued in (touch() moves
 *     it when the tick changes). So an entry behind the head was last
 *     seen no earlier than one tick before the head was, and expiry may
 *     stop at the first live head, late by less than one tick.
 *   - t->now never decreases, so queue times along a list never do.
 * The tick is kept in 16 bits: an entry touched exactly 65536 ticks
 * (4096 timeouts) after its last touch, with no expiry run in between,
 * keeps its old place; it then sits too early in its list, which only
 * delays the expiry of the entries behind it, by at most one timeout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pne/flow_table.h"

/* Keys between a bucket's prefetch and its entry's prefetch, and between
 * that and the compare, in pne_flow_lookup_bulk(): enough to cover a DRAM
 * access with the work of a few lookups in between. */
#define PREFETCH_DIST 4

#define CACHE_LINE 64
#define MAX_FLOWS (UINT32_C(1) << 31)
#define MAX_PAYLOAD (UINT32_C(1) << 20)

struct lru {
	uint32_t head, tail;
	uint64_t timeout;
	unsigned shift;           /* tick = 2^shift time units */
};

struct pne_flow_table {
	/* read on every lookup */
	uint8_t *entries;
	uint32_t *buckets;
	uint32_t bucket_mask;
	uint32_t stride;          /* bytes per entry, header + payload */
	uint64_t now;             /* latest time seen */
	struct lru lru[PNE_FLOW_TMO__COUNT];
	/* insert, remove, expire */
	uint32_t free_head;
	uint32_t nflows;
	uint32_t max_flows;
	unsigned stride_shift;    /* stride = odd << stride_shift */
	uint64_t stride_inv;      /* inverse of odd modulo 2^64 */
	unsigned expire_rr;       /* class pne_flow_expire() starts with */
	pne_flow_evict_cb on_evict;
	void *evict_arg;
	pne_flow_free_fn free;
	void *alloc_arg;
	struct pne_flow_stats stats;
} __attribute__((aligned(CACHE_LINE)));

static const uint8_t state_tmo[] = {
#define PNE_FLOW_STATE(NAME, name, tmo) PNE_FLOW_TMO_##tmo,
#include "pne/flow_table.def"
#undef PNE_FLOW_STATE
};
static const char *const state_name[] = {
#define PNE_FLOW_STATE(NAME, name, tmo) #name,
#include "pne/flow_table.def"
#undef PNE_FLOW_STATE
};
static const char *const evict_name[] = {
#define PNE_FLOW_EVICT(NAME, name, desc) #name,
#include "pne/flow_table.def"
#undef PNE_FLOW_EVICT
};
static const char *const tmo_name[] = {
#define PNE_FLOW_TMO(NAME, name) #name,
#include "pne/flow_table.def"
#undef PNE_FLOW_TMO
};
static_assert(sizeof(state_tmo) == PNE_FLOW_STATE__COUNT, "state table");
static_assert(sizeof(state_name) / sizeof(state_name[0]) == PNE_FLOW_STATE__COUNT,
	      "state names");
static_assert(sizeof(evict_name) / sizeof(evict_name[0]) == PNE_FLOW_EVICT__COUNT,
	      "eviction reason names");
static_assert(sizeof(tmo_name) / sizeof(tmo_name[0]) == PNE_FLOW_TMO__COUNT,
	      "timeout class names");
static_assert(PNE_FLOW_TMO__COUNT <= (PNE_FLOWF_TMO_MASK >> PNE_FLOWF_TMO_SHIFT) + 1,
	      "timeout class fits its flag bits");

/* ---- entries ---- */

static inline struct pne_flow_entry *ent(const struct pne_flow_table *t, uint32_t i)
{
	return (struct pne_flow_entry *)(t->entries + (size_t)i * t->stride);
}

/* Index of e without a division: e's offset is i * odd << shift, and
 * multiplying by odd's inverse modulo 2^64 gives i back exactly. */
static inline uint32_t idx_of(const struct pne_flow_table *t,
			      const struct pne_flow_entry *e)
{
	uint64_t off = (uint64_t)((const uint8_t *)e - t->entries);

	return (uint32_t)((off >> t->stride_shift) * t->stride_inv);
}

static inline unsigned tmo_of(const struct pne_flow_entry *e)
{
	return (e->flags & PNE_FLOWF_TMO_MASK) >> PNE_FLOWF_TMO_SHIFT;
}

static inline int key_eq(const struct pne_flow_key *a, const struct pne_flow_key *b)
{
	uint64_t x[4], y[4];
	uint32_t px, py;

	memcpy(x, a->addr, sizeof(x));
	memcpy(y, b->addr, sizeof(y));
	memcpy(&px, a->port, sizeof(px));
	memcpy(&py, b->port, sizeof(py));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) |
		(px ^ py)) == 0;
}

static inline struct pne_flow_entry *chain_find(const struct pne_flow_table *t,
						uint32_t i,
						const struct pne_flow_key *key,
						uint32_t hash)
{
	while (i != PNE_FLOW_NIL) {
		struct pne_flow_entry *e = ent(t, i);

		if (e->hash == hash && key_eq(&e->key, key))
			return e;
		i = e->chain;
	}
	return NULL;
}

/* ---- LRU lists ---- */

static void lru_unlink(struct pne_flow_table *t, struct lru *l,
		       struct pne_flow_entry *e)
{
	if (e->lru_prev != PNE_FLOW_NIL)
		ent(t, e->lru_prev)->lru_next = e->lru_next;
	else
		l->head = e->lru_next;
	if (e->lru_next != PNE_FLOW_NIL)
		ent(t, e->lru_next)->lru_prev = e->lru_prev;
	else
		l->tail = e->lru_prev;
}

/* Queue e (index i) at the tail of l, at time now. */
static void lru_append(struct pne_flow_table *t, struct lru *l,
		       struct pne_flow_entry *e, uint32_t i, uint64_t now)
{
	e->lru_next = PNE_FLOW_NIL;
	e->lru_prev = l->tail;
	if (l->tail != PNE_FLOW_NIL)
		ent(t, l->tail)->lru_next = i;
	else
		l->head = i;
	l->tail = i;
	e->tick = (uint16_t)(now >> l->shift);
}

static inline uint64_t clamp_now(struct pne_flow_table *t, uint64_t now)
{
	if (now > t->now)
		t->now = now;
	return t->now;
}

/* A lookup hit: refresh, and requeue once per tick (see the header). */
static inline void touch(struct pne_flow_table *t, struct pne_flow_entry *e,
			 uint64_t now)
{
	struct lru *l = &t->lru[tmo_of(e)];
	uint16_t tick = (uint16_t)(now >> l->shift);

	e->last_seen = now;
	if (tick == e->tick)
		return;
	if (l->tail != idx_of(t, e)) {
		lru_unlink(t, l, e);
		lru_append(t, l, e, idx_of(t, e), now);
	}
	e->tick = tick;
}

/* ---- removal and eviction ---- */

static void unlink_entry(struct pne_flow_table *t, struct pne_flow_entry *e)
{
	uint32_t i = idx_of(t, e);
	uint32_t *link = &t->buckets[e->hash & t->bucket_mask];

	while (*link != i)
		link = &ent(t, *link)->chain;
	*link = e->chain;
	lru_unlink(t, &t->lru[tmo_of(e)], e);
	e->flags = 0;
	e->chain = t->free_head;
	t->free_head = i;
	t->nflows--;
}

static void evict(struct pne_flow_table *t, struct pne_flow_entry *e,
		  enum pne_flow_evict_reason reason)
{
	if (t->on_evict)
		t->on_evict(e, pne_flow_payload(e), reason, t->evict_arg);
	t->stats.evicted[reason]++;
	unlink_entry(t, e);
}

static enum pne_flow_evict_reason expiry_reason(const struct pne_flow_entry *e)
{
	return e->state == PNE_FLOW_FIN_BOTH || e->state == PNE_FLOW_RST ?
	       PNE_FLOW_EVICT_CLOSED : PNE_FLOW_EVICT_IDLE;
}

/* The table is full: evict the most overdue expired list head, if any.
 * Returns 0 when an entry was freed, -ENOSPC otherwise. */
static int make_room(struct pne_flow_table *t, uint64_t now)
{
	struct pne_flow_entry *victim = NULL;
	uint64_t worst = 0;
	unsigned c;

	for (c = 0; c < PNE_FLOW_TMO__COUNT; c++) {
		struct pne_flow_entry *e;
		uint64_t idle;

		if (t->lru[c].head == PNE_FLOW_NIL)
			continue;
		e = ent(t, t->lru[c].head);
		idle = now - e->last_seen;
		if (idle >= t->lru[c].timeout &&
		    (!victim || idle - t->lru[c].timeout >= worst)) {
			victim = e;
			worst = idle - t->lru[c].timeout;
		}
	}
	if (!victim)
		return -ENOSPC;
	evict(t, victim, PNE_FLOW_EVICT_FULL);
	return 0;
}

/* ---- create / destroy ---- */

struct layout {
	uint32_t nbuckets;
	uint32_t stride;
	size_t buckets_off;
	size_t entries_off;
	size_t total;
};

static size_t round_up(size_t n, size_t a)
{
	return (n + a - 1) & ~(a - 1);
}

static int conf_layout(const struct pne_flow_table_conf *c, struct layout *l)
{
	size_t entries_size;
	unsigned k;

	if (!c || c->max_flows == 0 || c->max_flows > MAX_FLOWS ||
	    c->payload_size > MAX_PAYLOAD || !c->alloc != !c->free)
		return -EINVAL;
	for (k = 0; k < PNE_FLOW_TMO__COUNT; k++)
		if (c->timeout[k] == 0)
			return -EINVAL;
	l->nbuckets = c->nbuckets;
	if (l->nbuckets == 0)
		for (l->nbuckets = 1; l->nbuckets < c->max_flows; l->nbuckets <<= 1)
			;
	if (l->nbuckets & (l->nbuckets - 1))
		return -EINVAL;
	l->stride = (uint32_t)(sizeof(struct pne_flow_entry) +
			       round_up(c->payload_size, CACHE_LINE));
	l->buckets_off = round_up(sizeof(struct pne_flow_table), CACHE_LINE);
	l->entries_off = l->buckets_off +
			 round_up((size_t)l->nbuckets * sizeof(uint32_t), CACHE_LINE);
	if (__builtin_mul_overflow((size_t)c->max_flows, (size_t)l->stride,
				   &entries_size) ||
	    __builtin_add_overflow(l->entries_off, entries_size, &l->total))
		return -EINVAL;
	return 0;
}

size_t pne_flow_table_memsize(const struct pne_flow_table_conf *conf)
{
	struct layout l;

	return conf_layout(conf, &l) == 0 ? l.total : 0;
}

static void *default_alloc(size_t size, size_t align, void *arg)
{
	return aligned_alloc(align, size);
}

static void default_free(void *p, void *arg)
{
	free(p);
}

/* Inverse of odd x modulo 2^64 by Newton's iteration: x is its own
 * inverse to 3 bits, and each step doubles the correct bits. */
static uint64_t inverse_odd(uint64_t x)
{
	uint64_t y = x;
	int k;

	for (k = 0; k < 5; k++)
		y *= 2 - x * y;
	return y;
}

static unsigned tick_shift(uint64_t timeout)
{
	uint64_t g = timeout / PNE_FLOW_TICKS_PER_TIMEOUT;

	return g == 0 ? 0 : 63u - (unsigned)__builtin_clzll(g);
}

static void table_init(struct pne_flow_table *t,
		       const struct pne_flow_table_conf *c, const struct layout *l)
{
	uint32_t i;
	unsigned k;

	memset(t, 0, sizeof(*t));
	t->buckets = (uint32_t *)((uint8_t *)t + l->buckets_off);
	t->entries = (uint8_t *)t + l->entries_off;
	t->bucket_mask = l->nbuckets - 1;
	t->stride = l->stride;
	t->stride_shift = (unsigned)__builtin_ctz(l->stride);
	t->stride_inv = inverse_odd(l->stride >> t->stride_shift);
	t->max_flows = c->max_flows;
	t->on_evict = c->on_evict;
	t->evict_arg = c->evict_arg;
	t->free = c->free ? c->free : default_free;
	t->alloc_arg = c->alloc_arg;
	for (k = 0; k < PNE_FLOW_TMO__COUNT; k++) {
		t->lru[k].head = t->lru[k].tail = PNE_FLOW_NIL;
		t->lru[k].timeout = c->timeout[k];
		t->lru[k].shift = tick_shift(c->timeout[k]);
	}
	memset(t->buckets, 0xff, (size_t)l->nbuckets * sizeof(uint32_t));
	for (i = 0; i < c->max_flows; i++) {
		struct pne_flow_entry *e = ent(t, i);

		e->flags = 0;
		e->chain = i + 1 < c->max_flows ? i + 1 : PNE_FLOW_NIL;
	}
	t->free_head = 0;
}

struct pne_flow_table *pne_flow_table_create(const struct pne_flow_table_conf *conf)
{
	struct layout l;
	pne_flow_alloc_fn alloc;
	struct pne_flow_table *t;

	if (conf_layout(conf, &l) != 0) {
		errno = EINVAL;
		return NULL;
	}
	alloc = conf->alloc ? conf->alloc : default_alloc;
	t = alloc(l.total, CACHE_LINE, conf->alloc_arg);
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	table_init(t, conf, &l);
	return t;
}

void pne_flow_table_destroy(struct pne_flow_table *t)
{
	if (t)
		t->free(t, t->alloc_arg);
}

/* ---- lookup and insert ---- */

int pne_flow_lookup(struct pne_flow_table *t, const struct pne_flow_key *key,
		    uint32_t hash, uint64_t now, struct pne_flow_entry **e)
{
	struct pne_flow_entry *f;

	t->stats.lookups++;
	f = chain_find(t, t->buckets[hash & t->bucket_mask], key, hash);
	if (!f)
		return -ENOENT;
	t->stats.hits++;
	touch(t, f, clamp_now(t, now));
	*e = f;
	return 0;
}

int pne_flow_lookup_or_insert(struct pne_flow_table *t,
			      const struct pne_flow_key *key, uint32_t hash,
			      uint64_t now, struct pne_flow_entry **e)
{
	struct pne_flow_entry *f;
	struct lru *l = &t->lru[PNE_FLOW_TMO_HALF_OPEN];
	uint32_t i, *bucket;

	if (pne_flow_lookup(t, key, hash, now, e) == 0)
		return 0;
	now = clamp_now(t, now);
	if (t->free_head == PNE_FLOW_NIL && make_room(t, now) != 0) {
		t->stats.flows_dropped++;
		return -ENOSPC;
	}
	i = t->free_head;
	f = ent(t, i);
	t->free_head = f->chain;
	f->key = *key;
	f->hash = hash;
	f->last_seen = now;
	f->state = PNE_FLOW_NEW;
	f->flags = PNE_FLOWF_IN_USE | PNE_FLOW_TMO_HALF_OPEN << PNE_FLOWF_TMO_SHIFT;
	bucket = &t->buckets[hash & t->bucket_mask];
	f->chain = *bucket;
	*bucket = i;
	lru_append(t, l, f, i, now);
	t->nflows++;
	t->stats.inserts++;
	*e = f;
	return 1;
}

/* Bulk lookup, up to PNE_FLOW_BULK_MAX keys, as a three-stage pipeline:
 * key i + 2D's bucket is prefetched, key i + D's bucket is read and its
 * first entry prefetched, key i is compared. Prime fills the first two
 * stages, the steady loop runs all three, drain empties them. */
static unsigned lookup_chunk(struct pne_flow_table *t,
			     const struct pne_flow_key *const keys[],
			     const uint32_t hashes[], unsigned n, uint64_t now,
			     struct pne_flow_entry *out[])
{
	uint32_t head[PNE_FLOW_BULK_MAX];
	unsigned i, hits = 0;

#define BUCKET(j) (&t->buckets[hashes[j] & t->bucket_mask])
#define LOAD_HEAD(j) do {						\
		head[j] = *BUCKET(j);					\
		if (head[j] != PNE_FLOW_NIL)				\
			__builtin_prefetch(ent(t, head[j]));		\
	} while (0)
#define COMPARE(j) do {							\
		out[j] = chain_find(t, head[j], keys[j], hashes[j]);	\
		if (out[j]) {						\
			touch(t, out[j], now);				\
			hits++;						\
		}							\
	} while (0)

	/* prime */
	for (i = 0; i < n && i < 2 * PREFETCH_DIST; i++)
		__builtin_prefetch(BUCKET(i));
	for (i = 0; i < n && i < PREFETCH_DIST; i++)
		LOAD_HEAD(i);
	/* steady state */
	for (i = 0; i + 2 * PREFETCH_DIST < n; i++) {
		__builtin_prefetch(BUCKET(i + 2 * PREFETCH_DIST));
		LOAD_HEAD(i + PREFETCH_DIST);
		COMPARE(i);
	}
	/* drain */
	for (; i < n; i++) {
		if (i + PREFETCH_DIST < n)
			LOAD_HEAD(i + PREFETCH_DIST);
		COMPARE(i);
	}
#undef BUCKET
#undef LOAD_HEAD
#undef COMPARE
	return hits;
}

unsigned pne_flow_lookup_bulk(struct pne_flow_table *t,
			      const struct pne_flow_key *const keys[],
			      const uint32_t hashes[], unsigned n, uint64_t now,
			      struct pne_flow_entry *entries[])
{
	unsigned done, hits = 0;

	now = clamp_now(t, now);
	for (done = 0; done < n; done += PNE_FLOW_BULK_MAX) {
		unsigned m = n - done < PNE_FLOW_BULK_MAX ? n - done : PNE_FLOW_BULK_MAX;

		hits += lookup_chunk(t, keys + done, hashes + done, m, now,
				     entries + done);
	}
	t->stats.lookups += n;
	t->stats.hits += hits;
	return hits;
}

/* ---- removal, expiry ---- */

int pne_flow_remove(struct pne_flow_table *t, struct pne_flow_entry *e)
{
	uint64_t off;

	if ((const uint8_t *)e < t->entries)
		return -EINVAL;
	off = (uint64_t)((const uint8_t *)e - t->entries);
	if (off >= (uint64_t)t->max_flows * t->stride ||
	    (uint64_t)idx_of(t, e) * t->stride != off ||
	    !(e->flags & PNE_FLOWF_IN_USE))
		return -EINVAL;
	unlink_entry(t, e);
	t->stats.removes++;
	return 0;
}

unsigned pne_flow_expire(struct pne_flow_table *t, uint64_t now, unsigned budget)
{
	unsigned k, c = t->expire_rr, n = 0;

	now = clamp_now(t, now);
	for (k = 0; k < PNE_FLOW_TMO__COUNT; k++) {
		struct lru *l = &t->lru[c];

		while (n < budget && l->head != PNE_FLOW_NIL) {
			struct pne_flow_entry *e = ent(t, l->head);

			if (now - e->last_seen < l->timeout)
				break;
			evict(t, e, expiry_reason(e));
			n++;
		}
		if (++c == PNE_FLOW_TMO__COUNT)
			c = 0;
	}
	/* a class with a backlog can't starve the others of the budget */
	t->expire_rr = t->expire_rr + 1 == PNE_FLOW_TMO__COUNT ? 0 : t->expire_rr + 1;
	return n;
}

unsigned pne_flow_flush(struct pne_flow_table *t)
{
	unsigned c, n = 0;

	for (c = 0; c < PNE_FLOW_TMO__COUNT; c++)
		while (t->lru[c].head != PNE_FLOW_NIL) {
			evict(t, ent(t, t->lru[c].head), PNE_FLOW_EVICT_FLUSH);
			n++;
		}
	return n;
}

/* ---- TCP lifecycle ---- */

/*
 * The first segment decides the client (RFC 9293 section 3.5: the SYN
 * sender opens; a SYN-ACK comes from the server; without either, the
 * higher port is the client's ephemeral one, endpoint 1 on a tie).
 */
static uint8_t first_segment(struct pne_flow_entry *e, uint8_t flags,
			     unsigned from_hi, uint8_t *state)
{
	if (flags & PNE_TCP_SYN) {
		*state = PNE_FLOW_SYN;
		return (flags & PNE_TCP_ACK) ? !from_hi : from_hi;
	}
	*state = PNE_FLOW_MIDSTREAM;
	return e->key.port[1] >= e->key.port[0];
}

/* A closed flow starts over as a new connection whose client is endpoint
 * 1 when client_hi: flags f become the returned ones, *state SYN. */
static uint8_t reopened(struct pne_flow_table *t, uint8_t f, unsigned client_hi,
			uint8_t *state, int *reopen)
{
	f &= (uint8_t)~(PNE_FLOWF_CLIENT_HIGH | PNE_FLOWF_FIN_LO | PNE_FLOWF_FIN_HI |
			PNE_FLOWF_RST_HS);
	if (client_hi)
		f |= PNE_FLOWF_CLIENT_HIGH;
	*state = PNE_FLOW_SYN;
	*reopen = 1;
	t->stats.reopens++;
	return f;
}

int pne_flow_tcp_update(struct pne_flow_table *t, struct pne_flow_entry *e,
			uint8_t flags, unsigned dir_flip, uint64_t now)
{
	unsigned from_hi = dir_flip & 1, old_tmo = tmo_of(e), new_tmo;
	uint8_t f = e->flags, state = e->state;
	int reopen = 0;

	/* 1. handshake: who is the client, is the connection open */
	if (state == PNE_FLOW_NEW) {
		if (first_segment(e, flags, from_hi, &state))
			f |= PNE_FLOWF_CLIENT_HIGH;
	} else if ((flags & (PNE_TCP_SYN | PNE_TCP_ACK)) == PNE_TCP_SYN &&
		   (state == PNE_FLOW_FIN_BOTH || state == PNE_FLOW_RST)) {
		/* a new connection on the same four-tuple (TIME-WAIT reuse) */
		f = reopened(t, f, from_hi, &state, &reopen);
	} else if ((flags & (PNE_TCP_SYN | PNE_TCP_ACK | PNE_TCP_RST)) ==
		   (PNE_TCP_SYN | PNE_TCP_ACK) &&
		   state == PNE_FLOW_RST && (f & PNE_FLOWF_RST_HS)) {
		/* the handshake goes on past a reset that hit it: its
		 * receiver dropped the RST (see the header), and the
		 * SYN-ACK's receiver is the client */
		f = reopened(t, f, !from_hi, &state, &reopen);
	} else if (state == PNE_FLOW_SYN &&
		   (flags & (PNE_TCP_SYN | PNE_TCP_ACK | PNE_TCP_RST)) == PNE_TCP_ACK &&
		   from_hi == (f & PNE_FLOWF_CLIENT_HIGH)) {
		state = PNE_FLOW_ESTABLISHED;   /* the client's third segment */
	}
	/* 2. close: RST ends both directions; FINs one each (section 3.6) */
	if (flags & PNE_TCP_RST) {
		if (state == PNE_FLOW_SYN)
			f |= PNE_FLOWF_RST_HS;
		state = PNE_FLOW_RST;
	} else if ((flags & PNE_TCP_FIN) && state != PNE_FLOW_RST) {
		f |= from_hi ? PNE_FLOWF_FIN_HI : PNE_FLOWF_FIN_LO;
		state = (f & PNE_FLOWF_FIN_LO) && (f & PNE_FLOWF_FIN_HI) ?
			PNE_FLOW_FIN_BOTH : PNE_FLOW_FIN_ONE;
	}
	/* 3. commit, and move to the new state's timeout class */
	now = clamp_now(t, now);
	new_tmo = state_tmo[state];
	e->state = state;
	if (new_tmo == old_tmo) {
		e->flags = f;
		touch(t, e, now);
		return reopen;
	}
	lru_unlink(t, &t->lru[old_tmo], e);
	e->flags = (uint8_t)((f & ~PNE_FLOWF_TMO_MASK) | new_tmo << PNE_FLOWF_TMO_SHIFT);
	e->last_seen = now;
	lru_append(t, &t->lru[new_tmo], e, idx_of(t, e), now);
	return reopen;
}

void pne_flow_prefetch(const struct pne_flow_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->buckets[hash & t->bucket_mask]);
}

/* ---- accessors ---- */

uint32_t pne_flow_count(const struct pne_flow_table *t)
{
	return t->nflows;
}

const struct pne_flow_stats *pne_flow_stats(const struct pne_flow_table *t)
{
	return &t->stats;
}

const char *pne_flow_state_name(enum pne_flow_state s)
{
	return (unsigned)s < PNE_FLOW_STATE__COUNT ? state_name[s] : "?";
}

const char *pne_flow_evict_name(enum pne_flow_evict_reason r)
{
	return (unsigned)r < PNE_FLOW_EVICT__COUNT ? evict_name[r] : "?";
}

const char *pne_flow_tmo_name(enum pne_flow_tmo c)
{
	return (unsigned)c < PNE_FLOW_TMO__COUNT ? tmo_name[c] : "?";
}
