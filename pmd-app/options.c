/*
 * dpdk-pne's own options: everything after the EAL's "--"
 * (/work/notes/dpdk-pne-cli.md and docs/dpdk-pne.md). Parsed before the
 * EAL starts, so a bad argument costs no hugepages and no port.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "pmd.h"

#define DEF_LOG_BUFFERS 64
#define DEF_BENCH_LOOPS 10

void pmd_usage(FILE *f)
{
	fprintf(f,
"usage: dpdk-pne [EAL OPTIONS] -- [OPTIONS]\n"
"Forwards (inline) or receives (monitor) packets on DPDK ports and frames\n"
"the TCP streams passing with the PNE specs, one pipeline per worker lcore.\n"
"The main lcore writes the ADU log and the stats; every other lcore of -l\n"
"is a worker (one lcore: the main lcore does both).\n"
"\n"
"  --ports P             port pairs \"0:1[,2:3...]\": inline mode forwards each\n"
"                        port's packets to its pair (both ways); a lone port\n"
"                        \"0\" transmits back on itself. Default: 0:1, 2:3...\n"
"                        pairing the ports in order (an odd last one alone)\n"
"  --mode inline|monitor inline (default) forwards every packet; monitor only\n"
"                        receives (a mirror port) and frees them\n"
"  --spec NAME[:PORTS]   run built-in spec NAME (repeatable); PORTS (80,8080)\n"
"                        replace its default server ports. Default: every\n"
"                        built-in spec on its default ports\n"
"  --spec FILE.so[:PORTS] load a spec compiled with pnec --module\n"
"  --param SPEC.NAME=V   set a spec parameter (number, 0x hex, true, false)\n"
"  --list-specs          print the specs (selected, or all built-in) and exit\n"
"  --adus FILE           write the ADUs as JSON Lines ('-': standard output),\n"
"                        the format of pne-replay (docs/adu-log.md)\n"
"  --stats-json FILE     write the final counters as one JSON object\n"
"  --max-flows N         flow table size per worker (%u)\n"
"  --flow-timeout [CLASS=]SECS  idle timeout of established flows (3600), or\n"
"                        of CLASS: established, closing (60), half_open (60)\n"
"  --gap-timeout SECS    give up on a hole after SECS (10; 0: only when room\n"
"                        is needed or the flow ends)\n"
"  --memcap BYTES        tracker pool for held out-of-order data, per worker\n"
"                        (64M)\n"
"  --hdr-memcap BYTES    tracker pool for headers straddling segments, per\n"
"                        worker (16M; 16K at least: one header buffer)\n"
"  --flow-hold BYTES     held bytes per flow (1M)\n"
"  --queues N            RX/TX queue pairs per port (default: one per worker;\n"
"                        1 on a port without RSS; af_packet: its qpairs)\n"
"  --log-buffers N       64 KiB ADU log buffers per worker (%u); when all are\n"
"                        waiting for the writer, ADUs are dropped and counted\n"
"  --stats-interval SECS one-line summary on stderr every SECS (0: off, the\n"
"                        default)\n"
"  --idle-exit SECS      stop after SECS without a packet received (pcap\n"
"                        replay: net_pcap never signals the end of a file)\n"
"  --no-track            forward only, no parsing (the baseline)\n"
"  --bench FILE[:LOOPS]  benchmark: load the capture into memory and replay it\n"
"                        LOOPS times (%u) through the worker loop from an\n"
"                        in-memory ring port, with no other I/O; prints the\n"
"                        cycles per packet of each pass and mode\n"
"  --bench-modes LIST    the passes of each round, in order (rotating from\n"
"                        round to round): forward (rx -> tx) and track\n"
"                        (rx -> pipeline -> tx). Default forward,track\n"
"  -q, --quiet           no summary, no warnings\n"
"  -h, --help            this text\n"
"Sizes take a k, m or g suffix (powers of 1024). SIGINT or SIGTERM stops\n"
"cleanly: every ADU is written and the final stats printed. Exit status: 0\n"
"after a clean stop, 1 runtime failure (EAL, port, memory, output), 2 bad\n"
"usage. Example (replay a capture, no NIC, no hugepages):\n"
"  dpdk-pne --no-pci --no-huge -m 512 -l 0-1 \\\n"
"    --vdev net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap -- --adus a.jsonl --idle-exit 1\n",
		PNE_PIPE_DEF_MAX_FLOWS, DEF_LOG_BUFFERS, DEF_BENCH_LOOPS);
}

static int parse_port_id(const char *s, char **end, uint16_t *id)
{
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, end, 10);
	if (errno != 0 || v >= RTE_MAX_ETHPORTS)
		return -1;
	*id = (uint16_t)v;
	return 0;
}

/* "0:1,2:3" or "0" or "0,1" (two lone ports). A port may appear once. */
static int parse_ports(struct pmd_opts *o, const char *arg)
{
	uint8_t seen[RTE_MAX_ETHPORTS] = { 0 };
	const char *s = arg;

	o->npairs = 0;
	for (;;) {
		struct pmd_pair *p = &o->pairs[o->npairs];
		char *end;

		if (o->npairs == RTE_MAX_ETHPORTS || parse_port_id(s, &end, &p->a) != 0)
			goto bad;
		p->b = p->a;
		if (*end == ':' && parse_port_id(end + 1, &end, &p->b) != 0)
			goto bad;
		if (seen[p->a] || (p->b != p->a && seen[p->b])) {
			pmd_err("--ports %s: port %u appears twice", arg,
				seen[p->a] ? p->a : p->b);
			return -1;
		}
		seen[p->a] = seen[p->b] = 1;
		o->npairs++;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			goto bad;
		s = end + 1;
	}
bad:
	pmd_err("--ports %s: expected PORT[:PORT][,PORT[:PORT]...], ports 0-%d",
		arg, RTE_MAX_ETHPORTS - 1);
	return -1;
}

