/*
 * The packet pipeline of one worker (include/pne/pipe.h): the flow
 * table's payload is a struct pne_pipe_flow (the TCP bookkeeping the
 * pipeline needs per connection) followed by the host's bytes; tracker
 * state lives apart, in blocks from per-spec free lists, because specs'
 * state sizes differ by two orders of magnitude (HTTP's header buffer
 * makes it 33 KiB, most others are under 1 KiB): sizing every table
 * entry for the largest would cost gigabytes at a useful max_flows.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pne/adu_log.h"
#include "pne/pipe.h"
#include "pne/tcp_seq.h"

#define STATE_ALIGN 64
#define NS_PER_S 1000000000ull

/*
 * One connection: the flow table's payload, kept to 40 bytes so that it
 * and up to 24 host bytes share the cache line after the entry header
 * (the table rounds payloads up to 64): a million entries are then
 * 128 MiB plus buckets. The label is not stored (pne_pipe_flow_label()
 * formats it on demand) and the per-endpoint flags are bits.
 */
struct pne_pipe_flow {
	void *state;           /* tracker state (a pool block), NULL: untracked
	                          or released once the tracker closed it */
	uint32_t ack[2];       /* last ACK sent by key endpoint i */
	uint32_t win[2];       /* its window, scaled when the scale is known */
	uint32_t isn[2];       /* endpoint i's ISN: its SYN's sequence number,
	                          or the ACK of the peer's SYN-ACK minus 1 */
	uint16_t bits;         /* FB_* */
	uint8_t spec;          /* index in conf.specs, or PNE_PIPE_NO_SPEC */
	uint8_t wscale[2];     /* endpoint i's window scale option, 0xff: none */
};

static_assert(sizeof(struct pne_pipe_flow) == 40, "pipe flow stays 40 bytes");

/* Bits of struct pne_pipe_flow.bits; i is a key endpoint (0, 1). */
#define FB_HAS_ACK(i)  (0x001u << (i))   /* ack[i], win[i] known */
#define FB_SYN(i)      (0x004u << (i))   /* endpoint i's SYN seen */
#define FB_HAS_ISN(i)  (0x010u << (i))   /* isn[i] known for this connection */
#define FB_SYN_SENT(i) (0x040u << (i))   /* endpoint i sent a SYN, no ACK yet */
#define FB_TRK_SYN(dir) (0x100u << (dir)) /* the tracker has direction dir's SYN */
#define FB_CLIENT_HI   0x400u            /* the client was endpoint 1 at the start */

static inline int fb(const struct pne_pipe_flow *f, unsigned bit)
{
	return (f->bits & bit) != 0;
}

static inline void fb_set(struct pne_pipe_flow *f, unsigned bit, int on)
{
	f->bits = (uint16_t)(on ? f->bits | bit : f->bits & ~bit);
}

/* The host's bytes follow, 8-byte aligned (the entry is 64-aligned). */
#define USER_OFF ((sizeof(struct pne_pipe_flow) + 7) & ~(size_t)7)

/* Free tracker state blocks of one spec, linked through their first
 * bytes. */
struct pool {
	void *free;
	size_t size;           /* pne_tracker_flow_size() of the spec */
};

struct pne_pipe {
	struct pne_flow_table *ft;
	struct pne_tracker *tr;
	const struct pne_pipe_spec *specs;
	unsigned nspecs;
	const uint8_t *port_spec;
	unsigned expire_budget;
	size_t state_memcap;
	uint32_t user_size;
	pne_tracker_adu_cb on_adu;
	void *adu_arg;
	struct pne_pipe_hooks hooks;
	struct pool pool[PNE_PIPE_MAX_SPECS];
	struct pne_pipe_stats st;
};

static const char *const end_name[PNE_PIPE_END__COUNT] = {
	[PNE_PIPE_END_FIN] = "fin", [PNE_PIPE_END_RST] = "rst",
	[PNE_PIPE_END_TIMEOUT] = "timeout", [PNE_PIPE_END_EVICTED] = "evicted",
	[PNE_PIPE_END_EOF] = "eof",
};

