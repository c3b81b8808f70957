/*
 * The command line pne-replay and dpdk-pne share (library pne_specsel):
 * number parsers, and the options that size and time the packet
 * pipeline (pne/pipe.h), taken by both programs with the same names,
 * syntax, defaults and error messages. docs/pne-replay.md and
 * docs/dpdk-pne.md document them.
 */
#ifndef PNE_CLI_COMMON_H
#define PNE_CLI_COMMON_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "pne/flow_table.h"
#include "pne/tracker.h"

/* Default --gap-timeout, seconds. */
#define RPL_DEF_GAP_TIMEOUT_S 10.0

/* getopt_long() values of the pipeline options; above both programs'
 * own (which start at 256). */
enum rpl_pipe_opt {
	RPL_OPT_MEMCAP = 1024,
	RPL_OPT_HDR_MEMCAP,
	RPL_OPT_FLOW_HOLD,
	RPL_OPT_GAP_TIMEOUT,
	RPL_OPT_FLOW_TIMEOUT,
	RPL_OPT_MAX_FLOWS,
	RPL_OPT__END
};

/* The pipeline options' entries of a struct option array. */
#define RPL_PIPE_LONGOPTS \
	{ "memcap", required_argument, NULL, RPL_OPT_MEMCAP }, \
	{ "hdr-memcap", required_argument, NULL, RPL_OPT_HDR_MEMCAP }, \
	{ "flow-hold", required_argument, NULL, RPL_OPT_FLOW_HOLD }, \
	{ "gap-timeout", required_argument, NULL, RPL_OPT_GAP_TIMEOUT }, \
	{ "flow-timeout", required_argument, NULL, RPL_OPT_FLOW_TIMEOUT }, \
	{ "max-flows", required_argument, NULL, RPL_OPT_MAX_FLOWS }

/* What the pipeline options set: the parts of struct pne_pipe_conf the
 * user chooses. */
struct rpl_pipe_opts {
	struct pne_tracker_conf tconf;      /* gap_timeout in ns; zero fields:
	                                       the tracker's defaults */
	uint64_t tmo[PNE_FLOW_TMO__COUNT];  /* idle timeouts, ns */
	uint32_t max_flows;                 /* flow table entries */
};

/* The defaults: 262144 flows, gap timeout 10 s, flow timeouts 3600 s
 * (established), 60 s (closing, half_open), the tracker's pool sizes. */
void rpl_pipe_opts_defaults(struct rpl_pipe_opts *po);

/* Apply pipeline option opt (enum rpl_pipe_opt) with its argument.
 * Returns 0, or -1 after printing why on stderr, prefixed "PROG: ". */
int rpl_pipe_option(struct rpl_pipe_opts *po, const char *prog, int opt, const char *arg);

/* For messages about a pipeline that could not be made: "N flows,
 * memcap B, hdr-memcap B bytes" (the sizes in effect, defaults
 * included) into buf (len bytes). */
void rpl_pipe_describe(const struct rpl_pipe_opts *po, char *buf, size_t len);

/* Print "PROG: MESSAGE" and a newline on stderr. */
void rpl_err(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A size: decimal digits, then an optional k, m or g (powers of 1024,
 * either case), at most max. Returns 0 with *out set, or -1. */
int rpl_parse_size(const char *s, uint64_t max, uint64_t *out);

/* Seconds: a non-negative decimal number (a fraction allowed) up to 1e9.
 * Returns 0 with *secs set, or -1. */
int rpl_parse_secs(const char *s, double *secs);

/* Seconds, as rpl_parse_secs(), into nanoseconds. */
int rpl_parse_ns(const char *s, uint64_t *ns);

#endif /* PNE_CLI_COMMON_H */
