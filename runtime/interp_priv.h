/*
 * Private to the table interpreter (interp.c, interp_text.c,
 * interp_json.c): the memory layout of a connection's state and the
 * helpers its files share.
 *
 * A connection is one block the caller allocates (pne_interp_conn_size()):
 *
 *   struct pne_interp_conn      spec, stats, offsets of what follows, FIFO heads
 *   core + slots, direction 0   hot: touched on every segment
 *   core + slots, direction 1
 *   cvars[ncvars]               shared by both directions
 *   FIFO rings                  depth * width bytes each
 *   struct pne_loan             only when the connection borrows
 *   held data, direction 0      header/text buffer, anchor history, string arena
 *   held data, direction 1
 *
 * The header/text buffer is the spec's whole buffer (hbuf_size bytes),
 * or, for a connection that borrows (pne_interp_init_pooled() with a
 * spec that allows it), only its inline part (hist_off - hbuf_off bytes,
 * maybe none): a gather that outgrows it borrows a PNE_HDR_BLOCK block
 * until it is done (struct pne_loan, right before hbuf_off[0]). So a
 * connection that never borrows is exactly as big as it ever was.
 *
 * Every part starts on an 8-byte boundary. Only the cores, slots, cvars
 * and FIFO heads are initialised; held data is written before it is read.
 */
#ifndef PNE_INTERP_PRIV_H
#define PNE_INTERP_PRIV_H

#include <assert.h>
#include <stdint.h>

#include "pne/interp.h"
#include "pne/table.h"

/* Why a direction became invalid; code >= PNE_ERR_STR is string
 * (code - PNE_ERR_STR) of the spec: a require's own message. */
#define PNE_INTERP_ERRS(X) \
	X(NONE,        NULL) \
	X(REQUIRE,     "require failed") \
	X(TOO_LONG,    "ADU longer than its unit's max") \
	X(DIV_ZERO,    "division by zero") \
	X(UNDERFLOW,   "subtraction below zero") \
	X(BAD_EXPR,    "malformed expression") \
	X(BAD_TABLE,   "malformed table") \
	X(HDR_MAX,     "header size over its max") \
	X(TEXT_MAX,    "text longer than its max") \
	X(VARINT,      "varint longer than its max") \
	X(FIFO_FULL,   "push onto a full fifo") \
	X(NUM_MAX,     "number over its max") \
	X(EMPTY_ADU,   "ADU without bytes") \
	X(NO_PROGRESS, "operations loop without consuming bytes") \
	X(GAP,         "gap in the stream") \
	X(ABI,         "spec table ABI mismatch") \
	X(WINDOW,      "unconfirmed ADU longer than the resync window") \
	X(HDR_POOL,    "header buffer pool exhausted")

enum pne_interp_err {
#define X(name, str) PNE_ERR_##name,
	PNE_INTERP_ERRS(X)
#undef X
	PNE_ERR__COUNT
};
#define PNE_ERR_STR 0x100

/*
 * One direction's position in its program, kept small: with its slots it
 * is what a segment touches. Fields used by only one kind of operation
 * are shared by meaning (have/need/dfa), never by two live uses.
 */
struct pne_dir_core {
	uint64_t off;       /* stream offset of the next byte to consume */
	uint64_t adu_start; /* stream offset of the current ADU's first byte */
	uint64_t remain;    /* SKIP in progress: bytes still to pass over;
	                       anchor resync: bytes to pass before scanning */
	uint32_t pc;        /* current operation */
	uint32_t have;      /* bytes gathered (header buffer, varint, confirm window) */
	uint32_t need;      /* bytes a HDR or sized TEXT gathers */
	uint32_t arena;     /* string arena bytes used by the current ADU */
	uint16_t dfa;       /* automaton state: TEXT delimiter or anchor scan */
	uint16_t err;       /* last invalidity: enum pne_interp_err or PNE_ERR_STR + i */
	uint8_t  status;    /* enum pne_interp_status */
	uint8_t  phase;     /* 0: the operation at pc has not started; 1: under way */
	uint8_t  unsynced;  /* ADUs still to complete before they count as synced */
	uint8_t  events;    /* PNE_EV_* asked for, | PNE_EV_HEAD_DONE */
};
/* core->events: PNE_ADU_HEAD was reported for the current ADU. */
#define PNE_EV_HEAD_DONE 0x80u
/* core->events: the skip under way started in replayed bytes; the rest
 * is reported when it resumes (skip_cont() in interp.c). */