const char *pne_pipe_end_name(enum pne_pipe_end how)
{
	return (unsigned)how < PNE_PIPE_END__COUNT ? end_name[how] : "?";
}

/* ---- tracker state blocks ---- */

/* Give back other specs' free blocks until size more bytes fit the cap:
 * otherwise one spec's burst of connections would keep every other
 * spec untracked for good. */
static void pool_reclaim(struct pne_pipe *p, size_t size)
{
	for (unsigned i = 0; i < p->nspecs; i++) {
		struct pool *o = &p->pool[i];

		while (o->free != NULL && p->st.state_bytes_pooled + size > p->state_memcap) {
			void *b = o->free;

			o->free = *(void **)b;
			free(b);
			p->st.state_bytes_pooled -= o->size;
		}
	}
}

static void *state_get(struct pne_pipe *p, unsigned idx)
{
	struct pool *pl = &p->pool[idx];
	void *b = pl->free;

	if (b != NULL) {
		pl->free = *(void **)b;
		return b;
	}
	if (p->state_memcap != 0 && p->st.state_bytes_pooled + pl->size > p->state_memcap) {
		pool_reclaim(p, pl->size);
		if (p->st.state_bytes_pooled + pl->size > p->state_memcap)
			return NULL;
	}
	b = aligned_alloc(STATE_ALIGN, pl->size);
	if (b != NULL)
		p->st.state_bytes_pooled += pl->size;
	return b;
}

static void state_put(struct pne_pipe *p, unsigned idx, void *b)
{
	struct pool *pl = &p->pool[idx];

	*(void **)b = pl->free;
	pl->free = b;
}

static void pools_free(struct pne_pipe *p)
{
	for (unsigned i = 0; i < PNE_PIPE_MAX_SPECS; i++) {
		struct pool *pl = &p->pool[i];

		while (pl->free != NULL) {
			void *b = pl->free;

			pl->free = *(void **)b;
			free(b);
			p->st.state_bytes_pooled -= pl->size;
		}
	}
}

/* ---- flow labels ---- */

/*
 * The label of the flow asked for last, per thread: a pipeline belongs
 * to one thread, and a host asks for one flow's label at a time (an ADU
 * log line, a record), so one formatted label serves repeated calls
 * without 112 bytes in every table entry. A flow's label can change
 * only when a new connection takes its entry (flow_start()), which
 * forgets it here.
 */
static _Thread_local struct {
	const struct pne_pipe_flow *flow;
	char buf[PNE_FLOW_LABEL_MAX];
} label_cache;

static void label_forget(const struct pne_pipe_flow *f)
{
	if (label_cache.flow == f)
		label_cache.flow = NULL;
}

/* ---- connections start and end ---- */

static void interp_sum(struct pne_interp_stats *sum, const struct pne_interp_stats *s)
{
	sum->adus += s->adus;
	sum->bytes_examined += s->bytes_examined;
	sum->bytes_skipped += s->bytes_skipped;
	sum->invalid += s->invalid;
	sum->resyncs += s->resyncs;
	sum->partial += s->partial;
	sum->forced += s->forced;
}

/* The connection's tracker state ends: last ADUs out, counters summed,
 * the block back on its free list. */
static void flow_release(struct pne_pipe *p, struct pne_pipe_flow *f)
{
	if (f->state == NULL)
		return;
	pne_tracker_flow_close(p->tr, f->state);
	interp_sum(&p->st.interp, pne_interp_stats(pne_tracker_flow_conn(f->state)));
	p->st.state_bytes -= p->pool[f->spec].size;
	state_put(p, f->spec, f->state);
	f->state = NULL;
}

