/*
 * The flow table: one entry per TCP connection, found by its symmetric
 * key (include/pne/packet.h), holding the caller's per-flow state (the
 * stream tracker's and the interpreter's) right after a 64-byte header.
 *
 * Memory: everything is allocated by pne_flow_table_create() in one
 * block -- the table, the bucket array and max_flows entries -- and
 * nothing is allocated afterwards. Per flow that is
 *     64 bytes of entry header
 *   + the payload size rounded up to 64 (entries stay cache-line aligned)
 *   + 4 bytes per bucket (nbuckets / max_flows buckets per flow),
 * see pne_flow_table_memsize().
 *
 * Lookup: buckets hold the index of a chain of entries; an entry's hash
 * and key share its first cache line, so a hit costs the bucket word and
 * one line per chain step. pne_flow_lookup_bulk() prefetches both for a
 * burst.
 *
 * Ageing: each timeout class (flow_table.def) keeps its entries on an
 * LRU list, oldest first. Touching an entry moves it to the tail of its
 * list only when the time has crossed a tick since it was last queued,
 * a tick being the largest power of two <= timeout / 16 time units
 * (PNE_FLOW_TICKS_PER_TIMEOUT). So a busy flow costs a list move once
 * per tick, not once per packet, and an entry expires between timeout
 * and timeout + tick after its last packet. pne_flow_expire() evicts
 * from the list heads and stops at the first live one: its work is
 * bounded by its budget, never a table sweep.
 *
 * Time is whatever unit the caller picks (TSC cycles, microseconds,
 * pcap timestamps): "now" is passed in, never read from a clock. A now
 * below the latest one seen is taken as the latest.
 *
 * One table belongs to one thread (one lcore): no locks, no atomics.
 */
#ifndef PNE_FLOW_TABLE_H
#define PNE_FLOW_TABLE_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "pne/interp.h"   /* enum pne_dir */
#include "pne/packet.h"   /* struct pne_flow_key */

#define PNE_FLOW_TICKS_PER_TIMEOUT 16
#define PNE_FLOW_BULK_MAX 64    /* keys per pne_flow_lookup_bulk() call */
#define PNE_FLOW_NIL UINT32_MAX /* no entry (list and chain links) */

enum pne_flow_tmo {
#define PNE_FLOW_TMO(NAME, name) PNE_FLOW_TMO_##NAME,
#include "pne/flow_table.def"
#undef PNE_FLOW_TMO
	PNE_FLOW_TMO__COUNT
};

enum pne_flow_state {
#define PNE_FLOW_STATE(NAME, name, tmo) PNE_FLOW_##NAME,
#include "pne/flow_table.def"
#undef PNE_FLOW_STATE
	PNE_FLOW_STATE__COUNT
};

enum pne_flow_evict_reason {
#define PNE_FLOW_EVICT(NAME, name, desc) PNE_FLOW_EVICT_##NAME,
#include "pne/flow_table.def"
#undef PNE_FLOW_EVICT
	PNE_FLOW_EVICT__COUNT
};

/* Bits of struct pne_flow_entry.flags. */
#define PNE_FLOWF_CLIENT_HIGH 0x01  /* the client is endpoint 1 */
#define PNE_FLOWF_FIN_LO      0x02  /* endpoint 0 sent a FIN */
#define PNE_FLOWF_FIN_HI      0x04  /* endpoint 1 sent a FIN */
#define PNE_FLOWF_IN_USE      0x08
#define PNE_FLOWF_TMO_SHIFT   4     /* bits 4-5: enum pne_flow_tmo */
#define PNE_FLOWF_TMO_MASK    0x30
#define PNE_FLOWF_RST_HS      0x40  /* the RST came during the handshake */

/*
 * The entry header: exactly one cache line, followed by the caller's
 * payload (pne_flow_payload()). Public so the accessors below inline;
 * the caller reads it and never writes it (the table's list links live
 * here too).
 */
struct pne_flow_entry {
	struct pne_flow_key key;  /*  0: normalised endpoints */
	uint32_t hash;            /* 36: the hash it was inserted with */
	uint64_t last_seen;       /* 40: time of the last lookup hit */
	uint32_t lru_prev;        /* 48: timeout-class list (private) */
	uint32_t lru_next;        /* 52: (private) */
	uint32_t chain;           /* 56: bucket chain or free list (private) */
	uint16_t tick;            /* 60: tick it was queued in (private) */
	uint8_t state;            /* 62: enum pne_flow_state */
	uint8_t flags;            /* 63: PNE_FLOWF_* */
} __attribute__((aligned(64)));

