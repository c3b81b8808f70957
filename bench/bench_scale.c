/*
 * bench_scale: one worker's pipeline (include/pne/pipe.h, as pne-replay
 * and dpdk-pne run it) over a capture held in memory -- cycles per
 * packet, packets and new connections per second, memory per connection.
 * Meant for the synthetic traces of bench/gen_trace.c (many concurrent
 * connections, ADU sizes, reordering), but any capture works.
 *
 *   bench_scale [--rounds N] [--max-flows N] [--workers 1|2]
 *               [--state-memcap MIB] [--label NAME] [--dat FILE] CAPTURE
 *   bench_scale --sizes
 *
 * --sizes prints the flow table's bytes per entry and each built-in
 * spec's tracker state per connection. --state-memcap caps the tracker
 * state (pne_pipe_conf.state_memcap): connections past it are counted
 * and left untracked, as in a worker with that cap.
 *
 * The capture is read into memory first (libpcap). One pipeline is made
 * with every built-in spec on its default ports (as pne-replay), a flow
 * table of --max-flows entries (default: the capture's SYNs, rounded up
 * to a power of two, at least 1,024) and the default timeouts; time is
 * the capture's timestamps, as in pne-replay.
 *
 * Round 0 is cold: the pipeline's tracker state blocks are allocated as
 * connections start, and the flow table's pages are touched for the
 * first time. After each round pne_pipe_flush() ends the connections
 * still open (outside the timed loop); the blocks stay on the
 * pipeline's free lists, so rounds 1..N are the steady state that a
 * long-running worker sees. Reported: TSC ticks per packet (rdtsc around
 * the packet loop; the cold round apart, then minimum and median of the
 * warm rounds), packets and bits per second and new connections per
 * second from the median, the TSC rate (measured against
 * CLOCK_MONOTONIC over the run), and memory:
 *   table     the flow table's block (entries, buckets, per-connection
 *             bookkeeping), from the allocator the pipeline is given
 *   state     the tracker state of the connections open at the peak
 *             (pne_pipe_stats.state_bytes_peak)
 *   per flow  (table + state) / peak connections open at once
 *   hold      the tracker's hold pool, fixed per worker
 *   RSS       the process's resident set growth from before the
 *             pipeline was made to after the cold round (a check)
 *
 * --workers 2 splits the connections between two pipelines by flow hash
 * (as RSS would between two queues) and runs them on two threads, each
 * on its own share of the packets, pinned to CPUs 0 and 1; the time of a
 * round is the slower thread's. It reports the aggregate packet rate
 * against one worker's.
 *
 * --dat appends one line for bench/plot_scale.gnuplot: LABEL packets
 * flows_peak cpp_cold cpp_min cpp_med mpps_med conn_per_s bytes_per_flow
 * state_per_flow adus examined payload_packets.
 *
 * A benchmark, not a test: its smoke test (tests/bench/) checks only
 * that the counts are right.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <x86intrin.h>

#include "pne/flow_table.h"
#include "pne/packet.h"
#include "pne/pipe.h"
#include "pne/specs.h"
#include "trace_mem.h"

#define MAX_ROUNDS 101
#define MAX_WORKERS 2
#define NS_PER_S 1000000000ull

struct worker {
	struct pne_pipe *pipe;
	const struct trace *t;
	uint32_t *idx;              /* its packets (two workers), else NULL */
	size_t n;
	size_t table_bytes;         /* its flow table block */
	uint64_t ticks;             /* of the last round */
	int cpu;
};

struct bench {
	struct trace t;
	struct pne_pipe_spec specs[PNE_PIPE_MAX_SPECS];
	unsigned nspecs;
	uint8_t port_spec[65536];
	struct worker w[MAX_WORKERS];
	unsigned nworkers;
	uint32_t max_flows;
	size_t state_memcap;
	unsigned rounds;
};

static void die(const char *msg)
{
	fprintf(stderr, "bench_scale: %s\n", msg);
	exit(1);
}

/* The flow table's block, through the allocator hook: its size is the
 * table's memory. */
static void *table_alloc(size_t size, size_t align, void *arg)
{
	struct worker *w = arg;
	void *p = aligned_alloc(align, (size + align - 1) / align * align);

	if (p != NULL)
		w->table_bytes += size;
	return p;
}