/*
 * Both directions closed by the tracker (both FINs delivered, or an RST):
 * nothing more can come of the state, so it goes back to its free list
 * now rather than when the entry leaves the table, which for a closed
 * connection is the closing timeout later (TIME-WAIT). The entry stays
 * for that time, so retransmissions still find the connection (counted
 * as untracked segments) and a reused four-tuple is still told apart.
 * Called only once the flow table saw both FINs or an RST: the tracker
 * can't have closed both directions before.
 */
static void release_closed(struct pne_pipe *p, struct pne_pipe_flow *f)
{
	const struct pne_interp_conn *conn = pne_tracker_flow_conn(f->state);

	if (pne_interp_status(conn, PNE_C2S) == PNE_IS_CLOSED &&
	    pne_interp_status(conn, PNE_S2C) == PNE_IS_CLOSED)
		flow_release(p, f);
}

/* How a connection ended follows from its last state and why it left
 * the flow table. */
static void flow_end(struct pne_pipe *p, struct pne_pipe_flow *f, enum pne_flow_state st,
		     enum pne_flow_evict_reason reason)
{
	static const uint8_t by_reason[PNE_FLOW_EVICT__COUNT] = {
		[PNE_FLOW_EVICT_IDLE] = PNE_PIPE_END_TIMEOUT,
		[PNE_FLOW_EVICT_CLOSED] = PNE_PIPE_END_FIN,
		[PNE_FLOW_EVICT_FULL] = PNE_PIPE_END_EVICTED,
		[PNE_FLOW_EVICT_FLUSH] = PNE_PIPE_END_EOF,
	};
	enum pne_pipe_end how = st == PNE_FLOW_RST ? PNE_PIPE_END_RST :
				st == PNE_FLOW_FIN_BOTH ? PNE_PIPE_END_FIN :
				(enum pne_pipe_end)by_reason[reason];

	flow_release(p, f);
	if (p->hooks.flow_end != NULL)
		p->hooks.flow_end(f, how, st, p->hooks.arg);
}

static void on_evict(struct pne_flow_entry *e, void *payload,
		     enum pne_flow_evict_reason reason, void *arg)
{
	flow_end(arg, payload, pne_flow_state(e), reason);
}

/* A new connection (or a reused four-tuple): the spec of the server's
 * port, the client being known once pne_flow_tcp_update() has seen the
 * first segment (the SYN sender; mid-stream, the higher port). */
static void flow_start(struct pne_pipe *p, struct pne_flow_entry *e, struct pne_pipe_flow *f,
		       uint64_t now)
{
	unsigned server = pne_flow_client_is_high(e) ? 0 : 1;
	uint8_t idx = p->port_spec[e->key.port[server]];
	const struct pne_pipe_spec *s;

	label_forget(f);
	fb_set(f, FB_CLIENT_HI, server == 0);
	f->spec = idx;
	memset((char *)f + USER_OFF, 0, p->user_size);
	if (idx == PNE_PIPE_NO_SPEC) {
		p->st.flows_untracked++;
		goto started;
	}
	s = &p->specs[idx];
	f->state = state_get(p, idx);
	if (f->state == NULL) {
		p->st.state_alloc_failures++;
		f->spec = PNE_PIPE_NO_SPEC;
		p->st.flows_untracked++;
		goto started;
	}
	pne_tracker_flow_init(p->tr, f->state, s->spec, s->params, f);
	p->st.flows_tracked++;
	p->st.flows_by_spec[idx]++;
	p->st.state_bytes += p->pool[idx].size;
	if (p->st.state_bytes > p->st.state_bytes_peak)
		p->st.state_bytes_peak = p->st.state_bytes;
started:
	if (pne_flow_count(p->ft) > p->st.flows_peak)
		p->st.flows_peak = pne_flow_count(p->ft);
	if (p->hooks.flow_start != NULL)
		p->hooks.flow_start(f, now, p->hooks.arg);
}

/* ---- TCP bookkeeping ---- */

