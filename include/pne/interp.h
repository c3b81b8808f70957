/*
 * The table interpreter: runs a compiled spec (include/pne/table.h) over
 * the two byte streams of one connection and reports ADU boundaries.
 *
 * It knows nothing of packets or sequence numbers: the stream tracker
 * (runtime/tracker.c) hands it in-order bytes per direction, and tells it
 * about gaps and the end of the stream. It never allocates while it runs:
 * the caller provides the memory (sizes from pne_interp_*_size()), so
 * state can live in a preallocated flow table, and header buffers come
 * from a pool allocated once (below).
 *
 * The fast path: pne_interp_skippable() says how many upcoming bytes the
 * direction would pass over without looking at them; a caller may pass
 * over that many with pne_interp_advance() instead of pne_interp_feed(),
 * never touching the payload, and feed only what follows.
 */
#ifndef PNE_INTERP_H
#define PNE_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "pne/table.h"

enum pne_dir { PNE_C2S = 0, PNE_S2C = 1 };

/*
 * What a report says about its ADU. Only PNE_ADU_END is reported unless
 * pne_interp_events() turned the others on for the direction; then the
 * reports of one ADU come in this order: HEAD, SKIP for each skip (also
 * before HEAD's ADU ends), and END or ABORT.
 */
enum pne_adu_event {
	PNE_ADU_END = 0,  /* the ADU is complete: off and len span all of it */
	PNE_ADU_HEAD,     /* its operations first reached a skip, an until_close
	                     or its end (its head is parsed): len is the bytes
	                     so far, slots hold the fields read so far; once */
	PNE_ADU_SKIP,     /* a skip of `skip` bytes starts at off + len (len: the
	                     bytes before it); until_close reports one too, with
	                     skip = the most it may run (the unit's max) */
	PNE_ADU_ABORT,    /* an ADU whose HEAD was reported is dropped (invalid,
	                     lost bytes, unsync, a partial one at close, the other
	                     direction's opaque): len is the bytes it had */
};

/* pne_interp_events() mask bits. */
#define PNE_EV_HEAD 0x1u  /* PNE_ADU_HEAD and PNE_ADU_ABORT */
#define PNE_EV_SKIP 0x2u  /* PNE_ADU_SKIP */

/* A reported ADU. Pointers are valid only during the callback. */
struct pne_adu {
	const struct pne_spec *spec;
	enum pne_dir dir;
	uint16_t unit;            /* index in spec->units */
	const char *type;         /* type name (unit name or typemap entry) */
	uint64_t off;             /* stream offset of its first byte */
	uint64_t len;             /* bytes */
	int synced;               /* 0 while confirming after a resync: the
	                             first ADU after an anchor match, the
	                             first K after "resync confirm K" */
	int closed;               /* ended by the stream's end (until_close) */
	const uint64_t *slots;    /* spec->nslots values */
	const uint64_t *cvars;    /* spec->ncvars values */
	const uint8_t *strings;   /* string arena: a string slot holds
	                             (offset << 32) | length into it */
	enum pne_adu_event event; /* PNE_ADU_END unless events are on */
	uint64_t skip;            /* PNE_ADU_SKIP: bytes of the skip */
	const uint8_t *data;      /* PNE_ADU_SKIP: its first avail bytes, those
	                             in the buffer being fed (none when the skip
	                             starts at its end); the interpreter passes
	                             over them right after the report, unread.
	                             The rest arrive in later calls -- except
	                             when they were replayed bytes of an anchor
	                             match: the rest of the skip is then
	                             reported as a SKIP of its own. */
	size_t avail;
};

typedef void (*pne_adu_cb)(const struct pne_adu *adu, void *arg);

/* Why a direction stopped being framed; counted by the caller. */
enum pne_interp_status {
	PNE_IS_OK = 0,       /* framing */
	PNE_IS_WAITING,      /* blocked on the other direction (pop/wait) */
	PNE_IS_RESYNC,       /* searching for the next boundary */
	PNE_IS_OPAQUE,       /* opaque: no more ADUs on this connection */
	PNE_IS_CLOSED,       /* end of stream seen */
};

struct pne_interp_conn;   /* both directions + shared variables; opaque */