static_assert(sizeof(struct pne_flow_entry) == 64,
	      "flow entry header is one cache line");

/*
 * Called for each entry the table evicts (expiry, a full table, flush),
 * before the entry is reused: close the streams, emit the last ADUs.
 * It must not call the table's functions. payload == pne_flow_payload(e).
 */
typedef void (*pne_flow_evict_cb)(struct pne_flow_entry *e, void *payload,
				  enum pne_flow_evict_reason reason, void *arg);

/* Optional allocator for the table's one block (hugepages, NUMA node). */
typedef void *(*pne_flow_alloc_fn)(size_t size, size_t align, void *arg);
typedef void (*pne_flow_free_fn)(void *ptr, void *arg);

struct pne_flow_table_conf {
	uint32_t max_flows;     /* entries; 1 .. 2^31 */
	uint32_t nbuckets;      /* power of two; 0: max_flows rounded up */
	uint32_t payload_size;  /* bytes of caller state per flow (<= 1 MiB) */
	uint64_t timeout[PNE_FLOW_TMO__COUNT]; /* idle timeouts, > 0 */
	pne_flow_evict_cb on_evict;            /* may be NULL */
	void *evict_arg;
	pne_flow_alloc_fn alloc;  /* NULL: aligned_alloc() */
	pne_flow_free_fn free;    /* NULL: free(); set both or neither */
	void *alloc_arg;
};

/* Per-table counters. Plain integers: one thread owns the table. */
struct pne_flow_stats {
#define PNE_FLOW_COUNTER(name, desc) uint64_t name;
#include "pne/flow_table.def"
#undef PNE_FLOW_COUNTER
	uint64_t evicted[PNE_FLOW_EVICT__COUNT];  /* by reason */
};

struct pne_flow_table;   /* opaque */

/* Bytes the table's one allocation takes for conf; 0 if conf is invalid. */
size_t pne_flow_table_memsize(const struct pne_flow_table_conf *conf);

/* Create a table: all memory allocated here. Returns NULL with errno
 * EINVAL (bad conf) or ENOMEM. */
struct pne_flow_table *pne_flow_table_create(const struct pne_flow_table_conf *conf);

/* Free the table; entries still in it are dropped without callbacks
 * (call pne_flow_flush() first to close them). Accepts NULL. */
void pne_flow_table_destroy(struct pne_flow_table *t);

/*
 * Find key (hash = pne_flow_key_hash(key), or any symmetric hash used
 * consistently). On a hit sets *e, refreshes its last_seen to now and
 * returns 0; otherwise returns -ENOENT.
 */
int pne_flow_lookup(struct pne_flow_table *t, const struct pne_flow_key *key,
		    uint32_t hash, uint64_t now, struct pne_flow_entry **e);

/*
 * Find key, or insert it. Returns 0 (found, refreshed as by lookup),
 * 1 (inserted: state PNE_FLOW_NEW, payload uninitialised -- the caller
 * sets it up) or -ENOSPC (table full and no entry past its timeout;
 * counted in flows_dropped, *e untouched). Inserting into a full table
 * evicts the most overdue expired list head (reason FULL, on_evict
 * called first).
 */
int pne_flow_lookup_or_insert(struct pne_flow_table *t,
			      const struct pne_flow_key *key, uint32_t hash,
			      uint64_t now, struct pne_flow_entry **e);

/*
 * Look up n keys (n <= PNE_FLOW_BULK_MAX is best; more are done in
 * chunks), prefetching buckets and entries ahead of the compares.
 * entries[i] is the flow of keys[i] or NULL; hits are refreshed like
 * pne_flow_lookup(). Returns the number of hits.
 */
unsigned pne_flow_lookup_bulk(struct pne_flow_table *t,
			      const struct pne_flow_key *const keys[],
			      const uint32_t hashes[], unsigned n, uint64_t now,
			      struct pne_flow_entry *entries[]);

