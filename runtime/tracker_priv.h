/*
 * Private to the stream tracker (tracker.c, hold.c): the per-flow state
 * layout and the held-data pool.
 *
 * The pool is two arrays allocated once: ranges (struct hold_range, the
 * per-direction sorted lists of held, covered and lost byte ranges) and
 * chunks (PNE_TRACKER_CHUNK data bytes each, chained by chunk_next[]).
 * Both have free lists threaded through their link fields. A range's
 * bytes start off bytes into its first chunk, so consuming the front of
 * a range frees whole chunks without moving data.
 */
#ifndef PNE_TRACKER_PRIV_H
#define PNE_TRACKER_PRIV_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pne/interp.h"
#include "pne/tracker.h"

#define HOLD_NIL UINT32_MAX

enum hold_kind {
	HOLD_DATA,     /* bytes held in chunks */
	HOLD_COVERED,  /* received inside a skip: range only, never read */
	HOLD_LOST,     /* missing from a truncated capture: a hole to declare */
};

struct hold_range {
	uint32_t next;   /* next range of the direction (by seq), or HOLD_NIL */
	uint32_t seq;    /* first byte */
	uint32_t len;    /* bytes, > 0 */
	uint32_t chunk;  /* first chunk (HOLD_DATA), else HOLD_NIL */
	uint32_t tail;   /* last chunk (HOLD_DATA), for hold_append() */
	uint16_t off;    /* offset of the first byte in that chunk */
	uint8_t kind;    /* enum hold_kind */
	uint8_t pad;
};

struct hold_pool {
	struct hold_range *range;
	uint32_t *chunk_next;
	uint8_t *chunk_data;
	uint32_t nranges, nchunks;
	uint32_t range_free, chunk_free;   /* free list heads */
	uint32_t ranges_left, chunks_left;
};

int hold_pool_init(struct hold_pool *p, size_t memcap);
void hold_pool_fini(struct hold_pool *p);

/* Room for one more range of len bytes of kind? */
bool hold_room(const struct hold_pool *p, enum hold_kind kind, uint32_t len);

/* A new range (next = HOLD_NIL), data copied for HOLD_DATA. Returns its
 * index, or HOLD_NIL when there is no room (nothing changed). */
uint32_t hold_new(struct hold_pool *p, enum hold_kind kind, uint32_t seq,
		  const uint8_t *data, uint32_t len);

/* Room to append len bytes to HOLD_DATA range r? */
bool hold_room_append(const struct hold_pool *p, uint32_t r, uint32_t len);

/* Append len bytes to HOLD_DATA range r (the caller checked
 * hold_room_append()): segments that arrive in order beyond a hole
 * extend one range instead of taking one each. */
void hold_append(struct hold_pool *p, uint32_t r, const uint8_t *data, uint32_t len);

/* Release range r and its chunks. */
void hold_free(struct hold_pool *p, uint32_t r);

/* Drop the first n < len bytes of range r (chunks emptied are freed). */
void hold_trim(struct hold_pool *p, uint32_t r, uint32_t n);

/* Bytes of range r from byte at onwards that lie in one chunk, *out set
 * to the first of them (HOLD_DATA ranges only; at < len). */
uint32_t hold_span(const struct hold_pool *p, uint32_t r, uint32_t at,
		   const uint8_t **out);

/* 1 if data[0..n) differs from range r's bytes [at, at + n). */
int hold_differs(const struct hold_pool *p, uint32_t r, uint32_t at,
		 const uint8_t *data, uint32_t n);

/* Per-direction state bits. */
#define TRK_BASE     0x01  /* base and nxt are set */
#define TRK_SYN      0x02  /* base came from a SYN */
#define TRK_FIN      0x04  /* fin is set */
#define TRK_CLOSED   0x08  /* the interpreter direction is closed */
#define TRK_STALL    0x10  /* a hole or a wait is open since stall_since */

struct trk_dir {
	uint64_t off;          /* stream offset of nxt */
	uint64_t stall_since;  /* with TRK_STALL */
	uint32_t base;
	uint32_t nxt;
	uint32_t fin;
	uint32_t pl_nxt;       /* next byte for payload consumers (>= nxt) */
	uint32_t held;         /* first range, or HOLD_NIL */
	uint32_t held_bytes;   /* HOLD_DATA bytes in the ranges */
	uint16_t nranges;
	uint8_t flags;         /* TRK_* */
	uint8_t subs;          /* payload consumers subscribed (bit per id) */
	uint8_t bodies;        /* body consumers of this direction (bit per id) */
	uint8_t want;          /* those that want the current ADU's body */
	uint16_t pad;
	uint64_t body_lo;      /* next body byte for them; == off while a range */
	uint64_t body_hi;      /* end of the skip being handed over; body_lo ==
	                          body_hi: none */
};
static_assert(sizeof(struct trk_dir) <= 64, "direction state stays small");

#define TRK_MAGIC 0x74726b31u  /* "trk1": the state was initialised */

/* Flow-level bits. */
#define TRKF_CLOSED  0x01  /* flow closed: everything ignored */
#define TRKF_MID     0x02  /* counted in flows_midstream */

/* The tracker's part of a flow's state; the interpreter's connection
 * follows at TRK_FLOW_HDR. */
struct trk_flow {
	struct pne_tracker *tr;
	void *cookie;
	uint32_t magic;
	uint8_t flags;
	uint8_t pad[3];
	struct trk_dir dir[2];
};

#define TRK_FLOW_HDR 192
static_assert(sizeof(struct trk_flow) <= TRK_FLOW_HDR, "tracker flow header");

#endif /* PNE_TRACKER_PRIV_H */
