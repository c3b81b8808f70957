/*
 * pne-replay: run the runtime's packet parser, flow table, stream tracker
 * and interpreter over a capture file, exactly as the DPDK application
 * does over a port, and report the ADUs and the counters.
 *
 *   pne-replay [OPTIONS] CAPTURE      (pcap or pcapng, maybe gzip'd)
 *
 * docs/pne-replay.md is the manual. The sections of this file:
 *   1. options       2. per-flow state and ADU output
 *   3. the pipeline's hooks (--flows, --streams)
 *   4. progress bar  5. human summary  6. stats JSON  7. main
 *
 * Each packet goes through the packet pipeline (include/pne/pipe.h:
 * parse, expiry, flow table, RST check, spec choice, tracker), the one
 * dpdk-pne runs, so both frame alike. Time is the capture's timestamp in
 * nanoseconds, so timeouts are in capture time and a replay is
 * deterministic whatever the machine's speed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define CYCLE_UNIT "tsc"
static inline uint64_t cycles_now(void)
{
	return __rdtsc();
}
#else
#define CYCLE_UNIT "ns"   /* no cycle counter read here: monotonic ns */
static inline uint64_t cycles_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

#include "pne/adu_log.h"
#include "pne/flow_table.h"
#include "pne/packet.h"
#include "pne/pipe.h"
#include "pne/tracker.h"
#include "replay.h"

#define NS_PER_S 1000000000.0
#define PROGRESS_MIN_SIZE (16u << 20)  /* smaller files finish too fast */
#define PROGRESS_EVERY 4096     /* packets between clock reads */
#define MAX_ARGS 64             /* --spec and --param options each */

/* Exit statuses. */
#define EXIT_RUN   1   /* unreadable capture, output error, no memory */
#define EXIT_USAGE 2

/* ---- 1. options ---------------------------------------------------- */

struct options {
	const char *capture;
	const char *adus;           /* NULL: ADUs are counted, not written */
	const char *stats;
	const char *spec_args[MAX_ARGS];
	unsigned nspec_args;
	const char *param_args[MAX_ARGS];
	unsigned nparam_args;
	struct pne_tracker_conf tconf;
	uint64_t tmo[PNE_FLOW_TMO__COUNT];  /* ns */
	uint32_t max_flows;
	int quiet;
	int progress;
	int list;
	int body_hash;              /* --body-hash */
	const char *bodies;         /* --bodies DIR */
	uint64_t body_cap;          /* --body-cap */
	const char *flows;          /* --flows FILE */
	const char *streams;        /* --streams DIR */
};

/* Default idle timeouts, seconds (established, closing, half_open). */
static const double def_tmo[PNE_FLOW_TMO__COUNT] = {
	[PNE_FLOW_TMO_ESTABLISHED] = 3600,
	[PNE_FLOW_TMO_CLOSING]     = 60,
	[PNE_FLOW_TMO_HALF_OPEN]   = 60,
};
#define DEF_GAP_TIMEOUT_S 10.0
#define DEF_MAX_FLOWS     PNE_PIPE_DEF_MAX_FLOWS

static void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("pne-replay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: pne-replay [OPTIONS] CAPTURE\n"
"Frames the TCP streams of a pcap or pcapng file (gzip'd or not; '-' reads\n"
"standard input) with the PNE specs and reports the ADUs they find.\n"
"\n"
"  --adus FILE           write the ADUs as JSON Lines ('-': standard output)\n"
"  --stats-json FILE     write every counter as one JSON object ('-': stdout)\n"
"  --spec NAME[:PORTS]   run built-in spec NAME (repeatable); PORTS (80,8080)\n"
"                        replace its default server ports. Default: every\n"
"                        built-in spec on its default ports\n"
"  --spec FILE.so[:PORTS] load a spec compiled with pnec --module\n"
"  --param SPEC.NAME=V   set a spec parameter (number, 0x hex, true, false)\n"
"  --list-specs          print the specs (selected, or all built-in) and exit\n"
"  --memcap BYTES        tracker pool for held out-of-order data (64M)\n"
"  --flow-hold BYTES     held bytes per flow (1M)\n"
"  --gap-timeout SECS    give up on a hole after SECS of capture time (10;\n"
"                        0: only when room is needed or the flow ends)\n"
"  --flow-timeout [CLASS=]SECS  idle timeout of established flows (3600), or\n"
"                        of CLASS: established, closing (60), half_open (60)\n"
"  --max-flows N         flow table size (%u)\n"
"  --body-hash           add each HTTP message body's lengths and digests\n"
"                        (decoded and raw) to its ADU record\n"
"  --bodies DIR          write decoded HTTP bodies to DIR/FLOW_DIR_OFFSET\n"
"  --body-cap BYTES      decoded bytes kept per body (16M)\n"
"  --flows FILE          write one JSON record per connection ('-': stdout)\n"
"  --streams DIR         write each direction's reassembled stream to\n"
"                        DIR/FLOW_DIR.bin, its lost holes to FLOW_DIR.gaps\n"
"  --no-progress         no progress bar (shown for big files on a terminal)\n"
"  -q, --quiet           no summary, no warnings\n"
"  -h, --help            this text\n"
"Sizes take a k, m or g suffix (powers of 1024). Exit status: 0 done (also\n"
"for a capture cut short, with a warning), 1 unreadable capture or output\n"
"error, 2 bad usage.\n", DEF_MAX_FLOWS);
}