#define PNE_EV_SKIP_CONT 0x40u
static_assert(sizeof(struct pne_dir_core) == 48, "direction core must stay compact");

/* Anchor resync: the last bytes scanned, so a literal that began in an
 * earlier segment can be handed to the operations; pend of them wait
 * there when the direction blocked while they were being replayed.
 * Confirm resync: the bytes the current unconfirmed ADU consumed outside
 * skips (len), so a rejected candidate is rescanned from its second byte;
 * pend of them wait there to be rescanned. */
struct pne_hist {
	uint16_t len;
	uint16_t pend;
	uint8_t  pad[4];
	uint8_t  bytes[];
};

struct pne_fifo_state {
	uint32_t off;       /* ring storage, from the start of the connection */
	uint16_t head;      /* oldest entry */
	uint16_t count;
};

struct pne_interp_conn {
	const struct pne_spec *spec;
	struct pne_interp_stats stats;
	uint32_t dir_off[2];   /* struct pne_dir_core, then slots[nslots] */
	uint32_t hbuf_off[2];
	uint32_t hist_off[2];
	uint32_t arena_off[2];
	uint32_t cvar_off;
	uint32_t hbuf_size;    /* header/text buffer bytes, per direction: the
	                          most a gather may keep */
	uint32_t hist_cap;     /* anchor history bytes (longest anchor - 1) */
	uint8_t  broken;       /* the spec can't be run: both directions lost */
	uint8_t  nfifos;       /* usable FIFOs: min(spec->nfifos, PNE_MAX_FIFOS) */
	uint8_t  pad[2];
	struct pne_fifo_state fifo[PNE_MAX_FIFOS];
};

/* A borrowing connection's header blocks. */
struct pne_loan {
	struct pne_hdr_pool *pool;  /* where blocks come from; NULL: none */
	uint8_t *blk[2];            /* the block lent to a direction's gather */
};

/* Largest string arena a direction gets, whatever str_max says. */
#define PNE_ARENA_LIMIT PNE_MAX_TEXT

static inline uint32_t pne_interp_arena_size(const struct pne_spec *spec)
{
	if (spec == NULL || spec->abi != PNE_TABLE_ABI)
		return 0;
	return spec->str_max < PNE_ARENA_LIMIT ? spec->str_max : PNE_ARENA_LIMIT;
}

/* spec->strs[i] as a C string ("" when i names none). The emitter writes
 * strings as C literals, so each is NUL terminated after its len bytes. */
static inline const char *pne_interp_str(const struct pne_spec *spec, uint16_t i)
{
	if (spec->strs == NULL || i >= spec->nstrs || spec->strs[i].s == NULL)
		return "";
	return spec->strs[i].s;
}

/* Where a text step's fields go; the arena is the direction's. */
struct pne_text_out {
	uint64_t *slots;
	uint8_t *arena;
	uint32_t *arena_used;
	uint32_t arena_size;
	uint32_t delim_len;   /* the delimiter's bytes, right after the text;
	                         0 when it did not end at one */
};

/* Extract the fields of text step td from text t[0..len) (delimiter
 * excluded: out->delim_len bytes at t + len). Returns 0, or the enum pne_interp_err that makes the
 * stream invalid. */
int pne_text_fields(const struct pne_spec *spec, const struct pne_text *td,
		    const uint8_t *t, size_t len, const struct pne_text_out *out);

#endif /* PNE_INTERP_PRIV_H */