/*
 * RFC 5961 section 3.2: an RST is acceptable when its sequence number
 * lies in the receiver's window, [RCV.NXT, RCV.NXT + RCV.WND), which an
 * observer reads from the receiver's last ACK and window. A receiver in
 * SYN-SENT (its SYN out, no ACK from it yet) takes only an RST that
 * acknowledges its SYN (RFC 9293 section 3.10.7.3). Without an ACK from
 * the receiver there is nothing else to check against: accepted.
 */
static int rst_acceptable(const struct pne_pipe_flow *f, const struct pne_pkt *pkt)
{
	unsigned rcv = !pkt->dir_flip;
	uint32_t wnd;

	if (fb(f, FB_SYN_SENT(rcv)))
		return (pkt->flags & PNE_TCP_ACK) && fb(f, FB_HAS_ISN(rcv)) &&
		       pkt->ack == f->isn[rcv] + 1;
	if (!fb(f, FB_HAS_ACK(rcv)))
		return 1;
	wnd = f->win[rcv] > 0 ? f->win[rcv] : 1;
	return pne_seq_in(pkt->seq, f->ack[rcv], f->ack[rcv] + wnd);
}

/* Remember what the RST check needs from each endpoint's segments. The
 * window scale applies once both SYNs carried the option (RFC 7323
 * section 2.2); a connection picked up mid-stream may use any scale, so
 * its windows are taken at the largest (the check errs on accepting). */
static void note_endpoint(struct pne_pipe_flow *f, const struct pne_pkt *pkt)
{
	unsigned from = pkt->dir_flip;
	unsigned shift;

	if (pkt->flags & PNE_TCP_SYN) {
		f->bits |= FB_SYN(from);
		f->wscale[from] = (pkt->opts & PNE_TCPOPT_WSCALE) ? pkt->wscale : 0xff;
		return;   /* a SYN's window is never scaled; don't use it */
	}
	if (!(pkt->flags & PNE_TCP_ACK))
		return;
	if ((f->bits & (FB_SYN(0) | FB_SYN(1))) != (FB_SYN(0) | FB_SYN(1)))
		shift = 14;
	else if (f->wscale[0] == 0xff || f->wscale[1] == 0xff)
		shift = 0;
	else
		shift = f->wscale[from];
	f->ack[from] = pkt->ack;
	f->win[from] = (uint32_t)pkt->window << shift;
	f->bits |= FB_HAS_ACK(from);
}

/*
 * Initial sequence numbers. A SYN-ACK acknowledges its peer's SYN, so it
 * gives the peer's ISN even when that SYN comes late or never (a capture
 * starting at the SYN-ACK, a reordered handshake). A bare SYN repeating
 * the connection's ISN is a retransmission, not a new connection (port
 * reuse takes a new ISN, RFC 9293 section 3.4.1): it loses its SYN bit
 * before the flow table sees it. Returns the segment's flags.
 */
static uint8_t syn_check(const struct pne_pipe_flow *f, const struct pne_flow_entry *e,
			 const struct pne_pkt *pkt, uint8_t flags)
{
	unsigned from = pkt->dir_flip;

	if ((flags & (PNE_TCP_SYN | PNE_TCP_ACK)) == PNE_TCP_SYN &&
	    pne_flow_state(e) != PNE_FLOW_NEW && fb(f, FB_HAS_ISN(from)) &&
	    pkt->seq == f->isn[from])
		flags &= (uint8_t)~PNE_TCP_SYN;
	return flags;
}

