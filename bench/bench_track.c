/*
 * bench_track: cycles per packet of the stream tracker over a capture
 * held in memory, next to the stages before it, measured in one process.
 *
 *   bench_track [--rounds N] [--mode all|parse|flow|full] [--spec NAME]
 *               [--dat FILE [--label NAME]] CAPTURE
 *
 * The capture (pcap or pcapng, through libpcap) is read into memory
 * first; then each round runs the three modes over every packet, in an
 * order that rotates from round to round so no mode always runs on a
 * cache warmed by the same neighbour:
 *   parse  pne_pkt_parse() only
 *   flow   parse + pne_flow_expire() + pne_flow_lookup_or_insert() +
 *          pne_flow_tcp_update(): pne-replay's per-packet flow work
 *   full   flow + the tracker (pne_tracker_segment()) with the spec of
 *          the server's port (every built-in spec on its default ports,
 *          or --spec NAME for every flow), state allocated at flow start
 *          as pne-replay does, ADUs counted
 * The flow and full modes each keep one flow table and tracker for the
 * whole run (made before the first round, so their memory is warm);
 * the flows are flushed after each round, outside the timed loop.
 * Time is the TSC (rdtsc) around the whole packet loop: cycles/packet =
 * TSC ticks / packets, at the TSC's nominal rate. It reports, per mode,
 * the minimum and median over the rounds, packets per second from the
 * median, and the overheads full/parse and full/flow, both from the
 * minima and as the median of the per-round ratios (side by side in the
 * same round).
 *
 * --mode runs one mode (for bench/callgrind.sh, which counts the
 * instructions of the loop functions bench_loop_*). --dat appends one
 * line per capture for bench/plot.gnuplot: LABEL (--label, default the
 * file name) PACKETS, then the minimum and median of parse, flow, full.
 *
 * A benchmark, not a test: never run by ctest. bench/README.md has the
 * results and the commands.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <x86intrin.h>

#include "pne/flow_table.h"
#include "pne/packet.h"
#include "pne/specs.h"
#include "pne/tracker.h"
#include "trace_mem.h"

#define MAX_ROUNDS 101
#define EXPIRE_BUDGET 16         /* as pne-replay */
#define NO_SPEC 0xff
#define NS_PER_S 1000000000ull

enum mode { MODE_PARSE, MODE_FLOW, MODE_FULL, MODE__COUNT };
static const char *const mode_name[MODE__COUNT] = { "parse", "flow", "full" };

/* Per-flow state kept in the flow table: the tracker state, if any. */
struct bflow {
	void *state;
	uint8_t spec;
};

struct bench {
	struct trace t;
	const struct pne_spec *specs[64];
	unsigned nspecs;
	uint8_t port_spec[65536];
	int forced_spec;            /* --spec: index, or -1 */
	struct pne_flow_table *ft;  /* the current mode's */
	struct pne_tracker *tr;
	struct pne_flow_table *rt_ft[MODE__COUNT];  /* per mode, reused */
	struct pne_tracker *rt_tr[MODE__COUNT];
	uint64_t adus, sink;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "bench_track: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static void specs_setup(struct bench *b, const char *force)
{
	memset(b->port_spec, NO_SPEC, sizeof(b->port_spec));
	b->forced_spec = -1;
	for (unsigned i = 0; pne_builtin_specs[i] != NULL && i < 64; i++) {
		const struct pne_spec *s = pne_builtin_specs[i];

		b->specs[b->nspecs] = s;
		if (force != NULL && strcmp(force, s->name) == 0)
			b->forced_spec = (int)b->nspecs;
		for (unsigned k = 0; k < s->nports; k++)
			if (b->port_spec[s->ports[k]] == NO_SPEC)   /* first wins */
				b->port_spec[s->ports[k]] = (uint8_t)b->nspecs;
		b->nspecs++;
	}
	if (force != NULL && b->forced_spec < 0)
		die("no built-in spec '%s'", force);
}

static void on_adu(void *flow, const struct pne_adu *adu, void *arg)
{
	struct bench *b = arg;

	b->adus++;
	b->sink += adu->len;
}

static void on_evict(struct pne_flow_entry *e, void *payload,
		     enum pne_flow_evict_reason reason, void *arg)
{
	struct bench *b = arg;
	struct bflow *bf = payload;