/* Prefetch the bucket of hash, for a lookup of it a little later (a
 * host that parses a burst before looking its flows up). */
void pne_flow_prefetch(const struct pne_flow_table *t, uint32_t hash);

/* Remove e (the caller has released its payload; no callback). Returns
 * 0, or -EINVAL if e is not an entry in use of this table. */
int pne_flow_remove(struct pne_flow_table *t, struct pne_flow_entry *e);

/* Evict up to budget entries past their timeout, oldest first, calling
 * on_evict for each (reason CLOSED for FIN_BOTH/RST flows, else IDLE).
 * Looks at no more than budget + PNE_FLOW_TMO__COUNT entries. Returns
 * the number evicted. */
unsigned pne_flow_expire(struct pne_flow_table *t, uint64_t now,
			 unsigned budget);

/* Evict every entry (reason FLUSH), e.g. at the end of a capture.
 * Returns the number evicted. */
unsigned pne_flow_flush(struct pne_flow_table *t);

/*
 * Account one TCP segment of flow e with flags (PNE_TCP_*) sent in
 * direction dir_flip (struct pne_pkt.dir_flip): sets the client on the
 * flow's first segment, follows SYN / FIN / RST and moves the entry to
 * the timeout class of its new state. RST should be passed only once the
 * caller has found it acceptable (in window, RFC 5961 section 3; in
 * SYN-SENT, acknowledging the SYN, RFC 9293 section 3.10.7.3).
 *
 * Returns 1 when the flow starts over as a new connection: the caller
 * closes the old payload state and starts a new one. That is
 *   - a SYN (without ACK) on a closed flow (FIN_BOTH or RST): port reuse.
 *     A retransmission of the old connection's own SYN is not one; only
 *     the caller knows its ISN, so it passes such a SYN without its SYN
 *     bit;
 *   - a SYN-ACK on a flow reset during its handshake (SYN seen, no ACK of
 *     the SYN-ACK yet): an acceptable RST as RFC 9293 reads it, which the
 *     endpoint still dropped -- Linux rejects a segment whose timestamp
 *     echo isn't one it sent (PAWS in SYN-SENT), Windows retries its SYN
 *     after an RST -- so the handshake carries on. The SYN-ACK's receiver
 *     is the client. (The insertion evasion of suricata bug 3286.)
 * Otherwise 0. Other segments on a closed flow leave it closed.
 */
int pne_flow_tcp_update(struct pne_flow_table *t, struct pne_flow_entry *e,
			uint8_t flags, unsigned dir_flip, uint64_t now);

/* Number of flows in the table. */
uint32_t pne_flow_count(const struct pne_flow_table *t);

const struct pne_flow_stats *pne_flow_stats(const struct pne_flow_table *t);

const char *pne_flow_state_name(enum pne_flow_state s);
const char *pne_flow_evict_name(enum pne_flow_evict_reason r);
const char *pne_flow_tmo_name(enum pne_flow_tmo c);

/* The caller's state of e: payload_size bytes, 64-byte aligned. */
static inline void *pne_flow_payload(struct pne_flow_entry *e)
{
	return e + 1;
}

/* The entry whose payload is p (inverse of pne_flow_payload()). */
static inline struct pne_flow_entry *pne_flow_entry_of(void *p)
{
	return (struct pne_flow_entry *)p - 1;
}

/* 1 when the client (SYN sender; without a handshake, the endpoint with
 * the higher port, endpoint 1 on a tie) is key endpoint 1. Valid once
 * pne_flow_tcp_update() has seen the first segment. */
static inline int pne_flow_client_is_high(const struct pne_flow_entry *e)
{
	return e->flags & PNE_FLOWF_CLIENT_HIGH;
}

/* Direction of a segment with dir_flip on flow e: sent by the client
 * (PNE_C2S) or by the server (PNE_S2C). */
static inline enum pne_dir pne_flow_dir(const struct pne_flow_entry *e,
					unsigned dir_flip)
{
	return dir_flip == (unsigned)pne_flow_client_is_high(e) ? PNE_C2S : PNE_S2C;
}

static inline enum pne_flow_state pne_flow_state(const struct pne_flow_entry *e)
{
	return (enum pne_flow_state)e->state;
}

#endif /* PNE_FLOW_TABLE_H */