static void note_isn(struct pne_pipe_flow *f, const struct pne_pkt *pkt, uint8_t flags,
		     int start)
{
	unsigned from = pkt->dir_flip;

	if (start) {   /* a new connection: nothing known of it yet */
		f->bits &= (uint16_t)~(FB_HAS_ISN(0) | FB_HAS_ISN(1) | FB_TRK_SYN(PNE_C2S) |
				       FB_TRK_SYN(PNE_S2C) | FB_SYN_SENT(!from));
	}
	if (flags & PNE_TCP_ACK)
		fb_set(f, FB_SYN_SENT(from), 0);
	if (!(flags & PNE_TCP_SYN))
		return;
	f->isn[from] = pkt->seq;
	f->bits |= FB_HAS_ISN(from);
	fb_set(f, FB_SYN_SENT(from), !(flags & PNE_TCP_ACK));
	if ((flags & PNE_TCP_ACK) && !fb(f, FB_HAS_ISN(!from))) {
		f->isn[!from] = pkt->ack - 1;
		f->bits |= FB_HAS_ISN(!from);
	}
}

/* A direction whose SYN the tracker state missed, but whose ISN the
 * peer's SYN-ACK told: its first segment at ISN + 1 carries the SYN to
 * the tracker (one sequence number earlier), so the direction starts
 * synced at offset 0 instead of being picked up mid-stream. */
static void syn_owed(struct pne_pipe_flow *f, const struct pne_pkt *pkt, enum pne_dir dir,
		     struct pne_tracker_seg *seg)
{
	if (!(seg->flags & PNE_TCP_SYN) && !fb(f, FB_TRK_SYN(dir)) &&
	    fb(f, FB_TRK_SYN(!dir)) && fb(f, FB_HAS_ISN(pkt->dir_flip)) &&
	    seg->seq == f->isn[pkt->dir_flip] + 1) {
		seg->seq--;
		seg->flags |= PNE_TCP_SYN;
	}
	if (seg->flags & PNE_TCP_SYN)
		f->bits |= FB_TRK_SYN(dir);
}

/* ---- per packet ---- */

void pne_pipe_count(struct pne_pipe *p, const struct pne_pkt *pkt, enum pne_pkt_result res,
		    uint32_t caplen, uint32_t wire_len)
{
	p->st.packets++;
	p->st.wire_bytes += wire_len;
	p->st.cap_bytes += caplen;
	if ((unsigned)res < PNE_PKT__COUNT)
		p->st.parse[res]++;
	if (res != PNE_PKT_OK)
		return;
	p->st.segments++;
	if (pkt->payload_wire_len > 0) {
		p->st.payload_packets++;
		p->st.payload_bytes += pkt->payload_wire_len;
	}
}

void pne_pipe_segment(struct pne_pipe *p, const struct pne_pkt *pkt, const uint8_t *frame,
		      uint32_t wire_len, uint64_t now)
{
	struct pne_tracker_seg seg = {
		.seq = pkt->seq, .flags = pkt->flags, .payload = pkt->payload,
		.len = pkt->payload_len, .wire_len = pkt->payload_wire_len,
		.ack = pkt->ack,
	};
	enum pne_flow_state old_state;
	struct pne_flow_entry *e;
	struct pne_pipe_flow *f;
	enum pne_dir dir;
	int rc, start;

	rc = pne_flow_lookup_or_insert(p->ft, &pkt->key, pkt->hash, now, &e);
	if (rc < 0) {
		p->st.no_flow_packets++;
		return;
	}
	f = pne_flow_payload(e);
	start = rc == 1;
	if (start)
		memset(f, 0, sizeof(*f));
	if ((seg.flags & PNE_TCP_RST) && !rst_acceptable(f, pkt)) {
		seg.flags &= (uint8_t)~PNE_TCP_RST;   /* blind or stale: not a close */
		p->st.rst_ignored++;
	}
	seg.flags = syn_check(f, e, pkt, seg.flags);
	note_endpoint(f, pkt);
	old_state = pne_flow_state(e);
	if (pne_flow_tcp_update(p->ft, e, seg.flags, pkt->dir_flip, now) == 1) {
		/* port reuse: the old connection ends */
		flow_end(p, f, old_state, PNE_FLOW_EVICT_CLOSED);
		start = 1;
	}
	note_isn(f, pkt, seg.flags, start);
	if (start)
		flow_start(p, e, f, now);
	dir = pne_flow_dir(e, pkt->dir_flip);
	if (f->state == NULL) {
		if (p->hooks.segment != NULL)
			p->hooks.segment(f, dir, pkt, seg.flags, frame, wire_len, now,
					 p->hooks.arg);
		p->st.untracked_segments++;
		p->st.untracked_payload_packets += pkt->payload_wire_len > 0;
		return;
	}
	syn_owed(f, pkt, dir, &seg);
	if (p->hooks.segment != NULL)
		p->hooks.segment(f, dir, pkt, seg.flags, frame, wire_len, now, p->hooks.arg);
	pne_tracker_segment(p->tr, f->state, dir, &seg, now);
	if (pne_flow_state(e) == PNE_FLOW_FIN_BOTH || pne_flow_state(e) == PNE_FLOW_RST)
		release_closed(p, f);
}

