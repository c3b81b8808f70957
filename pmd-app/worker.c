/*
 * One worker lcore, run to completion: for each of its (port, queue)s,
 * rx burst -> parse every frame (prefetching ahead) -> prefetch the flow
 * entries -> track each segment (pne_pipe_segment()) -> tx burst to the
 * paired port (inline) or free (monitor). No lock and no allocation on
 * this path: the pipeline's flow table and tracker state come from free
 * lists after warm-up, ADU lines go into preallocated log buffers.
 *
 * A frame in several mbuf segments (a jumbo frame on small mbufs) is
 * copied whole into the worker's scratch buffer to be parsed; such a
 * burst is tracked frame by frame (the scratch holds one frame).
 *
 * The pipeline is created here, on the worker's lcore, so its memory is
 * first touched -- and placed, on a NUMA machine -- where it is used.
 *
 * --bench (bench.c) runs this same loop, worker_turn() by worker_turn(),
 * one replay of a capture per pass, from a ring port.
 */
#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "pmd.h"

#define TX_RETRIES  8          /* tx bursts tried before dropping the rest */
#define EXPIRE_BUDGET PNE_PIPE_DEF_EXPIRE_BUDGET
#define SNAP_US     100000     /* snapshot refresh period */
#define LOG_PUSH_US 100000     /* a partly filled log buffer waits at most */

uint64_t pmd_now_ns(const struct pmd_app *app, uint64_t tsc)
{
	/* 1 s in at the start: no pipeline time is 0, and "now minus a
	 * short interval" never wraps below the clock's start */
	return (uint64_t)(((unsigned __int128)(tsc - app->tsc0) * app->ns_mult) >> 32) +
	       1000000000u;
}

static void count_type(struct pmd_worker *w, const struct pne_adu *adu, unsigned spec)
{
	const char *type = adu->type != NULL ? adu->type : "";

	for (unsigned i = 0; i < w->ntypes; i++) {
		if (w->types[i].type == type && w->types[i].spec == spec) {
			w->types[i].n++;
			return;
		}
	}
	if (w->ntypes == PMD_MAX_TYPES) {
		w->types_overflow++;
		return;
	}
	w->types[w->ntypes].type = type;
	w->types[w->ntypes].spec = spec;
	w->types[w->ntypes].n = 1;
	w->ntypes++;
}

/* The pipeline's ADU callback (flow cookie: struct pne_pipe_flow *). */
static void on_adu(void *flow, const struct pne_adu *adu, void *arg)
{
	struct pmd_worker *w = arg;
	struct pne_pipe_flow *f = flow;

	count_type(w, adu, pne_pipe_flow_spec(f));
	if (w->app->adus != NULL)
		pmd_log_adu(w, pne_pipe_flow_label(f), adu);
}

static int worker_setup(struct pmd_worker *w)
{
	struct pmd_app *app = w->app;
	struct pne_pipe_conf pc = {
		.specs = app->pspecs,
		.nspecs = app->specs.n,
		.port_spec = app->specs.port_spec,
		.max_flows = app->o.pipe.max_flows,
		.tracker = app->o.pipe.tconf,
		.on_adu = on_adu,
		.adu_arg = w,
	};

	memcpy(pc.timeout, app->o.pipe.tmo, sizeof(pc.timeout));
	w->burst = PMD_BURST;
	if (!app->o.no_track) {
		w->own_pipe = pne_pipe_create(&pc);
		if (w->own_pipe == NULL)
			return errno != 0 ? errno : ENOMEM;
		w->pipe = w->own_pipe;
	}
	return 0;
}

/* Publish the counters others read (see struct pmd_snapshot). */
static void snapshot(struct pmd_worker *w)
{
	__atomic_store_n(&w->snap_seq, w->snap_seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (w->own_pipe != NULL) {
		w->snap.pipe = *pne_pipe_stats(w->own_pipe);
		w->snap.tracker = *pne_pipe_tracker_stats(w->own_pipe);
		w->snap.flow = *pne_pipe_flow_stats(w->own_pipe);
		w->snap.flows = pne_pipe_flow_count(w->own_pipe);
	}
	w->snap.cycles = w->cycles;
	w->snap.adus_logged = w->log.written;
	w->snap.adus_dropped = w->log.dropped;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&w->snap_seq, w->snap_seq + 1, __ATOMIC_RELAXED);
}