/*
 * Header buffers on loan. A header, text or peek is read in place when
 * all its bytes are in the buffer being fed -- almost always. Only one
 * that straddles calls must be copied, into a header buffer of up to the
 * spec's largest gather (pnec --summary: "header buffer"). A connection
 * set up with pne_interp_init() embeds one such buffer per direction. One
 * set up with pne_interp_init_pooled() embeds only PNE_HDR_INLINE bytes
 * at most (what a confirm resync's window needs) when its spec's buffer
 * is larger, and borrows a PNE_HDR_BLOCK block from a shared pool only
 * while a gather straddles calls: from the first byte it must keep past
 * the end of the bytes fed until the gathered bytes are used (header or
 * text done, peek replayed), the direction resynchronises, or it closes.
 * Specs whose buffer fits in PNE_HDR_INLINE bytes, or needs more than
 * PNE_HDR_BLOCK, keep it inline either way.
 *
 * When the pool is empty the bytes can't be kept: the direction loses
 * them as if a gap had occurred at that position (the ADU under way is
 * dropped, the direction resynchronises and its next ADUs are unsynced
 * until confirmed), counted in the pool's exhausted and the connection's
 * invalid, with pne_interp_error() "header buffer pool exhausted". Never
 * a crash, never more memory. A connection that never borrows is as big
 * as with pne_interp_init().
 */
#define PNE_HDR_INLINE 256
#define PNE_HDR_BLOCK  16384

struct pne_hdr_pool;      /* opaque; one thread's, like its connections */

struct pne_hdr_pool_stats {
	uint64_t blocks;      /* blocks in the pool */
	uint64_t in_use;      /* gauge: blocks lent now */
	uint64_t peak;        /* highest in_use */
	uint64_t borrows;     /* blocks lent */
	uint64_t exhausted;   /* borrows refused: the pool was empty */
};

/* A pool of memcap / PNE_HDR_BLOCK blocks (and a 4-byte index entry per
 * block), allocated here and never grown; none is allowed (every borrow
 * fails). Returns NULL (errno ENOMEM) when the memory can't be had. */
struct pne_hdr_pool *pne_hdr_pool_create(size_t memcap);

/* Free a pool; its connections must have been closed (or never borrowed).
 * Accepts NULL. */
void pne_hdr_pool_destroy(struct pne_hdr_pool *pool);

const struct pne_hdr_pool_stats *pne_hdr_pool_stats(const struct pne_hdr_pool *pool);

/* Bytes a connection's interpreter state needs for spec, all included
 * (header buffers, string arenas, FIFOs). */
size_t pne_interp_conn_size(const struct pne_spec *spec);

/* The same for a connection whose header buffers are borrowed from a
 * pool (pne_interp_init_pooled()). */
size_t pne_interp_conn_size_pooled(const struct pne_spec *spec);

/* Initialise conn (pne_interp_conn_size(spec) bytes, 8-byte aligned) with
 * parameter values params[] (spec->ncvars entries, NULL: defaults).
 * synced[d] = 0 starts direction d unsynchronised (mid-stream pickup). */
void pne_interp_init(struct pne_interp_conn *conn, const struct pne_spec *spec,
		     const uint64_t *params, const int synced[2]);

/* pne_interp_init() for conn of pne_interp_conn_size_pooled(spec) bytes,
 * borrowing header buffers from pool (NULL: every borrow fails). Blocks
 * go back to the pool as soon as they are no longer needed, and at the
 * latest when the direction closes (pne_interp_close()): close both
 * directions before the state is dropped or initialised again. */
void pne_interp_init_pooled(struct pne_interp_conn *conn, const struct pne_spec *spec,
			    const uint64_t *params, const int synced[2],
			    struct pne_hdr_pool *pool);

/* Turn the optional reports (PNE_EV_* bits; 0: only PNE_ADU_END) on or
 * off for direction dir. They take effect from its next operation; a
 * direction that never asks costs nothing more and reports exactly what
 * it did before. */
void pne_interp_events(struct pne_interp_conn *conn, enum pne_dir dir, unsigned mask);

/* Put direction dir into resynchronisation at its current position, as
 * if it had started unsynchronised there (mid-stream pickup): a partial
 * ADU is dropped (ABORT reported through cb when its HEAD was), but no
 * invalidity is counted or recorded. A direction already resynchronising,
 * opaque or closed is left alone. */
void pne_interp_unsync(struct pne_interp_conn *conn, enum pne_dir dir,
		       pne_adu_cb cb, void *arg);