void pne_pipe_prefetch(struct pne_pipe *p, const struct pne_pkt *pkt)
{
	pne_flow_prefetch(p->ft, pkt->hash);
}

unsigned pne_pipe_expire(struct pne_pipe *p, uint64_t now, unsigned budget)
{
	return pne_flow_expire(p->ft, now, budget);
}

enum pne_pkt_result pne_pipe_packet(struct pne_pipe *p, const uint8_t *frame,
				    uint32_t caplen, uint32_t wire_len, int linktype,
				    uint64_t now)
{
	struct pne_pkt pkt;
	enum pne_pkt_result res = pne_pkt_parse(frame, caplen, wire_len, linktype, &pkt);

	pne_pipe_count(p, &pkt, res, caplen, wire_len);
	pne_flow_expire(p->ft, now, p->expire_budget);
	if (res == PNE_PKT_OK)
		pne_pipe_segment(p, &pkt, frame, wire_len, now);
	return res;
}

void pne_pipe_flush(struct pne_pipe *p)
{
	pne_flow_flush(p->ft);
}

/* ---- ADUs ---- */

/* The tracker's first ADU consumer: the counters, then the host's. */
static void pipe_adu(void *flow, const struct pne_adu *adu, void *arg)
{
	struct pne_pipe *p = arg;
	struct pne_pipe_flow *f = flow;

	p->st.adus++;
	p->st.adus_unsynced += !adu->synced;
	p->st.adus_closed += adu->closed != 0;
	p->st.adus_by_spec[f->spec]++;
	if (p->on_adu != NULL)
		p->on_adu(flow, adu, p->adu_arg);
}

/* ---- create, destroy ---- */

static int conf_ok(const struct pne_pipe_conf *c)
{
	if (c == NULL || c->nspecs > PNE_PIPE_MAX_SPECS || c->port_spec == NULL ||
	    (c->nspecs > 0 && c->specs == NULL) || (c->alloc == NULL) != (c->free == NULL) ||
	    USER_OFF + (uint64_t)c->user_size > UINT32_MAX)
		return 0;
	for (unsigned i = 0; i < c->nspecs; i++)
		if (c->specs[i].spec == NULL || pne_tracker_flow_size(c->specs[i].spec) == 0)
			return 0;
	/* a port mapped past the specs would index out of them per packet */
	for (unsigned port = 0; port < 65536; port++)
		if (c->port_spec[port] != PNE_PIPE_NO_SPEC && c->port_spec[port] >= c->nspecs)
			return 0;
	return 1;
}

struct pne_pipe *pne_pipe_create(const struct pne_pipe_conf *conf)
{
	static const uint64_t def_tmo_s[PNE_FLOW_TMO__COUNT] = {
		[PNE_FLOW_TMO_ESTABLISHED] = 3600,
		[PNE_FLOW_TMO_CLOSING] = 60,
		[PNE_FLOW_TMO_HALF_OPEN] = 60,
	};
	struct pne_flow_table_conf fc = { 0 };
	struct pne_pipe *p;
	int err;

