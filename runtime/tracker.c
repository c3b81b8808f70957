/*
 * The stream tracker (include/pne/tracker.h): TCP segments in, in-order
 * bytes to the table interpreter out, ADUs and payload to consumers.
 *
 * Invariants, per direction (struct trk_dir):
 *   - the held list is sorted by seq, its ranges don't overlap, and each
 *     starts at or after nxt;
 *   - a range that starts at nxt after pump() is data the interpreter
 *     refused (it waits on the other direction): "blocked";
 *   - pl_nxt >= nxt: payload consumers got every byte before pl_nxt;
 *   - held_bytes sums the HOLD_DATA ranges' lengths.
 * The file's sections: 1. consumers and counters, 2. delivery to the
 * interpreter, 3. the held list, 4. holes, waits and room, 5. one
 * segment's bytes, 6. lifecycle, 7. the public API.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pne/packet.h"
#include "pne/tcp_seq.h"
#include "pne/tracker.h"
#include "tracker_priv.h"

/* Bounds on the work of one call where the interpreter and a wait feed
 * each other (in_order() retrying refused bytes, settle() closing and
 * releasing): each round removes a hole or a wait, so these are never
 * reached by well-formed specs; they only keep a broken one from
 * spinning. pump() needs none: each of its rounds consumes held bytes. */
#define PUMP_ROUNDS   256
#define RELIEF_ROUNDS 4096

/* Bytes beyond nxt a segment may reach: the largest window TCP can
 * advertise (RFC 7323 section 2.3: 2^30). Anything further is not this
 * stream's (a stale or forged sequence number) and would only open a
 * hole of gigabytes. */
#define MAX_WINDOW (UINT32_C(1) << 30)

struct pne_tracker {
	struct hold_pool pool;
	struct pne_hdr_pool *hdr;  /* header buffers on loan to the flows */
	struct pne_tracker_stats st;
	uint32_t flow_hold;
	uint16_t dir_ranges;
	uint64_t gap_timeout;
	unsigned nadu, npl;
	struct {
		pne_tracker_adu_cb cb;
		void *arg;
	} adu[PNE_TRACKER_MAX_CONSUMERS];
	struct {
		pne_tracker_payload_cb cb;
		void *arg;
	} pl[PNE_TRACKER_MAX_CONSUMERS];
	unsigned nbody;
	struct {
		const char *spec;      /* NULL: every spec */
		unsigned dirs;         /* PNE_DIR_BIT()s */
		pne_tracker_want_cb want;
		pne_tracker_payload_cb cb;
		void *arg;
	} body[PNE_TRACKER_MAX_CONSUMERS];
};

/* What happened to the segment being handled (its stats class). */
struct seg_mark {
	bool read;    /* a byte of it was read */
	bool passed;  /* a byte of it was passed over or covered */
	bool dup;     /* a byte of it had been received before */
	bool ooo;     /* a byte of it went beyond a hole */
	bool gave;    /* a byte of it went to body consumers */
};

static struct pne_interp_conn *conn_of(struct trk_flow *f)
{
	return (struct pne_interp_conn *)((char *)f + TRK_FLOW_HDR);
}

static struct hold_range *range_of(struct pne_tracker *tr, uint32_t idx)
{
	return &tr->pool.range[idx];
}