static void table_free(void *ptr, void *arg)
{
	free(ptr);
}

static void specs_setup(struct bench *b)
{
	memset(b->port_spec, PNE_PIPE_NO_SPEC, sizeof(b->port_spec));
	for (unsigned i = 0; pne_builtin_specs[i] != NULL && i < PNE_PIPE_MAX_SPECS; i++) {
		const struct pne_spec *s = pne_builtin_specs[i];

		b->specs[i].spec = s;
		b->specs[i].params = NULL;
		for (unsigned k = 0; k < s->nports; k++)
			if (b->port_spec[s->ports[k]] == PNE_PIPE_NO_SPEC)   /* first wins */
				b->port_spec[s->ports[k]] = (uint8_t)i;
		b->nspecs = i + 1;
	}
}

/* Connections in the capture (SYNs without ACK), to size the table, and
 * with two workers each packet's worker by flow hash. */
static uint64_t trace_scan(struct bench *b)
{
	const struct trace *t = &b->t;
	uint64_t syns = 0;

	for (unsigned k = 0; k < b->nworkers && b->nworkers > 1; k++) {
		b->w[k].idx = malloc(t->n * sizeof(*b->w[k].idx));
		if (b->w[k].idx == NULL)
			die("out of memory");
	}
	for (size_t i = 0; i < t->n; i++) {
		struct pne_pkt pkt;
		enum pne_pkt_result r = pne_pkt_parse(t->data + t->off[i], t->caplen[i],
						      t->wirelen[i], t->linktype, &pkt);
		unsigned k = r == PNE_PKT_OK && b->nworkers > 1 ? pkt.hash % b->nworkers : 0;

		if (r == PNE_PKT_OK && (pkt.flags & 0x12) == 0x02)
			syns++;
		if (b->nworkers > 1)
			b->w[k].idx[b->w[k].n++] = (uint32_t)i;
	}
	if (b->nworkers == 1)
		b->w[0].n = t->n;
	return syns;
}

static void pipe_open(struct bench *b, struct worker *w)
{
	struct pne_pipe_conf c = {
		.specs = b->specs,
		.nspecs = b->nspecs,
		.port_spec = b->port_spec,
		.max_flows = b->max_flows,
		.state_memcap = b->state_memcap,
		.tracker = { .gap_timeout = 10 * NS_PER_S },
		.alloc = table_alloc,
		.free = table_free,
		.alloc_arg = w,
	};

	w->table_bytes = 0;
	w->pipe = pne_pipe_create(&c);
	if (w->pipe == NULL) {
		fprintf(stderr, "bench_scale: pipeline: %s\n", strerror(errno));
		exit(1);
	}
}

/* The timed loop (its own function, for profilers). */
__attribute__((noinline)) void bench_scale_loop(struct worker *w);

void bench_scale_loop(struct worker *w)
{
	const struct trace *t = w->t;

	if (w->idx == NULL) {
		for (size_t i = 0; i < w->n; i++)
			pne_pipe_packet(w->pipe, t->data + t->off[i], t->caplen[i], t->wirelen[i],
					t->linktype, t->ts[i]);
		return;
	}
	for (size_t j = 0; j < w->n; j++) {
		size_t i = w->idx[j];

		pne_pipe_packet(w->pipe, t->data + t->off[i], t->caplen[i], t->wirelen[i],
				t->linktype, t->ts[i]);
	}
}