	if (!conf_ok(conf)) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->specs = conf->specs;
	p->nspecs = conf->nspecs;
	p->port_spec = conf->port_spec;
	p->expire_budget = conf->expire_budget ? conf->expire_budget
					       : PNE_PIPE_DEF_EXPIRE_BUDGET;
	p->state_memcap = conf->state_memcap;
	p->user_size = conf->user_size;
	p->on_adu = conf->on_adu;
	p->adu_arg = conf->adu_arg;
	p->hooks = conf->hooks;
	for (unsigned i = 0; i < p->nspecs; i++)
		p->pool[i].size = pne_tracker_flow_size(p->specs[i].spec);

	fc.max_flows = conf->max_flows ? conf->max_flows : PNE_PIPE_DEF_MAX_FLOWS;
	fc.payload_size = (uint32_t)(USER_OFF + conf->user_size);
	for (int i = 0; i < PNE_FLOW_TMO__COUNT; i++)
		fc.timeout[i] = conf->timeout[i] ? conf->timeout[i] : def_tmo_s[i] * NS_PER_S;
	fc.on_evict = on_evict;
	fc.evict_arg = p;
	fc.alloc = conf->alloc;
	fc.free = conf->free;
	fc.alloc_arg = conf->alloc_arg;
	p->ft = pne_flow_table_create(&fc);
	if (p->ft == NULL)
		goto fail;
	p->tr = pne_tracker_create(&conf->tracker);
	if (p->tr == NULL)
		goto fail;
	if (pne_tracker_on_adu(p->tr, pipe_adu, p) != 0) {
		errno = ENOMEM;
		goto fail;
	}
	return p;
fail:
	err = errno;
	pne_tracker_destroy(p->tr);
	pne_flow_table_destroy(p->ft);
	free(p);
	errno = err;
	return NULL;
}

void pne_pipe_destroy(struct pne_pipe *p)
{
	if (p == NULL)
		return;
	pne_flow_flush(p->ft);
	label_cache.flow = NULL;   /* its entries' addresses may come back */
	pne_flow_table_destroy(p->ft);
	pools_free(p);
	pne_tracker_destroy(p->tr);
	free(p);
}

/* ---- accessors ---- */

struct pne_tracker *pne_pipe_tracker(struct pne_pipe *p)
{
	return p->tr;
}

const struct pne_pipe_stats *pne_pipe_stats(const struct pne_pipe *p)
{
	return &p->st;
}

const struct pne_tracker_stats *pne_pipe_tracker_stats(const struct pne_pipe *p)
{
	return pne_tracker_stats(p->tr);
}

const struct pne_flow_stats *pne_pipe_flow_stats(const struct pne_pipe *p)
{
	return pne_flow_stats(p->ft);
}

uint32_t pne_pipe_flow_count(const struct pne_pipe *p)
{
	return pne_flow_count(p->ft);
}

struct pne_flow_entry *pne_pipe_flow_entry(struct pne_pipe_flow *f)
{
	return pne_flow_entry_of(f);
}

unsigned pne_pipe_flow_spec(const struct pne_pipe_flow *f)
{
	return f->spec;
}

void *pne_pipe_flow_state(struct pne_pipe_flow *f)
{
	return f->state;
}

void *pne_pipe_flow_user(struct pne_pipe_flow *f)
{
	return (char *)f + USER_OFF;
}

const char *pne_pipe_flow_label(struct pne_pipe_flow *f)
{
	struct pne_flow_entry *e;

	if (label_cache.flow != f) {
		e = pne_flow_entry_of(f);
		/* the client as the connection started: a SYN reusing the
		 * four-tuple may have turned the entry's around before the
		 * old connection's last ADUs are out */
		pne_flow_label(label_cache.buf, e->key.addr, e->key.port, fb(f, FB_CLIENT_HI));
		label_cache.flow = f;
	}
	return label_cache.buf;
}