	if (bf->state == NULL)
		return;
	pne_tracker_flow_close(b->tr, bf->state);
	free(bf->state);
	bf->state = NULL;
}

static void runtime_open(struct bench *b, enum mode m)
{
	struct pne_flow_table_conf fc = {
		.max_flows = 65536,
		.payload_size = sizeof(struct bflow),
		.timeout = { 3600 * NS_PER_S, 60 * NS_PER_S, 60 * NS_PER_S },
		.on_evict = on_evict,
		.evict_arg = b,
	};
	struct pne_tracker_conf tc = { .gap_timeout = 10 * NS_PER_S };

	b->rt_ft[m] = pne_flow_table_create(&fc);
	b->rt_tr[m] = pne_tracker_create(&tc);
	if (b->rt_ft[m] == NULL || b->rt_tr[m] == NULL)
		die("%s", strerror(errno));
	pne_tracker_on_adu(b->rt_tr[m], on_adu, b);
}

static void runtime_close(struct bench *b)
{
	for (int m = 0; m < MODE__COUNT; m++) {
		if (b->rt_ft[m] == NULL)
			continue;   /* parse has none */
		b->ft = b->rt_ft[m];
		b->tr = b->rt_tr[m];
		pne_flow_flush(b->ft);
		pne_flow_table_destroy(b->ft);
		pne_tracker_destroy(b->tr);
	}
	b->ft = NULL;
	b->tr = NULL;
}

/* A new flow: the spec of the server's port, its state allocated. */
static void flow_start(struct bench *b, struct pne_flow_entry *e, struct bflow *bf)
{
	unsigned server = pne_flow_client_is_high(e) ? 0 : 1;
	uint8_t idx = b->forced_spec >= 0 ? (uint8_t)b->forced_spec
					  : b->port_spec[e->key.port[server]];

	bf->spec = idx;
	bf->state = NULL;
	if (idx == NO_SPEC)
		return;
	bf->state = aligned_alloc(64, pne_tracker_flow_size(b->specs[idx]));
	if (bf->state == NULL)
		die("%s", "out of memory");
	pne_tracker_flow_init(b->tr, bf->state, b->specs[idx], NULL, bf);
}

/* The flow stage of one parsed segment; returns its flow's state, or
 * NULL when the flow has none (or no room in the table). */
static struct bflow *flow_stage(struct bench *b, const struct pne_pkt *pkt, uint64_t now,
				int track)
{
	struct pne_flow_entry *e;
	struct bflow *bf;
	int rc = pne_flow_lookup_or_insert(b->ft, &pkt->key, pkt->hash, now, &e);
	int start = rc == 1;

	if (rc < 0)
		return NULL;
	bf = pne_flow_payload(e);
	if (start)
		memset(bf, 0, sizeof(*bf));
	if (pne_flow_tcp_update(b->ft, e, pkt->flags, pkt->dir_flip, now) == 1) {
		on_evict(e, bf, PNE_FLOW_EVICT_CLOSED, b);   /* port reuse */
		start = 1;
	}
	if (start && track)
		flow_start(b, e, bf);
	return bf;
}

/* The timed loops: one function per mode (callgrind toggles on them). */
__attribute__((noinline)) void bench_loop_parse(struct bench *b);
__attribute__((noinline)) void bench_loop_flow(struct bench *b);
__attribute__((noinline)) void bench_loop_full(struct bench *b);

void bench_loop_parse(struct bench *b)
{
	const struct trace *t = &b->t;
	struct pne_pkt pkt;

	for (size_t i = 0; i < t->n; i++)
		if (pne_pkt_parse(t->data + t->off[i], t->caplen[i], t->wirelen[i],
				  t->linktype, &pkt) == PNE_PKT_OK)
			b->sink += pkt.payload_len;
}

void bench_loop_flow(struct bench *b)
{
	const struct trace *t = &b->t;
	struct pne_pkt pkt;

	for (size_t i = 0; i < t->n; i++) {
		enum pne_pkt_result r = pne_pkt_parse(t->data + t->off[i], t->caplen[i],
						      t->wirelen[i], t->linktype, &pkt);

		pne_flow_expire(b->ft, t->ts[i], EXPIRE_BUDGET);
		if (r == PNE_PKT_OK && flow_stage(b, &pkt, t->ts[i], 0) != NULL)
			b->sink += pkt.payload_len;
	}
}

void bench_loop_full(struct bench *b)
{
	const struct trace *t = &b->t;
	struct pne_pkt pkt;

	for (size_t i = 0; i < t->n; i++) {
		enum pne_pkt_result r = pne_pkt_parse(t->data + t->off[i], t->caplen[i],
						      t->wirelen[i], t->linktype, &pkt);
		struct pne_flow_entry *e;
		struct bflow *bf;
		struct pne_tracker_seg seg;

		pne_flow_expire(b->ft, t->ts[i], EXPIRE_BUDGET);
		if (r != PNE_PKT_OK || (bf = flow_stage(b, &pkt, t->ts[i], 1)) == NULL ||
		    bf->state == NULL)
			continue;
		e = pne_flow_entry_of(bf);
		seg.seq = pkt.seq;
		seg.flags = pkt.flags;
		seg.payload = pkt.payload;
		seg.len = pkt.payload_len;
		seg.wire_len = pkt.payload_wire_len;
		seg.ack = pkt.ack;
		pne_tracker_segment(b->tr, bf->state, pne_flow_dir(e, pkt.dir_flip), &seg,
				    t->ts[i]);
	}
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sample {
	double cpp;   /* TSC ticks per packet */
	double pps;
};

static struct sample run_mode(struct bench *b, enum mode m)
{
	struct sample s;
	uint64_t c0, c1;
	double t0, t1;

	b->ft = b->rt_ft[m];
	b->tr = b->rt_tr[m];
	t0 = mono_s();
	c0 = __rdtsc();
	switch (m) {
	case MODE_PARSE: bench_loop_parse(b); break;
	case MODE_FLOW: bench_loop_flow(b); break;
	default: bench_loop_full(b); break;
	}
	c1 = __rdtsc();
	t1 = mono_s();
	if (b->ft != NULL)
		pne_flow_flush(b->ft);   /* the next round starts empty */
	s.cpp = (double)(c1 - c0) / (double)b->t.n;
	s.pps = (double)b->t.n / (t1 - t0);
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, unsigned n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double minimum(const double *v, unsigned n)
{
	double m = v[0];

	for (unsigned i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_track [--rounds N] [--mode all|parse|flow|full] "
		"[--spec NAME] [--dat FILE [--label NAME]] CAPTURE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "mode", required_argument, NULL, 'm' },
		{ "spec", required_argument, NULL, 's' },
		{ "dat", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bench b;
	double cpp[MODE__COUNT][MAX_ROUNDS], pps[MODE__COUNT][MAX_ROUNDS];
	double r_parse[MAX_ROUNDS], r_flow[MAX_ROUNDS];
	const char *spec = NULL, *dat = NULL, *label = NULL;
	int only = -1, c;
	unsigned rounds = 15;
	uint64_t adus_per_round;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rounds = (unsigned)strtoul(optarg, NULL, 10);
			if (rounds < 1 || rounds > MAX_ROUNDS)
				die("--rounds: 1 to %s", "101");
			break;
		case 'm':
			if (strcmp(optarg, "all") == 0)
				only = -1;
			else if ((only = strcmp(optarg, "parse") == 0 ? MODE_PARSE :
					 strcmp(optarg, "flow") == 0 ? MODE_FLOW :
					 strcmp(optarg, "full") == 0 ? MODE_FULL : -2) == -2)
				usage();
			break;
		case 's': spec = optarg; break;
		case 'd': dat = optarg; break;
		case 'l': label = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	specs_setup(&b, spec);
	trace_load(&b.t, argv[optind], "bench_track");
	runtime_open(&b, MODE_FLOW);
	runtime_open(&b, MODE_FULL);

	if (only >= 0) {
		struct sample s = run_mode(&b, (enum mode)only);

		printf("%s %s packets %zu cycles/packet %.1f adus %" PRIu64 "\n",
		       argv[optind], mode_name[only], b.t.n, s.cpp, b.adus);
		runtime_close(&b);
		trace_free(&b.t);
		return 0;
	}
	run_mode(&b, MODE_FULL);   /* warm-up: page in the trace and the code */
	b.adus = 0;
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned k = 0; k < MODE__COUNT; k++) {
			enum mode m = (enum mode)((r + k) % MODE__COUNT);
			struct sample s = run_mode(&b, m);

			cpp[m][r] = s.cpp;
			pps[m][r] = s.pps;
		}
		r_parse[r] = cpp[MODE_FULL][r] / cpp[MODE_PARSE][r];
		r_flow[r] = cpp[MODE_FULL][r] / cpp[MODE_FLOW][r];
	}
	adus_per_round = b.adus / rounds;

	printf("capture  %s\npackets  %zu, %" PRIu64 " ADUs per full round, %u rounds "
	       "(TSC ticks per packet)\n", argv[optind], b.t.n, adus_per_round, rounds);
	printf("%-6s %10s %10s %12s\n", "mode", "min", "median", "Mpkt/s(med)");
	for (int m = 0; m < MODE__COUNT; m++)
		printf("%-6s %10.1f %10.1f %12.3f\n", mode_name[m], minimum(cpp[m], rounds),
		       median(cpp[m], rounds), median(pps[m], rounds) / 1e6);
	printf("full/parse  %.3f from minima, %.3f median of per-round ratios\n",
	       minimum(cpp[MODE_FULL], rounds) / minimum(cpp[MODE_PARSE], rounds),
	       median(r_parse, rounds));
	printf("full/flow   %.3f from minima, %.3f median of per-round ratios\n",
	       minimum(cpp[MODE_FULL], rounds) / minimum(cpp[MODE_FLOW], rounds),
	       median(r_flow, rounds));
	if (dat != NULL) {
		FILE *f = fopen(dat, "a");
		const char *base = strrchr(argv[optind], '/');

		if (label == NULL)
			label = base != NULL ? base + 1 : argv[optind];
		if (f == NULL)
			die("%s: cannot append", dat);
		/* name packets parse_min parse_med flow_min flow_med full_min full_med */
		fprintf(f, "%s %zu", label, b.t.n);
		for (int m = 0; m < MODE__COUNT; m++)
			fprintf(f, " %.1f %.1f", minimum(cpp[m], rounds), median(cpp[m], rounds));
		fputc('\n', f);
		if (fclose(f) != 0)
			die("%s: write error", dat);
	}
	runtime_close(&b);
	trace_free(&b.t);
	return b.sink == UINT64_MAX;   /* keeps sink live */
}