/* Feed len in-order bytes of direction dir. ADUs that end inside them
 * are reported through cb, in stream order. Returns the number of bytes
 * consumed: len, unless the direction is waiting on the other one (then
 * less; feed the rest again after feeding the other direction, or after
 * pne_interp_force()). Never fails: invalid input moves the direction to
 * resynchronisation and is counted.
 *
 * Waits never block on a direction that can't end them: a pop from an
 * empty FIFO or a wait whose condition is false takes its default at
 * once (counted in forced) when the other direction is resynchronising
 * (PNE_IS_RESYNC), closed, opaque, or itself waiting on a condition that
 * still doesn't hold (a deadlock: the second direction to block goes on).
 * A direction already waiting when the other one reaches such a state
 * goes on at its next feed (even of 0 bytes), gap or close. The default
 * is taken only once the current ADU has a byte, before or after the
 * wait: a direction idle at an ADU boundary waits for that byte. */
size_t pne_interp_feed(struct pne_interp_conn *conn, enum pne_dir dir,
		       const uint8_t *data, size_t len,
		       pne_adu_cb cb, void *arg);

/* Bytes that direction dir will pass over without examining them, from
 * now: the rest of the skip under way (all of it), the room left to an
 * until_close ADU, everything once opaque or closed; 0 when the next byte
 * must be looked at. */
uint64_t pne_interp_skippable(const struct pne_interp_conn *conn, enum pne_dir dir);

/* Pass over n <= pne_interp_skippable() bytes without data (fast path):
 * exactly what a feed of those n bytes would do, without reading them.
 * When they complete a skip, the operations after it that need no bytes
 * (SET, JZ, PUSH, POP, WAIT, REQUIRE, END, ...) run at once, reporting
 * through cb as a feed would (an END, and HEAD and SKIP events when on);
 * they stop at the first operation that needs a byte, so call
 * pne_interp_skippable() again: a skip may follow at once. Passing more
 * than pne_interp_skippable() is treated as a gap that resynchronises. */
void pne_interp_advance(struct pne_interp_conn *conn, enum pne_dir dir, uint64_t n,
			pne_adu_cb cb, void *arg);

/* n bytes of direction dir are lost for good. Inside a skip they are
 * absorbed (returns 0); otherwise the direction resynchronises (returns 1). */
int pne_interp_gap(struct pne_interp_conn *conn, enum pne_dir dir, uint64_t n,
		   pne_adu_cb cb, void *arg);

/* A waiting direction can't be released by the other one (the caller
 * knows: the other side was never seen, stalls on a gap, or the flow is
 * evicted): its pop or wait takes the default. The cases the
 * interpreter can see are handled without it (see pne_interp_feed()). */
void pne_interp_force(struct pne_interp_conn *conn, enum pne_dir dir);

/* End of direction dir's stream (FIN/RST/eviction): reports an ADU that
 * runs until close, discards a partial one (counted), and returns a
 * borrowed header buffer to its pool. */
void pne_interp_close(struct pne_interp_conn *conn, enum pne_dir dir,
		      pne_adu_cb cb, void *arg);

enum pne_interp_status pne_interp_status(const struct pne_interp_conn *conn,
					 enum pne_dir dir);

/* Counters of one connection (the caller sums them). */
struct pne_interp_stats {
	uint64_t adus;
	uint64_t bytes_examined;  /* bytes the interpreter looked at */
	uint64_t bytes_skipped;   /* bytes passed over without a look */
	uint64_t invalid;         /* times the stream became invalid */
	uint64_t resyncs;         /* times a resync found a boundary */
	uint64_t partial;         /* ADUs cut short by close */
	uint64_t forced;          /* waits that took their default: forced, or
	                             the other direction could never end them */
};
const struct pne_interp_stats *pne_interp_stats(const struct pne_interp_conn *conn);

/* Append the ADU's reported fields as a JSON object ("{...}") to buf of
 * size cap; returns the length it needs (like snprintf). */
size_t pne_adu_fields_json(const struct pne_adu *adu, char *buf, size_t cap);

/* Last invalidity reason of dir (a static string), or NULL. */
const char *pne_interp_error(const struct pne_interp_conn *conn, enum pne_dir dir);

#endif /* PNE_INTERP_H */
