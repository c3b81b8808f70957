/*
 * --bench FILE[:LOOPS]: the cost per packet of the worker loop, without
 * pcap or NIC I/O in the way.
 *
 * The capture's frames are loaded once into mbufs (one mbuf per frame,
 * a pool of their own) and put, in capture order, into one rte_ring
 * that is both the RX and the TX queue of an in-memory ring port
 * (rte_eth_from_ring()). The worker runs its ordinary loop on that port
 * as a lone port transmitting back on itself: an rx burst takes frames
 * from the head of the ring, the tx burst puts them back at the tail, so
 * the ring always holds exactly one replay in capture order and nothing
 * is copied or allocated. A pass receives exactly one replay (its last
 * burst is cut at the boundary, worker.c), timed with the TSC from its
 * first rx burst to its last tx burst; then the pipeline is flushed
 * (timed apart) so the next pass starts with no connection.
 *
 * Each round runs one pass per --bench-modes mode, the order rotating
 * from round to round, so the machine's noise falls on every mode alike:
 * forward (rx -> tx, the --no-track path) and track (rx -> pipeline ->
 * tx).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "pmd.h"

static const char *const mode_names[PMD_BENCH__COUNT] = {
	[PMD_BENCH_FORWARD] = "forward",
	[PMD_BENCH_TRACK] = "track",
};

const char *pmd_bench_mode_name(enum pmd_bench_mode m)
{
	return (unsigned)m < PMD_BENCH__COUNT ? mode_names[m] : "?";
}

static pcap_t *open_capture(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, errbuf);

	if (pc == NULL) {
		pmd_err("--bench %s: %s", path, errbuf);
		return NULL;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		pmd_err("--bench %s: link type %s, the worker parses Ethernet frames", path,
			pcap_datalink_val_to_name(pcap_datalink(pc)) != NULL ?
			pcap_datalink_val_to_name(pcap_datalink(pc)) : "unknown");
		pcap_close(pc);
		return NULL;
	}
	return pc;
}

/* Frames and the largest captured length. */
static int scan_capture(const char *path, uint64_t *frames, uint32_t *maxcap)
{
	pcap_t *pc = open_capture(path);
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (pc == NULL)
		return -1;
	*frames = 0;
	*maxcap = 0;
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		(*frames)++;
		if (h->caplen > *maxcap)
			*maxcap = h->caplen;
	}
	if (rc != PCAP_ERROR_BREAK)
		pmd_err("--bench %s: %s", path, pcap_geterr(pc));
	pcap_close(pc);
	if (rc == PCAP_ERROR_BREAK && *frames == 0)
		pmd_err("--bench %s: no frame", path);
	return rc == PCAP_ERROR_BREAK && *frames > 0 ? 0 : -1;
}

/* Every frame into an mbuf of the pool, enqueued in order. A frame
 * captured short (snaplen) is replayed as captured: its mbuf can hold
 * only those bytes. */
static int load_capture(struct pmd_bench *b, const char *path)
{
	pcap_t *pc = open_capture(path);
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = -1;

	if (pc == NULL)
		return -1;
	b->frames = b->bytes = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(b->pool);
		char *p;

		if (m == NULL)
			goto out;   /* sized by scan_capture(): the file changed */
		p = rte_pktmbuf_append(m, (uint16_t)h->caplen);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			goto out;
		}
		memcpy(p, data, h->caplen);
		if (rte_ring_enqueue(b->ring, m) != 0) {
			rte_pktmbuf_free(m);
			goto out;
		}
		b->frames++;
		b->bytes += h->caplen;
	}
	rc = 0;
out:
	if (rc != 0)
		pmd_err("--bench %s: the file changed while it was loaded", path);
	pcap_close(pc);
	return rc;
}

static int make_passes(struct pmd_app *app)
{
	struct pmd_bench *b = &app->bench;
	const struct pmd_opts *o = &app->o;

	b->npasses = o->bench_loops * o->bench_nmodes;
	b->passes = rte_zmalloc("pne_bench_passes", b->npasses * sizeof(*b->passes), 0);
	if (b->passes == NULL)
		return -1;
	for (unsigned r = 0, i = 0; r < o->bench_loops; r++)
		for (unsigned k = 0; k < o->bench_nmodes; k++, i++) {
			b->passes[i].round = r;
			b->passes[i].mode = o->bench_modes[(k + r) % o->bench_nmodes];
		}
	return 0;
}