static int parse_size(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1u << 10; end++; break;
	case 'm': case 'M': mul = 1u << 20; end++; break;
	case 'g': case 'G': mul = 1u << 30; end++; break;
	default: break;
	}
	if (*end != '\0' || v > max / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* Seconds (a decimal fraction allowed) into nanoseconds. */
static int parse_secs(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0 || v > 1e9)
		return -1;
	*ns = (uint64_t)llround(v * NS_PER_S);
	return 0;
}

static int parse_flow_timeout(struct options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *val = eq != NULL ? eq + 1 : arg;
	int cls = PNE_FLOW_TMO_ESTABLISHED;
	uint64_t ns;

	if (eq != NULL) {
		cls = -1;
		for (int c = 0; c < PNE_FLOW_TMO__COUNT; c++)
			if (strlen(pne_flow_tmo_name((enum pne_flow_tmo)c)) == (size_t)(eq - arg) &&
			    strncmp(arg, pne_flow_tmo_name((enum pne_flow_tmo)c),
				    (size_t)(eq - arg)) == 0)
				cls = c;
		if (cls < 0) {
			errmsg("--flow-timeout %s: no timeout class '%.*s' (established, "
			       "closing, half_open)", arg, (int)(eq - arg), arg);
			return -1;
		}
	}
	if (parse_secs(val, &ns) != 0 || ns == 0) {
		errmsg("--flow-timeout %s: expected seconds above 0", arg);
		return -1;
	}
	o->tmo[cls] = ns;
	return 0;
}

enum {
	OPT_ADUS = 256, OPT_STATS, OPT_SPEC, OPT_PARAM, OPT_LIST, OPT_MEMCAP,
	OPT_FLOW_HOLD, OPT_GAP_TIMEOUT, OPT_FLOW_TIMEOUT, OPT_MAX_FLOWS,
	OPT_NO_PROGRESS, OPT_BODY_HASH, OPT_BODIES, OPT_BODY_CAP,
	OPT_FLOWS, OPT_STREAMS,
};

/* One option; returns 0, or an exit status. */
static int option(struct options *o, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case OPT_ADUS: o->adus = arg; return 0;
	case OPT_STATS: o->stats = arg; return 0;
	case OPT_LIST: o->list = 1; return 0;
	case OPT_NO_PROGRESS: o->progress = 0; return 0;
	case OPT_BODY_HASH: o->body_hash = 1; return 0;
	case OPT_BODIES: o->bodies = arg; return 0;
	case OPT_FLOWS: o->flows = arg; return 0;
	case OPT_STREAMS: o->streams = arg; return 0;
	case OPT_BODY_CAP:
		if (parse_size(arg, UINT64_MAX, &o->body_cap) != 0 || o->body_cap == 0) {
			errmsg("--body-cap %s: expected a size above 0", arg);
			return EXIT_USAGE;
		}
		return 0;
	case 'q': o->quiet = 1; return 0;
	case 'h': usage(stdout); return -1;
	case OPT_SPEC:
	case OPT_PARAM:
		if ((c == OPT_SPEC ? o->nspec_args : o->nparam_args) == MAX_ARGS) {
			errmsg("more than %d %s options", MAX_ARGS,
			       c == OPT_SPEC ? "--spec" : "--param");
			return EXIT_USAGE;
		}
		if (c == OPT_SPEC)
			o->spec_args[o->nspec_args++] = arg;
		else
			o->param_args[o->nparam_args++] = arg;
		return 0;
	case OPT_MEMCAP:
		if (parse_size(arg, SIZE_MAX, &v) != 0 || v == 0) {
			errmsg("--memcap %s: expected a size above 0", arg);
			return EXIT_USAGE;
		}
		o->tconf.memcap = (size_t)v;
		return 0;
	case OPT_FLOW_HOLD:
		if (parse_size(arg, UINT32_MAX, &v) != 0 || v == 0) {
			errmsg("--flow-hold %s: expected a size from 1 to 4G-1", arg);
			return EXIT_USAGE;
		}
		o->tconf.flow_hold = (uint32_t)v;
		return 0;
	case OPT_GAP_TIMEOUT:
		if (parse_secs(arg, &o->tconf.gap_timeout) != 0) {
			errmsg("--gap-timeout %s: expected seconds (0: no timeout)", arg);
			return EXIT_USAGE;
		}
		return 0;
	case OPT_FLOW_TIMEOUT:
		return parse_flow_timeout(o, arg) == 0 ? 0 : EXIT_USAGE;
	case OPT_MAX_FLOWS:
		if (parse_size(arg, 1u << 31, &v) != 0 || v == 0) {
			errmsg("--max-flows %s: expected a count from 1 to 2^31", arg);
			return EXIT_USAGE;
		}
		o->max_flows = (uint32_t)v;
		return 0;
	default:
		usage(stderr);
		return EXIT_USAGE;
	}
}

