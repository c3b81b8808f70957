/*
 * libFuzzer target for the stream tracker (runtime/tracker.c, hold.c)
 * and, through it, the interpreter (runtime/interp*.c) with every
 * built-in spec. Built with -DPNE_FUZZ=ON (clang); see
 * tests/fuzz_trk/tests.cmake.
 *
 * The input is a small program: a 4-byte header picks the spec, the
 * tracker's caps (small ones, so the hold caps, the room-making and the
 * gap timeout are reached), the consumers and the ISNs; then 6-byte
 * records drive up to three flows. Each segment's payload is copied to a
 * buffer of exactly its length and freed after the call, so ASan reports
 * a read past the segment or a pointer kept past the call.
 *
 * Header:  [0] spec  [1] caps  [2] consumers  [3] ISN seed
 * Record:  [0] bits 0-1 flow (3: a control operation), bit 2 direction,
 *              bits 3-4 length scale (x1, x4, x32, x256), bit 5
 *              truncated capture, bit 6 sequence number relative to the
 *              ISN instead of the direction's cursor, bit 7 long time step
 *          [1] TCP flags  [2-3] sequence delta (signed, big endian)
 *          [4] length  [5] time step
 *          then min(length, 255) payload bytes (repeated to the length).
 *
 * Beyond memory safety it checks the tracker's contract after every
 * call: the payload counters add up, held bytes stay within the flow and
 * global caps and equal the flows' sum, ADUs of a direction come in
 * stream order without overlap and within their unit's max_len, payload
 * pieces are contiguous, body pieces in order and inside their ADU, and
 * nothing follows a payload END.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pne/packet.h"   /* PNE_TCP_* */
#include "pne/specs.h"
#include "pne/tracker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFLOWS 3
#define HDR_LEN 4
#define REC_LEN 6
#define GAP_TIMEOUT 300

static const size_t memcaps[4] = { 2048, 16u << 10, 64u << 10, 1u << 20 };
static const uint32_t flow_holds[4] = { 512, 2048, 8192, 65536 };
static const uint16_t dir_ranges[4] = { 1, 2, 4, 64 };
static const uint32_t len_scale[4] = { 1, 4, 32, 256 };

/* What a payload or body consumer has seen of one direction. */
struct piece_log {
	uint64_t next;      /* where the next piece must start */
	bool started;       /* a piece was seen since (re)subscription */
	bool ended;         /* END seen: nothing may follow */
	bool in_body;       /* body consumers: a body is open */
	uint64_t body_first;
};

struct fz_flow {
	void *state;
	const struct pne_spec *spec;
	bool open;                 /* initialised and not closed */
	uint64_t adu_end[2];       /* end of the last ADU per direction */
	uint32_t isn[2];
	uint32_t cursor[2];        /* highest sequence number sent + 1 */
	bool subscribed[2];
	struct piece_log pl[2];    /* payload consumer */
	struct piece_log body[2];  /* body consumer */
};

struct fz {
	struct pne_tracker *tr;
	struct pne_tracker_conf conf;
	struct fz_flow fl[NFLOWS];
	int pl_id;
	uint8_t want_bits;
	unsigned sub_dirs;
	uint64_t now;
	uint64_t packets, payload_packets, adus;
	uint64_t sink;             /* bytes touched, so reads aren't elided */
	char json[4096];
};

static size_t nspecs;

static void check(int ok)
{
	if (!ok)
		abort();
}

static struct fz_flow *flow_of(struct fz *z, void *cookie)
{
	for (unsigned i = 0; i < NFLOWS; i++)
		if (cookie == &z->fl[i])
			return &z->fl[i];
	abort();
}

static void touch(struct fz *z, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		z->sink += p[i];
}

static void on_adu(void *flow, const struct pne_adu *adu, void *arg)
{
	struct fz *z = arg;
	struct fz_flow *f = flow_of(z, flow);

	check(adu->event == PNE_ADU_END);
	check(adu->spec == f->spec && (unsigned)adu->dir <= PNE_S2C);
	check(adu->unit < f->spec->nunits);
	check(adu->len <= f->spec->units[adu->unit].max_len);
	check(adu->off + adu->len >= adu->off);
	check(adu->off >= f->adu_end[adu->dir]);
	check(adu->type != NULL);
	f->adu_end[adu->dir] = adu->off + adu->len;
	z->sink += strlen(adu->type);
	z->sink += pne_adu_fields_json(adu, z->json, sizeof(z->json));
	z->adus++;
}

static void on_payload(const struct pne_tracker_payload *p, void *arg)
{
	struct fz *z = arg;
	struct fz_flow *f = flow_of(z, p->flow);
	struct piece_log *l;

	check((unsigned)p->dir <= PNE_S2C);
	l = &f->pl[p->dir];
	check(f->subscribed[p->dir] && !l->ended);
	check(!l->started || p->off == l->next);
	switch (p->kind) {
	case PNE_PAYLOAD_DATA:
		check(p->data != NULL && p->len > 0);
		touch(z, p->data, p->len);
		break;
	case PNE_PAYLOAD_GAP:
		check(p->data == NULL && p->len > 0);
		break;
	case PNE_PAYLOAD_END:
		check(p->len == 0);
		l->ended = true;
		break;
	default:
		abort();   /* ADU pieces go to body consumers only */
	}
	l->started = true;
	l->next = p->off + p->len;
}

