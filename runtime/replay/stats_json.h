/*
 * The parts of the --stats-json document pne-replay and dpdk-pne share
 * (library pne_specsel): the same keys from the same counters, written by
 * one piece of code. docs/pne-replay.md, "Stats JSON", lists the keys;
 * dpdk-pne's document has them too, where they apply.
 */
#ifndef PNE_STATS_JSON_H
#define PNE_STATS_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "pne/flow_table.h"
#include "pne/pipe.h"
#include "pne/tracker.h"
#include "replay.h"

/* ADUs of one (spec, type). type is the spec table's string (it lives
 * as long as the spec is loaded). */
struct rpl_type_count {
	const char *type;
	unsigned spec;              /* index in struct rpl_specs */
	uint64_t n;
};

/* The counters a run leaves: one pipeline's, or the sum of several. */
struct rpl_stats {
	const struct rpl_specs *specs;
	const struct pne_pipe_stats *pipe;
	const struct pne_flow_stats *flow;
	const struct pne_tracker_stats *tracker;
	uint32_t max_flows;         /* the flow table's size (per pipeline) */
	const struct rpl_type_count *types;   /* ADUs by (spec, type) */
	unsigned ntypes;
};

/* Members of an object: ",KEY:" (no comma before the first: *first
 * says whether one was written yet), then the value. */
void rpl_json_key(FILE *f, int *first, const char *key);
void rpl_json_u64(FILE *f, int *first, const char *key, uint64_t v);
void rpl_json_dbl(FILE *f, int *first, const char *key, double v);

/* 100 * n / total, 0 when total is 0. */
double rpl_pct(uint64_t n, uint64_t total);

/* The "specs" array: name, source, ports, flows of each spec. */
void rpl_stats_specs(FILE *f, const struct rpl_stats *s);

/* The members ,"parse":{..},"tcp":{..},"flows":{..},"tracker":{..},
 * "interp":{..}. The tracker's are every counter of tracker_stats.def. */
void rpl_stats_counters(FILE *f, const struct rpl_stats *s);

/* The "by_proto" object of "adus": per spec with ADUs, its total and
 * its types. */
void rpl_stats_by_proto(FILE *f, const struct rpl_stats *s);

/* The top-level summary members: ,"examined",.."resyncs". */
void rpl_stats_summary(FILE *f, const struct rpl_stats *s);

/* The human summary's lines of ADUs by spec: "    NAME  TOTAL: TYPE N,
 * TYPE N" for each spec with ADUs. */
void rpl_summary_by_spec(FILE *f, const struct rpl_stats *s);

#endif /* PNE_STATS_JSON_H */