/* Returns 0 to run, -1 to exit 0 (--help), or an exit status. */
static int parse_options(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "adus", required_argument, NULL, OPT_ADUS },
		{ "stats-json", required_argument, NULL, OPT_STATS },
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "param", required_argument, NULL, OPT_PARAM },
		{ "list-specs", no_argument, NULL, OPT_LIST },
		{ "memcap", required_argument, NULL, OPT_MEMCAP },
		{ "flow-hold", required_argument, NULL, OPT_FLOW_HOLD },
		{ "gap-timeout", required_argument, NULL, OPT_GAP_TIMEOUT },
		{ "flow-timeout", required_argument, NULL, OPT_FLOW_TIMEOUT },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "body-hash", no_argument, NULL, OPT_BODY_HASH },
		{ "bodies", required_argument, NULL, OPT_BODIES },
		{ "body-cap", required_argument, NULL, OPT_BODY_CAP },
		{ "flows", required_argument, NULL, OPT_FLOWS },
		{ "streams", required_argument, NULL, OPT_STREAMS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->progress = 1;
	o->max_flows = DEF_MAX_FLOWS;
	o->tconf.gap_timeout = (uint64_t)(DEF_GAP_TIMEOUT_S * NS_PER_S);
	for (int i = 0; i < PNE_FLOW_TMO__COUNT; i++)
		o->tmo[i] = (uint64_t)(def_tmo[i] * NS_PER_S);
	opterr = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
		if ((rc = option(o, c, optarg)) != 0)
			return rc;
	if (o->list)
		return 0;
	if (optind != argc - 1) {
		errmsg(optind == argc ? "no capture file given" : "more than one capture file");
		usage(stderr);
		return EXIT_USAGE;
	}
	o->capture = argv[optind];
	if (o->adus != NULL && o->stats != NULL && strcmp(o->adus, "-") == 0 &&
	    strcmp(o->stats, "-") == 0) {
		errmsg("--adus and --stats-json can't both go to standard output");
		return EXIT_USAGE;
	}
	if (o->flows != NULL && strcmp(o->flows, "-") == 0 &&
	    ((o->adus != NULL && strcmp(o->adus, "-") == 0) ||
	     (o->stats != NULL && strcmp(o->stats, "-") == 0))) {
		errmsg("--flows can't share standard output with --adus or --stats-json");
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- 2. per-flow state and ADU output ------------------------------ */

/* What replay keeps per connection, in the pipeline's host bytes. */
struct rflow {
	struct rpl_flowrec *rec;  /* --flows, --streams: its record, or NULL */
};

/* ADUs of one (spec, type): the by-type counters. */
struct type_count {
	uint8_t spec;
	char *type;
	uint64_t n;
};

struct replay {
	struct options *o;
	struct rpl_specs specs;
	struct pne_pipe_spec pspecs[RPL_MAX_SPECS];  /* the pipeline's view */
	struct rpl_input in;
	struct pne_pipe *pipe;
	const struct pne_pipe_stats *st;   /* the pipeline's counters */
	struct rpl_bodies *bodies;  /* --body-hash, --bodies */
	struct rpl_flows *flows;    /* --flows, --streams */
	struct rpl_streams *streams;
	FILE *flows_out;
	int linktype;
	FILE *adus;
	char *line;                 /* one ADU record */
	size_t line_cap;
	int out_error;
	struct type_count *types;
	unsigned ntypes, types_cap;
	/* counters beyond the pipeline's */
	uint64_t pcap_errors;
	int truncated;
	uint64_t first_ts, last_ts;
	uint64_t cycles, flush_cycles;
	double elapsed;
	char errbuf[PCAP_ERRBUF_SIZE + 256];
};

static void count_type(struct replay *r, unsigned spec, const char *type)
{
	struct type_count *t;

	for (unsigned i = 0; i < r->ntypes; i++) {
		t = &r->types[i];
		if (t->spec == spec && strcmp(t->type, type) == 0) {
			t->n++;
			return;
		}
	}
	if (r->ntypes == r->types_cap) {
		unsigned cap = r->types_cap ? r->types_cap * 2 : 32;
		struct type_count *p = realloc(r->types, cap * sizeof(*p));

		if (p == NULL)
			return;   /* the per-spec totals still count it */
		r->types = p;
		r->types_cap = cap;
	}
	t = &r->types[r->ntypes];
	t->type = strdup(type);
	if (t->type == NULL)
		return;
	t->spec = (uint8_t)spec;
	t->n = 1;
	r->ntypes++;
}

static struct rflow *rflow_of(void *flow)
{
	return pne_pipe_flow_user(flow);
}

static const char *body_label(void *flow)
{
	return pne_pipe_flow_label(flow);
}

static struct rpl_flowrec *rec_of(void *flow)
{
	return rflow_of(flow)->rec;
}

static void write_adu(struct replay *r, struct pne_pipe_flow *f, const struct pne_adu *adu)
{
	const char *label = pne_pipe_flow_label(f);
	const char *body = rpl_bodies_json(r->bodies, f, adu);
	size_t need = pne_adu_log_line(r->line, r->line_cap, label, adu, body);

	if (need >= r->line_cap) {
		size_t cap = need + 1 > 2 * r->line_cap ? need + 1 : 2 * r->line_cap;
		char *p = realloc(r->line, cap);

		if (p == NULL) {
			r->out_error = ENOMEM;
			return;
		}
		r->line = p;
		r->line_cap = cap;
		pne_adu_log_line(r->line, r->line_cap, label, adu, body);
	}
	fwrite(r->line, 1, need, r->adus);
}

/* The pipeline's ADU consumer (cookie: the connection). */
static void on_adu(void *flow, const struct pne_adu *adu, void *arg)
{
	struct replay *r = arg;
	struct rflow *rf = rflow_of(flow);

	count_type(r, pne_pipe_flow_spec(flow), adu->type != NULL ? adu->type : "");
	if (rf->rec != NULL)
		rpl_flows_adu(rf->rec, adu);
	if (r->adus != NULL)
		write_adu(r, flow, adu);
}

/* ---- 3. the pipeline's hooks: --flows records ---------------------- */

static void flow_start(struct pne_pipe_flow *f, uint64_t now, void *arg)
{
	struct replay *r = arg;
	unsigned spec = pne_pipe_flow_spec(f);

	rflow_of(f)->rec = rpl_flows_start(r->flows, pne_pipe_flow_state(f),
					   spec != PNE_PIPE_NO_SPEC ?
					   r->specs.s[spec].spec->name : NULL,
					   pne_pipe_flow_label(f), now);
}

static void flow_segment(struct pne_pipe_flow *f, enum pne_dir dir, const struct pne_pkt *pkt,
			 uint8_t flags, const uint8_t *frame, uint32_t wire_len, uint64_t now,
			 void *arg)
{
	struct rflow *rf = rflow_of(f);
	uint32_t ip_len;

	(void)arg;
	if (rf->rec == NULL)
		return;
	ip_len = (uint32_t)(pkt->payload - frame) - pkt->l3_off + pkt->payload_wire_len;
	rpl_flows_packet(rf->rec, dir, pkt, flags, wire_len, ip_len, now);
}

static void flow_end(struct pne_pipe_flow *f, enum pne_pipe_end how, enum pne_flow_state st,
		     void *arg)
{
	struct replay *r = arg;
	struct rflow *rf = rflow_of(f);

	if (rf->rec == NULL)
		return;
	rpl_flows_end(r->flows, rf->rec, pne_pipe_end_name(how), pne_flow_state_name(st));
	rf->rec = NULL;
}

static void packet(struct replay *r, const struct pcap_pkthdr *h, const uint8_t *data)
{
	uint64_t now = h->ts.tv_sec < 0 ? 0 :
		(uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;

	if (r->st->packets == 0)
		r->first_ts = now;
	r->last_ts = now;
	pne_pipe_packet(r->pipe, data, h->caplen, h->len, r->linktype, now);
}

/* ---- 4. progress bar ------------------------------------------------ */

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / NS_PER_S;
}

static void progress_draw(const struct replay *r)
{
	double frac = (double)rpl_input_pos(&r->in) / (double)r->in.size;
	int width = 40, done;

	if (frac > 1)
		frac = 1;
	done = (int)(frac * width);
	fprintf(stderr, "\r[%.*s%*s] %3d%%  %" PRIu64 " packets, %" PRIu64 " ADUs",
		done, "########################################", width - done, "",
		(int)(frac * 100), r->st->packets, r->st->adus);
	fflush(stderr);
}

/* ---- 5. human summary ----------------------------------------------- */

static double pct(uint64_t n, uint64_t total)
{
	return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

static void summary_adus(const struct replay *r, FILE *f)
{
	fprintf(f, "  ADUs: %" PRIu64 " (%" PRIu64 " unsynced, %" PRIu64 " until close)\n",
		r->st->adus, r->st->adus_unsynced, r->st->adus_closed);
	for (unsigned s = 0; s < r->specs.n; s++) {
		const char *sep = "";

		if (r->st->adus_by_spec[s] == 0)
			continue;
		fprintf(f, "    %-10s %" PRIu64 ":", r->specs.s[s].spec->name, r->st->adus_by_spec[s]);
		for (unsigned i = 0; i < r->ntypes; i++) {
			if (r->types[i].spec != s)
				continue;
			fprintf(f, "%s %s %" PRIu64, sep, r->types[i].type, r->types[i].n);
			sep = ",";
		}
		fputc('\n', f);
	}
}

static void summary(const struct replay *r, FILE *f)
{
	const struct pne_tracker_stats *ts = pne_pipe_tracker_stats(r->pipe);
	const struct pne_flow_stats *fs = pne_pipe_flow_stats(r->pipe);
	uint64_t tracked_payload = ts->payload_packets;

	fprintf(f, "%s: %" PRIu64 " packets, %" PRIu64 " bytes, %.3f s of capture\n",
		r->o->capture, r->st->packets, r->st->wire_bytes,
		r->st->packets ? (double)(r->last_ts - r->first_ts) / NS_PER_S : 0.0);
	fprintf(f, "  TCP segments %" PRIu64 ", with payload %" PRIu64 " (%" PRIu64 " bytes)",
		r->st->segments, r->st->payload_packets, r->st->payload_bytes);
	for (int i = 1; i < PNE_PKT__COUNT; i++)
		if (r->st->parse[i] > 0)
			fprintf(f, "; %s %" PRIu64, pne_pkt_result_name((enum pne_pkt_result)i),
				r->st->parse[i]);
	fputc('\n', f);
	fprintf(f, "  flows: %" PRIu64 " (%" PRIu64 " tracked, %" PRIu64 " no spec, %"
		PRIu64 " refused: table full), peak %" PRIu64 " in the table\n",
		r->st->flows_tracked + r->st->flows_untracked, r->st->flows_tracked, r->st->flows_untracked,
		fs->flows_dropped, r->st->flows_peak);
	summary_adus(r, f);
	fprintf(f, "  payload packets tracked %" PRIu64 ": examined %" PRIu64 " (%.1f%%), "
		"skipped %" PRIu64 " (%.1f%%), ignored %" PRIu64 " (%.1f%%); %" PRIu64
		" on flows without a spec\n", tracked_payload,
		ts->examined, pct(ts->examined, tracked_payload),
		ts->skipped, pct(ts->skipped, tracked_payload),
		ts->ignored, pct(ts->ignored, tracked_payload), r->st->untracked_payload_packets);
	fprintf(f, "  held peak %" PRIu64 " bytes; gaps %" PRIu64 " (%" PRIu64 " bytes), "
		"absorbed %" PRIu64 ", resyncs %" PRIu64 "; hold drops %" PRIu64 "\n",
		ts->held_peak, ts->gaps, ts->gap_bytes, ts->gaps_absorbed, ts->resyncs,
		ts->hold_drops);
	fprintf(f, "  %.0f %s/packet (%s), %.3f s\n",
		r->st->packets ? (double)r->cycles / (double)r->st->packets : 0.0,
		strcmp(CYCLE_UNIT, "tsc") == 0 ? "cycles" : "ns", CYCLE_UNIT, r->elapsed);
}

/* ---- 6. stats JSON ---------------------------------------------------- */

static void jkey(FILE *f, int *first, const char *key)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	*first = 0;
}

static void ju64(FILE *f, int *first, const char *key, uint64_t v)
{
	jkey(f, first, key);
	fprintf(f, "%" PRIu64, v);
}

static void jdbl(FILE *f, int *first, const char *key, double v)
{
	jkey(f, first, key);
	fprintf(f, "%.6g", v);
}

static void stats_specs(const struct replay *r, FILE *f)
{
	fputc('[', f);
	for (unsigned i = 0; i < r->specs.n; i++) {
		const struct rpl_spec *s = &r->specs.s[i];

		fputs(i > 0 ? ",{\"name\":" : "{\"name\":", f);
		rpl_json_string(f, s->spec->name);
		fputs(",\"source\":", f);
		rpl_json_string(f, s->source);
		fputs(",\"ports\":[", f);
		for (unsigned k = 0; k < s->nports; k++)
			fprintf(f, "%s%u", k > 0 ? "," : "", s->ports[k]);
		fprintf(f, "],\"flows\":%" PRIu64 "}", r->st->flows_by_spec[i]);
	}
	fputc(']', f);
}

static void stats_adus(const struct replay *r, FILE *f)
{
	int first = 1;

	fputc('{', f);
	ju64(f, &first, "total", r->st->adus);
	ju64(f, &first, "unsynced", r->st->adus_unsynced);
	ju64(f, &first, "closed", r->st->adus_closed);
	jkey(f, &first, "by_proto");
	fputc('{', f);
	for (unsigned s = 0, n = 0; s < r->specs.n; s++) {
		int tfirst = 1;

		if (r->st->adus_by_spec[s] == 0)
			continue;
		fputs(n++ > 0 ? "," : "", f);
		rpl_json_string(f, r->specs.s[s].spec->name);
		fprintf(f, ":{\"total\":%" PRIu64 ",\"types\":{", r->st->adus_by_spec[s]);
		for (unsigned i = 0; i < r->ntypes; i++) {
			if (r->types[i].spec != s)
				continue;
			fputs(tfirst ? "" : ",", f);
			tfirst = 0;
			rpl_json_string(f, r->types[i].type);
			fprintf(f, ":%" PRIu64, r->types[i].n);
		}
		fputs("}}", f);
	}
	fputs("}}", f);
}

static void stats_flows(const struct replay *r, FILE *f)
{
	const struct pne_flow_stats *fs = pne_pipe_flow_stats(r->pipe);
	int first = 1;

	fputc('{', f);
	ju64(f, &first, "total", r->st->flows_tracked + r->st->flows_untracked);
	ju64(f, &first, "tracked", r->st->flows_tracked);
	ju64(f, &first, "untracked", r->st->flows_untracked);
	ju64(f, &first, "peak", r->st->flows_peak);
	ju64(f, &first, "max_flows", r->o->max_flows);
	ju64(f, &first, "state_alloc_failures", r->st->state_alloc_failures);
	ju64(f, &first, "state_bytes_peak", r->st->state_bytes_peak);
#define PNE_FLOW_COUNTER(name, desc) ju64(f, &first, #name, fs->name);
#include "pne/flow_table.def"
#undef PNE_FLOW_COUNTER
	jkey(f, &first, "evicted");
	fputc('{', f);
	for (int i = 0; i < PNE_FLOW_EVICT__COUNT; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i > 0 ? "," : "",
			pne_flow_evict_name((enum pne_flow_evict_reason)i), fs->evicted[i]);
	fputs("}}", f);
}

static void stats_counters(const struct replay *r, FILE *f)
{
	const struct pne_tracker_stats *ts = pne_pipe_tracker_stats(r->pipe);
	int first = 1;

	fputs(",\"parse\":{", f);
	for (int i = 0; i < PNE_PKT__COUNT; i++)
		ju64(f, &first, pne_pkt_result_name((enum pne_pkt_result)i), r->st->parse[i]);
	fputs("},\"tcp\":{", f);
	first = 1;
	ju64(f, &first, "segments", r->st->segments);
	ju64(f, &first, "payload_packets", r->st->payload_packets);
	ju64(f, &first, "payload_bytes", r->st->payload_bytes);
	ju64(f, &first, "untracked_segments", r->st->untracked_segments);
	ju64(f, &first, "untracked_payload_packets", r->st->untracked_payload_packets);
	ju64(f, &first, "no_flow_packets", r->st->no_flow_packets);
	ju64(f, &first, "rst_ignored", r->st->rst_ignored);
	fputs("},\"flows\":", f);
	stats_flows(r, f);
	fputs(",\"tracker\":{", f);
	first = 1;
	for (unsigned i = 0; i < PNE_TRACKER_STAT__COUNT; i++)
		ju64(f, &first, pne_tracker_stat_name(i), pne_tracker_stat_value(ts, i));
	fputs("},\"interp\":{", f);
	first = 1;
	ju64(f, &first, "bytes_examined", r->st->interp.bytes_examined);
	ju64(f, &first, "bytes_skipped", r->st->interp.bytes_skipped);
	ju64(f, &first, "invalid", r->st->interp.invalid);
	ju64(f, &first, "resyncs", r->st->interp.resyncs);
	ju64(f, &first, "partial", r->st->interp.partial);
	ju64(f, &first, "forced", r->st->interp.forced);
	fputs("},\"adus\":", f);
	stats_adus(r, f);
}

static void stats_json(const struct replay *r, FILE *f)
{
	const struct pne_tracker_stats *ts = pne_pipe_tracker_stats(r->pipe);
	uint64_t tp = ts->payload_packets;
	int first = 1;

	fputs("{\"capture\":", f);
	rpl_json_string(f, r->o->capture);
	fprintf(f, ",\"linktype\":%d,\"specs\":", r->linktype);
	stats_specs(r, f);
	fputs(",\"pcap\":{", f);
	ju64(f, &first, "packets", r->st->packets);
	ju64(f, &first, "bytes", r->st->wire_bytes);
	ju64(f, &first, "captured_bytes", r->st->cap_bytes);
	ju64(f, &first, "errors", r->pcap_errors);
	jkey(f, &first, "truncated");
	fputs(r->truncated ? "true" : "false", f);
	ju64(f, &first, "first_ts_ns", r->first_ts);
	ju64(f, &first, "last_ts_ns", r->last_ts);
	fputc('}', f);
	stats_counters(r, f);
	first = 0;
	ju64(f, &first, "examined", ts->examined);
	ju64(f, &first, "skipped", ts->skipped);
	ju64(f, &first, "ignored", ts->ignored);
	jdbl(f, &first, "examined_pct", pct(ts->examined, tp));
	jdbl(f, &first, "skipped_pct", pct(ts->skipped, tp));
	ju64(f, &first, "held_peak_bytes", ts->held_peak);
	ju64(f, &first, "gaps_absorbed", ts->gaps_absorbed);
	ju64(f, &first, "resyncs", ts->resyncs);
	fputs(",\"cycles\":{\"unit\":\"" CYCLE_UNIT "\"", f);
	ju64(f, &first, "total", r->cycles);
	jdbl(f, &first, "per_packet", r->st->packets ? (double)r->cycles / (double)r->st->packets : 0);
	ju64(f, &first, "flush", r->flush_cycles);
	fputc('}', f);
	jdbl(f, &first, "elapsed_s", r->elapsed);
	fputs("}\n", f);
}

static int write_stats(const struct replay *r, const char *path)
{
	int to_stdout = strcmp(path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(path, "w");
	int bad;

	if (f == NULL) {
		errmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	stats_json(r, f);
	bad = ferror(f) != 0;
	bad |= to_stdout ? fflush(f) != 0 : fclose(f) != 0;
	if (bad) {
		errmsg("%s: error writing the stats", path);
		return -1;
	}
	return 0;
}

/* ---- 7. main -------------------------------------------------------- */

static int setup_specs(struct replay *r)
{
	struct options *o = r->o;

	if (o->nspec_args == 0 && rpl_specs_add_builtin(&r->specs) != 0)
		return -1;
	for (unsigned i = 0; i < o->nspec_args; i++)
		if (rpl_specs_add(&r->specs, o->spec_args[i]) != 0)
			return -1;
	for (unsigned i = 0; i < o->nparam_args; i++)
		if (rpl_specs_param(&r->specs, o->param_args[i]) != 0)
			return -1;
	for (unsigned i = 0; i < r->specs.n; i++) {
		if (pne_tracker_flow_size(r->specs.s[i].spec) == 0) {
			errmsg("spec %s: unusable table", r->specs.s[i].spec->name);
			return -1;
		}
	}
	rpl_specs_ports(&r->specs, o->quiet);
	return 0;
}

/* --flows and --streams: one payload subscription feeds both. */
static int setup_flows(struct replay *r)
{
	const struct options *o = r->o;

	if (o->flows == NULL && o->streams == NULL)
		return 0;
	if (o->streams != NULL) {
		r->streams = rpl_streams_new(o->streams);
		if (r->streams == NULL) {
			errmsg("--streams %s: %s", o->streams, strerror(errno));
			return -1;
		}
	}
	if (o->flows != NULL) {
		r->flows_out = strcmp(o->flows, "-") == 0 ? stdout : fopen(o->flows, "w");
		if (r->flows_out == NULL) {
			errmsg("%s: %s", o->flows, strerror(errno));
			return -1;
		}
	}
	r->flows = rpl_flows_new(pne_pipe_tracker(r->pipe), r->flows_out, r->streams, rec_of);
	if (r->flows == NULL) {
		errmsg("flow records: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Flow records and stream files complete; -1 after saying why not. */
static int close_flows(struct replay *r)
{
	int bad = 0;

	if (r->flows_out != NULL) {
		bad = ferror(r->flows_out) != 0;
		bad |= r->flows_out == stdout ? fflush(stdout) != 0 : fclose(r->flows_out) != 0;
		r->flows_out = NULL;
		if (bad)
			errmsg("%s: error writing the flow records", r->o->flows);
	}
	if (r->flows != NULL && rpl_flows_alloc_failures(r->flows) > 0) {
		errmsg("%" PRIu64 " flow records lost: out of memory",
		       rpl_flows_alloc_failures(r->flows));
		bad = 1;
	}
	if (r->streams != NULL && rpl_streams_stats(r->streams)->file_errors > 0) {
		errmsg("%s: %" PRIu64 " streams not written completely", r->o->streams,
		       rpl_streams_stats(r->streams)->file_errors);
		bad = 1;
	}
	return bad ? -1 : 0;
}

static int setup_runtime(struct replay *r)
{
	const struct options *o = r->o;
	struct pne_pipe_conf pc = {
		.specs = r->pspecs,
		.nspecs = r->specs.n,
		.port_spec = r->specs.port_spec,
		.max_flows = o->max_flows,
		.tracker = o->tconf,
		.user_size = sizeof(struct rflow),
		.on_adu = on_adu,
		.adu_arg = r,
	};

	/* the hooks only feed --flows and --streams: off, they cost nothing */
	if (o->flows != NULL || o->streams != NULL)
		pc.hooks = (struct pne_pipe_hooks){
			.flow_start = flow_start, .segment = flow_segment,
			.flow_end = flow_end, .arg = r,
		};
	for (unsigned i = 0; i < r->specs.n; i++) {
		r->pspecs[i].spec = r->specs.s[i].spec;
		r->pspecs[i].params = r->specs.s[i].params;
	}
	memcpy(pc.timeout, o->tmo, sizeof(pc.timeout));
	r->pipe = pne_pipe_create(&pc);
	if (r->pipe == NULL) {
		errmsg("flow table of %u flows, tracker (memcap %zu bytes): %s", o->max_flows,
		       o->tconf.memcap, strerror(errno));
		return -1;
	}
	r->st = pne_pipe_stats(r->pipe);
	if (o->body_hash || o->bodies != NULL) {
		r->bodies = rpl_bodies_new(pne_pipe_tracker(r->pipe), o->bodies, o->body_hash,
					   o->body_cap, body_label);
		if (r->bodies == NULL) {
			errmsg("%s: %s", o->bodies != NULL ? o->bodies : "body decoding",
			       strerror(errno));
			return -1;
		}
	}
	return setup_flows(r);
}

static int open_adus(struct replay *r)
{
	if (r->o->adus == NULL)
		return 0;
	if (strcmp(r->o->adus, "-") == 0) {
		r->adus = stdout;
	} else {
		r->adus = fopen(r->o->adus, "w");
		if (r->adus == NULL) {
			errmsg("%s: %s", r->o->adus, strerror(errno));
			return -1;
		}
	}
	setvbuf(r->adus, NULL, _IOFBF, 1u << 16);
	return 0;
}

static int close_adus(struct replay *r)
{
	int bad;

	if (r->adus == NULL)
		return 0;
	bad = ferror(r->adus) != 0 || r->out_error != 0;
	bad |= r->adus == stdout ? fflush(stdout) != 0 : fclose(r->adus) != 0;
	r->adus = NULL;
	if (bad) {
		errmsg("%s: error writing the ADUs", r->o->adus);
		return -1;
	}
	return 0;
}

/* Every packet of the capture through the pipeline, then every flow
 * closed (until_close ADUs and the last partial ones reported). */
static void run(struct replay *r)
{
	int bar = r->o->progress && !r->o->quiet && isatty(2) &&
		  r->in.size >= PROGRESS_MIN_SIZE;
	double t0 = mono_now(), drawn = t0;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t c0;
	int rc;

	while ((rc = pcap_next_ex(r->in.pcap, &h, &data)) == 1) {
		c0 = cycles_now();
		packet(r, h, data);
		r->cycles += cycles_now() - c0;
		if (bar && r->st->packets % PROGRESS_EVERY == 0 && mono_now() - drawn >= 0.2) {
			progress_draw(r);
			drawn = mono_now();
		}
		if (r->out_error)
			break;
	}
	if (bar)
		fputs("\r\033[K", stderr);
	if (rc == PCAP_ERROR) {
		/* libpcap stops at a record cut short or a corrupt header */
		r->pcap_errors++;
		r->truncated = 1;
		if (!r->o->quiet)
			fprintf(stderr, "pne-replay: warning: %s: %s; processed the %" PRIu64
				" packets before it\n", r->o->capture, pcap_geterr(r->in.pcap),
				r->st->packets);
	}
	c0 = cycles_now();
	pne_pipe_flush(r->pipe);
	r->flush_cycles = cycles_now() - c0;
	r->elapsed = mono_now() - t0;
}

static void cleanup(struct replay *r)
{
	/* first: connections left (none after run()) end with their hooks */
	pne_pipe_destroy(r->pipe);
	if (r->adus != NULL && r->adus != stdout)
		fclose(r->adus);
	rpl_bodies_free(r->bodies);
	if (r->flows_out != NULL && r->flows_out != stdout)
		fclose(r->flows_out);
	rpl_flows_free(r->flows);
	rpl_streams_free(r->streams);
	rpl_input_close(&r->in);
	for (unsigned i = 0; i < r->ntypes; i++)
		free(r->types[i].type);
	free(r->types);
	free(r->line);
	rpl_specs_free(&r->specs);
}

int main(int argc, char **argv)
{
	static struct replay rep;   /* the port map is 64 KiB: not on the stack */
	struct replay *r = &rep;
	struct options o;
	int rc = parse_options(&o, argc, argv);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	r->o = &o;
	rc = EXIT_USAGE;
	if (setup_specs(r) != 0)
		goto out;
	if (o.list) {
		rpl_specs_list(&r->specs, stdout);
		rc = 0;
		goto out;
	}
	rc = EXIT_RUN;
	if (rpl_input_open(&r->in, o.capture, r->errbuf, sizeof(r->errbuf)) != 0) {
		errmsg("%s", r->errbuf);
		goto out;
	}
	r->linktype = pcap_datalink(r->in.pcap);
	if (setup_runtime(r) != 0 || open_adus(r) != 0)
		goto out;
	run(r);
	if (close_adus(r) != 0 || close_flows(r) != 0)
		goto out;
	if (r->st->parse[PNE_PKT_LINKTYPE] > 0 && !o.quiet)
		fprintf(stderr, "pne-replay: warning: link type %d (%s) is not supported: "
			"no packet was parsed\n", r->linktype,
			pcap_datalink_val_to_name(r->linktype) ? pcap_datalink_val_to_name(r->linktype)
							       : "unknown");
	if (o.stats != NULL && write_stats(r, o.stats) != 0)
		goto out;
	/* the summary stays off a standard output that carries JSON */
	if (!o.quiet)
		summary(r, (o.adus != NULL && strcmp(o.adus, "-") == 0) ||
			   (o.stats != NULL && strcmp(o.stats, "-") == 0) ||
			   (o.flows != NULL && strcmp(o.flows, "-") == 0) ? stderr : stdout);
	rc = 0;
out:
	cleanup(r);
	return rc;
}