int pmd_bench_setup(struct pmd_app *app)
{
	struct pmd_bench *b = &app->bench;
	const char *path = app->o.bench;
	uint64_t frames;
	uint32_t maxcap, room;
	int port;

	if (scan_capture(path, &frames, &maxcap) != 0)
		return PMD_EXIT_RUN;
	if (frames >= RTE_RING_SZ_MASK) {
		pmd_err("--bench %s: %" PRIu64 " frames, more than a ring holds", path, frames);
		return PMD_EXIT_RUN;
	}
	room = maxcap + RTE_PKTMBUF_HEADROOM;
	if (room < RTE_MBUF_DEFAULT_BUF_SIZE)
		room = RTE_MBUF_DEFAULT_BUF_SIZE;
	if (room > UINT16_MAX) {
		pmd_err("--bench %s: a frame of %u bytes, more than an mbuf holds", path, maxcap);
		return PMD_EXIT_RUN;
	}
	b->pool = rte_pktmbuf_pool_create("pne_bench", (unsigned)frames, 0, 0, (uint16_t)room,
					  (int)rte_socket_id());
	b->ring = rte_ring_create("pne_bench", (unsigned)frames, (int)rte_socket_id(),
				  RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (b->pool == NULL || b->ring == NULL) {
		pmd_err("--bench %s: %" PRIu64 " frames of up to %u bytes: %s (give the EAL "
			"more memory with -m)", path, frames, maxcap, rte_strerror(rte_errno));
		return PMD_EXIT_RUN;
	}
	if (load_capture(b, path) != 0 || make_passes(app) != 0)
		return PMD_EXIT_RUN;
	port = rte_eth_from_ring(b->ring);
	if (port < 0) {
		pmd_err("--bench: the ring port did not start: %s", rte_strerror(rte_errno));
		return PMD_EXIT_RUN;
	}
	b->port = (uint16_t)port;
	app->o.pairs[0] = (struct pmd_pair){ .a = b->port, .b = b->port };
	app->o.npairs = 1;
	return 0;
}

void pmd_bench_free(struct pmd_app *app)
{
	struct pmd_bench *b = &app->bench;

	/* the ring port is closed (pmd_ports_stop()); the ring and pool are
	 * ours, and every mbuf is back in the ring or the pool */
	rte_ring_free(b->ring);
	rte_mempool_free(b->pool);
	rte_free(b->passes);
	memset(b, 0, sizeof(*b));
}

/* ---- the report ---- */

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[0..n) (sorted in place); 0 when n is 0. */
static double median(double *v, unsigned n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double per_pkt(uint64_t cycles, uint64_t packets)
{
	return packets > 0 ? (double)cycles / (double)packets : 0;
}

/* Cycles per packet of mode m in each complete pass, by round. */
static unsigned mode_cpp(const struct pmd_bench *b, enum pmd_bench_mode m, double *cpp,
			 double *round_cpp, unsigned nrounds)
{
	unsigned n = 0;

	for (unsigned r = 0; r < nrounds; r++)
		round_cpp[r] = 0;
	for (unsigned i = 0; i < b->npasses; i++) {
		const struct pmd_bench_pass *p = &b->passes[i];

		if (p->mode != m || p->packets != b->frames)
			continue;
		cpp[n++] = per_pkt(p->cycles, p->packets);
		round_cpp[p->round] = cpp[n - 1];
	}
	return n;
}

static void report_passes(const struct pmd_bench *b, FILE *f)
{
	fprintf(f, "pass round mode       packets       cycles  cyc/pkt pipe/pkt   flush_cyc"
		"     adus examined\n");
	for (unsigned i = 0; i < b->npasses; i++) {
		const struct pmd_bench_pass *p = &b->passes[i];

		if (p->packets == 0)
			continue;   /* stopped before it ran */
		fprintf(f, "pass %5u %-8s %9" PRIu64 " %12" PRIu64 " %8.1f %8.1f %11" PRIu64
			" %8" PRIu64 " %8" PRIu64 "\n", p->round, pmd_bench_mode_name(p->mode),
			p->packets, p->cycles, per_pkt(p->cycles, p->packets),
			per_pkt(p->pipe_cycles, p->packets), p->flush_cycles, p->adus,
			p->examined);
	}
}

/* One line per mode: cycles/packet min and median, and at the median
 * the packets and bits per second one core forwards (frame bytes as
 * captured, and as if every frame were 1,500 bytes). */
static void report_modes(const struct pmd_app *app, double *cpp, double *rc, double *med,
			 FILE *f)
{
	const struct pmd_bench *b = &app->bench;
	const struct pmd_opts *o = &app->o;
	double hz = (double)app->tsc_hz;
	double mean = b->frames ? (double)b->bytes / (double)b->frames : 0;

	fprintf(f, "mode     passes  cyc/pkt_min  cyc/pkt_med  Mpps_med  Gbps_med  "
		"Gbps1500_med  adus/pass\n");
	for (unsigned k = 0; k < o->bench_nmodes; k++) {
		enum pmd_bench_mode m = o->bench_modes[k];
		unsigned n = mode_cpp(b, m, cpp, rc + (size_t)m * o->bench_loops, o->bench_loops);
		uint64_t adus = 0;
		double mpps;

		for (unsigned i = 0; i < b->npasses; i++)
			if (b->passes[i].mode == m && b->passes[i].packets == b->frames)
				adus = b->passes[i].adus;
		med[m] = median(cpp, n);
		mpps = med[m] > 0 ? hz / med[m] / 1e6 : 0;
		fprintf(f, "mode     %-8s %5u %12.1f %12.1f %9.3f %9.2f %13.2f %10" PRIu64 "\n",
			pmd_bench_mode_name(m), n, n ? cpp[0] : 0.0, med[m], mpps,
			mpps * mean * 8 / 1e3, mpps * 1500 * 8 / 1e3, adus);
	}
}

/* Track against forward: from the medians, and the median of the
 * per-round ratios (the two passes of a round ran side by side). */
static void report_overhead(const struct pmd_app *app, const double *rc, const double *med,
			    double *ratio, FILE *f)
{
	unsigned L = app->o.bench_loops, n = 0;
	const double *fw = rc + (size_t)PMD_BENCH_FORWARD * L;
	const double *tr = rc + (size_t)PMD_BENCH_TRACK * L;

	if (med[PMD_BENCH_FORWARD] <= 0 || med[PMD_BENCH_TRACK] <= 0)
		return;
	for (unsigned r = 0; r < L; r++)
		if (fw[r] > 0 && tr[r] > 0)
			ratio[n++] = tr[r] / fw[r];
	fprintf(f, "overhead track/forward: %+.1f%% from the medians (%+.1f cycles/pkt), "
		"%+.1f%% median of per-round ratios\n",
		(med[PMD_BENCH_TRACK] / med[PMD_BENCH_FORWARD] - 1) * 100,
		med[PMD_BENCH_TRACK] - med[PMD_BENCH_FORWARD], (median(ratio, n) - 1) * 100);
}

void pmd_bench_report(struct pmd_app *app, FILE *f)
{
	const struct pmd_bench *b = &app->bench;
	unsigned L = app->o.bench_loops;
	double *cpp = calloc(L, sizeof(double));
	double *rc = calloc((size_t)PMD_BENCH__COUNT * L, sizeof(double));
	double med[PMD_BENCH__COUNT] = { 0 };

	if (cpp == NULL || rc == NULL) {
		pmd_err("bench report: out of memory");
		goto out;
	}
	fprintf(f, "bench capture %s: %" PRIu64 " frames, %" PRIu64 " bytes (mean %.1f), "
		"%u rounds of", app->o.bench, b->frames, b->bytes,
		b->frames ? (double)b->bytes / (double)b->frames : 0.0, L);
	for (unsigned k = 0; k < app->o.bench_nmodes; k++)
		fprintf(f, " %s", pmd_bench_mode_name(app->o.bench_modes[k]));
	fprintf(f, ", tsc %.3f MHz, worker lcore %u\n", (double)app->tsc_hz / 1e6,
		app->nworkers > 0 ? app->workers[0]->lcore : 0);
	report_passes(b, f);
	report_modes(app, cpp, rc, med, f);
	report_overhead(app, rc, med, cpp, f);
out:
	free(cpp);
	free(rc);
}