void pmd_snapshot_read(struct pmd_worker *w, struct pmd_snapshot *out)
{
	uint32_t s0, s1;

	do {
		s0 = __atomic_load_n(&w->snap_seq, __ATOMIC_ACQUIRE);
		if (s0 & 1) {
			rte_pause();
			continue;
		}
		memcpy(out, &w->snap, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s1 = __atomic_load_n(&w->snap_seq, __ATOMIC_RELAXED);
		if (s0 == s1)
			return;
	} while (1);
}

static inline void count_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* A frame's bytes: the mbuf's data, or a whole copy when segmented. */
static inline const uint8_t *frame_of(struct pmd_worker *w, struct rte_mbuf *m,
				      uint32_t *caplen)
{
	if (likely(m->nb_segs == 1)) {
		*caplen = m->data_len;
		return rte_pktmbuf_mtod(m, const uint8_t *);
	}
	*caplen = m->pkt_len < PMD_SCRATCH ? m->pkt_len : PMD_SCRATCH;
	w->multiseg++;
	return rte_pktmbuf_read(m, 0, *caplen, w->scratch);
}

/* The slow path of a burst holding a segmented frame: one frame at a
 * time through the scratch buffer. */
static void track_serial(struct pmd_worker *w, struct rte_mbuf **pkts, uint16_t n,
			 uint64_t now)
{
	for (uint16_t i = 0; i < n; i++) {
		uint32_t caplen;
		const uint8_t *data = frame_of(w, pkts[i], &caplen);
		struct pne_pkt pkt;
		enum pne_pkt_result res;

		res = pne_pkt_parse(data, caplen, pkts[i]->pkt_len, PNE_LINK_EN10MB, &pkt);
		pne_pipe_count(w->pipe, &pkt, res, caplen, pkts[i]->pkt_len);
		if (res == PNE_PKT_OK)
			pne_pipe_segment(w->pipe, &pkt, data, pkts[i]->pkt_len, now);
	}
}

static void track_burst(struct pmd_worker *w, struct rte_mbuf **pkts, uint16_t n,
			uint64_t now)
{
	struct pne_pkt pkt[PMD_BURST];
	enum pne_pkt_result res[PMD_BURST];

	for (uint16_t i = 0; i < n; i++)
		if (unlikely(pkts[i]->nb_segs != 1)) {
			track_serial(w, pkts, n, now);
			return;
		}
	for (uint16_t i = 0; i < PMD_PREFETCH && i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + PMD_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PMD_PREFETCH], void *));
		res[i] = pne_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
				       m->pkt_len, PNE_LINK_EN10MB, &pkt[i]);
		pne_pipe_count(w->pipe, &pkt[i], res[i], m->data_len, m->pkt_len);
		if (res[i] == PNE_PKT_OK)
			pne_pipe_prefetch(w->pipe, &pkt[i]);
	}
	pne_pipe_expire(w->pipe, now, EXPIRE_BUDGET);
	for (uint16_t i = 0; i < n; i++)
		if (res[i] == PNE_PKT_OK)
			pne_pipe_segment(w->pipe, &pkt[i],
					 rte_pktmbuf_mtod(pkts[i], const uint8_t *),
					 pkts[i]->pkt_len, now);
}