enum {
	OPT_PORTS = 256, OPT_MODE, OPT_SPEC, OPT_PARAM, OPT_LIST, OPT_ADUS, OPT_STATS,
	OPT_QUEUES, OPT_LOG_BUFFERS, OPT_STATS_INTERVAL, OPT_IDLE_EXIT, OPT_NO_TRACK,
	OPT_BENCH, OPT_BENCH_MODES,
};

/* "FILE" or "FILE:LOOPS" (a file name may hold colons: only a last
 * colon followed by digits alone is taken for LOOPS). */
static int parse_bench(struct pmd_opts *o, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	size_t len = strlen(arg);
	uint64_t v;

	o->bench_loops = DEF_BENCH_LOOPS;
	if (colon != NULL && colon[1] != '\0' &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		if (rpl_parse_size(colon + 1, PMD_BENCH_MAX_LOOPS, &v) != 0 || v == 0) {
			pmd_err("--bench %s: expected LOOPS from 1 to %d", arg,
				PMD_BENCH_MAX_LOOPS);
			return -1;
		}
		o->bench_loops = (unsigned)v;
		len = (size_t)(colon - arg);
	}
	if (len == 0 || len >= sizeof(o->bench_file)) {
		pmd_err("--bench %s: expected FILE[:LOOPS]", arg);
		return -1;
	}
	memcpy(o->bench_file, arg, len);
	o->bench_file[len] = '\0';
	o->bench = o->bench_file;
	return 0;
}

/* "forward,track": mode names, each at most once. */
static int parse_bench_modes(struct pmd_opts *o, const char *arg)
{
	const char *s = arg;

	o->bench_nmodes = 0;
	for (;;) {
		size_t len = strcspn(s, ",");
		int mode = -1;

		for (int m = 0; m < PMD_BENCH__COUNT; m++) {
			const char *name = pmd_bench_mode_name((enum pmd_bench_mode)m);

			if (strlen(name) == len && strncmp(s, name, len) == 0)
				mode = m;
		}
		for (unsigned k = 0; mode >= 0 && k < o->bench_nmodes; k++)
			if (o->bench_modes[k] == mode)
				mode = -1;   /* each once: a round has one pass of each */
		if (mode < 0) {
			pmd_err("--bench-modes %s: expected forward, track or both, "
				"separated by a comma", arg);
			return -1;
		}
		o->bench_modes[o->bench_nmodes++] = (uint8_t)mode;
		if (s[len] == '\0')
			return 0;
		s += len + 1;
	}
}

static int option_num(struct pmd_opts *o, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case OPT_QUEUES:
		if (rpl_parse_size(arg, 1024, &v) != 0 || v == 0) {
			pmd_err("--queues %s: expected a count from 1 to 1024", arg);
			return -1;
		}
		o->queues = (unsigned)v;
		return 0;
	case OPT_LOG_BUFFERS:
		if (rpl_parse_size(arg, 65536, &v) != 0 || v < 2) {
			pmd_err("--log-buffers %s: expected a count from 2 to 65536", arg);
			return -1;
		}
		o->log_buffers = (unsigned)v;
		return 0;
	case OPT_STATS_INTERVAL:
		if (rpl_parse_secs(arg, &o->stats_interval) != 0) {
			pmd_err("--stats-interval %s: expected seconds (0: off)", arg);
			return -1;
		}
		return 0;
	case OPT_IDLE_EXIT:
		if (rpl_parse_secs(arg, &o->idle_exit) != 0 || o->idle_exit == 0) {
			pmd_err("--idle-exit %s: expected seconds above 0", arg);
			return -1;
		}
		return 0;
	default:
		if (c >= RPL_OPT_MEMCAP && c < RPL_OPT__END)
			return rpl_pipe_option(&o->pipe, PMD_PROG, c, arg);
		return -1;
	}
}