static void *worker_round(void *arg)
{
	struct worker *w = arg;
	uint64_t c0;

	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	c0 = __rdtsc();
	bench_scale_loop(w);
	w->ticks = __rdtsc() - c0;
	return NULL;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One round over the whole capture; returns its TSC ticks (the slower
 * worker's) and adds its wall time to *secs. */
static uint64_t round_run(struct bench *b, double *secs)
{
	pthread_t th[MAX_WORKERS];
	uint64_t ticks = 0;
	double t0 = mono_s();

	if (b->nworkers == 1) {
		worker_round(&b->w[0]);
	} else {
		for (unsigned k = 0; k < b->nworkers; k++)
			if (pthread_create(&th[k], NULL, worker_round, &b->w[k]) != 0)
				die("cannot start a worker thread");
		for (unsigned k = 0; k < b->nworkers; k++)
			pthread_join(th[k], NULL);
	}
	*secs += mono_s() - t0;
	for (unsigned k = 0; k < b->nworkers; k++) {
		if (b->w[k].ticks > ticks)
			ticks = b->w[k].ticks;
		pne_pipe_flush(b->w[k].pipe);   /* the next round starts empty */
	}
	return ticks;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The counters of all the workers' pipelines, summed. */
struct totals {
	uint64_t adus, examined, payload, flows, state_peak, flows_peak;
	uint64_t alloc_failures, no_flow;
};

static void totals_get(const struct bench *b, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned k = 0; k < b->nworkers; k++) {
		const struct pne_pipe_stats *s = pne_pipe_stats(b->w[k].pipe);
		const struct pne_tracker_stats *ts = pne_pipe_tracker_stats(b->w[k].pipe);

		t->adus += s->adus;
		t->examined += ts->examined;
		t->payload += ts->payload_packets;
		t->flows += s->flows_tracked + s->flows_untracked;
		t->state_peak += s->state_bytes_peak;
		t->flows_peak += s->flows_peak;
		t->alloc_failures += s->state_alloc_failures;
		t->no_flow += s->no_flow_packets;
	}
}

/* Tracker state bytes per connection of each built-in spec, and the
 * flow table's bytes per entry of the pipeline (what a connection costs
 * before its spec's state). */
static void sizes_print(struct bench *b)
{
	struct worker w = { 0 };

	b->max_flows = 1u << 20;
	pipe_open(b, &w);
	printf("flow table: %.1f bytes per entry (%u entries, %zu bytes)\n",
	       (double)w.table_bytes / b->max_flows, b->max_flows, w.table_bytes);
	pne_pipe_destroy(w.pipe);
	for (unsigned i = 0; i < b->nspecs; i++)
		printf("%-10s %8zu bytes of tracker state per connection\n", b->specs[i].spec->name,
		       pne_tracker_flow_size(b->specs[i].spec));
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_scale [--rounds N] [--max-flows N] [--workers 1|2] "
		"[--state-memcap MIB] [--label NAME] [--dat FILE] CAPTURE\n"
		"       bench_scale --sizes\n");
	exit(2);
}

static unsigned long num_arg(const char *opt, const char *s, unsigned long lo,
			     unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "bench_scale: %s: '%s' is not a number from %lu to %lu\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static uint32_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1024;

	while (p < n && p < (1u << 31))
		p <<= 1;
	return (uint32_t)p;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "max-flows", required_argument, NULL, 'm' },
		{ "workers", required_argument, NULL, 'w' },
		{ "label", required_argument, NULL, 'l' },
		{ "dat", required_argument, NULL, 'd' },
		{ "state-memcap", required_argument, NULL, 'c' },
		{ "sizes", no_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bench b = { .nworkers = 1, .rounds = 5 };
	uint64_t ticks[MAX_ROUNDS], cold, sorted[MAX_ROUNDS];
	uint64_t flows_round, tick_sum = 0, table = 0;
	struct totals tot;
	const char *dat = NULL, *label = NULL, *base;
	double secs = 0, cpp_min, cpp_med, tsc_hz, med_s;
	long rss0, rss1;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': b.rounds = (unsigned)num_arg("--rounds", optarg, 1, MAX_ROUNDS - 1); break;
		case 'm':
			b.max_flows = (uint32_t)num_arg("--max-flows", optarg, 1, 1ul << 31);
			break;
		case 'w': b.nworkers = (unsigned)num_arg("--workers", optarg, 1, MAX_WORKERS); break;
		case 'l': label = optarg; break;
		case 'd': dat = optarg; break;
		case 'c':
			b.state_memcap = num_arg("--state-memcap", optarg, 1, 1ul << 40) << 20;
			break;
		case 'z':
			specs_setup(&b);
			sizes_print(&b);
			return 0;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	base = strrchr(argv[optind], '/');
	if (label == NULL)
		label = base != NULL ? base + 1 : argv[optind];
	specs_setup(&b);
	trace_load(&b.t, argv[optind], "bench_scale");
	flows_round = trace_scan(&b);
	if (b.max_flows == 0)
		b.max_flows = pow2_at_least(flows_round / b.nworkers + flows_round / 8 + 1);

	rss0 = rss_kib();
	for (unsigned k = 0; k < b.nworkers; k++) {
		b.w[k].t = &b.t;
		b.w[k].cpu = b.nworkers > 1 ? (int)k : -1;
		pipe_open(&b, &b.w[k]);
		table += b.w[k].table_bytes;
	}
	/* 1. the cold round: allocation and first touch */
	cold = round_run(&b, &secs);
	rss1 = rss_kib();
	totals_get(&b, &tot);   /* of the cold round: counts, peaks */
	/* 2. the warm rounds */
	for (unsigned r = 0; r < b.rounds; r++) {
		ticks[r] = round_run(&b, &secs);
		tick_sum += ticks[r];
	}
	tick_sum += cold;
	tsc_hz = (double)tick_sum / secs;
	memcpy(sorted, ticks, b.rounds * sizeof(*ticks));
	qsort(sorted, b.rounds, sizeof(*sorted), cmp_u64);
	cpp_min = (double)sorted[0] / (double)b.t.n;
	cpp_med = (b.rounds % 2 ? (double)sorted[b.rounds / 2]
				: ((double)sorted[b.rounds / 2 - 1] + (double)sorted[b.rounds / 2]) / 2) /
		  (double)b.t.n;
	med_s = cpp_med * (double)b.t.n / tsc_hz;

	printf("capture   %s (%zu packets, %.1f MB on the wire)\n", argv[optind], b.t.n,
	       (double)b.t.wire_bytes / 1e6);
	printf("per round %" PRIu64 " connections (%" PRIu64 " at once at most), %" PRIu64
	       " ADUs, %" PRIu64 " of %" PRIu64 " payload packets examined\n", tot.flows,
	       tot.flows_peak, tot.adus, tot.examined, tot.payload);
	printf("workers   %u, flow table %" PRIu32 " entries each; TSC %.3f GHz\n", b.nworkers,
	       b.max_flows, tsc_hz / 1e9);
	printf("cycles/packet  cold %.1f, warm min %.1f, median %.1f (%u rounds)\n",
	       (double)cold / (double)b.t.n, cpp_min, cpp_med, b.rounds);
	printf("rate (median)  %.3f Mpkt/s, %.2f Gbit/s, %.0f new connections/s\n",
	       (double)b.t.n / med_s / 1e6, (double)b.t.wire_bytes * 8 / med_s / 1e9,
	       (double)tot.flows / med_s);
	printf("memory    table %.1f MiB + state %.1f MiB (peak) = %.0f bytes per connection "
	       "(state %.0f); hold pool %u MiB per worker; RSS +%.1f MiB\n",
	       (double)table / 1048576, (double)tot.state_peak / 1048576,
	       tot.flows_peak ? (double)(table + tot.state_peak) / (double)tot.flows_peak : 0.0,
	       tot.flows_peak ? (double)tot.state_peak / (double)tot.flows_peak : 0.0,
	       PNE_TRACKER_DEF_MEMCAP >> 20, (double)(rss1 - rss0) / 1024);
	if (tot.alloc_failures || tot.no_flow)
		printf("warning   %" PRIu64 " connections untracked for lack of state memory, %"
		       PRIu64 " packets without room in the flow table\n",
		       tot.alloc_failures, tot.no_flow);
	if (dat != NULL) {
		FILE *f = fopen(dat, "a");

		if (f == NULL)
			die("cannot append to the --dat file");
		fprintf(f, "%s %zu %" PRIu64 " %.1f %.1f %.1f %.4f %.0f %.0f %.0f %" PRIu64 " %"
			PRIu64 " %" PRIu64 "\n", label, b.t.n, tot.flows_peak,
			(double)cold / (double)b.t.n, cpp_min, cpp_med,
			(double)b.t.n / med_s / 1e6, (double)tot.flows / med_s,
			tot.flows_peak ? (double)(table + tot.state_peak) / (double)tot.flows_peak : 0.0,
			tot.flows_peak ? (double)tot.state_peak / (double)tot.flows_peak : 0.0,
			tot.adus, tot.examined, tot.payload);
		if (fclose(f) != 0)
			die("write error on the --dat file");
	}
	for (unsigned k = 0; k < b.nworkers; k++) {
		pne_pipe_destroy(b.w[k].pipe);
		free(b.w[k].idx);
	}
	trace_free(&b.t);
	return 0;
}