static void forward(struct pmd_worker *w, const struct pmd_rxq *q, struct rte_mbuf **pkts,
		    uint16_t n)
{
	uint16_t sent = 0;

	if (w->app->o.monitor) {
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	for (int tries = 0; sent < n && tries < TX_RETRIES; tries++)
		sent += rte_eth_tx_burst(q->tx_port, q->tx_queue, pkts + sent, n - sent);
	count_add(&w->tx_packets[q->tx_port], sent);
	if (unlikely(sent < n)) {
		count_add(&w->tx_dropped[q->tx_port], n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

/* Poll each queue once; returns the frames received. */
static unsigned poll_once(struct pmd_worker *w, uint64_t now)
{
	struct rte_mbuf *pkts[PMD_BURST];
	unsigned total = 0;

	for (unsigned k = 0; k < w->nrxq; k++) {
		const struct pmd_rxq *q = &w->rxq[k];
		uint16_t n = rte_eth_rx_burst(q->port, q->queue, pkts, w->burst);
		uint64_t bytes = 0, c0;

		if (n == 0)
			continue;
		for (uint16_t i = 0; i < n; i++)
			bytes += pkts[i]->pkt_len;
		count_add(&w->rx_packets[q->port], n);
		count_add(&w->rx_bytes[q->port], bytes);
		if (w->pipe != NULL) {
			c0 = rte_rdtsc();
			track_burst(w, pkts, n, now);
			w->cycles += rte_rdtsc() - c0;
		}
		forward(w, q, pkts, n);
		total += n;
	}
	if (total > 0)
		count_add(&w->rx_total, total);
	return total;
}

/* One turn of the worker loop: poll every queue, then the periodic
 * duties. Returns the frames received. --bench runs exactly this. */
static inline unsigned worker_turn(struct pmd_worker *w)
{
	struct pmd_app *app = w->app;
	uint64_t tsc = rte_rdtsc();
	uint64_t now = pmd_now_ns(app, tsc);
	unsigned n = poll_once(w, now);

	if (n > 0) {
		w->busy_polls++;
	} else {
		w->idle_polls++;
		if (w->pipe != NULL)
			pne_pipe_expire(w->pipe, now, EXPIRE_BUDGET);
	}
	if (tsc - w->log.last_push >= w->push_every)
		pmd_log_push(w);   /* also picks up a buffer after drops */
	if (tsc - w->last_snap >= w->snap_every) {
		snapshot(w);
		w->last_snap = tsc;
	}
	if (app->main_is_worker)
		pmd_main_tick(app);
	return n;
}

static void worker_loop(struct pmd_worker *w)
{
	while (!__atomic_load_n(&pmd_stop, __ATOMIC_RELAXED))
		worker_turn(w);
}

/* ---- --bench: the capture's frames circulate in the ring port (rx
 * takes them from the ring, tx puts them back at its tail, so the ring
 * always holds one replay in capture order); a pass receives exactly
 * one replay, its last burst cut at the boundary. ---- */

static void bench_turns(struct pmd_worker *w, uint64_t frames)
{
	uint64_t left = frames;

	while (left > 0 && !__atomic_load_n(&pmd_stop, __ATOMIC_RELAXED)) {
		w->burst = left < PMD_BURST ? (uint16_t)left : PMD_BURST;
		left -= worker_turn(w);
	}
	w->burst = PMD_BURST;
}

void pmd_bench_pass_forward(struct pmd_worker *w, uint64_t frames)
{
	bench_turns(w, frames);
}

void pmd_bench_pass_track(struct pmd_worker *w, uint64_t frames)
{
	bench_turns(w, frames);
}

static void bench_pass(struct pmd_worker *w, struct pmd_bench_pass *bp)
{
	struct pmd_bench *b = &w->app->bench;
	const struct pne_pipe_stats *ps = w->own_pipe != NULL ? pne_pipe_stats(w->own_pipe) : NULL;
	uint64_t rx0 = w->rx_packets[b->port], by0 = w->rx_bytes[b->port];
	uint64_t pc0 = w->cycles, adus0 = 0, ex0 = 0, t0, t1, t2;

	if (ps != NULL) {
		adus0 = ps->adus;
		ex0 = pne_pipe_tracker_stats(w->own_pipe)->examined;
	}
	w->pipe = bp->mode == PMD_BENCH_TRACK ? w->own_pipe : NULL;
	t0 = rte_rdtsc();
	if (bp->mode == PMD_BENCH_TRACK)
		pmd_bench_pass_track(w, b->frames);
	else
		pmd_bench_pass_forward(w, b->frames);
	t1 = rte_rdtsc();
	/* the next pass starts with no connection: the tracker does the
	 * same work every pass rather than passing over ended ones */
	if (w->pipe != NULL)
		pne_pipe_flush(w->pipe);
	t2 = rte_rdtsc();
	w->pipe = w->own_pipe;
	bp->packets = w->rx_packets[b->port] - rx0;
	bp->bytes = w->rx_bytes[b->port] - by0;
	bp->cycles = t1 - t0;
	bp->pipe_cycles = w->cycles - pc0;
	bp->flush_cycles = t2 - t1;
	if (ps != NULL) {
		bp->adus = ps->adus - adus0;
		bp->examined = pne_pipe_tracker_stats(w->own_pipe)->examined - ex0;
	}
}

void pmd_bench_run(struct pmd_worker *w)
{
	struct pmd_bench *b = &w->app->bench;

	for (unsigned i = 0; i < b->npasses; i++) {
		if (__atomic_load_n(&pmd_stop, __ATOMIC_RELAXED))
			break;
		bench_pass(w, &b->passes[i]);
	}
	__atomic_store_n(&pmd_stop, 1, __ATOMIC_RELAXED);
}

/* Shutdown: every connection ends (its last ADUs reported), and every
 * line goes to the main lcore, waiting for buffers instead of dropping. */
static void worker_finish(struct pmd_worker *w)
{
	w->log.blocking = 1;
	if (w->pipe != NULL)
		pne_pipe_flush(w->pipe);
	pmd_log_push(w);
	snapshot(w);
}

int pmd_worker_main(void *arg)
{
	struct pmd_worker *w = arg;

	w->setup_err = worker_setup(w);
	__atomic_store_n(&w->ready, 1, __ATOMIC_RELEASE);
	if (w->setup_err != 0)
		return -1;
	/* the main lcore starts everyone at once, or stops a failed start */
	while (!__atomic_load_n(&w->app->start_tsc, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&pmd_stop, __ATOMIC_RELAXED))
		rte_pause();
	w->snap_every = w->app->tsc_hz / 1000000 * SNAP_US;
	w->push_every = w->app->tsc_hz / 1000000 * LOG_PUSH_US;
	w->last_snap = w->log.last_push = rte_rdtsc();
	if (w->app->o.bench != NULL)
		pmd_bench_run(w);
	else
		worker_loop(w);
	worker_finish(w);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return 0;
}
