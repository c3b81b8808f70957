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
#include "cli_common.h"
#include "replay.h"
#include "stats_json.h"

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
	struct rpl_pipe_opts pipe;  /* --memcap, --max-flows, timeouts... */
	int quiet;
	int progress;
	int list;
	int body_hash;              /* --body-hash */
	const char *bodies;         /* --bodies DIR */
	uint64_t body_cap;          /* --body-cap */
	const char *flows;          /* --flows FILE */
	const char *streams;        /* --streams DIR */
};

#define errmsg(...) rpl_err("pne-replay", __VA_ARGS__)

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
"  --hdr-memcap BYTES    tracker pool for headers straddling segments (16M;\n"
"                        16K at least: one header buffer)\n"
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
"error, 2 bad usage.\n", PNE_PIPE_DEF_MAX_FLOWS);
}

enum {
	OPT_ADUS = 256, OPT_STATS, OPT_SPEC, OPT_PARAM, OPT_LIST, OPT_NO_PROGRESS,
	OPT_BODY_HASH, OPT_BODIES, OPT_BODY_CAP,
	OPT_FLOWS, OPT_STREAMS,
};

/* One option; returns 0, or an exit status. */
static int option(struct options *o, int c, const char *arg)
{
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
		if (rpl_parse_size(arg, UINT64_MAX, &o->body_cap) != 0 || o->body_cap == 0) {
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
	default:
		if (c >= RPL_OPT_MEMCAP && c < RPL_OPT__END)
			return rpl_pipe_option(&o->pipe, "pne-replay", c, arg) == 0 ? 0 : EXIT_USAGE;
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
		RPL_PIPE_LONGOPTS,
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
	rpl_pipe_opts_defaults(&o->pipe);
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
	struct rpl_type_count *types;   /* ADUs by (spec, type) */
	unsigned ntypes, types_cap;
	/* counters beyond the pipeline's */
	uint64_t pcap_errors;
	int truncated;
	uint64_t first_ts, last_ts;
	uint64_t cycles, flush_cycles;
	double elapsed;
	char errbuf[PCAP_ERRBUF_SIZE + 256];
};

/* type: the spec table's string (kept, not copied) */
static void count_type(struct replay *r, unsigned spec, const char *type)
{
	struct rpl_type_count *t;

	for (unsigned i = 0; i < r->ntypes; i++) {
		t = &r->types[i];
		if (t->spec == spec && strcmp(t->type, type) == 0) {
			t->n++;
			return;
		}
	}
	if (r->ntypes == r->types_cap) {
		unsigned cap = r->types_cap ? r->types_cap * 2 : 32;
		struct rpl_type_count *p = realloc(r->types, cap * sizeof(*p));

		if (p == NULL)
			return;   /* the per-spec totals still count it */
		r->types = p;
		r->types_cap = cap;
	}
	r->types[r->ntypes++] = (struct rpl_type_count){ type, spec, 1 };
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

/* The counters stats_json.c writes, and the by-spec summary lines. */
static struct rpl_stats stats_of(const struct replay *r)
{
	return (struct rpl_stats){
		.specs = &r->specs,
		.pipe = r->st,
		.flow = pne_pipe_flow_stats(r->pipe),
		.tracker = pne_pipe_tracker_stats(r->pipe),
		.max_flows = r->o->pipe.max_flows,
		.types = r->types,
		.ntypes = r->ntypes,
	};
}

static void summary_adus(const struct replay *r, FILE *f)
{
	struct rpl_stats s = stats_of(r);

	fprintf(f, "  ADUs: %" PRIu64 " (%" PRIu64 " unsynced, %" PRIu64 " until close)\n",
		r->st->adus, r->st->adus_unsynced, r->st->adus_closed);
	rpl_summary_by_spec(f, &s);
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
		ts->examined, rpl_pct(ts->examined, tracked_payload),
		ts->skipped, rpl_pct(ts->skipped, tracked_payload),
		ts->ignored, rpl_pct(ts->ignored, tracked_payload), r->st->untracked_payload_packets);
	fprintf(f, "  held peak %" PRIu64 " bytes; gaps %" PRIu64 " (%" PRIu64 " bytes), "
		"absorbed %" PRIu64 ", resyncs %" PRIu64 "; hold drops %" PRIu64 "\n",
		ts->held_peak, ts->gaps, ts->gap_bytes, ts->gaps_absorbed, ts->resyncs,
		ts->hold_drops);
	fprintf(f, "  %.0f %s/packet (%s), %.3f s\n",
		r->st->packets ? (double)r->cycles / (double)r->st->packets : 0.0,
		strcmp(CYCLE_UNIT, "tsc") == 0 ? "cycles" : "ns", CYCLE_UNIT, r->elapsed);
}

/* ---- 6. stats JSON ---------------------------------------------------- */

static void stats_json(const struct replay *r, FILE *f)
{
	struct rpl_stats s = stats_of(r);
	int first = 1;

	fputs("{\"capture\":", f);
	rpl_json_string(f, r->o->capture);
	fprintf(f, ",\"linktype\":%d,\"specs\":", r->linktype);
	rpl_stats_specs(f, &s);
	fputs(",\"pcap\":{", f);
	rpl_json_u64(f, &first, "packets", r->st->packets);
	rpl_json_u64(f, &first, "bytes", r->st->wire_bytes);
	rpl_json_u64(f, &first, "captured_bytes", r->st->cap_bytes);
	rpl_json_u64(f, &first, "errors", r->pcap_errors);
	rpl_json_key(f, &first, "truncated");
	fputs(r->truncated ? "true" : "false", f);
	rpl_json_u64(f, &first, "first_ts_ns", r->first_ts);
	rpl_json_u64(f, &first, "last_ts_ns", r->last_ts);
	fputc('}', f);
	rpl_stats_counters(f, &s);
	fputs(",\"adus\":{", f);
	first = 1;
	rpl_json_u64(f, &first, "total", r->st->adus);
	rpl_json_u64(f, &first, "unsynced", r->st->adus_unsynced);
	rpl_json_u64(f, &first, "closed", r->st->adus_closed);
	rpl_json_key(f, &first, "by_proto");
	rpl_stats_by_proto(f, &s);
	fputc('}', f);
	rpl_stats_summary(f, &s);
	first = 0;
	fputs(",\"cycles\":{\"unit\":\"" CYCLE_UNIT "\"", f);
	rpl_json_u64(f, &first, "total", r->cycles);
	rpl_json_dbl(f, &first, "per_packet",
		     r->st->packets ? (double)r->cycles / (double)r->st->packets : 0);
	rpl_json_u64(f, &first, "flush", r->flush_cycles);
	fputc('}', f);
	rpl_json_dbl(f, &first, "elapsed_s", r->elapsed);
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
		.max_flows = o->pipe.max_flows,
		.tracker = o->pipe.tconf,
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
	memcpy(pc.timeout, o->pipe.tmo, sizeof(pc.timeout));
	r->pipe = pne_pipe_create(&pc);
	if (r->pipe == NULL) {
		char what[128];

		rpl_pipe_describe(&o->pipe, what, sizeof(what));
		errmsg("pipeline of %s: %s", what, strerror(errno));
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