static bool body_want(void *flow, const struct pne_adu *head, void *arg)
{
	struct fz *z = arg;

	flow_of(z, flow);
	check(head->event == PNE_ADU_HEAD);
	return (z->want_bits >> ((head->unit + head->len) % 8)) & 1;
}

static void body_piece(const struct pne_tracker_payload *p, void *arg)
{
	struct fz *z = arg;
	struct fz_flow *f = flow_of(z, p->flow);
	struct piece_log *l;

	check((unsigned)p->dir <= PNE_S2C);
	l = &f->body[p->dir];
	switch (p->kind) {
	case PNE_PAYLOAD_DATA:
	case PNE_PAYLOAD_GAP:
		check(p->len > 0 && (p->kind == PNE_PAYLOAD_DATA) == (p->data != NULL));
		if (p->data != NULL)
			touch(z, p->data, p->len);
		if (l->in_body) {
			/* in order; not contiguous: the bytes between two
			 * skips (a chunk-size line) are examined, not body */
			check(p->off >= l->next);
		} else {
			l->in_body = true;
			l->body_first = p->off;
		}
		l->next = p->off + p->len;
		break;
	case PNE_PAYLOAD_ADU_END:
	case PNE_PAYLOAD_ADU_ABORT:
		check(p->adu != NULL && p->len == 0 && p->adu->dir == p->dir);
		check(p->adu->event == (p->kind == PNE_PAYLOAD_ADU_END ? PNE_ADU_END
									 : PNE_ADU_ABORT));
		if (l->in_body)
			check(p->adu->off <= l->body_first);
		/* an ABORT may stop short of GAP pieces already handed over:
		 * a lost hole that runs past the body's end is handed over
		 * up to that end, then drops the ADU where the hole begins */
		if (p->kind == PNE_PAYLOAD_ADU_END)
			check(p->off == p->adu->off + p->adu->len &&
			      (!l->in_body || l->next <= p->off));
		l->in_body = false;
		break;
	default:
		abort();   /* stream pieces go to payload consumers only */
	}
}

static void flow_open(struct fz *z, struct fz_flow *f)
{
	memset(f->adu_end, 0, sizeof(f->adu_end));
	memset(f->pl, 0, sizeof(f->pl));
	memset(f->body, 0, sizeof(f->body));
	f->cursor[0] = f->isn[0];
	f->cursor[1] = f->isn[1];
	check(pne_tracker_flow_init(z->tr, f->state, f->spec, NULL, f) == 0);
	for (int d = 0; d < 2; d++) {
		f->subscribed[d] = (z->sub_dirs >> d) & 1;
		if (f->subscribed[d])
			check(pne_tracker_subscribe(z->tr, f->state, (enum pne_dir)d,
						    z->pl_id, true) == 0);
	}
	f->open = true;
}

static void flow_close(struct fz *z, struct fz_flow *f)
{
	pne_tracker_flow_close(z->tr, f->state);
	check(pne_tracker_flow_held(f->state) == 0);
	f->open = false;
}

/* The tracker's contract, after every call. */
static void invariants(struct fz *z)
{
	const struct pne_tracker_stats *st = pne_tracker_stats(z->tr);
	uint64_t held = 0;

	check(st->packets == z->packets);
	check(st->payload_packets == z->payload_packets);
	check(st->examined + st->skipped + st->ignored + st->delivered == st->payload_packets);
	check(st->adus == z->adus);
	check(st->held_bytes <= z->conf.memcap && st->held_bytes <= st->held_peak);
	for (unsigned i = 0; i < NFLOWS; i++) {
		uint32_t h = pne_tracker_flow_held(z->fl[i].state);

		check(h <= z->conf.flow_hold);
		held += h;
	}
	check(held == st->held_bytes);
}

/* A control record: tick, close and reopen, (un)subscribe. */
static void control(struct fz *z, const uint8_t *r)
{
	struct fz_flow *f = &z->fl[r[1] % NFLOWS];
	enum pne_dir d = (enum pne_dir)((r[1] >> 2) & 1);
	bool on;

	switch ((r[0] >> 2) % 4) {
	case 0:
		z->now += r[5];
		pne_tracker_flow_tick(z->tr, f->state, z->now);
		break;
	case 1:
		flow_close(z, f);
		flow_open(z, f);
		break;
	case 2:
		on = (r[1] >> 3) & 1;
		check(pne_tracker_subscribe(z->tr, f->state, d, z->pl_id, on) == 0);
		if (on && !f->subscribed[d])
			f->pl[d].started = false;   /* resumes at the next byte */
		f->subscribed[d] = on;
		break;
	default:
		z->now += (uint64_t)r[5] << 10;
		break;
	}
}