static uint32_t range_end(const struct hold_range *r)
{
	return r->seq + r->len;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* 1. Consumers and counters */

/* The header pool's counters, after an interpreter call that may have
 * borrowed or returned a buffer. */
static void hdr_sync(struct pne_tracker *tr)
{
	const struct pne_hdr_pool_stats *h = pne_hdr_pool_stats(tr->hdr);

	tr->st.hdr_pool_borrows = h->borrows;
	tr->st.hdr_pool_exhausted = h->exhausted;
	tr->st.hdr_pool_in_use = h->in_use;
	tr->st.hdr_pool_peak = h->peak;
}

/* A piece of the current ADU's body (or its end) to the consumers that
 * want it. */
static void body_emit(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
		      enum pne_payload_kind kind, uint64_t off, const uint8_t *data,
		      size_t len, const struct pne_adu *adu)
{
	struct pne_tracker_payload p = {
		.flow = f->cookie, .dir = dir, .kind = kind,
		.off = off, .data = data, .len = len, .adu = adu,
	};
	unsigned want = f->dir[dir].want;

	if (kind == PNE_PAYLOAD_DATA)
		tr->st.body_bytes += len;
	for (unsigned i = 0; i < tr->nbody; i++)
		if (want & (1u << i))
			tr->body[i].cb(&p, tr->body[i].arg);
}

/* The ADU whose body is being handed over ended (END) or was dropped. */
static void body_done(struct pne_tracker *tr, struct trk_flow *f, const struct pne_adu *adu,
		      enum pne_payload_kind kind)
{
	struct trk_dir *d = &f->dir[adu->dir];

	body_emit(tr, f, adu->dir, kind, adu->off + adu->len, NULL, 0, adu);
	d->want = 0;
	d->body_lo = d->body_hi = 0;
}

/* An ADU's head: ask the direction's body consumers. */
static void body_head(struct pne_tracker *tr, struct trk_flow *f, const struct pne_adu *adu)
{
	struct trk_dir *d = &f->dir[adu->dir];

	d->want = 0;
	d->body_lo = d->body_hi = 0;
	for (unsigned i = 0; i < tr->nbody; i++) {
		if ((d->bodies & (1u << i)) &&
		    tr->body[i].want(f->cookie, adu, tr->body[i].arg)) {
			d->want |= (uint8_t)(1u << i);
			tr->st.bodies++;
		}
	}
}

/* A skip of a wanted ADU starts: its bytes in the buffer being fed go
 * now (the interpreter passes over them as soon as this returns), the
 * rest as they come (body_ahead()). */
static void body_skip(struct pne_tracker *tr, struct trk_flow *f, const struct pne_adu *adu)
{
	struct trk_dir *d = &f->dir[adu->dir];
	uint64_t start = adu->off + adu->len;

	if (adu->avail > 0)
		body_emit(tr, f, adu->dir, PNE_PAYLOAD_DATA, start, adu->data, adu->avail, NULL);
	d->body_lo = start + adu->avail;
	d->body_hi = adu->skip > UINT64_MAX - start ? UINT64_MAX : start + adu->skip;
}

static void on_adu(const struct pne_adu *adu, void *arg)
{
	struct trk_flow *f = arg;
	struct pne_tracker *tr = f->tr;
	struct trk_dir *d = &f->dir[adu->dir];

	switch (adu->event) {
	case PNE_ADU_END:
		break;
	case PNE_ADU_HEAD:
		body_head(tr, f, adu);
		return;
	case PNE_ADU_SKIP:
		if (d->want)
			body_skip(tr, f, adu);
		return;
	case PNE_ADU_ABORT:
		if (d->want)
			body_done(tr, f, adu, PNE_PAYLOAD_ADU_ABORT);
		return;
	default:
		return;
	}
	if (d->want)
		body_done(tr, f, adu, PNE_PAYLOAD_ADU_END);
	tr->st.adus++;
	for (unsigned i = 0; i < tr->nadu; i++)
		tr->adu[i].cb(f->cookie, adu, tr->adu[i].arg);
}

/* Bytes [off, off + n) of direction dir are about to go to the
 * interpreter: the part in a wanted body goes to its consumers first
 * (DATA, or GAP for bytes lost or never kept). Every body byte before
 * body_lo was handed over and every byte before off consumed, and the
 * interpreter passes over the whole range, so the part is [off, ...)
 * from the second piece of a skip on. */
static void body_ahead(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
		       bool data, const uint8_t *p, uint32_t n, struct seg_mark *m)
{
	struct trk_dir *d = &f->dir[dir];
	uint64_t lo, hi;

	if (d->body_lo >= d->body_hi)
		return;
	lo = d->body_lo > d->off ? d->body_lo : d->off;
	hi = min64(d->body_hi, d->off + n);
	if (lo >= hi)
		return;
	body_emit(tr, f, dir, data && p != NULL ? PNE_PAYLOAD_DATA : PNE_PAYLOAD_GAP, lo,
		  data && p != NULL ? p + (lo - d->off) : NULL, (size_t)(hi - lo), NULL);
	d->body_lo = hi;
	if (m)
		m->gave = true;
}

static void payload_emit(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
			 enum pne_payload_kind kind, uint64_t off,
			 const uint8_t *data, size_t len)
{
	struct pne_tracker_payload p = {
		.flow = f->cookie, .dir = dir, .kind = kind,
		.off = off, .data = data, .len = len,
	};
	unsigned subs = f->dir[dir].subs;

	if (kind == PNE_PAYLOAD_DATA)
		tr->st.payload_bytes += len;
	for (unsigned i = 0; i < tr->npl; i++)
		if (subs & (1u << i))
			tr->pl[i].cb(&p, tr->pl[i].arg);
}

/* Bytes [nxt, nxt + n) are about to be consumed: hand consumers the part
 * they haven't had (a blocked direction is given the same bytes again). */
static void payload_ahead(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
			  enum pne_payload_kind kind, const uint8_t *p, uint32_t n)
{
	struct trk_dir *d = &f->dir[dir];
	uint32_t had = (uint32_t)pne_seq_diff(d->pl_nxt, d->nxt);

	if (d->subs == 0 || had >= n)
		return;
	payload_emit(tr, f, dir, kind, d->off + had, p != NULL ? p + had : NULL, n - had);
	d->pl_nxt = d->nxt + n;
}

static void held_gauge(struct pne_tracker *tr, int64_t delta)
{
	tr->st.held_bytes += (uint64_t)delta;
	if (tr->st.held_bytes > tr->st.held_peak)
		tr->st.held_peak = tr->st.held_bytes;
}

/* 2. Delivery to the interpreter */

/* nxt moves on by n consumed bytes. */
static void dir_move(struct trk_dir *d, uint32_t n)
{
	d->nxt += n;
	d->off += n;
	if (pne_seq_lt(d->pl_nxt, d->nxt))
		d->pl_nxt = d->nxt;
}

/* n bytes at nxt are lost for good. */
static void deliver_lost(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
			 uint32_t n)
{
	body_ahead(tr, f, dir, false, NULL, n, NULL);
	if (pne_interp_gap(conn_of(f), dir, n, on_adu, f))
		tr->st.resyncs++;
	else
		tr->st.gaps_absorbed++;
	hdr_sync(tr);
	tr->st.gaps++;
	tr->st.gap_bytes += n;
	payload_ahead(tr, f, dir, PNE_PAYLOAD_GAP, NULL, n);
	dir_move(&f->dir[dir], n);
}

/*
 * Hand n bytes at nxt to the interpreter: passed over unread as far as it
 * would skip them -- skip after skip, when one follows another with no
 * byte to look at in between -- and fed beyond. Covered ranges were never
 * kept: they are passed over, or, should the interpreter no longer skip
 * them all, lost. Returns the bytes consumed: n, or less when the
 * direction waits on the other one. m (the segment being handled, or NULL
 * for held bytes) learns whether the bytes were read: only when the
 * interpreter had to look at one of them (or a subscriber gets them).
 */
static uint32_t deliver(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
			enum hold_kind kind, const uint8_t *p, uint32_t n,
			struct seg_mark *m)
{
	struct pne_interp_conn *c = conn_of(f);
	uint64_t sk = pne_interp_skippable(c, dir);
	bool data = kind == HOLD_DATA;
	uint32_t done = 0, adv, used;

	if (kind == HOLD_LOST || (kind == HOLD_COVERED && sk < n)) {
		deliver_lost(tr, f, dir, n);
		return n;
	}
	payload_ahead(tr, f, dir, data ? PNE_PAYLOAD_DATA : PNE_PAYLOAD_GAP, p, n);
	if (m && f->dir[dir].subs)
		m->read = true;
	/* each pass may end a skip and start the next (its body's bounds
	 * come with it): hand body bytes over one pass at a time */
	while (done < n && sk > 0) {
		adv = sk < n - done ? (uint32_t)sk : n - done;
		body_ahead(tr, f, dir, data, p != NULL ? p + done : NULL, adv, m);
		pne_interp_advance(c, dir, adv, on_adu, f);
		tr->st.bytes_skipped += adv;
		dir_move(&f->dir[dir], adv);
		done += adv;
		if (m)
			m->passed = true;
		sk = pne_interp_skippable(c, dir);
	}
	if (done == n)
		return n;
	body_ahead(tr, f, dir, data, p + done, n - done, m);
	used = (uint32_t)pne_interp_feed(c, dir, p + done, n - done, on_adu, f);
	hdr_sync(tr);
	if (m)
		m->read = true;
	dir_move(&f->dir[dir], used);
	return done + used;
}

/* 3. The held list */

/* The held data range that bytes of kind starting at s extend (the range
 * before them, prev, ends at s), or HOLD_NIL: a new range is needed.
 * Only behind a hole: a direction whose wait refused bytes (a range at
 * nxt) keeps one range per segment, so that the range cap still forces
 * a wait that would otherwise hold up to the flow's whole cap. */
static uint32_t extends(struct pne_tracker *tr, const struct trk_dir *d, uint32_t prev,
			enum hold_kind kind, uint32_t s)
{
	const struct hold_range *r;

	if (kind != HOLD_DATA || prev == HOLD_NIL || range_of(tr, d->held)->seq == d->nxt)
		return HOLD_NIL;
	r = range_of(tr, prev);
	if (r->kind != HOLD_DATA || range_end(r) != s)
		return HOLD_NIL;
	return prev;
}

/* Room for n bytes of kind, in a new range or appended to range onto? */
static bool fits(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
		 enum hold_kind kind, uint32_t n, uint32_t onto)
{
	if (onto == HOLD_NIL && f->dir[dir].nranges >= tr->dir_ranges)
		return false;
	if (kind == HOLD_DATA &&
	    (uint64_t)f->dir[0].held_bytes + f->dir[1].held_bytes + n > tr->flow_hold)
		return false;
	if (onto != HOLD_NIL)
		return hold_room_append(&tr->pool, onto, n);
	return hold_room(&tr->pool, kind, n);
}

/* Put a range for [s, s + n) after prev (HOLD_NIL: first); the caller
 * checked fits(). Adjacent covered ranges merge, and data that continues
 * a held data range extends it: a burst arriving in order behind a hole
 * takes one range, not one per segment (dir_ranges bounds ranges). */
static void range_insert(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
			 uint32_t prev, enum hold_kind kind, uint32_t s,
			 const uint8_t *p, uint32_t n)
{
	struct trk_dir *d = &f->dir[dir];
	uint32_t next = prev == HOLD_NIL ? d->held : range_of(tr, prev)->next;
	uint32_t idx = extends(tr, d, prev, kind, s);

	if (idx != HOLD_NIL) {
		hold_append(&tr->pool, idx, p, n);
		d->held_bytes += n;
		held_gauge(tr, n);
		return;
	}

	if (kind == HOLD_COVERED) {
		if (prev != HOLD_NIL && range_of(tr, prev)->kind == HOLD_COVERED &&
		    range_end(range_of(tr, prev)) == s) {
			range_of(tr, prev)->len += n;
			return;
		}
		if (next != HOLD_NIL && range_of(tr, next)->kind == HOLD_COVERED &&
		    s + n == range_of(tr, next)->seq) {
			range_of(tr, next)->seq = s;
			range_of(tr, next)->len += n;
			return;
		}
	}
	idx = hold_new(&tr->pool, kind, s, p, n);
	range_of(tr, idx)->next = next;
	if (prev == HOLD_NIL)
		d->held = idx;
	else
		range_of(tr, prev)->next = idx;
	d->nranges++;
	if (kind == HOLD_DATA) {
		d->held_bytes += n;
		held_gauge(tr, n);
	}
}

/* The first n bytes of the head range were consumed. */
static void head_consume(struct pne_tracker *tr, struct trk_dir *d, uint32_t n)
{
	uint32_t idx = d->held;
	struct hold_range *r = range_of(tr, idx);

	if (r->kind == HOLD_DATA) {
		d->held_bytes -= n;
		held_gauge(tr, -(int64_t)n);
	}
	if (n < r->len) {
		hold_trim(&tr->pool, idx, n);
		return;
	}
	d->held = r->next;
	d->nranges--;
	hold_free(&tr->pool, idx);
}

static void ranges_release(struct pne_tracker *tr, struct trk_dir *d)
{
	while (d->held != HOLD_NIL)
		head_consume(tr, d, range_of(tr, d->held)->len);
}

/* Deliver the head range while it starts at nxt. Returns bytes moved. */
static uint64_t drain(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir)
{
	struct trk_dir *d = &f->dir[dir];
	uint64_t moved = 0;

	while (d->held != HOLD_NIL && !(d->flags & TRK_CLOSED)) {
		struct hold_range *r = range_of(tr, d->held);
		const uint8_t *b = NULL;
		uint32_t k = r->len, used;

		if (r->seq != d->nxt)
			break;
		if (r->kind == HOLD_DATA)
			k = hold_span(&tr->pool, d->held, 0, &b);
		used = deliver(tr, f, dir, (enum hold_kind)r->kind, b, k, NULL);
		if (used == 0)
			break;
		moved += used;
		head_consume(tr, d, used);
		if (used < k)
			break;
	}
	return moved;
}

/* Feed whatever can be fed, both directions, until neither moves: a
 * direction that moves may release the other's wait. Every round but the
 * last consumes held bytes, so the rounds are bounded by what is held --
 * a thousand pipelined requests and responses behind a hole take a
 * thousand rounds, and must all be fed. */
static uint64_t pump(struct pne_tracker *tr, struct trk_flow *f)
{
	uint64_t total = 0;

	for (;;) {
		uint64_t moved = drain(tr, f, PNE_C2S) + drain(tr, f, PNE_S2C);

		if (moved == 0)
			break;
		total += moved;
	}
	return total;
}

/* 4. Holes, waits and room */

/* The direction has a hole [nxt, *end): held bytes or a FIN beyond nxt. */
static bool hole_end(struct pne_tracker *tr, const struct trk_dir *d, uint32_t *end)
{
	if (d->flags & TRK_CLOSED)
		return false;
	if (d->held != HOLD_NIL) {
		*end = range_of(tr, d->held)->seq;
		return *end != d->nxt;
	}
	if ((d->flags & TRK_FIN) && pne_seq_gt(d->fin, d->nxt)) {
		*end = d->fin;
		return true;
	}
	return false;
}

/* After pump(): held bytes at nxt are bytes a wait refused. */
static bool blocked(struct pne_tracker *tr, const struct trk_dir *d)
{
	return !(d->flags & TRK_CLOSED) && d->held != HOLD_NIL &&
	       range_of(tr, d->held)->seq == d->nxt;
}

static void force_wait(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir)
{
	pne_interp_force(conn_of(f), dir);
	tr->st.forced_waits++;
}

/* Declare direction dir's hole lost, or else release its wait. Returns
 * whether it did either. */
static bool relieve_dir(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir)
{
	struct trk_dir *d = &f->dir[dir];
	uint32_t end;

	if (hole_end(tr, d, &end)) {
		deliver_lost(tr, f, dir, end - d->nxt);
	} else if (blocked(tr, d)) {
		force_wait(tr, f, dir);
	} else {
		return false;
	}
	pump(tr, f);
	return true;
}

/* The receiver of direction dir acknowledges everything before ack: the
 * bytes of dir's hole up to ack reached it but not us (capture loss, a
 * mirror port's drop), and no retransmission will come. They are lost
 * now, instead of when room runs out or at gap_timeout. An ACK at or
 * before nxt, beyond the largest window, or with no hole open says
 * nothing new. */
static void acked(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir, uint32_t ack)
{
	struct trk_dir *d = &f->dir[dir];
	uint32_t end;

	if (!(d->flags & TRK_BASE) || !pne_seq_gt(ack, d->nxt) ||
	    (uint32_t)(ack - d->nxt) > MAX_WINDOW || !hole_end(tr, d, &end))
		return;
	tr->st.acked_holes++;
	deliver_lost(tr, f, dir, pne_seq_lt(ack, end) ? ack - d->nxt : end - d->nxt);
	pump(tr, f);
}

/* Make progress at the cost of data: a hole (dir's first), then a wait. */
static bool relieve(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir)
{
	enum pne_dir other = (enum pne_dir)!dir;
	uint32_t end;

	if (hole_end(tr, &f->dir[dir], &end))
		return relieve_dir(tr, f, dir);
	if (hole_end(tr, &f->dir[other], &end))
		return relieve_dir(tr, f, other);
	return relieve_dir(tr, f, dir) || relieve_dir(tr, f, other);
}

/* 5. One segment's bytes */

/* Bytes [s, s + n) that a held range already has: the first copy wins. */
static void overlap(struct pne_tracker *tr, uint32_t idx, uint32_t s,
		    const uint8_t *p, uint32_t n, struct seg_mark *m)
{
	struct hold_range *r = range_of(tr, idx);

	tr->st.dup_bytes += n;
	m->dup = true;
	if (r->kind != HOLD_DATA || p == NULL)
		return;
	m->read = true;
	if (hold_differs(&tr->pool, idx, s - r->seq, p, n))
		tr->st.overlap_diff++;
}

/* In-order bytes at nxt, straight from the segment. What a waiting
 * direction refuses is held at nxt, or, without room, the wait is forced. */
static void in_order(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
		     enum hold_kind kind, const uint8_t *p, uint32_t n,
		     struct seg_mark *m)
{
	struct trk_dir *d = &f->dir[dir];

	for (int round = 0; n > 0; round++) {
		uint32_t used = deliver(tr, f, dir, kind, p, n, m);

		if (p != NULL)   /* bytes a snapped capture lacks come without data */
			p += used;
		n -= used;
		if (n == 0)
			break;
		if (round >= RELIEF_ROUNDS) {   /* a spec that never lets go */
			tr->st.hold_drops++;
			tr->st.hold_drop_bytes += n;
			break;
		}
		if (round < PUMP_ROUNDS && pump(tr, f) > 0)
			continue;   /* the other direction moved: try again */
		/* every held range starts beyond nxt here: hold the rest first */
		if (fits(tr, f, dir, HOLD_DATA, n, HOLD_NIL)) {
			range_insert(tr, f, dir, HOLD_NIL, HOLD_DATA, d->nxt, p, n);
			m->read = true;
			break;
		}
		force_wait(tr, f, dir);
	}
	pump(tr, f);
}

/* Bytes [s, s + n) beyond a hole go after prev: covered when the
 * interpreter will pass over them unread, else held. Returns 0 when
 * placed, 1 when room was made (the state moved: look again), -1 when
 * dropped. */
static int place(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
		 uint32_t prev, enum hold_kind kind, uint32_t s,
		 const uint8_t *p, uint32_t n, struct seg_mark *m)
{
	struct trk_dir *d = &f->dir[dir];

	m->ooo = true;
	if (kind == HOLD_DATA && d->subs == 0 && d->body_lo >= d->body_hi &&
	    (uint64_t)(uint32_t)(s + n - d->nxt) <= pne_interp_skippable(conn_of(f), dir))
		kind = HOLD_COVERED;
	if (!fits(tr, f, dir, kind, n, extends(tr, d, prev, kind, s))) {
		if (!(kind == HOLD_DATA && n > tr->flow_hold) && relieve(tr, f, dir))
			return 1;
		tr->st.hold_drops++;
		tr->st.hold_drop_bytes += n;
		return -1;
	}
	range_insert(tr, f, dir, prev, kind, s, p, n);
	if (kind == HOLD_COVERED) {
		tr->st.covered_bytes += n;
		m->passed = true;
	} else if (kind == HOLD_DATA) {
		m->read = true;
	}
	return 0;
}

/*
 * Take bytes [s, e) of direction dir (p: their data, NULL for bytes a
 * truncated capture lacks): trimmed against what was consumed, split
 * around held ranges, delivered where they start at nxt, placed beyond.
 */
static void take(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
		 enum hold_kind kind, uint32_t s, uint32_t e, const uint8_t *p,
		 struct seg_mark *m)
{
	struct trk_dir *d = &f->dir[dir];
	unsigned relief = 0;

	while (pne_seq_lt(s, e) && !(d->flags & TRK_CLOSED)) {
		uint32_t n, prev = HOLD_NIL, cur = d->held;
		int r;

		if (pne_seq_lt(s, d->nxt)) {    /* consumed already */
			n = min32(e - s, d->nxt - s);
			tr->st.dup_bytes += n;
			tr->st.unverified_bytes += n;
			m->dup = true;
		} else {
			while (cur != HOLD_NIL && pne_seq_leq(range_end(range_of(tr, cur)), s)) {
				prev = cur;
				cur = range_of(tr, cur)->next;
			}
			if (cur != HOLD_NIL && pne_seq_leq(range_of(tr, cur)->seq, s)) {
				n = min32(e - s, range_end(range_of(tr, cur)) - s);
				overlap(tr, cur, s, p, n, m);
			} else {
				n = cur == HOLD_NIL ? e - s
						    : min32(e - s, range_of(tr, cur)->seq - s);
				if (s == d->nxt) {
					in_order(tr, f, dir, kind, p, n, m);
				} else {
					r = place(tr, f, dir, prev, kind, s, p, n, m);
					if (r > 0 && ++relief < RELIEF_ROUNDS)
						continue;
				}
			}
		}
		s += n;
		if (p != NULL)
			p += n;
	}
}

/* 6. Lifecycle */

static void base_set(struct trk_dir *d, uint32_t seq, uint8_t how)
{
	d->base = d->nxt = d->pl_nxt = seq;
	d->off = 0;
	d->flags |= TRK_BASE | how;
}

/* Data in a direction whose SYN went unseen: its first byte is offset 0,
 * and it resynchronises from there. */
static void pickup(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir, uint32_t seq)
{
	base_set(&f->dir[dir], seq, 0);
	pne_interp_unsync(conn_of(f), dir, on_adu, f);
	hdr_sync(tr);
	if (!(f->flags & TRKF_MID)) {
		f->flags |= TRKF_MID;
		tr->st.flows_midstream++;
	}
}

static void close_dir(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir)
{
	struct trk_dir *d = &f->dir[dir];

	if (d->flags & TRK_CLOSED)
		return;
	pne_interp_close(conn_of(f), dir, on_adu, f);
	hdr_sync(tr);
	d->want = 0;   /* the close reported its END or ABORT */
	d->body_lo = d->body_hi = 0;
	d->flags |= TRK_CLOSED;
	ranges_release(tr, d);
	if (d->subs)
		payload_emit(tr, f, dir, PNE_PAYLOAD_END, d->off, NULL, 0);
}

/* Holes and waits open longer than gap_timeout are given up. */
static bool stalls(struct pne_tracker *tr, struct trk_flow *f, uint64_t now)
{
	bool changed = false;

	for (int i = 0; i < 2; i++) {
		struct trk_dir *d = &f->dir[i];
		uint32_t end;

		if (!hole_end(tr, d, &end) && !blocked(tr, d)) {
			d->flags &= ~TRK_STALL;
		} else if (!(d->flags & TRK_STALL)) {
			d->flags |= TRK_STALL;
			d->stall_since = now;
		} else if (tr->gap_timeout > 0 && now - d->stall_since >= tr->gap_timeout) {
			relieve_dir(tr, f, (enum pne_dir)i);
			d->stall_since = now;  /* the next hole gets its own time */
			changed = true;
		}
	}
	return changed;
}

/* After a segment or a tick: close directions whose FIN was reached,
 * release waits nobody can end any more, give up stale holes. */
static void settle(struct pne_tracker *tr, struct trk_flow *f, uint64_t now)
{
	for (int round = 0; round < PUMP_ROUNDS; round++) {
		bool changed = false;

		pump(tr, f);
		for (int i = 0; i < 2; i++) {
			struct trk_dir *d = &f->dir[i];
			enum pne_dir dir = (enum pne_dir)i;

			if (blocked(tr, d) && (f->dir[!i].flags & TRK_CLOSED)) {
				force_wait(tr, f, dir);
				changed = true;
			} else if ((d->flags & (TRK_FIN | TRK_CLOSED)) == TRK_FIN &&
				   pne_seq_geq(d->nxt, d->fin) && !blocked(tr, d)) {
				close_dir(tr, f, dir);
				changed = true;
			}
		}
		if (!changed && !stalls(tr, f, now))
			break;
	}
}

/* The flow ends: deliver what can be, then close both directions. */
static void flow_finish(struct pne_tracker *tr, struct trk_flow *f)
{
	pump(tr, f);
	for (int round = 0; round < RELIEF_ROUNDS; round++)
		if (!relieve(tr, f, PNE_C2S))
			break;
	close_dir(tr, f, PNE_C2S);
	close_dir(tr, f, PNE_S2C);
	f->flags |= TRKF_CLOSED;
}

static void syn(struct trk_dir *d, uint32_t isn)
{
	if (!(d->flags & TRK_BASE))
		base_set(d, isn + 1, TRK_SYN);
}

/* A FIN at seq: the first one seen counts (RFC 9293 section 3.10.7.4:
 * the FIN's place in the sequence doesn't move). */
static void fin(struct trk_dir *d, uint32_t seq)
{
	if (!(d->flags & TRK_BASE))
		base_set(d, seq, 0);
	if (!(d->flags & TRK_FIN)) {
		d->fin = seq;
		d->flags |= TRK_FIN;
	}
}

static void classify(struct pne_tracker *tr, const struct seg_mark *m)
{
	if (m->read)
		tr->st.examined++;
	else if (m->gave)
		tr->st.delivered++;
	else if (m->passed)
		tr->st.skipped++;
	else
		tr->st.ignored++;
	if (m->dup)
		tr->st.retrans_packets++;
	if (m->ooo)
		tr->st.ooo_packets++;
}

/* The payload of a segment: [seq, seq + len) captured, up to seq + wire
 * on the wire. */
static void seg_payload(struct pne_tracker *tr, struct trk_flow *f, enum pne_dir dir,
			uint32_t seq, const uint8_t *p, uint32_t len, uint32_t wire)
{
	struct trk_dir *d = &f->dir[dir];
	struct seg_mark m = { 0 };

	if (!(d->flags & TRK_BASE))
		pickup(tr, f, dir, seq);
	if ((d->flags & TRK_FIN) && pne_seq_gt(seq + wire, d->fin)) {
		uint32_t keep = pne_seq_gt(seq, d->fin) ? 0 : d->fin - seq;

		tr->st.after_fin_bytes += wire - keep;
		wire = keep;
		len = min32(len, keep);
	}
	if (!(d->flags & TRK_CLOSED) && wire > 0 &&
	    (uint32_t)(seq + wire - d->nxt) > MAX_WINDOW && pne_seq_gt(seq + wire, d->nxt)) {
		tr->st.out_of_window++;
		wire = len = 0;
	}
	if (!(d->flags & TRK_CLOSED) && wire > 0) {
		/* the fast path: in order, nothing held, all of it skippable */
		if (d->held == HOLD_NIL && d->subs == 0 && d->body_lo >= d->body_hi &&
		    seq == d->nxt && len == wire &&
		    len <= pne_interp_skippable(conn_of(f), dir)) {
			pne_interp_advance(conn_of(f), dir, len, on_adu, f);
			dir_move(d, len);
			tr->st.bytes_skipped += len;
			tr->st.skipped++;
			return;
		}
		if (len > 0)
			take(tr, f, dir, HOLD_DATA, seq, seq + len, p, &m);
		if (wire > len)
			take(tr, f, dir, HOLD_LOST, seq + len, seq + wire, NULL, &m);
	}
	classify(tr, &m);
}

/* 7. The public API */

static bool flow_ok(const struct pne_tracker *tr, const struct trk_flow *f)
{
	return tr != NULL && f != NULL && f->magic == TRK_MAGIC && f->tr == tr;
}

struct pne_tracker *pne_tracker_create(const struct pne_tracker_conf *conf)
{
	struct pne_tracker *tr;
	int err;

	if (conf == NULL || (conf->hdr_memcap != 0 && conf->hdr_memcap < PNE_HDR_BLOCK)) {
		errno = EINVAL;
		return NULL;
	}
	tr = calloc(1, sizeof(*tr));
	if (tr == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	tr->flow_hold = conf->flow_hold ? conf->flow_hold : PNE_TRACKER_DEF_FLOW_HOLD;
	tr->dir_ranges = conf->dir_ranges ? conf->dir_ranges : PNE_TRACKER_DEF_DIR_RANGES;
	tr->gap_timeout = conf->gap_timeout;
	err = hold_pool_init(&tr->pool, conf->memcap ? conf->memcap : PNE_TRACKER_DEF_MEMCAP);
	if (err != 0) {
		free(tr);
		errno = -err;
		return NULL;
	}
	tr->hdr = pne_hdr_pool_create(conf->hdr_memcap ? conf->hdr_memcap :
						       PNE_TRACKER_DEF_HDR_MEMCAP);
	if (tr->hdr == NULL) {
		hold_pool_fini(&tr->pool);
		free(tr);
		errno = ENOMEM;
		return NULL;
	}
	return tr;
}

void pne_tracker_destroy(struct pne_tracker *tr)
{
	if (tr == NULL)
		return;
	hold_pool_fini(&tr->pool);
	pne_hdr_pool_destroy(tr->hdr);
	free(tr);
}

int pne_tracker_on_adu(struct pne_tracker *tr, pne_tracker_adu_cb cb, void *arg)
{
	if (tr == NULL || cb == NULL)
		return -EINVAL;
	if (tr->nadu == PNE_TRACKER_MAX_CONSUMERS)
		return -ENOSPC;
	tr->adu[tr->nadu].cb = cb;
	tr->adu[tr->nadu].arg = arg;
	tr->nadu++;
	return 0;
}

int pne_tracker_on_payload(struct pne_tracker *tr, pne_tracker_payload_cb cb, void *arg)
{
	if (tr == NULL || cb == NULL)
		return -EINVAL;
	if (tr->npl == PNE_TRACKER_MAX_CONSUMERS)
		return -ENOSPC;
	tr->pl[tr->npl].cb = cb;
	tr->pl[tr->npl].arg = arg;
	return (int)tr->npl++;
}

int pne_tracker_on_body(struct pne_tracker *tr, const char *spec_name, unsigned dirs,
			pne_tracker_want_cb want, pne_tracker_payload_cb cb, void *arg)
{
	unsigned all = PNE_DIR_BIT(PNE_C2S) | PNE_DIR_BIT(PNE_S2C);

	if (tr == NULL || want == NULL || cb == NULL || (dirs & all) == 0 || (dirs & ~all))
		return -EINVAL;
	if (tr->nbody == PNE_TRACKER_MAX_CONSUMERS)
		return -ENOSPC;
	tr->body[tr->nbody].spec = spec_name;
	tr->body[tr->nbody].dirs = dirs;
	tr->body[tr->nbody].want = want;
	tr->body[tr->nbody].cb = cb;
	tr->body[tr->nbody].arg = arg;
	return (int)tr->nbody++;
}

/* The body consumers of spec's direction dir (bit per id). */
static uint8_t bodies_of(const struct pne_tracker *tr, const struct pne_spec *spec,
			 enum pne_dir dir)
{
	uint8_t m = 0;

	for (unsigned i = 0; i < tr->nbody; i++)
		if ((tr->body[i].dirs & PNE_DIR_BIT(dir)) &&
		    (tr->body[i].spec == NULL ||
		     (spec->name != NULL && strcmp(tr->body[i].spec, spec->name) == 0)))
			m |= (uint8_t)(1u << i);
	return m;
}

size_t pne_tracker_flow_size(const struct pne_spec *spec)
{
	if (spec == NULL || spec->abi != PNE_TABLE_ABI)
		return 0;
	return (TRK_FLOW_HDR + pne_interp_conn_size_pooled(spec) + 63) / 64 * 64;
}

int pne_tracker_flow_init(struct pne_tracker *tr, void *state,
			  const struct pne_spec *spec, const uint64_t *params,
			  void *flow)
{
	struct trk_flow *f = state;

	if (tr == NULL || f == NULL || pne_tracker_flow_size(spec) == 0 ||
	    ((uintptr_t)state & 7) != 0)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->tr = tr;
	f->cookie = flow;
	f->magic = TRK_MAGIC;
	f->dir[0].held = f->dir[1].held = HOLD_NIL;
	/* both directions start synced; pickup() unsyncs one without a SYN */
	pne_interp_init_pooled(conn_of(f), spec, params, NULL, tr->hdr);
	for (int i = 0; i < 2; i++) {
		f->dir[i].bodies = bodies_of(tr, spec, (enum pne_dir)i);
		if (f->dir[i].bodies)   /* the others report only ADU ends */
			pne_interp_events(conn_of(f), (enum pne_dir)i, PNE_EV_HEAD | PNE_EV_SKIP);
	}
	tr->st.flows++;
	return 0;
}

void pne_tracker_segment(struct pne_tracker *tr, void *state, enum pne_dir dir,
			 const struct pne_tracker_seg *seg, uint64_t now)
{
	struct trk_flow *f = state;
	uint32_t seq, len, wire;

	if (!flow_ok(tr, f) || seg == NULL || (unsigned)dir > PNE_S2C)
		return;
	len = seg->payload != NULL ? seg->len : 0;
	wire = seg->wire_len > seg->len ? seg->wire_len : seg->len;
	tr->st.packets++;
	if (wire > 0)
		tr->st.payload_packets++;
	if ((f->flags & TRKF_CLOSED) || (seg->flags & PNE_TCP_RST)) {
		if (wire > 0)
			tr->st.ignored++;
		if (!(f->flags & TRKF_CLOSED)) {
			tr->st.resets++;
			flow_finish(tr, f);
		}
		return;
	}
	seq = seg->seq;
	if (seg->flags & PNE_TCP_SYN)
		syn(&f->dir[dir], seq++);
	if (seg->flags & PNE_TCP_ACK)
		acked(tr, f, (enum pne_dir)!dir, seg->ack);
	if (wire > 0)
		seg_payload(tr, f, dir, seq, seg->payload, len, wire);
	if (seg->flags & PNE_TCP_FIN)
		fin(&f->dir[dir], seq + wire);
	settle(tr, f, now);
}

void pne_tracker_flow_tick(struct pne_tracker *tr, void *state, uint64_t now)
{
	struct trk_flow *f = state;

	if (!flow_ok(tr, f) || (f->flags & TRKF_CLOSED))
		return;
	settle(tr, f, now);
}

void pne_tracker_flow_close(struct pne_tracker *tr, void *state)
{
	struct trk_flow *f = state;

	if (!flow_ok(tr, f) || (f->flags & TRKF_CLOSED))
		return;
	flow_finish(tr, f);
}

int pne_tracker_subscribe(struct pne_tracker *tr, void *state, enum pne_dir dir,
			  int id, bool on)
{
	struct trk_flow *f = state;

	if (!flow_ok(tr, f) || (unsigned)dir > PNE_S2C || id < 0 || (unsigned)id >= tr->npl)
		return -EINVAL;
	if (on)
		f->dir[dir].subs |= (uint8_t)(1u << id);
	else
		f->dir[dir].subs &= (uint8_t)~(1u << id);
	return 0;
}

const struct pne_interp_conn *pne_tracker_flow_conn(const void *state)
{
	return (const struct pne_interp_conn *)((const char *)state + TRK_FLOW_HDR);
}

uint32_t pne_tracker_flow_held(const void *state)
{
	const struct trk_flow *f = state;

	return f->dir[0].held_bytes + f->dir[1].held_bytes;
}

const struct pne_tracker_stats *pne_tracker_stats(const struct pne_tracker *tr)
{
	return &tr->st;
}

static const char *const stat_name[] = {
#define PNE_TRACKER_STAT(name, desc) #name,
#include "pne/tracker_stats.def"
#undef PNE_TRACKER_STAT
};

static const char *const stat_desc[] = {
#define PNE_TRACKER_STAT(name, desc) desc,
#include "pne/tracker_stats.def"
#undef PNE_TRACKER_STAT
};

static const size_t stat_off[] = {
#define PNE_TRACKER_STAT(name, desc) offsetof(struct pne_tracker_stats, name),
#include "pne/tracker_stats.def"
#undef PNE_TRACKER_STAT
};

static_assert(sizeof(stat_name) / sizeof(stat_name[0]) == PNE_TRACKER_STAT__COUNT,
	      "counter names");
static_assert(sizeof(stat_off) / sizeof(stat_off[0]) == PNE_TRACKER_STAT__COUNT,
	      "counter offsets");
static_assert(sizeof(struct pne_tracker_stats) == PNE_TRACKER_STAT__COUNT * sizeof(uint64_t),
	      "counters are plain uint64_t");

const char *pne_tracker_stat_name(unsigned i)
{
	return i < PNE_TRACKER_STAT__COUNT ? stat_name[i] : NULL;
}

const char *pne_tracker_stat_desc(unsigned i)
{
	return i < PNE_TRACKER_STAT__COUNT ? stat_desc[i] : NULL;
}

uint64_t pne_tracker_stat_value(const struct pne_tracker_stats *st, unsigned i)
{
	if (st == NULL || i >= PNE_TRACKER_STAT__COUNT)
		return 0;
	return *(const uint64_t *)((const char *)st + stat_off[i]);
}