/* One option; returns 0, -1 for --help, or an exit status. */
static int option(struct pmd_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_PORTS:
		return parse_ports(o, arg) == 0 ? 0 : PMD_EXIT_USAGE;
	case OPT_MODE:
		if (strcmp(arg, "inline") != 0 && strcmp(arg, "monitor") != 0) {
			pmd_err("--mode %s: expected inline or monitor", arg);
			return PMD_EXIT_USAGE;
		}
		o->monitor = strcmp(arg, "monitor") == 0;
		return 0;
	case OPT_SPEC:
	case OPT_PARAM:
		if ((c == OPT_SPEC ? o->nspec_args : o->nparam_args) == PMD_MAX_ARGS) {
			pmd_err("more than %d %s options", PMD_MAX_ARGS,
				c == OPT_SPEC ? "--spec" : "--param");
			return PMD_EXIT_USAGE;
		}
		if (c == OPT_SPEC)
			o->spec_args[o->nspec_args++] = arg;
		else
			o->param_args[o->nparam_args++] = arg;
		return 0;
	case OPT_LIST: o->list_specs = 1; return 0;
	case OPT_ADUS: o->adus = arg; return 0;
	case OPT_STATS: o->stats_json = arg; return 0;
	case OPT_NO_TRACK: o->no_track = 1; return 0;
	case OPT_BENCH: return parse_bench(o, arg) == 0 ? 0 : PMD_EXIT_USAGE;
	case OPT_BENCH_MODES: return parse_bench_modes(o, arg) == 0 ? 0 : PMD_EXIT_USAGE;
	case 'q': o->quiet = 1; return 0;
	case 'h': pmd_usage(stdout); return -1;
	case '?':
	case ':':
		fputs("Try 'dpdk-pne -- --help'.\n", stderr);
		return PMD_EXIT_USAGE;
	default:
		return option_num(o, c, arg) == 0 ? 0 : PMD_EXIT_USAGE;
	}
}

static void defaults(struct pmd_opts *o)
{
	memset(o, 0, sizeof(*o));
	rpl_pipe_opts_defaults(&o->pipe);
	o->log_buffers = DEF_LOG_BUFFERS;
}

/* --bench's constraints, and its default modes. */
static int check_bench(struct pmd_opts *o)
{
	if (o->bench == NULL) {
		if (o->bench_nmodes > 0) {
			pmd_err("--bench-modes without --bench");
			return PMD_EXIT_USAGE;
		}
		return 0;
	}
	if (o->npairs > 0 || o->monitor || o->idle_exit > 0) {
		pmd_err("--bench replays from its own ring port: it takes no --ports, "
			"--mode monitor or --idle-exit");
		return PMD_EXIT_USAGE;
	}
	if (o->bench_nmodes == 0) {
		o->bench_modes[o->bench_nmodes++] = PMD_BENCH_FORWARD;
		if (!o->no_track)
			o->bench_modes[o->bench_nmodes++] = PMD_BENCH_TRACK;
	}
	for (unsigned k = 0; k < o->bench_nmodes; k++)
		if (o->bench_modes[k] == PMD_BENCH_TRACK && o->no_track) {
			pmd_err("--bench-modes track: --no-track tracks nothing");
			return PMD_EXIT_USAGE;
		}
	return 0;
}

int pmd_parse_options(struct pmd_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ports", required_argument, NULL, OPT_PORTS },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "param", required_argument, NULL, OPT_PARAM },
		{ "list-specs", no_argument, NULL, OPT_LIST },
		{ "adus", required_argument, NULL, OPT_ADUS },
		{ "stats-json", required_argument, NULL, OPT_STATS },
		RPL_PIPE_LONGOPTS,
		{ "queues", required_argument, NULL, OPT_QUEUES },
		{ "log-buffers", required_argument, NULL, OPT_LOG_BUFFERS },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "idle-exit", required_argument, NULL, OPT_IDLE_EXIT },
		{ "no-track", no_argument, NULL, OPT_NO_TRACK },
		{ "bench", required_argument, NULL, OPT_BENCH },
		{ "bench-modes", required_argument, NULL, OPT_BENCH_MODES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	defaults(o);
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
		if ((rc = option(o, c, optarg)) != 0)
			return rc;
	if (optind < argc) {
		pmd_err("unexpected argument '%s' (EAL options go before '--', "
			"dpdk-pne's after it)", argv[optind]);
		return PMD_EXIT_USAGE;
	}
	if (o->adus != NULL && o->stats_json != NULL && strcmp(o->adus, "-") == 0 &&
	    strcmp(o->stats_json, "-") == 0) {
		pmd_err("--adus and --stats-json can't both go to standard output");
		return PMD_EXIT_USAGE;
	}
	if (o->no_track && (o->nspec_args > 0 || o->nparam_args > 0 || o->adus != NULL)) {
		pmd_err("--no-track tracks nothing: it takes no --spec, --param or --adus");
		return PMD_EXIT_USAGE;
	}
	return check_bench(o);
}