/* One segment record; returns the input bytes it used past the record. */
static size_t segment(struct fz *z, const uint8_t *r, const uint8_t *rest, size_t avail)
{
	struct fz_flow *f = &z->fl[r[0] & 3];
	enum pne_dir d = (enum pne_dir)((r[0] >> 2) & 1);
	uint32_t len = r[4] * len_scale[(r[0] >> 3) & 3];
	int16_t delta = (int16_t)(((unsigned)r[2] << 8) | r[3]);
	size_t raw = r[4] < avail ? r[4] : avail;
	struct pne_tracker_seg seg = { .flags = r[1], .len = len };
	uint8_t *buf = NULL;

	if (raw == 0)
		len = seg.len = 0;
	if (len > 0) {
		buf = malloc(len);
		check(buf != NULL);
		for (uint32_t i = 0; i < len; i++)
			buf[i] = rest[i % raw];
	}
	seg.payload = buf;
	if (r[0] & 0x40)
		seg.seq = f->isn[d] + (uint16_t)delta;
	else
		seg.seq = f->cursor[d] + (uint32_t)(int32_t)delta;
	if (seg.flags & PNE_TCP_SYN)
		seg.seq = f->isn[d] + (uint32_t)(int32_t)(delta % 4);
	seg.wire_len = (r[0] & 0x20) ? len + (r[2] & 0x3f) + 1 : len;
	/* an ACK near where the other direction is: holes get acknowledged */
	seg.ack = f->cursor[!d] + (uint32_t)(int32_t)delta;
	z->now += (r[0] & 0x80) ? (uint64_t)r[5] << 6 : r[5];
	pne_tracker_segment(z->tr, f->state, d, &seg, z->now);
	z->packets++;
	z->payload_packets += seg.wire_len > 0;
	free(buf);
	if ((int32_t)(seg.seq + seg.wire_len - f->cursor[d]) > 0)
		f->cursor[d] = seg.seq + seg.wire_len + !!(seg.flags & PNE_TCP_SYN);
	return raw;
}

static int setup(struct fz *z, const uint8_t *h)
{
	const struct pne_spec *spec = pne_builtin_specs[h[0] % nspecs];
	unsigned body_dirs = (h[2] >> 2) & 3;

	z->conf.memcap = memcaps[h[1] & 3];
	z->conf.flow_hold = flow_holds[(h[1] >> 2) & 3];
	z->conf.dir_ranges = dir_ranges[(h[1] >> 4) & 3];
	z->conf.gap_timeout = (h[1] & 0x40) ? GAP_TIMEOUT : 0;
	z->sub_dirs = h[2] & 3;
	z->want_bits = (uint8_t)((h[2] >> 4) * 0x11);
	z->tr = pne_tracker_create(&z->conf);
	if (z->tr == NULL)
		return -1;
	check(pne_tracker_on_adu(z->tr, on_adu, z) == 0);
	z->pl_id = pne_tracker_on_payload(z->tr, on_payload, z);
	check(z->pl_id >= 0);
	if (body_dirs)
		check(pne_tracker_on_body(z->tr, NULL, body_dirs, body_want, body_piece, z) >= 0);
	for (unsigned i = 0; i < NFLOWS; i++) {
		struct fz_flow *f = &z->fl[i];
		size_t sz;

		/* bit 7: each flow its own spec, so flows of different
		 * sizes share the pool */
		f->spec = (h[1] & 0x80) ? pne_builtin_specs[(h[0] + i) % nspecs] : spec;
		sz = pne_tracker_flow_size(f->spec);
		check(sz > 0 && sz % 64 == 0);
		f->state = aligned_alloc(64, sz);
		if (f->state == NULL)
			return -1;
		memset(f->state, 0xa5, sz);   /* init must not rely on zeroes */
		/* near the top of sequence space for high seeds: wraps */
		f->isn[0] = ((uint32_t)h[3] << 24) + 0x00fff000u * (i + 1);
		f->isn[1] = f->isn[0] ^ 0x5a5a5a5au;
		flow_open(z, f);
	}
	return 0;
}

static void teardown(struct fz *z)
{
	bool all = z->tr != NULL;

	for (unsigned i = 0; i < NFLOWS; i++) {
		all &= z->fl[i].state != NULL;
		if (z->fl[i].state != NULL && z->fl[i].open)
			flow_close(z, &z->fl[i]);
	}
	if (all) {
		invariants(z);
		check(pne_tracker_stats(z->tr)->held_bytes == 0);
	}
	for (unsigned i = 0; i < NFLOWS; i++)
		free(z->fl[i].state);
	pne_tracker_destroy(z->tr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz z;
	size_t pos = HDR_LEN;

	if (nspecs == 0)
		while (pne_builtin_specs[nspecs] != NULL)
			nspecs++;
	if (size < HDR_LEN || nspecs == 0)
		return 0;
	memset(&z, 0, sizeof(z));
	if (setup(&z, data) != 0)
		goto out;
	while (size - pos >= REC_LEN) {
		const uint8_t *r = data + pos;

		pos += REC_LEN;
		if ((r[0] & 3) == 3)
			control(&z, r);
		else
			pos += segment(&z, r, data + pos, size - pos);
		invariants(&z);
	}
out:
	teardown(&z);
	return 0;
}
